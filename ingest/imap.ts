/**
 * IMAP source: reads raw messages from IMAP mailboxes without changing them, and hands them to
 * the caller in UID order, batch by batch, together with the checkpoint to store with each batch.
 *
 * - Mailboxes are opened read-only (EXAMINE) and bodies are fetched with BODY.PEEK[] (imapflow's
 *   `source: true`), so no flag changes on the server, \Seen included.
 * - New UIDs are listed with `UID SEARCH UID last+1:*` and fetched in UID ranges of at most
 *   `batchSize` messages; `storeBatch` gets each batch with the checkpoint it completes, so the
 *   caller can store both in one transaction. A crash loses at most the batch in flight.
 * - When UIDVALIDITY differs from the checkpoint, `onUidValidityChange` is called and the mailbox
 *   is read again from UID 1; messages seen before are deduplicated downstream.
 * - syncForever keeps one connection per mailbox, waits in IDLE (or NOOP polling on servers
 *   without IDLE) and reconnects with exponential backoff.
 *
 * Database-independent: checkpoints and storage are the caller's, through SyncHooks.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { ImapFlow, type FetchMessageObject, type ImapFlowOptions } from 'imapflow';

export interface ImapAccount {
  /** Stable name: checkpoints are keyed by account name and mailbox. */
  name: string;
  host: string;
  port: number;
  /** TLS from the first byte (IMAPS, usually port 993). When false imapflow still uses STARTTLS if the server offers it. */
  secure: boolean;
  user: string;
  password: string;
  mailboxes: string[];
}

export interface ImapMessage {
  account: string;
  mailbox: string;
  /** UIDVALIDITY (a BigInt in imapflow) as a decimal string. */
  uidValidity: string;
  uid: number;
  /** The message exactly as the server returns it (servers store CRLF line endings). */
  bytes: Buffer;
  internalDate: Date | null;
}

export interface MailboxCheckpoint {
  uidValidity: string;
  /** Every UID up to and including this one has been stored (or was expunged before it could be). */
  lastUid: number;
}

export interface SyncHooks {
  loadCheckpoint(account: string, mailbox: string): Promise<MailboxCheckpoint | null>;
  /**
   * Store a batch (already fetched) and advance the checkpoint atomically; called in UID order.
   * `messages` may be empty when only the checkpoint moves: every UID of the range was expunged
   * before it was fetched, or UIDVALIDITY changed and the checkpoint restarts at lastUid 0.
   */
  storeBatch(messages: ImapMessage[], checkpoint: MailboxCheckpoint & { account: string; mailbox: string }): Promise<void>;
  /** UIDVALIDITY changed: the caller keeps what it has (dedupe is by raw hash / Message-ID downstream). */
  onUidValidityChange?(account: string, mailbox: string, oldValue: string, newValue: string): Promise<void>;
  onProgress?(p: { account: string; mailbox: string; done: number; total: number; bytes: number }): void;
  log?(line: string): void;
}

/**
 * Wrong credentials, a mailbox that does not exist, or an invalid IMAP configuration: retrying
 * does not help, the user has to change something. The message says what; the CLI prints it and
 * exits non-zero.
 */
export class ImapSetupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ImapSetupError';
  }
}

export const DEFAULT_BATCH_SIZE = 500;
export const DEFAULT_IDLE_DELAY_MS = 100;
export const DEFAULT_POLL_MS = 30_000;
const RECONNECT_MAX_MS = 30_000;

// ---------------------------------------------------------------------------------------------
// Configuration

const ENV_HINT = 'Set PATCHLOOM_IMAP_HOST, PATCHLOOM_IMAP_USER and PATCHLOOM_IMAP_PASSWORD (or PATCHLOOM_IMAP_PASSWORD_FILE)';

function parseTls(value: string | undefined, what: string): boolean {
  if (value === undefined || value.trim() === '') return true;
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ImapSetupError(`${what} must be 1 (TLS, the default) or 0 (plain IMAP or STARTTLS), not ${JSON.stringify(value)}`);
}

function parsePort(value: unknown, what: string): number {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 65535) {
    throw new ImapSetupError(`${what} must be a port number between 1 and 65535, not ${JSON.stringify(value)}`);
  }
  return n;
}

