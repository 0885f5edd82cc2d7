/**
 * Manual status against a real thread (file_getattr v4, fsdevel 2025), mail arriving in
 * steps: discussion without a verdict leaves a maintainer's status alone, Jan Kara's
 * Reviewed-by reopens it, Christian Brauner's "This is broken" and then v5 decide it. And
 * every timeline of the whole LKML corpus is well-formed.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, postgresAvailable, type TestDatabase } from '../helpers/db.ts';
import { corpusPath, describeCorpus } from '../helpers/corpus.ts';
import { importFiles } from '../../ingest/import-files.ts';
import { rederive } from '../../ingest/derive.ts';
import { recordAction } from '../../lib/db/actions.ts';
import { eventsSince, seriesTimeline } from '../../lib/db/queries/timeline.ts';
import { splitMbox } from '../../lib/mail/mbox.ts';

const DIR = 'lkml/threads/file_getattr-series';
const V4 = '20250321-xattrat-syscall-v4-0-3e82e6fb3264@kernel.org';
const PALI = '20250323103234.2mwhpsbigpwtiby4@pali';
const JAN_3 = 'qyiozv4dtkqlp5wuyhocpptngs5wpuhyouhfqf7vaagkbobsv7@ez3cvpjdyj6q';
const JAN_2 = '7por3exi45jfmlprgp6v573n3mwdzoxglzfypygvsocw3x42v4@7wvnedauzi5f';
const BROKEN = '20250422-abbekommen-begierde-bcf48dd74a2e@brauner';

const describeBoth = postgresAvailable ? describeCorpus : describeCorpus.skip;

/** The v4 messages from the one with `from` up to (not including) the one with `to`, as .eml files. */
function v4Slice(from: string | null, to: string | null): string {
  const msgs = splitMbox(readFileSync(corpusPath(`${DIR}/v4-0of3-getfsxattrat.mbox`)));
  const idx = (id: string) => msgs.findIndex((m) => m.bytes.toString('latin1').match(/^Message-I[dD]:\s*<([^>]+)>/m)?.[1] === id);
  const start = from ? idx(from) : 0;
  const end = to ? idx(to) : msgs.length;
  if (start < 0 || end < 0) throw new Error(`message not in the fixture: ${from} / ${to}`);
  const dir = mkdtempSync(join(tmpdir(), 'v4-'));
  msgs.slice(start, end).forEach((m, i) => writeFileSync(join(dir, `${i}.eml`), m.bytes));
  return dir;
}

