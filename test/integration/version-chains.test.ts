/**
 * Version linking is scoped (lib/db/global.ts versionCandidates): same-author postings only
 * within the gap lib/versions.ts accepts, plus the stored chains of every candidate. A v3 that
 * arrives later than a year after v1 must still extend the v1 → v2 chain, not cut it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeDb, type TestDatabase } from '../helpers/db.ts';
import { importFiles } from '../../ingest/import-files.ts';

const AUTHOR = 'Ann Author <ann@example.org>';
const PATCH_TITLES = ['foo: split bar_init', 'foo: drop bar_legacy'];

function mail(headers: Record<string, string>, body: string): string {
  const head = Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\n');
  return `From mboxrd@z Thu Jan  1 00:00:00 1970\n${head}\n\n${body}\n`;
}

/** A cover letter and two patches, threaded as git send-email does. */
function series(version: number, coverTitle: string, date: string): string {
  const v = version > 1 ? ` v${version}` : '';
  const cover = `<v${version}-0@example.org>`;
  const out = [
    mail({ From: AUTHOR, Subject: `[PATCH${v} 0/2] ${coverTitle}`, Date: date, 'Message-ID': cover }, `This reworks bar.\n\nAnn Author (2):\n  ${PATCH_TITLES.join('\n  ')}\n`),
  ];
  PATCH_TITLES.forEach((title, i) => {
    const diff = `---\n foo/bar.c | 2 +-\n\ndiff --git a/foo/bar.c b/foo/bar.c\n--- a/foo/bar.c\n+++ b/foo/bar.c\n@@ -1,1 +1,1 @@\n-int bar_${i} = ${version};\n+int bar_${i} = ${version + 1};\n`;
    out.push(mail({ From: AUTHOR, Subject: `[PATCH${v} ${i + 1}/2] ${title}`, Date: date, 'Message-ID': `<v${version}-${i + 1}@example.org>`, 'In-Reply-To': cover, References: cover }, `${title}.\n\nSigned-off-by: ${AUTHOR}\n${diff}`));
  });
  return out.join('');
}

describeDb('version chains across more than a year', () => {
  let t: TestDatabase;
  const dir = mkdtempSync(join(tmpdir(), 'patchloom-versions-'));
  beforeAll(async () => {
    t = await createTestDatabase();
    writeFileSync(join(dir, 'v1-v2.mbox'), series(1, 'foo: rework the bar handling', 'Mon, 1 Jan 2024 10:00:00 +0000') + series(2, 'foo: rework bar handling and its setup', 'Sat, 1 Jun 2024 10:00:00 +0000'));
    // 397 days after v1, 245 after v2, with a cover title of its own: linked to v2 by its patches.
    writeFileSync(join(dir, 'v3.mbox'), series(3, 'foo: a rework of the bar code', 'Sat, 1 Feb 2025 10:00:00 +0000'));
    await importFiles(t.sql, [join(dir, 'v1-v2.mbox')]);
  });
  afterAll(async () => t?.drop());

  const chain = async () => {
    const rows = await t.sql<{ key: string; previous: string | null; next: string | null; superseded: string | null }[]>`
      select s.key, p.key as previous, n.key as next, x.key as superseded from series s
      left join series p on p.id = s.previous_version_id left join series n on n.id = s.next_version_id
      left join series x on x.id = s.superseded_by_id order by s.date`;
    return rows.map((r) => ({ ...r }));
  };

  it('links v1 and v2', async () => {
    expect(await chain()).toEqual([
      { key: 'v1-0@example.org', previous: null, next: 'v2-0@example.org', superseded: 'v2-0@example.org' },
      { key: 'v2-0@example.org', previous: 'v1-0@example.org', next: null, superseded: null },
    ]);
  });

  it('extends the chain with a v3 imported later, keeping v1 → v2', async () => {
    await importFiles(t.sql, [join(dir, 'v3.mbox')]);
    expect(await chain()).toEqual([
      { key: 'v1-0@example.org', previous: null, next: 'v2-0@example.org', superseded: 'v3-0@example.org' },
      { key: 'v2-0@example.org', previous: 'v1-0@example.org', next: 'v3-0@example.org', superseded: 'v3-0@example.org' },
      { key: 'v3-0@example.org', previous: 'v2-0@example.org', next: null, superseded: null },
    ]);
  });
});