function readPasswordFile(file: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ImapSetupError(`${what}: can not read the password file ${file}: ${(err as Error).message}`, { cause: err });
  }
  // A trailing newline is an artefact of `echo secret > file`, never part of the password.
  const password = text.replace(/\r?\n$/, '');
  if (!password) throw new ImapSetupError(`${what}: the password file ${file} is empty`);
  return password;
}

/**
 * The account configured by PATCHLOOM_IMAP_* variables, or [] when PATCHLOOM_IMAP_HOST is unset.
 * PATCHLOOM_IMAP_HOST, _PORT (default 993 with TLS, 143 without), _USER, _PASSWORD or
 * _PASSWORD_FILE, _TLS (1/0, default 1), _MAILBOXES (comma-separated, default INBOX).
 * The account is named "user@host".
 */
export function imapAccountsFromEnv(env: Record<string, string | undefined> = process.env): ImapAccount[] {
  const get = (key: string) => {
    const v = env[`PATCHLOOM_IMAP_${key}`];
    return v === undefined || v.trim() === '' ? undefined : v;
  };
  const host = get('HOST')?.trim();
  if (!host) {
    const stray = ['PORT', 'USER', 'PASSWORD', 'PASSWORD_FILE', 'TLS', 'MAILBOXES'].filter((k) => get(k) !== undefined);
    if (stray.length) {
      throw new ImapSetupError(`PATCHLOOM_IMAP_${stray[0]} is set but PATCHLOOM_IMAP_HOST is not. ${ENV_HINT}.`);
    }
    return [];
  }
  const secure = parseTls(get('TLS'), 'PATCHLOOM_IMAP_TLS');
  const port = get('PORT') === undefined ? (secure ? 993 : 143) : parsePort(get('PORT'), 'PATCHLOOM_IMAP_PORT');
  const user = get('USER')?.trim();
  if (!user) throw new ImapSetupError(`PATCHLOOM_IMAP_HOST is set but PATCHLOOM_IMAP_USER is not. ${ENV_HINT}.`);
  const inline = env.PATCHLOOM_IMAP_PASSWORD;
  const file = get('PASSWORD_FILE');
  if (inline && file) {
    throw new ImapSetupError('Both PATCHLOOM_IMAP_PASSWORD and PATCHLOOM_IMAP_PASSWORD_FILE are set; set only one of them.');
  }
  let password: string;
  if (file) password = readPasswordFile(file.trim(), 'PATCHLOOM_IMAP_PASSWORD_FILE');
  else if (inline) password = inline;
  else throw new ImapSetupError(`PATCHLOOM_IMAP_USER is set but no password. ${ENV_HINT}.`);
  const mailboxes = (get('MAILBOXES') ?? 'INBOX')
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  if (!mailboxes.length) throw new ImapSetupError('PATCHLOOM_IMAP_MAILBOXES names no mailbox; give a comma-separated list such as INBOX,lists/lkml');
  return [{ name: `${user}@${host}`, host, port, secure, user, password, mailboxes: [...new Set(mailboxes)] }];
}

const CONFIG_KEYS = ['name', 'host', 'port', 'tls', 'user', 'password', 'passwordFile', 'mailboxes'];

/**
 * The accounts of patchloom.config.json:
 * `{ "imap": [ { "name", "host", "port"?, "tls"?, "user", "password" | "passwordFile", "mailboxes"? } ] }`.
 * A missing "imap" key means no accounts. `passwordFile` is resolved against `opts.baseDir`
 * (the directory of the config file; default the working directory).
 */
