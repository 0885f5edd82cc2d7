import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDb, type TestDatabase } from '../helpers/db.ts';
import { databaseWith, getJson, HOSTILE_QUERIES, ID, seriesIdOfVersion, teardown, V1, type Handler } from './api-helpers.ts';

interface Fixup {
  id: number;
  messageId: string;
  subject: string | null;
  author: { name: string; email: string };
  date: string | null;
  files: string[];
  series: { id: number; title: string; version: number } | null;
  targetPatch: { number: number; messageId: string | null } | null;
  targetReason: string;
  candidates: unknown[];
  state: string;
  form: string;
  syscallChanges: number[];
}

const KEYS = ['author', 'candidates', 'date', 'files', 'form', 'id', 'messageId', 'series', 'state', 'subject', 'syscallChanges', 'targetPatch', 'targetReason'];

// Only v1: before v2 folds it in, Dominik's fixup is pending.
describeDb('fixups API', () => {
  let t: TestDatabase;
  let list: Handler<never>;
  let series: Handler<never>;
  let v1: number;
  const fixups = (q = '') => getJson<{ fixups: Fixup[] }>(list, `/api/fixups${q}`);

  beforeAll(async () => {
    t = await databaseWith([V1]);
    list = (await import('../../app/api/fixups/route.ts')).GET as Handler<never>;
    series = (await import('../../app/api/series/route.ts')).GET as Handler<never>;
    v1 = await seriesIdOfVersion(t, 1);
  });
  afterAll(() => teardown(t));

  it('lists the inline fixup with its target 8/8 and the reason', async () => {
    const { status, body } = await fixups();
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual(['fixups']);
    expect(body.fixups).toHaveLength(1);
    const f = body.fixups[0];
    expect(Object.keys(f).sort()).toEqual(KEYS);
    expect(f).toMatchObject({
      messageId: ID.dominikFixup,
      subject: 'syscalls/x86: fix UML syscall table',
      author: { name: 'Dominik Brodowski', email: 'linux@dominikbrodowski.net' },
      series: { id: v1, title: 'use struct pt_regs based syscall calling for x86-64', version: 1 },
      targetPatch: { number: 8, messageId: ID.v1Patch(8) },
      state: 'pending',
    });
    // The pseudo-header Date (22:39:33 +0200), not the mail's.
    expect(f.date?.slice(0, 10)).toBe('2018-04-05');
    expect(f.files.sort()).toEqual(['arch/x86/entry/syscalls/syscall_64.tbl', 'arch/x86/entry/syscalls/syscalltbl.sh']);
    expect(f.targetReason).toContain('8/8');
    expect(Array.isArray(f.candidates)).toBe(true);
    // It touches syscall_64.tbl, whose 20 rows 8/8 changed.
    expect(f.syscallChanges).toHaveLength(20);
  });

  it('filters by state and search text', async () => {
    expect((await fixups('?state=pending')).body.fixups).toHaveLength(1);
    expect((await fixups('?state=folded')).body.fixups).toHaveLength(0);
    expect((await fixups('?q=UML')).body.fixups).toHaveLength(1);
    expect((await fixups('?q=syscalltbl.sh')).body.fixups).toHaveLength(1);
    expect((await fixups('?q=brodowski')).body.fixups).toHaveLength(1);
    expect((await fixups('?q=ucontext')).body.fixups).toHaveLength(0);
    expect((await fixups(`?series=${v1}`)).body.fixups).toHaveLength(1);
    expect((await fixups(`?series=${v1 + 1000}`)).body.fixups).toHaveLength(0);
  });

  it('marks the series as having a pending fixup', async () => {
    const { body } = await getJson<{ series: { id: number; pendingFixups: number; status: string }[] }>(series, '/api/series?hasPendingFixups=true');
    expect(body.series.map((s) => [s.id, s.pendingFixups, s.status])).toEqual([[v1, 1, 'fixups-pending']]);
    expect((await getJson<{ total: number }>(series, '/api/series?hasPendingFixups=false')).body.total).toBe(0);
  });

  it('answers bad parameters with a 400 and hostile text with 200', async () => {
    const bad = await getJson<{ error: string; hint: string }>(list, '/api/fixups?state=maybe');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('state');
    expect(bad.body.hint).toContain('pending');
    expect((await fixups('?series=x')).status).toBe(400);
    for (const q of HOSTILE_QUERIES) expect((await fixups(`?q=${encodeURIComponent(q)}`)).status, q).toBe(200);
  });
});
