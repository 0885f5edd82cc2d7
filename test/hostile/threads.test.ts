/**
 * Threads of hostile shape through the whole pipeline, derive included, at the default batch
 * size: a reply chain 10,000 messages deep, and one thread of 20,000 messages. Each must be
 * stored completely, threaded as one, derived, and done in well under two minutes.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, describeDb, type TestDatabase } from '../helpers/db.ts';
import { importFiles } from '../../ingest/import-files.ts';
import { threadTreeOf } from '../../lib/db/queries/threads.ts';
import { createLedger, mailText, rng, scratchDir, writeMboxFile } from './helpers.ts';

const ledger = createLedger(import.meta.filename);
afterAll(() => ledger.finish());

const minute = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 60_000).toUTCString().replace('GMT', '+0000');
const DIFF = '---\n fs/open.c | 2 +-\n\ndiff --git a/fs/open.c b/fs/open.c\n--- a/fs/open.c\n+++ b/fs/open.c\n@@ -1,3 +1,3 @@\n ctx\n-old\n+new\n ctx\n';

/** A patch, then 9,999 replies each answering the one before (References: the root and the last ten, as MUAs trim them). */
function* chain(n: number) {
  const id = (i: number) => `chain-${i}@deep.patchloom.test`;
  yield mailText({ id: id(0), subject: '[PATCH] fs: a patch that starts a very long argument', date: minute(0), body: `Change it.\n\nSigned-off-by: Ada <ada@patchloom.test>\n${DIFF}` });
  for (let i = 1; i < n; i++) {
    const recent = Array.from({ length: Math.min(i, 10) }, (_, k) => id(i - Math.min(i, 10) + k)).filter((r) => r !== id(0));
    yield mailText({
      id: id(i),
      from: i % 2 ? 'Ingo <mingo@patchloom.test>' : 'Ada <ada@patchloom.test>',
      subject: 'Re: [PATCH] fs: a patch that starts a very long argument',
      date: minute(i),
      inReplyTo: id(i - 1),
      references: [id(0), ...recent],
      body: `> previous point\n\nReply number ${i}.\n${i === n - 1 ? '\nFine, have it.\n\nAcked-by: Ingo <mingo@patchloom.test>\n' : ''}`,
    });
  }
}

/** A 50-patch series whose cover and patches collect 19,949 replies, each answering a random earlier message. */
function* wide(n: number) {
  const r = rng(20_000);
  const cover = 'wide-cover@wide.patchloom.test';
  const ids = [cover];
  yield mailText({ id: cover, subject: '[PATCH 0/50] mm: the thread everyone answered', date: minute(0), body: 'Fifty steps.\n' });
  for (let p = 1; p <= 50; p++) {
    const id = `wide-p${p}@wide.patchloom.test`;
    ids.push(id);
    yield mailText({ id, subject: `[PATCH ${p}/50] mm: step ${p}`, date: minute(p), inReplyTo: cover, references: [cover], body: `Step ${p}.\n\nSigned-off-by: Ada <ada@patchloom.test>\n${DIFF.replaceAll('fs/open.c', `mm/step${p}.c`)}` });
  }
  for (let i = 51; i < n; i++) {
    const parent = ids[Math.floor(r() * ids.length)];
    const id = `wide-${i}@wide.patchloom.test`;
    ids.push(id);
    yield mailText({
      id,
      from: `Reviewer ${i % 97} <r${i % 97}@patchloom.test>`,
      subject: 'Re: [PATCH 0/50] mm: the thread everyone answered',
      date: minute(i),
      inReplyTo: parent,
      references: [cover, parent].filter((x, k, a) => a.indexOf(x) === k),
      body: `> quoted\n\nReply ${i}.\n${r() < 0.05 ? `\nReviewed-by: Reviewer ${i % 97} <r${i % 97}@patchloom.test>\n` : ''}`,
    });
  }
}

interface Timing {
  seconds: number;
  batches: number[];
}