export function imapAccountsFromConfig(json: unknown, opts: { baseDir?: string; file?: string } = {}): ImapAccount[] {
  const file = opts.file ?? 'patchloom.config.json';
  const fail = (where: string, what: string): never => {
    throw new ImapSetupError(`${file}: ${where}: ${what}`);
  };
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return fail('top level', 'expected a JSON object such as { "imap": [ ... ] }');
  }
  const list = (json as Record<string, unknown>).imap;
  if (list === undefined) return [];
  if (!Array.isArray(list)) return fail('"imap"', 'expected an array of accounts, e.g. "imap": [ { "name": "lkml", "host": "imap.example.org", "user": "me", "passwordFile": "/run/secrets/imap", "mailboxes": ["INBOX"] } ]');
  const names = new Set<string>();
  return list.map((entry, i): ImapAccount => {
    const at = `imap[${i}]`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return fail(at, 'expected an object with name, host, user, password or passwordFile');
    const e = entry as Record<string, unknown>;
    for (const key of Object.keys(e)) {
      if (!CONFIG_KEYS.includes(key)) fail(`${at}.${key}`, `unknown key; the keys of an account are ${CONFIG_KEYS.join(', ')}`);
    }
    const str = (key: string, required: boolean): string | undefined => {
      const v = e[key];
      if (v === undefined) return required ? fail(`${at}.${key}`, 'missing; it is required') : undefined;
      if (typeof v !== 'string' || v.trim() === '') return fail(`${at}.${key}`, `expected a non-empty string, not ${JSON.stringify(v)}`);
      return v;
    };
    const name = str('name', true)!.trim();
    if (names.has(name)) fail(`${at}.name`, `"${name}" is used by another account; names must be unique (checkpoints are stored by name)`);
    names.add(name);
    const where = `${at} ("${name}")`;
    const host = str('host', true)!.trim();
    if (e.tls !== undefined && typeof e.tls !== 'boolean') fail(`${where}.tls`, `expected true or false, not ${JSON.stringify(e.tls)}`);
    const secure = e.tls === undefined ? true : (e.tls as boolean);
    const port = e.port === undefined ? (secure ? 993 : 143) : parsePort(e.port, `${file}: ${where}.port`);
    const user = str('user', true)!;
    const password = str('password', false);
    const passwordFile = str('passwordFile', false);
    if (password !== undefined && passwordFile !== undefined) fail(where, 'has both "password" and "passwordFile"; keep only one');
    if (password === undefined && passwordFile === undefined) fail(where, 'needs "password" or "passwordFile" (a file holding the password)');
    const resolvedPassword =
      password ??
      readPasswordFile(isAbsolute(passwordFile!) ? passwordFile! : resolvePath(opts.baseDir ?? process.cwd(), passwordFile!), `${file}: ${where}.passwordFile`);
    let mailboxes = ['INBOX'];
    if (e.mailboxes !== undefined) {
      if (!Array.isArray(e.mailboxes) || e.mailboxes.length === 0 || e.mailboxes.some((m) => typeof m !== 'string' || m.trim() === '')) {
        fail(`${where}.mailboxes`, `expected a non-empty array of mailbox names such as ["INBOX", "lists/lkml"], not ${JSON.stringify(e.mailboxes)}`);
      }
      mailboxes = [...new Set((e.mailboxes as string[]).map((m) => m.trim()))];
    }
    return { name, host, port, secure, user, password: resolvedPassword, mailboxes };
  });
}

// ---------------------------------------------------------------------------------------------
// Connections

const where = (a: ImapAccount) => `${a.host}:${a.port}`;

/** One line saying why an imapflow or socket error happened. */
function reasonOf(err: unknown, client?: ImapFlow): string {
  const e = err as { message?: string; code?: string; responseText?: string; responseStatus?: string; reason?: string };
  const parts: string[] = [];
  if (e?.responseText) parts.push(`${e.responseStatus ?? 'NO'} ${e.responseText.replace(/\.+$/, '')}`);
  else if (e?.message) {
    // OpenSSL messages run over several lines; the first says enough.
    const message = e.message.split('\n')[0].trim();
    parts.push(e.code && !message.includes(e.code) ? `${e.code}: ${message}` : message);
  } else parts.push(String(err));
  const bye = client?.byeReason ?? e?.reason;
  if (bye && !parts[0].includes(bye)) parts.push(`server said BYE ${bye.replace(/\.+$/, '')}`);
  return parts.join('; ');
}

function newClient(account: ImapAccount, live: { idleDelayMs: number; pollMs: number } | null): ImapFlow {
  const options: ImapFlowOptions = {
    host: account.host,
    port: account.port,
    secure: account.secure,
    auth: { user: account.user, pass: account.password },
    logger: false,
    connectionTimeout: 30_000,
    greetingTimeout: 16_000,
    clientInfo: { name: 'patchloom' },
  };
  if (live) {
    // IDLE starts idleDelayMs after the last command (imapflow's default of 15 s delays new mail
    // by as much). On servers without IDLE, imapflow polls with NOOP every maxIdleTime instead.
    options.autoIdleDelay = live.idleDelayMs;
    options.maxIdleTime = live.pollMs;
    options.missingIdleCommand = 'NOOP';
  } else {
    options.disableAutoIdle = true;
  }
  const client = new ImapFlow(options);
  // imapflow emits 'error' when a connection fails; without a listener that would crash the
  // process. The failure also shows up as a rejected command or a 'close' event, handled there.
  client.on('error', () => {});
  return client;
}

