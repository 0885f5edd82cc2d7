import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeDb, type TestDatabase } from '../helpers/db.ts';
import { importFiles } from '../../ingest/import-files.ts';

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { splitMbox } from '../../lib/mail/mbox.ts';

describeDb.each([
  ['in date order', false],
  ['report first', true],
])('a build report that names no series (%s)', (_name, reversed) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    const msgs = splitMbox(readFileSync(join(import.meta.dirname, '../fixtures/breakage-links/series.mbox')));
    const dir = mkdtempSync(join(tmpdir(), 'links-'));
    const files = msgs.map((m, i) => {
      const f = join(dir, `${i}.eml`);
      writeFileSync(f, m.bytes);
      return f;
    });
    for (const f of reversed ? files.reverse() : files) await importFiles(t.sql, [f]);
  });
  afterAll(async () => t?.drop());

  it('is linked to the series whose patch changes the file in the error, with the reason', async () => {
    const rows = await t.sql<{ title: string; patch_number: number; via: string; message: string }[]>`
      select s.title, l.patch_number, l.via, b.message from breakage_links l join series s on s.id = l.series_id join breakages b on b.id = l.breakage_id`;
    expect(rows).toEqual([
      { title: 'widget: add widget_reset()', patch_number: 1, via: 'patch 1 changes drivers/misc/widget.c, named in the error', message: expect.stringContaining("has no member named 'ops'") },
    ]);
  });
});
