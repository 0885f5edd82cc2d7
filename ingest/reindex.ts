/**
 * `patchloom reindex`: rebuild everything derived from the raw store, as public-inbox
 * does. Parsed messages, threads and all derived tables are emptied and recomputed; raw
 * mail, sources, IMAP checkpoints and maintainers' own actions are kept.
 */
import type { Sql } from 'postgres';
import { clearDerived, rawBatch, rawStoreSize, setParseOutcome } from '../lib/db/reindex.ts';
import { finishRun, startRun, updateRun, type RunCounts } from '../lib/db/runs.ts';
import { indexMessages } from '../lib/db/store.ts';
import { maxMessageBytes, prepareMessage } from './pipeline.ts';
import { deriveThreads } from './derive.ts';

/** Flags that describe where a message came from, not how it parses: a reparse keeps them. */
const SOURCE_FLAGS = new Set(['truncated']);
const DERIVE_SLICE = 1000;

export async function reindex(sql: Sql, opts: { batchSize?: number; onProgress?(p: RunCounts & { totalBytes: number }): void } = {}): Promise<RunCounts> {
  const batchSize = opts.batchSize ?? 500;
  const size = await rawStoreSize(sql);
  const runId = await startRun(sql, 'reindex', 'raw store', size.bytes);
  const counts: RunCounts = { doneBytes: 0, messages: 0, added: 0, duplicates: 0, flagged: 0 };
  try {
    await clearDerived(sql);
    const limit = maxMessageBytes();
    const threads = new Set<number>();
    let after = 0;
    for (;;) {
      const raws = await rawBatch(sql, after, batchSize);
      if (raws.length === 0) break;
      after = raws[raws.length - 1].id;
      const prepared = await Promise.all(raws.map((r) => prepareMessage({ bytes: r.raw, source: { kind: 'file', path: '', offset: 0 } }, limit)));
      const outcomes = prepared.map((p, i) => {
        p.mail.flags.push(...raws[i].flags.filter((f) => SOURCE_FLAGS.has(f.kind)));
        return { id: raws[i].id, status: !p.parsed ? 'unparsed' : p.mail.flags.length ? 'flagged' : 'parsed', flags: p.mail.flags };
      });
      await setParseOutcome(sql, outcomes);
      const indexed = await sql.begin((tx) => indexMessages(tx, prepared.map((p, i) => ({ rawId: raws[i].id, mail: p.mail, parsed: p.parsed }))));
      indexed.touchedThreads.forEach((t) => threads.add(t));
      counts.messages += raws.length;
      counts.added += raws.length;
      counts.flagged += indexed.flagged;
      counts.doneBytes += raws.reduce((n, r) => n + r.raw.length, 0);
      await updateRun(sql, runId, counts);
      opts.onProgress?.({ ...counts, totalBytes: size.bytes });
    }
    // Threads are derived once all their messages are back, a slice at a time.
    const ids = [...threads];
    for (let i = 0; i < ids.length; i += DERIVE_SLICE) await deriveThreads(sql, ids.slice(i, i + DERIVE_SLICE));
  } catch (err) {
    await finishRun(sql, runId, counts, (err as Error).message).catch(() => {});
    throw err;
  }
  await finishRun(sql, runId, counts, null);
  return counts;
}