/** Node's codes for a server certificate that does not verify. */
const CERT_ERRORS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

async function connect(client: ImapFlow, account: ImapAccount): Promise<void> {
  try {
    await client.connect();
  } catch (err) {
    const e = err as { authenticationFailed?: boolean; serverResponseCode?: string; code?: string };
    if (e?.code === 'ERR_SSL_WRONG_VERSION_NUMBER' || e?.code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG') {
      throw new ImapSetupError(
        `IMAP connection to ${where(account)} failed: the server does not speak TLS on port ${account.port} (the TLS handshake got a plain-text answer). ` +
          'Check PATCHLOOM_IMAP_TLS and PATCHLOOM_IMAP_PORT (or "tls" and "port" in patchloom.config.json): port 993 is IMAP over TLS (tls 1), port 143 plain IMAP (tls 0).',
        { cause: err },
      );
    }
    if (e?.code && CERT_ERRORS.has(e.code)) {
      throw new ImapSetupError(
        `IMAP connection to ${where(account)} failed: the server's TLS certificate does not verify (${reasonOf(err)}). ` +
          'Check PATCHLOOM_IMAP_HOST names the host the certificate was issued for.',
        { cause: err },
      );
    }
    // [UNAVAILABLE] is the server's "temporary failure" (its password backend is down): retry.
    if (e?.authenticationFailed && e.serverResponseCode !== 'UNAVAILABLE') {
      throw new ImapSetupError(
        `IMAP login to ${where(account)} as ${account.user} failed: ${reasonOf(err)}. ` +
          'Check PATCHLOOM_IMAP_USER / PASSWORD (or user / password in the "imap" section of patchloom.config.json).',
        { cause: err },
      );
    }
    throw err;
  }
}

/** Logout, or close if the server does not answer within a moment. Never throws. */
async function disconnect(client: ImapFlow): Promise<void> {
  if (!client.usable) {
    client.close();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([client.logout().catch(() => {}), new Promise<void>((r) => (timer = setTimeout(r, 2000)))]);
  clearTimeout(timer);
  client.close();
}

/** Opens the mailbox read-only (EXAMINE) and holds imapflow's mailbox lock, which also keeps auto-IDLE off. */
async function lockMailbox(client: ImapFlow, account: ImapAccount, mailbox: string) {
  try {
    return await client.getMailboxLock(mailbox, { readOnly: true, description: 'patchloom sync' });
  } catch (err) {
    if ((err as { mailboxMissing?: boolean }).mailboxMissing) {
      let existing = '';
      try {
        const list = await client.list();
        existing = ` The mailboxes of ${account.user} are: ${list.map((m) => m.path).join(', ')}.`;
      } catch {
        // the listing is only a hint
      }
      throw new ImapSetupError(
        `IMAP mailbox "${mailbox}" does not exist on ${where(account)} for ${account.user} (${reasonOf(err)}).${existing} ` +
          'Check PATCHLOOM_IMAP_MAILBOXES (or "mailboxes" in the "imap" section of patchloom.config.json).',
        { cause: err },
      );
    }
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Sync

/** An error thrown by a SyncHooks function: passed on as it is, never retried as a connection problem. */
class HookError extends Error {
  constructor(cause: unknown) {
    super('a SyncHooks function failed', { cause });
  }
}

async function hook<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new HookError(err);
  }
}

/** Consecutive UIDs from a sorted list, at most `size` per batch. */
function batches(uids: number[], size: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < uids.length; i += size) out.push(uids.slice(i, i + size));
  return out;
}

