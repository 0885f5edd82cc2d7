/**
 * The one way mail enters Patchloom, from files and IMAP alike:
 * store raw bytes → parse → thread → recompute the derived data of each touched thread.
 */
import type { Sql } from 'postgres';
import { sha256Hex } from '../lib/mail/ids.ts';
import { parseMail, unparsedMail } from '../lib/mail/parse.ts';
import { storeBatch, type IncomingMessage, type StoreResult } from '../lib/db/store.ts';
import { finishRun, startRun, updateRun, type RunCounts } from '../lib/db/runs.ts';
import type { SourcedMessage } from './sources/files.ts';
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
}

export interface PipelineSummary extends RunCounts {
  runId: number;
  touchedThreads: number;
}

const MAX_BATCH_BYTES = 64 * 1024 * 1024;

/** Import a stream of messages. Each batch is stored in one transaction; derived data follows per batch. */
export async function runPipeline(sql: Sql, input: AsyncIterable<SourcedMessage>, opts: PipelineOptions): Promise<PipelineSummary> {
  const batchSize = opts.batchSize ?? 500;
  const runId = await startRun(sql, opts.kind, opts.label, opts.totalBytes ?? null);
  const counts: RunCounts = { doneBytes: 0, messages: 0, added: 0, duplicates: 0, flagged: 0 };
  const touchedAll = new Set<number>();
  let pending: Promise<IncomingMessage>[] = [];
  let pendingBytes = 0;

  const flush = async () => {
    if (pending.length === 0) return;
    const batch = await Promise.all(pending);
    pending = [];
    pendingBytes = 0;
    const result = await storeBatch(sql, batch);
    counts.messages += batch.length;
    counts.added += result.added;
    counts.duplicates += result.duplicates;
    counts.flagged += result.flagged;
    counts.doneBytes = opts.bytesDone?.() ?? counts.doneBytes;
    result.touchedThreads.forEach((t) => touchedAll.add(t));
    if (result.touchedThreads.length) await (opts.derive ?? ((ids: number[]) => deriveThreads(sql, ids)))(result.touchedThreads);
    await opts.afterBatch?.(result, batch);
    await updateRun(sql, runId, counts);
    opts.onProgress?.({ ...counts, totalBytes: opts.totalBytes ?? null });
  };

  try {
    for await (const m of input) {
      pending.push(prepareMessage(m));
      pendingBytes += m.bytes.length;
      if (pending.length >= batchSize || pendingBytes >= MAX_BATCH_BYTES) await flush();
    }
    await flush();
  } catch (err) {
    await finishRun(sql, runId, counts, (err as Error).message).catch(() => {});
    throw err;
  }
  counts.doneBytes = opts.bytesDone?.() ?? counts.doneBytes;
  await finishRun(sql, runId, counts, null);
  return { ...counts, runId, touchedThreads: touchedAll.size };
}
