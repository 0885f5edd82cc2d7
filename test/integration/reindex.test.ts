/**
 * Derived data is a function of the raw store: a reindex rebuilds the same thing, and
 * importing the same mail in another order gives the same result.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Sql } from 'postgres';
import { createTestDatabase, describeDb, type TestDatabase } from '../helpers/db.ts';
import { corpusAvailable, corpusPath } from '../helpers/corpus.ts';
import { importFiles } from '../../ingest/import-files.ts';
import { reindex } from '../../ingest/reindex.ts';
import { messagesOfFile } from '../../lib/mail/read.ts';

const SEED = join(import.meta.dirname, '../fixtures/seed');
const sources = () => [SEED, ...(corpusAvailable ? [corpusPath('lkml/threads/lsm-syscalls'), corpusPath('patchwork-mail/series/revision-threaded-to-cover.mbox')] : [])];

async function snapshot(sql: Sql) {
  return {
    series: await sql`select key, title, version, status, received, missing, (select key from series p where p.id = s.previous_version_id) as prev from series s order by key`,
    patches: await sql`select s.key, p.number, p.message_id, p.applied_commit from patches p join series s on s.id = p.series_id order by 1, 2, 3`,
    trailers: await sql`select s.key, t.patch_number, t.kind, t.email, t.carried_from from trailers t join series s on s.id = t.series_id order by 1, 2, 3, 4, 5`,
    fixups: await sql`select key, target_number, state from fixups order by key`,
    breakages: await sql`select signature, status from breakages order by signature`,
    syscalls: await sql`select table_path, number, abi, name, kind from syscall_changes order by 1, 2, 3, 4`,
  };
}

/** Every message of the sources as separate files, in reverse order. */
function reversed(): string {
  const dir = mkdtempSync(join(tmpdir(), 'reversed-'));
  const all: Buffer[] = [];
  const walk = (p: string) => {
    try {
      for (const m of messagesOfFile(readFileSync(p))) all.push(m.bytes);
    } catch {
      /* a folder */
    }
  };
  for (const src of sources()) {
    if (src === SEED) ['v1.mbox', 'v2.mbox', 'tip-bot.eml'].forEach((f) => walk(join(SEED, f)));
    else if (src.endsWith('.mbox')) walk(src);
    else for (const f of ['v4-0of8.mbox', 'v5-0of8.mbox', 'v6-0of11.mbox']) walk(join(src, f));
  }
  all.reverse().forEach((b, i) => writeFileSync(join(dir, `${String(i).padStart(4, '0')}.eml`), b));
  return dir;
}

describeDb('derived data is rebuildable', () => {
  let a: TestDatabase;
  let b: TestDatabase;
  beforeAll(async () => {
    [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  });
  afterAll(async () => {
    await a?.drop();
    await b?.drop();
  });

  it('reindex rebuilds exactly what the import derived', async () => {
    await importFiles(a.sql, sources());
    const before = await snapshot(a.sql);
    expect(before.series.length).toBeGreaterThan(1);
    const counts = await reindex(a.sql);
    expect(counts.messages).toBeGreaterThan(20);
    expect(await snapshot(a.sql)).toEqual(before);
  });

  it('gives the same result whatever the import order', async () => {
    await importFiles(b.sql, [reversed()], { batchSize: 7 });
    expect(await snapshot(b.sql)).toEqual(await snapshot(a.sql));
  });
});