function toDate(value: Date | string | undefined): Date | null {
  if (value === undefined) return null;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

/**
 * One pass over an open connection: fetch everything above the checkpoint of `mailbox`, in
 * batches. Returns the number of messages handed to storeBatch.
 */
async function syncMailbox(
  client: ImapFlow,
  account: ImapAccount,
  mailbox: string,
  hooks: SyncHooks,
  batchSize: number,
  signal?: AbortSignal,
): Promise<number> {
  const lock = await lockMailbox(client, account, mailbox);
  try {
    const box = client.mailbox;
    if (!box) throw new Error(`mailbox "${mailbox}" is not selected after EXAMINE`);
    const uidValidity = box.uidValidity.toString();
    const saved = await hook(() => hooks.loadCheckpoint(account.name, mailbox));
    let lastUid = saved?.lastUid ?? 0;
    if (saved && saved.uidValidity !== uidValidity) {
      hooks.log?.(
        `[${account.name}/${mailbox}] UIDVALIDITY changed from ${saved.uidValidity} to ${uidValidity}; reading the mailbox again from UID 1 (known messages are deduplicated)`,
      );
      await hook(() => hooks.onUidValidityChange?.(account.name, mailbox, saved.uidValidity, uidValidity));
      lastUid = 0;
      await hook(() => hooks.storeBatch([], { account: account.name, mailbox, uidValidity, lastUid }));
    }
    // `n:*` also matches the highest UID when it is below n (RFC 3501 sec. 6.4.8), hence the filter.
    const found = await client.search({ uid: `${lastUid + 1}:*` }, { uid: true });
    if (!Array.isArray(found)) throw new Error(`UID SEARCH in "${mailbox}" failed`);
    const uids = found.filter((u) => u > lastUid).sort((a, b) => a - b);
    let done = 0;
    let bytes = 0;
    for (const batch of batches(uids, batchSize)) {
      if (signal?.aborted) break;
      const first = batch[0];
      const last = batch[batch.length - 1];
      // Every UID between first and last that still exists is in `batch`: new messages get UIDs
      // above the current maximum, so the range can not pick up anything else.
      const fetched: FetchMessageObject[] = await client.fetchAll(
        first === last ? String(first) : `${first}:${last}`,
        { uid: true, source: true, internalDate: true },
        { uid: true },
      );
      // Keyed by UID: an unsolicited FETCH (another session changing flags) must not add a message.
      const byUid = new Map<number, ImapMessage>();
      for (const m of fetched) {
        if (!m.source || m.uid < first || m.uid > last) continue;
        byUid.set(m.uid, { account: account.name, mailbox, uidValidity, uid: m.uid, bytes: m.source, internalDate: toDate(m.internalDate) });
      }
      const messages = [...byUid.values()].sort((a, b) => a.uid - b.uid);
      await hook(() => hooks.storeBatch(messages, { account: account.name, mailbox, uidValidity, lastUid: last }));
      lastUid = last;
      done += messages.length;
      bytes += messages.reduce((n, m) => n + m.bytes.length, 0);
      await hook(() => hooks.onProgress?.({ account: account.name, mailbox, done, total: uids.length, bytes }));
    }
    return done;
  } finally {
    lock.release();
  }
}

/**
 * Connects, fetches what is new in every mailbox of the account, and logs out.
 * Throws ImapSetupError for wrong credentials or a missing mailbox, other errors as they come.
 */
export async function syncOnce(account: ImapAccount, hooks: SyncHooks, opts: { batchSize?: number } = {}): Promise<{ fetched: number }> {
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  const client = newClient(account, null);
  let fetched = 0;
  try {
    await connect(client, account);
    for (const mailbox of account.mailboxes) {
      fetched += await syncMailbox(client, account, mailbox, hooks, batchSize);
    }
  } catch (err) {
    if (err instanceof HookError) throw err.cause;
    if (err instanceof ImapSetupError) throw err;
    throw new Error(`IMAP sync of ${account.name} (${where(account)}) failed: ${reasonOf(err, client)}`, { cause: err });
  } finally {
    await disconnect(client);
  }
  return { fetched };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

interface LiveOptions {
  signal: AbortSignal;
  batchSize: number;
  idleDelayMs: number;
  pollMs: number;
  reconnectDelayMs: number;
}

const seconds = (ms: number) => (ms >= 1000 ? `${Math.round(ms / 100) / 10}s` : `${ms}ms`);

/**
 * Keeps one mailbox in sync on its own connection until `signal` aborts. Reconnects with
 * exponential backoff; a setup error before the first completed pass is thrown, and so is any
 * error from a hook.
 */
async function followMailbox(account: ImapAccount, mailbox: string, hooks: SyncHooks, o: LiveOptions): Promise<void> {
  const tag = `[${account.name}/${mailbox}]`;
  let failures = 0;
  let everSynced = false;
  while (!o.signal.aborted) {
    const client = newClient(account, { idleDelayMs: o.idleDelayMs, pollMs: o.pollMs });
    let connected = false;
    // Set by every EXISTS the server sends (in IDLE, or answering NOOP or another command), so
    // mail that arrives while a pass runs is fetched right after it.
    let changed = true;
    let lost: string | null = null;
    let wake: (() => void) | null = null;
    client.on('exists', () => {
      changed = true;
      wake?.();
    });
    client.on('error', (err: Error) => {
      lost ??= reasonOf(err, client);
    });
    client.on('close', () => {
      lost ??= client.byeReason ? `server said BYE ${client.byeReason.replace(/\.+$/, '')}` : 'connection closed';
      wake?.();
    });
    // A command that hangs after the abort would keep the loop alive: close the socket.
    const onAbort = () => setTimeout(() => client.close(), 2000).unref();
    o.signal.addEventListener('abort', onAbort);
    try {
      await connect(client, account);
      connected = true;
      if (failures > 0) hooks.log?.(`${tag} IMAP connection to ${where(account)} restored`);
      while (!o.signal.aborted) {
        changed = false;
        await syncMailbox(client, account, mailbox, hooks, o.batchSize, o.signal);
        everSynced = true;
        failures = 0;
        if (lost) throw new Error(lost);
        if (changed || o.signal.aborted) continue;
        // Wait in IDLE (imapflow starts it idleDelayMs after the pass) until EXISTS; after pollMs
        // run a pass anyway: the poll on servers without IDLE, a safety net on the others.
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            o.signal.removeEventListener('abort', done);
            wake = null;
            resolve();
          };
          const timer = setTimeout(done, o.pollMs);
          o.signal.addEventListener('abort', done);
          wake = done;
        });
        if (lost) throw new Error(lost);
      }
      await disconnect(client);
    } catch (err) {
      client.close();
      if (o.signal.aborted) break;
      if (err instanceof HookError) throw err.cause;
      if (err instanceof ImapSetupError && !everSynced) throw err;
      failures++;
      const delay = Math.min(RECONNECT_MAX_MS, o.reconnectDelayMs * 2 ** (failures - 1));
      hooks.log?.(
        `${tag} IMAP connection to ${where(account)} ${connected ? 'lost' : 'failed'} (${connected ? (lost ?? reasonOf(err, client)) : reasonOf(err, client)}); reconnecting in ${seconds(delay)}`,
      );
      await sleep(delay, o.signal);
    } finally {
      o.signal.removeEventListener('abort', onAbort);
    }
  }
}

