/**
 * The PostgreSQL connection drops in the middle of `patchloom import`: another connection
 * terminates the importer's backends (pg_terminate_backend) again and again. The import
 * retries the batch it was on, says so, and finishes with every message stored once and
 * derived data that a reindex reproduces. Then the database refuses connections for good:
 * the import stops with a clear error, and a later run completes the job.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_URL, createTestDatabase, describeDb, type TestDatabase } from '../helpers/db.ts';
import { reindex } from '../../ingest/reindex.ts';
import { createLedger, derivedSnapshot, scratchDir, seriesArchive, spawnCli, waitFor, writeMboxFile, type Exited } from './helpers.ts';

const ledger = createLedger(import.meta.filename);
afterAll(() => ledger.finish());

const MESSAGES = 2500;

describeDb('the database connection drops during an import', () => {
  let t: TestDatabase;
  let admin: postgres.Sql;
  let dir: string;
  let file: string;
  let written: { messages: number; sha256s: string[] };
  let run: Exited;
  let terminated = 0;

  beforeAll(async () => {
    t = await createTestDatabase();
    admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
    dir = scratchDir('connection');
    file = join(dir, 'drops.mbox');
    written = writeMboxFile(file, seriesArchive({ messages: MESSAGES, seed: 7, v2Every: 4 }));
    const counter = postgres(t.url, { max: 1, onnotice: () => {} });
    const stored = async () => Number((await counter<{ n: string }[]>`select count(*) as n from raw_messages`)[0].n);
    const importer = spawnCli(['import', file], { DATABASE_URL: t.url });
    // Cut the importer's connections five times while it works, a little apart.
    for (let k = 0; k < 5; k++) {
      const base = await stored();
      await waitFor('the import to make progress', async () => (await stored()) > base || importer.child.exitCode !== null, 120_000, 20);
      if (importer.child.exitCode !== null) break;
      const rows = await admin<{ ok: boolean }[]>`
        select pg_terminate_backend(pid) as ok from pg_stat_activity
        where datname = ${t.name} and application_name = 'patchloom' and pid <> pg_backend_pid()`;
      terminated += rows.filter((r) => r.ok).length;
      await new Promise((r) => setTimeout(r, 400));
    }
    // A hang would be as bad as a crash: give up after four minutes.
    const hung = setTimeout(() => importer.child.kill('SIGKILL'), 240_000);
    run = await importer.exited;
    clearTimeout(hung);
    await counter.end();
  }, 600_000);

  afterAll(async () => {
    await admin?.end();
    await t?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('retries with a clear log line and finishes', () => {
    expect(terminated).toBeGreaterThan(0);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/patchloom: the database connection failed while (storing a batch|deriving threads|recording progress|finding the batch's threads) \(.+\); retrying in [\d.]+ s \(attempt 2 of 7\)/);
    console.log(`terminated ${terminated} backends; the importer logged ${run.stderr.match(/retrying in/g)?.length ?? 0} retries`);
  });

  it('stores every message exactly once', async () => {
    const [c] = await t.sql<{ raw: number; distinct: number; sources: number; indexed: number }[]>`
      select (select count(*)::int from raw_messages) as raw, (select count(distinct sha256)::int from raw_messages) as distinct,
             (select count(*)::int from message_sources) as sources, (select count(*)::int from messages) as indexed`;
    const lost = c.raw !== MESSAGES || c.indexed !== MESSAGES;
    ledger.fault(`PostgreSQL connections terminated mid-import (${terminated} backends)`, { lost });
    expect(written.messages).toBe(MESSAGES);
    expect(c).toEqual({ raw: MESSAGES, distinct: MESSAGES, sources: MESSAGES, indexed: MESSAGES });
  });

  it('leaves derived data that a reindex reproduces', async () => {
    const before = await derivedSnapshot(t.sql);
    expect(before.series.length).toBeGreaterThan(50);
    await reindex(t.sql);
    const after = await derivedSnapshot(t.sql);
    ledger.fault('connection drops: derived data after the import', { lost: JSON.stringify(before) !== JSON.stringify(after) });
    expect(after).toEqual(before);
  }, 300_000);

  it('stops with a clear error when the database refuses connections for good, and a later run completes', async () => {
    const more = join(dir, 'more.mbox');
    const extra = writeMboxFile(more, seriesArchive({ messages: 1500, seed: 8 }));
    const counter = postgres(t.url, { max: 1, onnotice: () => {} });
    const rawCount = async () => Number((await counter<{ n: string }[]>`select count(*) as n from raw_messages`)[0].n);
    const base = await rawCount();
    const importer = spawnCli(['import', more], { DATABASE_URL: t.url });
    await waitFor('the second import to store a batch', async () => (await rawCount()) > base || importer.child.exitCode !== null, 120_000, 20);
    await counter.end();
    await admin.unsafe(`alter database "${t.name}" allow_connections false`);
    await admin`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${t.name} and pid <> pg_backend_pid()`;
    const failed = await importer.exited;
    await admin.unsafe(`alter database "${t.name}" allow_connections true`);
    expect(failed.code).toBe(1);
    // One line, no stack trace.
    expect(failed.stderr).toMatch(/^patchloom: .*(not currently accepting connections|does not allow connections|terminat)/m);
    expect(failed.stderr).not.toMatch(/^\s+at /m);

    const again = await spawnCli(['import', more], { DATABASE_URL: t.url }).exited;
    expect(again.code, again.stderr).toBe(0);
    const stored = new Set((await t.sql<{ sha256: string }[]>`select sha256 from raw_messages`).map((r) => r.sha256));
    const missing = extra.sha256s.filter((h) => !stored.has(h)).length;
    const [{ n }] = await t.sql<{ n: number }[]>`select count(*)::int as n from raw_messages`;
    ledger.fault('database refuses connections for good mid-import, then comes back', { lost: missing > 0 || n !== MESSAGES + extra.messages });
    expect(missing).toBe(0);
    expect(n).toBe(MESSAGES + extra.messages);
  }, 300_000);
});