async function timedImport(t: TestDatabase, file: string): Promise<Timing> {
  const batches: number[] = [];
  let last = Date.now();
  const start = last;
  await importFiles(t.sql, [file], {
    onProgress: () => {
      const now = Date.now();
      batches.push(now - last);
      last = now;
    },
  });
  return { seconds: (Date.now() - start) / 1000, batches };
}

const describeScale = describeDb;

describeScale('hostile thread shapes through the whole pipeline', () => {
  let dir: string;
  beforeAll(() => {
    dir = scratchDir('threads');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('a reply chain 10,000 messages deep', () => {
    let t: TestDatabase;
    let timing: Timing;
    let written: { messages: number };
    beforeAll(async () => {
      t = await createTestDatabase();
      const file = join(dir, 'chain.mbox');
      written = writeMboxFile(file, chain(10_000));
      timing = await timedImport(t, file);
      console.log(`reply chain 10,000 deep: ${timing.seconds.toFixed(1)} s; first batch ${timing.batches[0]} ms, last ${timing.batches.at(-1)} ms, slowest ${Math.max(...timing.batches)} ms`);
    }, 600_000);
    afterAll(async () => t?.drop());

    it('stores all 10,000, in one thread, and derives the patch with the Ack from 9,999 levels down', async () => {
      const [{ n, threads }] = await t.sql<{ n: number; threads: number }[]>`select count(*)::int as n, count(distinct thread_id)::int as threads from messages`;
      ledger.input('reply chain 10,000 deep', { crashed: false, lost: n !== written.messages });
      expect(written.messages).toBe(10_000);
      expect(n).toBe(10_000);
      expect(threads).toBe(1);
      const trailers = await t.sql<{ kind: string; email: string }[]>`select t.kind, t.email from trailers t join series s on s.id = t.series_id`;
      expect(trailers).toContainEqual({ kind: 'Acked-by', email: 'mingo@patchloom.test' });
    });

    it('builds the thread tree 10,000 levels deep without recursion', async () => {
      const tree = await threadTreeOf(t.sql, 'chain-5000@deep.patchloom.test');
      let depth = 0;
      for (let node = tree?.root; node; node = node.children[0]) depth++;
      expect(depth).toBe(10_000);
    });

    it('is done in under two minutes', () => {
      expect(timing.seconds).toBeLessThan(120);
    });
  });

  describe('a thread of 20,000 messages', () => {
    let t: TestDatabase;
    let timing: Timing;
    let written: { messages: number };
    beforeAll(async () => {
      t = await createTestDatabase();
      const file = join(dir, 'wide.mbox');
      written = writeMboxFile(file, wide(20_000));
      timing = await timedImport(t, file);
      console.log(`thread of 20,000: ${timing.seconds.toFixed(1)} s; first batch ${timing.batches[0]} ms, last ${timing.batches.at(-1)} ms, slowest ${Math.max(...timing.batches)} ms`);
    }, 600_000);
    afterAll(async () => t?.drop());

    it('stores all 20,000 in one thread and derives the 50-patch series with its reviews', async () => {
      const [{ n, threads }] = await t.sql<{ n: number; threads: number }[]>`select count(*)::int as n, count(distinct thread_id)::int as threads from messages`;
      ledger.input('thread of 20,000 messages', { crashed: false, lost: n !== written.messages });
      expect(n).toBe(20_000);
      expect(threads).toBe(1);
      const series = await t.sql<{ total: number; received: number[] }[]>`select total, received from series`;
      expect(series).toHaveLength(1);
      expect(series[0].total).toBe(50);
      expect(series[0].received).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      const [{ reviews }] = await t.sql<{ reviews: number }[]>`select count(*)::int as reviews from trailers where kind = 'Reviewed-by'`;
      expect(reviews).toBeGreaterThan(0);
    });

    it('is done in under two minutes', () => {
      expect(timing.seconds).toBeLessThan(120);
    });
  });
});