describeBoth('manual status on a real thread', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => t?.drop());

  const v4 = async () =>
    (await t.sql<{ id: number; status: string; status_reasons: { text: string; messageId?: string }[] }[]>`select id, status, status_reasons from series where key = ${V4}`)[0];
  const setStatus = async (status: string, note: string) => {
    const s = await v4();
    await recordAction(t.sql, { actor: 'viro', via: 'token', targetKind: 'series', targetKey: V4, action: 'set-status', value: { status }, note });
    await rederive(t.sql, { seriesIds: [s.id] });
  };

  it('discussion without a verdict does not reopen a manual status', async () => {
    await importFiles(t.sql, [v4Slice(null, PALI)]);
    expect((await v4()).status).toBe('under-review');
    await setStatus('rejected', 'Christian wants the VFS side reworked first');
    expect((await v4()).status_reasons).toEqual([{ text: 'set to rejected by viro: Christian wants the VFS side reworked first' }]);
    // Pali, Mickaël, Andrey and Amir discuss; nobody gives a trailer or asks for changes.
    await importFiles(t.sql, [v4Slice(PALI, JAN_3)]);
    expect((await v4()).status).toBe('rejected');
  });

  it("Jan Kara's Reviewed-by is a newer fact: the derived status returns and says why", async () => {
    await importFiles(t.sql, [v4Slice(JAN_3, '20250327192629.ivnarhlkfbhbzjcl@pali')]);
    const s = await v4();
    expect(s.status).toBe('under-review');
    expect(s.status_reasons.map((r) => r.text)).toContain('2 of 3 patches reviewed or acked');
    const last = s.status_reasons[s.status_reasons.length - 1];
    expect(last.text).toMatch(/^manual status rejected by viro overridden by newer fact \(/);
    expect([JAN_3, JAN_2]).toContain(last.messageId);
  });

  it('set again, it holds until "This is broken" arrives; then v5 supersedes it', async () => {
    await setStatus('reviewed', 'Jan reviewed the VFS parts');
    expect((await v4()).status).toBe('reviewed');
    await importFiles(t.sql, [v4Slice('20250327192629.ivnarhlkfbhbzjcl@pali', BROKEN)]);
    expect((await v4()).status).toBe('reviewed');
    await importFiles(t.sql, [v4Slice(BROKEN, null)]);
    const s = await v4();
    expect(s.status).toBe('changes-requested');
    expect(s.status_reasons[0]).toEqual({ text: `Christian Brauner asked for changes: "This is broken as it doesn't handle AT_FDCWD correctly. You need:"`, messageId: BROKEN });
    expect(s.status_reasons[s.status_reasons.length - 1].text).toMatch(/^manual status reviewed by viro overridden by newer fact/);

    const events = (await seriesTimeline(t.sql, s.id))?.events ?? [];
    expect(events.filter((e) => e.kind !== 'manual').map((e) => [e.kind, e.messageId])).toEqual([
      ['posted', V4],
      ['trailer', JAN_3],
      ['trailer', JAN_2],
      ['objection', BROKEN],
      ['fixup-posted', 'l33napyvz5fwbcdju4otllbu4zr6faaz6mufz652alpxnjjfvl@h7j4hu4uwqwv'],
    ]);
    expect(events.filter((e) => e.kind === 'trailer').map((e) => e.text)).toEqual(['Reviewed-by: Jan Kara on patch 3/3', 'Reviewed-by: Jan Kara on patch 2/3']);
    expect(events.filter((e) => e.kind === 'manual').map((e) => e.text)).toEqual([
      'status set to rejected by viro: Christian wants the VFS side reworked first',
      'status set to reviewed by viro: Jan reviewed the VFS parts',
    ]);

    await importFiles(t.sql, [corpusPath(`${DIR}/v5-0of7-file_getattr-2025-05-12-sent-twice.mbox`)]);
    const after = await v4();
    expect(after.status).toBe('superseded');
    expect(after.status_reasons[0].text).toBe('superseded by v5');
  });

  it('every timeline of the LKML corpus is ordered, unique and links stored mail; the feed covers every series', async () => {
    await importFiles(t.sql, [corpusPath('lkml')]);
    const ids = await t.sql<{ id: number; key: string }[]>`select id, key from series order by id`;
    expect(ids.length).toBeGreaterThan(15);
    const stored = new Set((await t.sql<{ message_id: string }[]>`select message_id from messages`).map((m) => m.message_id));
    for (const { id } of ids) {
      const events = (await seriesTimeline(t.sql, id))?.events ?? [];
      expect(events[0]?.kind).toMatch(/^(posted|version-posted)$/);
      expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
      const dated = events.map((e) => e.at).filter((x): x is string => x !== null);
      expect(dated).toEqual([...dated].sort());
      for (const e of events) if (e.kind !== 'manual') expect(stored.has(e.messageId as string)).toBe(true);
    }
    const started = performance.now();
    const feed = await eventsSince(t.sql, new Date(0));
    expect(performance.now() - started).toBeLessThan(20_000);
    const posted = new Set(feed.events.filter((e) => e.kind === 'posted').map((e) => e.messageId));
    // Each series' posting is in the feed (or the page was cut and says so).
    if (!feed.more) for (const { key } of ids) expect(posted.has(key)).toBe(true);
  });
});
