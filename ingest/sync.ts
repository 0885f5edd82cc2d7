/**
 * `patchloom sync`: IMAP mailboxes into the database, through the same pipeline as file import.
 *
 * - Every (account, mailbox) is synced under a PostgreSQL session advisory lock, so any number of
 *   workers on any number of machines can share one database: one syncs a mailbox, the others
 *   wait and take over when it stops. The unique keys of raw_messages (SHA-256) and
 *   message_sources (coordinates) catch whatever slips past (a lock lost with its connection).
 * - Each IMAP batch goes through runPipeline (store, thread, derive; one import_runs row of kind
 *   'imap'), then the checkpoint advances in imap_checkpoints. A crash between the two re-fetches
 *   one batch, which the pipeline recognises as already stored.
 * - The first pass of each mailbox is a plain syncOnce (so the caller knows when the initial sync
 *   is over); without `once` the mailbox is then followed with syncForever (IDLE, NOOP polling).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { Sql } from 'postgres';
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_IDLE_DELAY_MS,
  DEFAULT_POLL_MS,
  ImapSetupError,
  imapAccountsFromConfig,
  imapAccountsFromEnv,
  syncForever,
  syncOnce,
  type ImapAccount,
  type ImapMessage,
  type MailboxCheckpoint,
  type SyncHooks,
} from './imap.ts';
import { runPipeline, type PipelineSummary } from './pipeline.ts';
import type { SourcedMessage } from './sources/files.ts';
import { loadCheckpoint, saveCheckpoint, tryLockMailbox, type MailboxLock } from '../lib/db/checkpoints.ts';

// ---------------------------------------------------------------------------------------------
// Configuration

export const CONFIG_FILE = 'patchloom.config.json';

/**
 * The IMAP accounts to sync: from PATCHLOOM_IMAP_* when PATCHLOOM_IMAP_HOST is set, else from the
 * config file (`configPath`, or patchloom.config.json in `cwd` when it exists). `source` says
 * which; no accounts and a null source when IMAP is not configured. Throws ImapSetupError.
 */
