import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeDb, type TestDatabase } from '../helpers/db.ts';
import { corpusAvailable, corpusPath } from '../helpers/corpus.ts';
import { importFiles } from '../../ingest/import-files.ts';

const describeApplied = corpusAvailable ? describeDb : describeDb.skip;
const BRGERST = 'lkml/brgerst-2020-syscall-wrapper-cleanups';

describeApplied('tip-bot2 notices of the brgerst v4 series (the corpus holds its cover, not its patches)', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await importFiles(t.sql, [corpusPath(`${BRGERST}/from-linux-kernel-archive-via-read_file/02-PATCH-v4-00of18-x86-syscall-wrapper-cleanups.eml`), corpusPath(`${BRGERST}/tip-bot2-x86-entry-commit-notifications-2020-03.mbox`)]);
  });
  afterAll(async () => t?.drop());

  it('marks each of the 18 patches applied, named by the Link: to its Message-ID', async () => {
    const rows = await t.sql<{ number: number; message_id: string; applied_commit: string; applied_branch: string; placeholder: boolean }[]>`
      select p.number, p.message_id, p.applied_commit, p.applied_branch, p.placeholder from patches p join series s on s.id = p.series_id
      where s.key = '20200313195144.164260-1-brgerst@gmail.com' order by p.number`;
    expect(rows.map((r) => r.number)).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
    for (const r of rows) {
      expect(r.message_id).toBe(`20200313195144.164260-${r.number + 1}-brgerst@gmail.com`);
      expect(r.applied_branch).toBe('x86/entry');
      expect(r.applied_commit).toMatch(/^[0-9a-f]{40}$/);
      expect(r.placeholder).toBe(true);
    }
    const [s] = await t.sql<{ status: string }[]>`select status from series where key = '20200313195144.164260-1-brgerst@gmail.com'`;
    expect(s.status).toBe('applied');
    // the 19th notice, the follow-up build fix, is not one of the series' patches
    const commits = new Set(rows.map((r) => r.applied_commit));
    expect(commits.size).toBe(18);
  });
});