/**
 * Syncs every mailbox of the account and then follows new mail until `opts.signal` aborts; one
 * connection per mailbox (IDLE watches only the selected mailbox). Resolves after the abort once
 * the connections are closed. Throws ImapSetupError when the first connection attempt shows the
 * credentials or a mailbox are wrong; later failures, including those, are logged and retried
 * with exponential backoff (reconnectDelayMs, doubling, at most 30 s).
 */
export async function syncForever(
  account: ImapAccount,
  hooks: SyncHooks,
  opts: { signal: AbortSignal; batchSize?: number; idleDelayMs?: number; pollMs?: number; reconnectDelayMs?: number },
): Promise<void> {
  // A setup error in one mailbox stops the others too.
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  if (opts.signal.aborted) return;
  opts.signal.addEventListener('abort', onAbort);
  const o: LiveOptions = {
    signal: stop.signal,
    batchSize: opts.batchSize ?? DEFAULT_BATCH_SIZE,
    idleDelayMs: opts.idleDelayMs ?? DEFAULT_IDLE_DELAY_MS,
    pollMs: opts.pollMs ?? DEFAULT_POLL_MS,
    reconnectDelayMs: opts.reconnectDelayMs ?? 1000,
  };
  try {
    const results = await Promise.allSettled(
      account.mailboxes.map((mailbox) =>
        followMailbox(account, mailbox, hooks, o).catch((err) => {
          stop.abort();
          throw err;
        }),
      ),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  } finally {
    opts.signal.removeEventListener('abort', onAbort);
  }
}
