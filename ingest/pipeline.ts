/**
 * The one way mail enters Patchloom, from files and IMAP alike:
 * store raw bytes → parse → thread → recompute the derived data of each touched thread.
 */
import type { Sql } from 'postgres';
import { sha256Hex } from '../lib/mail/ids.ts';
import { parseMail, unparsedMail } from '../lib/mail/parse.ts';
import { isTransientError, storeBatch, threadsOfMessages, threadsToRecover, type IncomingMessage, type StoreResult } from '../lib/db/store.ts';
import { finishRun, interruptedRuns, markInterrupted, startRun, updateRun, type RunCounts } from '../lib/db/runs.ts';
import type { SourcedMessage } from './sources/files.ts';
import { pidAlive } from '../lib/db/embedded.ts';
import { deriveThreads } from './derive.ts';

/** Messages above this size are stored raw and flagged, not parsed (PATCHLOOM_MAX_MESSAGE_BYTES). */
export function maxMessageBytes(): number {
  const v = Number(process.env.PATCHLOOM_MAX_MESSAGE_BYTES);
  return Number.isFinite(v) && v > 0 ? v : 25 * 1024 * 1024;
}

export async function prepareMessage(m: SourcedMessage, limit = maxMessageBytes()): Promise<IncomingMessage> {
  const sha256 = sha256Hex(m.bytes);
  let parsed = true;
  let mail;
  if (m.bytes.length > limit) {
    parsed = false;
    mail = unparsedMail(m.bytes, {
      kind: 'too-large',
      reason: `The message is ${(m.bytes.length / 1048576).toFixed(1)} MB, above the ${(limit / 1048576).toFixed(0)} MB parse limit; it is stored raw but not parsed. Raise PATCHLOOM_MAX_MESSAGE_BYTES and run \`patchloom reindex\` to parse it.`,
    }, sha256);
  } else {
    mail = await parseMail(m.bytes, sha256);
  }
  if (m.truncated) mail.flags.push({ kind: 'truncated', reason: `The source ended inside this message: ${m.truncated}` });
  return { bytes: m.bytes, sha256, source: m.source, mail, parsed };
}

export interface PipelineProgress extends RunCounts {
  totalBytes: number | null;
}

export interface PipelineOptions {
  kind: 'file' | 'imap';
  /** What the run is called on the ingest page. */
  label: string;
  totalBytes?: number | null;
  batchSize?: number;
  /** Current byte position of the source, for progress (files report it through their reader). */
  bytesDone?: () => number;
  onProgress?(p: PipelineProgress): void;
  /** Recompute derived data of the threads a batch touched (default: deriveThreads). */
  derive?: (threadIds: number[]) => Promise<void>;
  /** Called after each stored batch (IMAP advances its checkpoint here). */
  afterBatch?(result: StoreResult, batch: IncomingMessage[]): Promise<void>;
  /** Where retries and recoveries are reported (default: stderr). */
  log?(line: string): void;
  /** Derive after this many messages (default 5000; 0 = after every batch, as IMAP does for live mail). */
  deriveEvery?: number;
}

export interface PipelineSummary extends RunCounts {
  runId: number;
  touchedThreads: number;
}

const MAX_BATCH_BYTES = 64 * 1024 * 1024;

const RETRY_DELAYS_MS = [250, 500, 1000, 2000, 4000, 8000];