export function loadImapAccounts(opts: { configPath?: string; env?: Record<string, string | undefined>; cwd?: string } = {}): {
  accounts: ImapAccount[];
  source: string | null;
} {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const fromEnv = imapAccountsFromEnv(env);
  if (fromEnv.length) return { accounts: fromEnv, source: 'the environment (PATCHLOOM_IMAP_*)' };
  const file = resolve(cwd, opts.configPath ?? CONFIG_FILE);
  if (!opts.configPath && !existsSync(file)) return { accounts: [], source: null };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ImapSetupError(`can not read the config file ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ImapSetupError(`${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  const accounts = imapAccountsFromConfig(json, { baseDir: dirname(file), file });
  return { accounts, source: accounts.length ? file : null };
}

export const NOT_CONFIGURED =
  'IMAP is not configured. Set PATCHLOOM_IMAP_HOST, PATCHLOOM_IMAP_USER and PATCHLOOM_IMAP_PASSWORD (and PATCHLOOM_IMAP_MAILBOXES), ' +
  `or add an "imap" section to ${CONFIG_FILE} (see docs/imap.md).`;

// ---------------------------------------------------------------------------------------------
// Storing a batch

/** One IMAP batch through the file-import pipeline (one import_runs row), then the checkpoint. */
export async function storeImapBatch(
  sql: Sql,
  messages: ImapMessage[],
  checkpoint: MailboxCheckpoint & { account: string; mailbox: string },
  opts: { derive?: (threadIds: number[]) => Promise<void>; log?: (line: string) => void } = {},
): Promise<PipelineSummary | null> {
  let summary: PipelineSummary | null = null;
  if (messages.length) {
    const totalBytes = messages.reduce((n, m) => n + m.bytes.length, 0);
    let bytesDone = 0;
    async function* sourced(): AsyncGenerator<SourcedMessage> {
      for (const m of messages) {
        bytesDone += m.bytes.length;
        yield { bytes: m.bytes, source: { kind: 'imap', account: m.account, mailbox: m.mailbox, uidValidity: m.uidValidity, uid: m.uid } };
      }
    }
    const first = messages[0].uid;
    const last = messages[messages.length - 1].uid;
    summary = await runPipeline(sql, sourced(), {
      kind: 'imap',
      label: `${checkpoint.account}/${checkpoint.mailbox} (UIDVALIDITY ${checkpoint.uidValidity}) ${uidRange(first, last)}`,
      totalBytes,
      bytesDone: () => bytesDone,
      // The whole IMAP batch in one transaction (the pipeline still splits above 64 MB).
      batchSize: messages.length,
      derive: opts.derive,
      log: opts.log,
    });
  }
  await saveCheckpoint(sql, checkpoint);
  return summary;
}

const uidRange = (first: number, last: number) => (first === last ? `UID ${first}` : `UIDs ${first}-${last}`);

// ---------------------------------------------------------------------------------------------
// Running the sync

export interface SyncProgress {
  /** Messages fetched and stored in the initial sync so far, over all mailboxes. */
  messages: number;
  /** Messages the initial sync has found so far (grows as mailboxes start). */
  totalMessages: number;
  doneBytes: number;
}

export interface SyncSummary {
  mailboxes: number;
  messages: number;
  added: number;
  duplicates: number;
  flagged: number;
  bytes: number;
  /** The signal stopped the sync (in `once` mode: before it was complete). */
  stopped: boolean;
}

export interface SyncOptions {
  /** Sync what is there and return; otherwise follow new mail until `signal` aborts. */
  once?: boolean;
  signal?: AbortSignal;
  batchSize?: number;
  /** IDLE starts this long after the last command (imap.ts default 100 ms). */
  idleDelayMs?: number;
  /** A pass runs at least this often (NOOP polling on servers without IDLE). */
  pollMs?: number;
  /** First delay before reconnecting or retrying after an error; doubles up to a minute. */
  reconnectDelayMs?: number;
  /** How often a mailbox synced by another worker is tried again. */
  lockRetryMs?: number;
  derive?: (threadIds: number[]) => Promise<void>;
  log?(line: string): void;
  onProgress?(p: SyncProgress): void;
  /** Without `once`: every mailbox has had its first pass (or is synced by another worker). */
  onCaughtUp?(s: SyncSummary): void;
}

/** The sync was stopped by its signal; thrown from a hook to end syncOnce between batches. */
class SyncStopped extends Error {
  constructor() {
    super('sync stopped');
  }
}

class LockLost extends Error {}

type TargetState = 'pending' | 'waiting' | 'initial' | 'following';

interface Target {
  account: ImapAccount;
  mailbox: string;
  tag: string;
  state: TargetState;
  initialDone: boolean;
  /** Credentials and mailbox were fine once: later setup errors are retried like outages. */
  healthy: boolean;
  failures: number;
  progressBase: { done: number; bytes: number };
  progress: { done: number; total: number; bytes: number };
}

interface Context {
  sql: Sql;
  /** Each mailbox lock has a connection of its own, so the pipeline's pool stays free. */
  url: string;
  o: Required<Pick<SyncOptions, 'batchSize' | 'idleDelayMs' | 'pollMs' | 'reconnectDelayMs' | 'lockRetryMs'>> & SyncOptions;
  signal: AbortSignal;
  targets: Target[];
  summary: SyncSummary;
  caughtUpSent: boolean;
  /** One initial pass at a time per account: one IMAP connection, like an ordinary client. */
  accountTurn: Map<string, <T>(fn: () => Promise<T>) => Promise<T>>;
  failedAccounts: Set<string>;
}

const RETRY_MAX_MS = 60_000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((res) => {
    if (signal.aborted) return res();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      res();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

function createTurns(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<void> = Promise.resolve();
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    const before = tail;
    let done!: () => void;
    tail = new Promise<void>((r) => (done = r));
    await before;
    try {
      return await fn();
    } finally {
      done();
    }
  };
}

const seconds = (ms: number) => (ms >= 1000 ? `${Math.round(ms / 100) / 10}s` : `${ms}ms`);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A setup error about one mailbox (it does not exist), not about the whole account. */
const isMailboxError = (err: unknown) => (err as { cause?: { mailboxMissing?: boolean } }).cause?.mailboxMissing === true;

function setState(ctx: Context, t: Target, state: TargetState) {
  t.state = state;
  if (ctx.o.once || ctx.caughtUpSent || ctx.signal.aborted) return;
  if (ctx.targets.every((x) => x.state === 'waiting' || x.state === 'following')) {
    ctx.caughtUpSent = true;
    ctx.o.onCaughtUp?.({ ...ctx.summary });
  }
}

function reportProgress(ctx: Context) {
  let messages = 0;
  let totalMessages = 0;
  let doneBytes = 0;
  for (const t of ctx.targets) {
    messages += t.progressBase.done + t.progress.done;
    totalMessages += t.progressBase.done + t.progress.total;
    doneBytes += t.progressBase.bytes + t.progress.bytes;
  }
  ctx.o.onProgress?.({ messages, totalMessages, doneBytes });
}

function hooksFor(ctx: Context, t: Target, lock: MailboxLock, phase: 'initial' | 'follow'): SyncHooks {
  return {
    async loadCheckpoint(account, mailbox) {
      if (ctx.signal.aborted) throw new SyncStopped();
      t.healthy = true;
      t.failures = 0;
      return loadCheckpoint(ctx.sql, account, mailbox);
    },
    async storeBatch(messages, checkpoint) {
      if (ctx.signal.aborted) throw new SyncStopped();
      // Another worker may have taken the mailbox if our lock's connection was lost.
      if (!(await lock.held())) throw new LockLost(`lost the database lock of mailbox ${t.tag} (its connection to PostgreSQL closed)`);
      const s = await storeImapBatch(ctx.sql, messages, checkpoint, { derive: ctx.o.derive, log: ctx.o.log });
      if (!s) return;
      const sum = ctx.summary;
      sum.messages += s.messages;
      sum.added += s.added;
      sum.duplicates += s.duplicates;
      sum.flagged += s.flagged;
      sum.bytes += messages.reduce((n, m) => n + m.bytes.length, 0);
      if (phase === 'follow') {
        const extra = [s.duplicates ? `${s.duplicates} already stored` : '', s.flagged ? `${s.flagged} flagged` : ''].filter(Boolean).join(', ');
        ctx.o.log?.(`[${t.tag}] ${plural(s.added, 'new message')} (${uidRange(messages[0].uid, messages[messages.length - 1].uid)})${extra ? `, ${extra}` : ''}`);
      }
    },
    onProgress(p) {
      if (phase !== 'initial') return;
      t.progress = { done: p.done, total: p.total, bytes: p.bytes };
      reportProgress(ctx);
    },
    log: (line) => ctx.o.log?.(line),
  };
}

/** Waits until this worker holds the mailbox's lock; null when the signal stopped the wait. */
async function acquireLock(ctx: Context, t: Target): Promise<MailboxLock | null> {
  let waited = false;
  while (!ctx.signal.aborted) {
    const lock = await tryLockMailbox(ctx.url, t.account.name, t.mailbox);
    if (lock) {
      if (waited) ctx.o.log?.(`mailbox ${t.tag} is no longer synced by another worker; syncing it here`);
      return lock;
    }
    if (!waited) {
      ctx.o.log?.(`mailbox ${t.tag} is being synced by another worker; waiting (trying again every ${seconds(ctx.o.lockRetryMs)})`);
      waited = true;
      setState(ctx, t, 'waiting');
    }
    await sleep(ctx.o.lockRetryMs, ctx.signal);
  }
  return null;
}

/** One mailbox: wait for its lock, first pass, then (unless once) follow it; retries outages. */
async function runTarget(ctx: Context, t: Target): Promise<void> {
  const single: ImapAccount = { ...t.account, mailboxes: [t.mailbox] };
  while (!ctx.signal.aborted) {
    let lock: MailboxLock | null = null;
    try {
      lock = await acquireLock(ctx, t);
      if (!lock) return;
      const held = lock;
      if (!t.initialDone) {
        setState(ctx, t, 'initial');
        await ctx.accountTurn.get(t.account.name)!(async () => {
          if (ctx.signal.aborted || ctx.failedAccounts.has(t.account.name)) return;
          t.progressBase = { done: t.progressBase.done + t.progress.done, bytes: t.progressBase.bytes + t.progress.bytes };
          t.progress = { done: 0, total: 0, bytes: 0 };
          await syncOnce(single, hooksFor(ctx, t, held, 'initial'), { batchSize: ctx.o.batchSize });
          t.initialDone = true;
        });
        if (!t.initialDone) return; // stopped, or the account failed elsewhere
        setState(ctx, t, 'following');
        if (ctx.o.once) return;
      }
      await syncForever(single, hooksFor(ctx, t, held, 'follow'), {
        signal: ctx.signal,
        batchSize: ctx.o.batchSize,
        idleDelayMs: ctx.o.idleDelayMs,
        pollMs: ctx.o.pollMs,
        reconnectDelayMs: ctx.o.reconnectDelayMs,
      });
      return; // syncForever returns only once the signal aborted
    } catch (err) {
      if (err instanceof SyncStopped || ctx.signal.aborted) return;
      if (err instanceof ImapSetupError && !isMailboxError(err)) ctx.failedAccounts.add(t.account.name);
      if (ctx.o.once || (err instanceof ImapSetupError && !t.healthy)) throw err;
      t.failures++;
      const delay = Math.min(RETRY_MAX_MS, ctx.o.reconnectDelayMs * 2 ** (t.failures - 1));
      ctx.o.log?.(`[${t.tag}] ${(err as Error).message}; trying again in ${seconds(delay)}`);
      await sleep(delay, ctx.signal);
    } finally {
      await lock?.release();
    }
  }
}

/**
 * Syncs every mailbox of `accounts` into the database. With `once`, resolves when each is synced
 * (or the signal aborts); otherwise follows new mail until the signal aborts. Throws
 * ImapSetupError for wrong credentials or a missing mailbox found before the first pass, and in
 * `once` mode any error; without `once`, other errors are logged and retried with backoff.
 */
export async function runSync(db: { sql: Sql; url: string }, accounts: ImapAccount[], opts: SyncOptions = {}): Promise<SyncSummary> {
  const stopAll = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, stopAll.signal]) : stopAll.signal;
  const targets: Target[] = accounts.flatMap((account) =>
    account.mailboxes.map((mailbox) => ({
      account,
      mailbox,
      tag: `${account.name}/${mailbox}`,
      state: 'pending' as TargetState,
      initialDone: false,
      healthy: false,
      failures: 0,
      progressBase: { done: 0, bytes: 0 },
      progress: { done: 0, total: 0, bytes: 0 },
    })),
  );
  const ctx: Context = {
    sql: db.sql,
    url: db.url,
    o: {
      ...opts,
      batchSize: opts.batchSize ?? DEFAULT_BATCH_SIZE,
      idleDelayMs: opts.idleDelayMs ?? DEFAULT_IDLE_DELAY_MS,
      pollMs: opts.pollMs ?? DEFAULT_POLL_MS,
      reconnectDelayMs: opts.reconnectDelayMs ?? 1000,
      lockRetryMs: opts.lockRetryMs ?? 5000,
    },
    signal,
    targets,
    summary: { mailboxes: targets.length, messages: 0, added: 0, duplicates: 0, flagged: 0, bytes: 0, stopped: false },
    caughtUpSent: false,
    accountTurn: new Map(accounts.map((a) => [a.name, createTurns()])),
    failedAccounts: new Set(),
  };
  const results = await Promise.allSettled(
    targets.map((t) =>
      runTarget(ctx, t).catch((err: unknown) => {
        // A wrong setup stops a following worker as a whole; `once` lets the others finish.
        if (!ctx.o.once) stopAll.abort();
        throw err;
      }),
    ),
  );
  const errors = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as Error);
  if (errors.length) {
    const setup = errors.filter((e) => e instanceof ImapSetupError);
    const messages = [...new Set(errors.map((e) => e.message))];
    if (messages.length === 1) throw errors[0];
    const combined = messages.join('\n');
    throw setup.length === errors.length ? new ImapSetupError(combined, { cause: errors[0] }) : new Error(combined, { cause: errors[0] });
  }
  return { ...ctx.summary, stopped: opts.signal?.aborted === true };
}

