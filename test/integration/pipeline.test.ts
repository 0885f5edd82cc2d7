/**
 * The import pipeline overlaps parsing, storing and deriving (ingest/pipeline.ts). These tests
 * hold it to what the overlap must not change: one derive at a time, each bounded, the same
 * derived data as deriving after every batch, failures that stop the run, and a recovery
 * point (import_runs.derived_through) that covers everything derived.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeDb, type TestDatabase } from '../helpers/db.ts';
import { derivedSnapshot } from '../hostile/helpers.ts';
import { generateMessages } from '../../bench/generate.ts';
import { runPipeline } from '../../ingest/pipeline.ts';
import { deriveThreads } from '../../ingest/derive.ts';
import type { SourcedMessage } from '../../ingest/sources/files.ts';

const MESSAGES = 2500;
const mails = [...generateMessages({ messages: MESSAGES, seed: 7 })].map((m) => m.bytes);

async function* source(): AsyncGenerator<SourcedMessage> {
  for (const [i, bytes] of mails.entries()) {
    yield { bytes, source: { kind: 'file', path: '/pipeline-test.mbox', offset: i } };
    // Let a derive in flight make progress, as file reads do.
    if (i % 100 === 0) await new Promise((r) => setImmediate(r));
  }
}

describeDb('the overlapping import pipeline', () => {
  let overlapped: TestDatabase;
  let batchByBatch: TestDatabase;
  const derives: { threads: number; messagesWaiting: number }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;

  beforeAll(async () => {
    [overlapped, batchByBatch] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    let stored = 0;
    let derivedUpTo = 0;
    await runPipeline(overlapped.sql, source(), {
      kind: 'file',
      label: 'pipeline test',
      batchSize: 100,
      deriveEvery: 400,
      afterBatch: async (r) => {
        stored += r.added;
      },
      derive: async (ids) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        derives.push({ threads: ids.length, messagesWaiting: stored - derivedUpTo });
        derivedUpTo = stored;
        try {
          await deriveThreads(overlapped.sql, ids);
        } finally {
          inFlight--;
        }
      },
    });
    await runPipeline(batchByBatch.sql, source(), { kind: 'file', label: 'pipeline test, derive every batch', batchSize: 100, deriveEvery: 0 });
  }, 300_000);
  afterAll(async () => {
    await overlapped?.drop();
    await batchByBatch?.drop();
  });

  it('runs one derive at a time, each over at most about deriveEvery messages', () => {
    expect(maxInFlight).toBe(1);
    expect(derives.length).toBeGreaterThan(2);
    // deriveEvery, plus the batch being stored when the limit was reached.
    for (const d of derives) expect(d.messagesWaiting).toBeLessThanOrEqual(400 + 100);
  });

  it('derives exactly what deriving after every batch derives', async () => {
    const a = await derivedSnapshot(overlapped.sql);
    expect(a.series.length).toBeGreaterThan(50);
    expect(a).toEqual(await derivedSnapshot(batchByBatch.sql));
  });

  it('records that derived data covers everything the run stored', async () => {
    const [run] = await overlapped.sql<{ state: string; covered: boolean }[]>`
      select state, derived_through >= (select date_trunc('milliseconds', max(received_at)) from raw_messages) as covered
      from import_runs order by id limit 1`;
    // (JavaScript dates hold milliseconds: the recorded point is at most a millisecond early, which only re-derives more.)
    expect(run).toEqual({ state: 'done', covered: true });
  });

  it('stops the import when a derive fails, and marks the run failed with the reason', async () => {
    const t = await createTestDatabase();
    try {
      const run = runPipeline(t.sql, source(), {
        kind: 'file',
        label: 'failing derive',
        batchSize: 100,
        deriveEvery: 300,
        derive: async () => {
          throw new Error('analysis exploded');
        },
      });
      await expect(run).rejects.toThrow('analysis exploded');
      const [row] = await t.sql<{ state: string; error: string; messages: number }[]>`select state, error, messages from import_runs`;
      expect(row.state).toBe('failed');
      expect(row.error).toBe('analysis exploded');
      // It stopped early instead of storing the whole file first.
      expect(row.messages).toBeLessThan(MESSAGES);
    } finally {
      await t.drop();
    }
  });
});
