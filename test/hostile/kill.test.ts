/**
 * kill -9 during `patchloom import`, twice, then a rerun to the end: every message is stored
 * exactly once, and the derived data is what a clean import and a `patchloom reindex` give.
 * The first kill is aimed at the worst moment: batches committed, their threads not yet derived.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeDb, type TestDatabase } from '../helpers/db.ts';
import { importFiles } from '../../ingest/import-files.ts';
import { createLedger, derivedSnapshot, scratchDir, seriesArchive, spawnCli, waitFor, writeMboxFile, type Exited } from './helpers.ts';

const ledger = createLedger(import.meta.filename);
afterAll(() => ledger.finish());

const MESSAGES = 3000;

describeDb('kill -9 during an import, then a rerun', () => {
  let t: TestDatabase;
  let reference: TestDatabase;
  let dir: string;
  let file: string;
  let written: { messages: number; sha256s: string[] };
  const killed: { at: string; raw: number; exit: Exited }[] = [];
  let rerun: Exited;

  const count = async (q: 'raw' | 'derivedBatches') => {
    if (q === 'raw') return Number((await t.sql<{ n: string }[]>`select count(*) as n from raw_messages`)[0].n);
    const [r] = await t.sql<{ n: number | null }[]>`select max(messages) as n from import_runs where state = 'running'`;
    return r?.n ?? 0;
  };

  beforeAll(async () => {
    [t, reference] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    dir = scratchDir('kill');
    file = join(dir, 'big.mbox');
    written = writeMboxFile(file, seriesArchive({ messages: MESSAGES, seed: 42, v2Every: 3 }));
    const env = { DATABASE_URL: t.url };

    // 1: kill while stored batches wait for their derive (stored count ahead of the run's recorded progress).
    const first = spawnCli(['import', file], env);
    let raw = 0;
    await waitFor(
      'a batch stored but not yet derived',
      async () => {
        raw = await count('raw');
        return raw >= 1000 && raw > (await count('derivedBatches'));
      },
      180_000,
      5,
    );
    first.child.kill('SIGKILL');
    killed.push({ at: 'batches committed, not yet derived', raw, exit: await first.exited });

    // 2: kill the next run at whatever it is doing a moment after it stores something new.
    const second = spawnCli(['import', file], env);
    const before = await count('raw');
    await waitFor('the second run to store a batch', async () => (raw = await count('raw')) > before, 180_000, 20);
    await new Promise((r) => setTimeout(r, 700));
    second.child.kill('SIGKILL');
    killed.push({ at: '700 ms after its first new batch', raw: await count('raw'), exit: await second.exited });

    // 3: a rerun to the end.
    rerun = await spawnCli(['import', file], env).exited;
    await importFiles(reference.sql, [file]);
  }, 900_000);

  afterAll(async () => {
    await t?.drop();
    await reference?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('was killed twice mid-import, and the rerun finished cleanly', () => {
    expect(killed.map((k) => k.exit.signal)).toEqual(['SIGKILL', 'SIGKILL']);
    expect(killed[0].raw).toBeLessThan(MESSAGES);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stdout).toMatch(/\d+ new, \d+ already stored/);
    console.log(`killed at ${killed.map((k) => `${k.raw} stored (${k.at})`).join(', then ')}; rerun: ${rerun.stdout.trim().split('\n')[0]}`);
  });

  it('stores every message of the file exactly once', async () => {
    const [c] = await t.sql<{ raw: number; distinct: number; sources: number; indexed: number }[]>`
      select (select count(*)::int from raw_messages) as raw, (select count(distinct sha256)::int from raw_messages) as distinct,
             (select count(*)::int from message_sources) as sources, (select count(*)::int from messages) as indexed`;
    const stored = new Set((await t.sql<{ sha256: string }[]>`select sha256 from raw_messages`).map((r) => r.sha256));
    const missing = written.sha256s.filter((h) => !stored.has(h)).length;
    const lost = c.raw !== written.messages || missing > 0 || c.indexed !== written.messages;
    ledger.fault('kill -9 between storing batches and deriving them', { lost });
    ledger.fault('kill -9 at an arbitrary moment of a rerun', { lost });
    expect(written.messages).toBe(MESSAGES);
    expect(c).toEqual({ raw: MESSAGES, distinct: MESSAGES, sources: MESSAGES, indexed: MESSAGES });
    expect(missing).toBe(0);
  });

  it('closes the killed runs as interrupted and says it re-derived what they left behind', async () => {
    const runs = await t.sql<{ state: string; error: string | null }[]>`select state, error from import_runs where kind = 'file' order by id`;
    expect(runs.map((r) => r.state)).toEqual(['failed', 'failed', 'done']);
    expect(runs[0].error).toMatch(/^interrupted/);
    expect(rerun.stderr).toMatch(/was interrupted; re-derived the \d+ threads it touched last/);
  });

  it('derives what a clean import derives, and what a reindex rebuilds', async () => {
    const afterKills = await derivedSnapshot(t.sql);
    const clean = await derivedSnapshot(reference.sql);
    expect(clean.series.length).toBeGreaterThan(100);
    const consistent = JSON.stringify(afterKills) === JSON.stringify(clean);
    ledger.fault('kill -9: derived data after the rerun', { lost: !consistent });
    expect(afterKills).toEqual(clean);
    const reindexed = await spawnCli(['reindex'], { DATABASE_URL: t.url }).exited;
    expect(reindexed.code, reindexed.stderr).toBe(0);
    expect(await derivedSnapshot(t.sql)).toEqual(afterKills);
  }, 300_000);
});
