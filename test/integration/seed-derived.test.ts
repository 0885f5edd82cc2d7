/**
 * The seed-like thread through the whole pipeline: what a maintainer should see after
 * each step of the story (v1 posted, the build breaks, a fixup, a pre-existing failure,
 * v2 with the fixup folded, tip-bot applying one patch).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeDb, type TestDatabase } from '../helpers/db.ts';
import { importFiles } from '../../ingest/import-files.ts';
import { splitMbox } from '../../lib/mail/mbox.ts';

const SEED = join(import.meta.dirname, '../fixtures/seed');
const FIXUP = '20180405204102.GA7395@light.dominikbrodowski.net';
const V1_COVER = '20180405095307.3730-1-linux@dominikbrodowski.net';
const V2_COVER = '20180409105145.5364-1-linux@dominikbrodowski.net';

/** Write the v1 messages up to (not including) the one with the given Message-ID into a temp file. */
function v1Until(messageId: string | null): string {
  const msgs = splitMbox(readFileSync(join(SEED, 'v1.mbox')));
  const cut = messageId ? msgs.findIndex((m) => m.bytes.includes(`<${messageId}>`) && /^Message-I[dD]:/m.test(m.bytes.toString('latin1').split(`<${messageId}>`)[0].split('\n').pop() ?? '')) : msgs.length;
  const dir = mkdtempSync(join(tmpdir(), 'seed-'));
  msgs.slice(0, cut < 0 ? msgs.length : cut).forEach((m, i) => writeFileSync(join(dir, `${i}.eml`), m.bytes));
  return dir;
}

describeDb('the seed thread, step by step', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => t?.drop());

  const breakage = async (like: string) =>
    (await t.sql<{ id: number; status: string; status_reason: string; baseline: { ref: string; refs: string[] } | null; arch: string | null }[]>`
      select id, status, status_reason, baseline, arch from breakages where signature like ${like}`)[0];
  const series = async (key: string) =>
    (await t.sql<{ id: number; status: string; status_reasons: { text: string }[]; superseded_by_id: number | null; previous_version_id: number | null; pending_fixups: number; open_breakages: number; received: number[] }[]>`
      select id, status, status_reasons, superseded_by_id, previous_version_id, pending_fixups, open_breakages, received from series where key = ${key}`)[0];

  it('v1 with its first build report: one series, 8 patches, the archheaders breakage open', async () => {
    await importFiles(t.sql, [v1Until(FIXUP)]);
    const s = await series(V1_COVER);
    expect(s.received).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const b = await breakage('%archheaders%');
    expect(b.status).toBe('open');
    expect(b.arch).toBe('um');
    expect(s.status).toBe('changes-requested');
    expect(s.open_breakages).toBe(1);
    const reports = await t.sql`select reporter_name from build_reports`;
    expect(reports.map((r) => r.reporter_name)).toEqual(['Ingo Molnar']);
  });

  it('the inline fixup targets patch 8/8 and proposes a fix', async () => {
    await importFiles(t.sql, [v1Until(null)]);
    const [f] = await t.sql<{ target_number: number; target_reason: string; state: string; form: string; subject: string; author_name: string }[]>`select * from fixups`;
    expect(f).toMatchObject({ target_number: 8, state: 'pending', form: 'dashes-headers', subject: 'syscalls/x86: fix UML syscall table', author_name: 'Dominik Brodowski' });
    expect(f.target_reason).toContain('8/8');
    expect((await breakage('%archheaders%')).status).toBe('fix-proposed');
    const pre = await breakage('%signal.c%');
    expect(pre.status).toBe('pre-existing');
    expect(pre.baseline?.ref).toBe('38c23685b273');
    expect(pre.baseline?.refs).toEqual(['38c23685b273', 'v4.16']);
    // each failure has exactly one report, by Ingo; Dominik only quoted them
    const counts = await t.sql<{ n: string; who: string }[]>`
      select count(*) as n, min(r.reporter_name) as who from breakage_reports br join build_reports r on r.id = br.report_id group by br.breakage_id`;
    expect(counts.map((c) => [Number(c.n), c.who])).toEqual([[1, 'Ingo Molnar'], [1, 'Ingo Molnar']]);
    const s = await series(V1_COVER);
    expect(s.status).toBe('fixups-pending');
    expect(s.pending_fixups).toBe(1);
  });

  it('trailers: Reviewed-by on the cover counts for all patches, Acked-by on 3/8 for 3/8 only, quoted ones never', async () => {
    const rows = await t.sql<{ patch_number: number; kind: string; email: string }[]>`
      select t.patch_number, t.kind, t.email from trailers t join series s on s.id = t.series_id where s.key = ${V1_COVER} and t.kind in ('Reviewed-by', 'Acked-by') order by 1, 2`;
    expect(rows.filter((r) => r.kind === 'Reviewed-by').map((r) => r.patch_number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(rows.filter((r) => r.kind === 'Acked-by')).toEqual([{ patch_number: 3, kind: 'Acked-by', email: 'peterz@infradead.org' }]);
    expect(rows.some((r) => r.email === 'bp@suse.de')).toBe(false);
  });

  it('syscall-table changes of patch 8/8 are linked from the breakage and the fixup', async () => {
    const changes = await t.sql<{ id: number; name: string; old_entry: string; new_entry: string; patch_number: number }[]>`select * from syscall_changes where name = 'mprotect'`;
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ patch_number: 8, old_entry: 'sys_mprotect', new_entry: '__sys_x86_mprotect' });
    const links = await t.sql<{ target_kind: string }[]>`select distinct target_kind from syscall_links where change_id = ${changes[0].id} order by 1`;
    expect(links.map((l) => l.target_kind)).toEqual(expect.arrayContaining(['fixup', 'report']));
  });

  it('v2 supersedes v1, folds the fixup, and fixes the archheaders breakage', async () => {
    await importFiles(t.sql, [join(SEED, 'v2.mbox')]);
    const v1 = await series(V1_COVER);
    const v2 = await series(V2_COVER);
    expect(v1.superseded_by_id).toBe(v2.id);
    expect(v2.previous_version_id).toBe(v1.id);
    expect(v1.status).toBe('superseded');
    expect(v1.status_reasons.map((r) => r.text).join(' ')).toMatch(/v2/);
    const [f] = await t.sql<{ state: string; state_reason: string }[]>`select state, state_reason from fixups`;
    expect(f.state).toBe('folded');
    expect((await breakage('%archheaders%')).status).toBe('fixed');
    // Reviewed-by from v1 carries over to the unchanged patches 1-7 of v2, not to the changed 8/8
    const carried = await t.sql<{ patch_number: number }[]>`
      select distinct patch_number from trailers where series_id = ${v2.id} and kind = 'Reviewed-by' and email = 'luto@kernel.org' order by 1`;
    expect(carried.map((c) => c.patch_number)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('tip-bot applies v2 1/8: partially applied', async () => {
    await importFiles(t.sql, [join(SEED, 'tip-bot.eml')]);
    const v2 = await series(V2_COVER);
    expect(v2.status).toBe('partially-applied');
    const applied = await t.sql<{ series_id: number; number: number; applied_commit: string; applied_branch: string }[]>`
      select series_id, number, applied_commit, applied_branch from patches where applied_message_id is not null`;
    expect(applied).toEqual([{ series_id: v2.id, number: 1, applied_commit: '1bd21c6c21e848996339508d3ffb106d505256a8', applied_branch: 'x86/asm' }]);
  });
});