export function describeSync(s: SyncSummary): string {
  const mb = (s.bytes / 1048576).toFixed(1);
  return `${s.mailboxes} ${s.mailboxes === 1 ? 'mailbox' : 'mailboxes'}: ${s.added} new, ${s.duplicates} already stored, ${s.flagged} flagged (${plural(s.messages, 'message')} fetched, ${mb} MB)`;
}

// ---------------------------------------------------------------------------------------------
// Progress and the background worker

export interface SyncProgressDisplay {
  update(p: SyncProgress): void;
  /** A line above the bar (or just a line when output is a log). */
  log(line: string): void;
  stop(): void;
}

/** The initial sync's progress on stderr: a bar on a terminal, a line every few seconds in a log. */
export function createSyncProgress(label: string, stream: NodeJS.WriteStream = process.stderr): SyncProgressDisplay {
  const started = Date.now();
  const rate = (n: number) => Math.round(n / Math.max((Date.now() - started) / 1000, 0.001));
  const mb = (n: number) => (n / 1048576).toFixed(1);
  if (stream.isTTY) {
    const multi = new cliProgress.MultiBar(
      {
        format: `${label} {bar} {percentage}% | {value}/{total} messages | {mb} MB | {rate} msg/s | ETA {eta_formatted}`,
        stream,
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    let bar: cliProgress.SingleBar | null = null;
    let stopped = false;
    return {
      update(p) {
        if (stopped) return;
        const payload = { mb: mb(p.doneBytes), rate: rate(p.messages) };
        const total = Math.max(p.totalMessages, p.messages, 1);
        if (!bar) bar = multi.create(total, p.messages, payload);
        else {
          if (bar.getTotal() !== total) bar.setTotal(total);
          bar.update(p.messages, payload);
        }
      },
      log(line) {
        if (stopped || !bar) stream.write(`${line}\n`);
        else multi.log(`${line}\n`);
      },
      stop() {
        if (stopped) return;
        stopped = true;
        multi.stop();
      },
    };
  }
  // The first line after 5 s: a short sync prints nothing but its summary.
  let last = started;
  return {
    update(p) {
      if (Date.now() - last < 5000) return;
      last = Date.now();
      const pct = p.totalMessages ? ` ${Math.floor((100 * p.messages) / p.totalMessages)}%` : '';
      stream.write(`${label}${pct}: ${p.messages}/${p.totalMessages} messages, ${mb(p.doneBytes)} MB, ${rate(p.messages)} msg/s\n`);
    },
    log: (line) => stream.write(`${line}\n`),
    stop() {},
  };
}

export interface SyncWorker {
  /** Stops following (after the batch in flight) and resolves when the worker is done. */
  stop(): Promise<void>;
}

/**
 * The sync of `patchloom serve`: follows the accounts in the background and logs to `log`. A
 * wrong setup stops the worker with one logged line; the web server keeps running.
 */
export function startSyncWorker(db: { sql: Sql; url: string }, accounts: ImapAccount[], log: (line: string) => void): SyncWorker {
  const ac = new AbortController();
  let lastProgress = 0;
  const names = accounts.flatMap((a) => a.mailboxes.map((m) => `${a.name}/${m}`));
  log(`syncing ${names.join(', ')}`);
  const done = runSync(db, accounts, {
    signal: ac.signal,
    log,
    onProgress(p) {
      if (Date.now() - lastProgress < 10_000) return;
      lastProgress = Date.now();
      log(`initial sync: ${p.messages}/${p.totalMessages} messages, ${(p.doneBytes / 1048576).toFixed(1)} MB`);
    },
    onCaughtUp: (s) => log(`initial sync done (${describeSync(s)}); following new mail`),
  }).then(
    () => {},
    (err: Error) => log(`IMAP sync stopped: ${err.message}`),
  );
  return {
    async stop() {
      ac.abort();
      // A batch in flight finishes first; a database that stopped answering must not hold up the exit.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([done, new Promise<void>((r) => (timer = setTimeout(r, 15_000)))]);
      clearTimeout(timer);
    },
  };
}