/** Run a step again after a transient database error, with backoff. Every step it wraps is idempotent. */
async function retrying<T>(what: string, log: (line: string) => void, fn: (attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      const delay = RETRY_DELAYS_MS[attempt - 1];
      if (delay === undefined || !isTransientError(err)) throw err;
      log(`patchloom: the database connection failed while ${what} (${(err as Error).message}); retrying in ${delay / 1000} s (attempt ${attempt + 1} of ${RETRY_DELAYS_MS.length + 1})`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/**
 * A run whose process died (kill -9, power loss) may have stored a batch without deriving it:
 * a rerun finds those messages already stored and would not derive them again. So derive the
 * threads of everything stored since the dead run's last finished batch, then close the run.
 */
async function recoverInterruptedRuns(sql: Sql, derive: (threadIds: number[]) => Promise<void>, log: (line: string) => void) {
  for (const run of await interruptedRuns(sql)) {
    if (run.pid === process.pid || (run.pid !== null && pidAlive(run.pid))) continue;
    const threads = run.kind === 'reindex' ? [] : await threadsToRecover(sql, run.derivedThrough);
    if (threads.length) await derive(threads);
    await markInterrupted(sql, run.id, run.kind === 'reindex' ? 'interrupted: run `patchloom reindex` again to finish rebuilding' : `interrupted; the next run re-derived ${threads.length} threads it may have left behind`);
    log(
      run.kind === 'reindex'
        ? `patchloom: warning: a reindex (run ${run.id}) was interrupted; derived data is incomplete until \`patchloom reindex\` runs to the end`
        : `patchloom: run ${run.id} (${run.kind}, process ${run.pid}) was interrupted; re-derived the ${threads.length} threads it touched last`,
    );
  }
}

/**
 * Import a stream of messages. Three things overlap: reading and parsing the next batch, storing
 * this one (one transaction per batch, in order), and deriving the threads of earlier ones. One
 * derive runs at a time, over every thread stored since the last one began: a thread that grows
 * across many batches of a bulk import is analysed a few times, not once per batch. Storing
 * waits when `deriveEvery` messages are already waiting for the next derive. Live mail
 * (`deriveEvery` 0) is derived batch by batch before the next is stored.
 */
export async function runPipeline(sql: Sql, input: AsyncIterable<SourcedMessage>, opts: PipelineOptions): Promise<PipelineSummary> {
  const batchSize = opts.batchSize ?? 500;
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const derive = opts.derive ?? ((ids: number[]) => deriveThreads(sql, ids));
  await recoverInterruptedRuns(sql, derive, log);
  const runId = await startRun(sql, opts.kind, opts.label, opts.totalBytes ?? null);
  const counts: RunCounts = { doneBytes: 0, messages: 0, added: 0, duplicates: 0, flagged: 0 };
  const touchedAll = new Set<number>();
  const underived = new Set<number>();
  const deriveEvery = opts.deriveEvery ?? (opts.kind === 'imap' ? 0 : 5000);
  let sinceDerive = 0;
  let lastStoredAt: Date | null = null;
  let pending: Promise<IncomingMessage>[] = [];
  let pendingBytes = 0;
  let storing: Promise<void> = Promise.resolve();
  let deriving: Promise<void> | null = null;
  let failure: unknown = null;

  // The run's progress records how far derived data has caught up (import_runs.derived_through),
  // so recovery after a crash (above) re-derives everything stored after that.
  const deriveNow = async () => {
    const ids = [...underived];
    const through = lastStoredAt;
    const snapshot = { ...counts };
    underived.clear();
    sinceDerive = 0;
    if (ids.length) await retrying('deriving threads', log, () => derive(ids));
    await retrying('recording progress', log, () => updateRun(sql, runId, snapshot, through));
  };
  const startDerive = () => {
    if (deriving || failure) return;
    deriving = deriveNow()
      .catch((err: unknown) => {
        failure ??= err;
      })
      .finally(() => {
        deriving = null;
        if (sinceDerive >= deriveEvery) startDerive();
      });
  };

  const store = async (batch: IncomingMessage[]) => {
    let retried = false;
    const result = await retrying('storing a batch', log, (attempt) => {
      retried = attempt > 1;
      return storeBatch(sql, batch);
    });
    // A retry cannot tell whether the failed attempt committed; derive the batch's threads either way.
    if (retried) {
      const threads = await retrying("finding the batch's threads", log, () => threadsOfMessages(sql, batch.map((m) => m.sha256)));
      result.touchedThreads = [...new Set([...result.touchedThreads, ...threads])];
    }
    counts.messages += batch.length;
    counts.added += result.added;
    counts.duplicates += result.duplicates;
    counts.flagged += result.flagged;
    counts.doneBytes = opts.bytesDone?.() ?? counts.doneBytes;
    if (result.added) lastStoredAt = result.storedAt;
    result.touchedThreads.forEach((t) => {
      touchedAll.add(t);
      underived.add(t);
    });
    sinceDerive += batch.length;
    if (deriveEvery === 0) await deriveNow();
    else if (sinceDerive >= deriveEvery) startDerive();
    await opts.afterBatch?.(result, batch);
    opts.onProgress?.({ ...counts, totalBytes: opts.totalBytes ?? null });
  };

  const flush = async () => {
    if (pending.length === 0) return;
    const batch = await Promise.all(pending);
    pending = [];
    pendingBytes = 0;
    await storing;
    // Backpressure: a derive covers at most about `deriveEvery` messages, so its memory and
    // what a crash leaves to re-derive stay bounded however far storing could run ahead.
    while (deriving && deriveEvery > 0 && sinceDerive >= deriveEvery) await deriving;
    if (failure) throw failure;
    storing = store(batch).catch((err: unknown) => {
      failure ??= err;
    });
  };

  try {
    for await (const m of input) {
      pending.push(prepareMessage(m));
      pendingBytes += m.bytes.length;
      if (pending.length >= batchSize || pendingBytes >= MAX_BATCH_BYTES) await flush();
    }
    await flush();
    await storing;
    while (deriving) await deriving;
    if (failure) throw failure;
    await deriveNow();
  } catch (err) {
    await storing;
    while (deriving) await deriving;
    await finishRun(sql, runId, counts, (err as Error).message).catch(() => {});
    throw err;
  }
  counts.doneBytes = opts.bytesDone?.() ?? counts.doneBytes;
  await finishRun(sql, runId, counts, null);
  return { ...counts, runId, touchedThreads: touchedAll.size };
}
