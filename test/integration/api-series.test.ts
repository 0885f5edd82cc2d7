import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDb, type TestDatabase } from '../helpers/db.ts';
import { databaseWith, get, getJson, HOSTILE_QUERIES, ID, seriesIdOfVersion, SEED, teardown, type Handler } from './api-helpers.ts';

type Json = Record<string, unknown> & { series?: Record<string, unknown>[] };
interface Trailer {
  kind: string;
  name: string;
  email: string;
  messageId: string;
  carriedFrom: string | null;
}
interface Patch {
  number: number;
  messageId: string;
  subject: string;
  files: string[];
  diffstat: { path: string; added: number; removed: number }[];
  trailers: Trailer[];
  applied: { commit: string | null; branch: string | null; messageId: string | null } | null;
}
interface Detail {
  id: number;
  title: string;
  version: number;
  status: string;
  patches: Patch[];
  versions: { id: number; version: number; date: string }[];
  previousVersionId: number | null;
  nextVersionId: number | null;
  replies: number;
  statusReasons: { text: string }[];
  fixups: { id: number; targetPatch: { number: number; messageId: string } | null; state: string }[];
  breakages: { id: number; message: string; status: string; baseline: { ref: string | null; quote: string } | null; syscallChanges: number[] }[];
  syscallChanges: { id: number; name: string; number: number; abi: string; oldEntry: string; newEntry: string; patchNumber: number; kind: string }[];
}

const SUMMARY_KEYS = ['author', 'coverMessageId', 'date', 'id', 'missing', 'openBreakages', 'pendingFixups', 'received', 'status', 'title', 'total', 'version'];

describeDb('series API', () => {
  let t: TestDatabase;
  let list: Handler<never>;
  let one: Handler<{ id: string }>;
  let byMessage: Handler<{ id: string }>;
  let v1: number;
  let v2: number;

  const listJson = (query = '') => getJson<Json & { total: number }>(list, `/api/series${query}`);
  const detail = (id: number | string) => getJson<Detail>(one, `/api/series/${id}`, { id: String(id) });

  beforeAll(async () => {
    t = await databaseWith([SEED]);
    list = (await import('../../app/api/series/route.ts')).GET as Handler<never>;
    one = (await import('../../app/api/series/[id]/route.ts')).GET;
    byMessage = (await import('../../app/api/series/by-message/[id]/route.ts')).GET;
    v1 = await seriesIdOfVersion(t, 1);
    v2 = await seriesIdOfVersion(t, 2);
  });
  afterAll(() => teardown(t));

  it('lists both versions, newest first, in the documented shape', async () => {
    const { status, body } = await listJson();
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['series', 'total']);
    expect(body.total).toBe(2);
    const [first, second] = body.series as Record<string, unknown>[];
    expect(Object.keys(first).sort()).toEqual(SUMMARY_KEYS);
    expect([first.id, second.id]).toEqual([v2, v1]);
    expect(second).toMatchObject({
      title: 'use struct pt_regs based syscall calling for x86-64',
      version: 1,
      total: 8,
      status: 'superseded',
      author: { name: 'Dominik Brodowski', email: 'linux@dominikbrodowski.net' },
      date: '2018-04-05T09:53:07.000Z',
      coverMessageId: ID.v1Cover,
      missing: [],
    });
    expect(second.received).toEqual(expect.arrayContaining([1, 2, 3, 4, 5, 6, 7, 8]));
    expect(first).toMatchObject({ version: 2, status: 'partially-applied', coverMessageId: ID.v2Cover });
  });

  it('sorts by date, title and status on request', async () => {
    const ids = async (q: string) => ((await listJson(q)).body.series ?? []).map((s) => s.id);
    expect(await ids('?sort=date')).toEqual([v1, v2]);
    expect(await ids('?sort=-date')).toEqual([v2, v1]);
    // Same title: the version breaks the tie.
    expect(await ids('?sort=title')).toEqual([v1, v2]);
    // Lifecycle order: partially-applied comes before superseded.
    expect(await ids('?sort=status')).toEqual([v2, v1]);
    expect(await ids('?sort=-status')).toEqual([v1, v2]);
  });

  it('filters by status, author, search text and the open-breakage / pending-fixup flags', async () => {
    const ids = async (q: string) => ((await listJson(q)).body.series ?? []).map((s) => s.id);
    expect(await ids('?status=superseded')).toEqual([v1]);
    expect(await ids('?status=partially-applied')).toEqual([v2]);
    expect(await ids('?status=new')).toEqual([]);
    expect(await ids('?author=brodowski')).toEqual([v2, v1]);
    expect(await ids('?author=linux%40dominikbrodowski.net')).toEqual([v2, v1]);
    expect(await ids('?author=mingo')).toEqual([]);
    expect(await ids('?q=pt_regs')).toEqual([v2, v1]);
    expect(await ids('?q=x86-64')).toEqual([v2, v1]);
    expect(await ids('?q=Dominik')).toEqual([v2, v1]);
    expect(await ids('?q=%22syscall+calling%22')).toEqual([v2, v1]);
    expect(await ids('?q=ucontext')).toEqual([]);
    // The seed's breakages are fixed / pre-existing and its fixup folded: nothing is open or pending.
    expect(await ids('?hasOpenBreakages=true')).toEqual([]);
    expect(await ids('?hasPendingFixups=1')).toEqual([]);
    expect(await ids('?hasOpenBreakages=false&hasPendingFixups=false')).toEqual([v2, v1]);
  });

  it('counts every match in total and pages by 50', async () => {
    const { body } = await listJson('?page=2');
    expect(body).toEqual({ series: [], total: 2 });
  });

  it('answers bad parameters with a 400 that says what is wrong', async () => {
    for (const [q, word] of [
      ['?status=bogus', 'status'],
      ['?sort=size', 'sort'],
      ['?page=0', 'page'],
      ['?page=abc', 'page'],
      ['?page=-1', 'page'],
      ['?hasOpenBreakages=maybe', 'hasOpenBreakages'],
      ['?hasPendingFixups=2', 'hasPendingFixups'],
      [`?q=${'x'.repeat(400)}`, 'q'],
    ] as const) {
      const { status, body } = await getJson<{ error: string; hint?: string }>(list, `/api/series${q}`);
      expect(status, q).toBe(400);
      expect(body.error, q).toContain(word);
      expect(typeof body.hint, q).toBe('string');
    }
  });

  it('treats hostile search text as text', async () => {
    for (const q of HOSTILE_QUERIES) {
      const { status, body } = await listJson(`?q=${encodeURIComponent(q)}`);
      expect(status, q).toBe(200);
      expect(body.total, q).toBe(0);
    }
    // The tables are still there.
    expect((await listJson()).body.total).toBe(2);
  });

  it('returns v1 with patches, trailers, versions, fixups, breakages and syscall changes', async () => {
    const { status, body: s } = await detail(v1);
    expect(status).toBe(200);
    expect(Object.keys(s).sort()).toEqual(
      [...SUMMARY_KEYS, 'patches', 'versions', 'previousVersionId', 'nextVersionId', 'replies', 'statusReasons', 'fixups', 'breakages', 'syscallChanges'].sort(),
    );
    expect(s.patches.map((p) => p.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(s.patches.map((p) => p.messageId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map(ID.v1Patch));
    expect(s.patches[2].subject).toContain('syscalls/x86: use struct pt_regs based syscall calling for 64-bit syscalls');
    expect(s.patches[7].files.sort()).toEqual(['arch/x86/entry/syscalls/syscall_64.tbl', 'arch/x86/include/asm/syscall_wrapper.h']);
    expect(s.patches[7].diffstat).toContainEqual({ path: 'arch/x86/entry/syscalls/syscall_64.tbl', added: 23, removed: 20 });
    expect(s.patches.every((p) => p.applied === null)).toBe(true);

    // Peter's ack is for 3/8 only; Andy's review of the cover covers all eight; Borislav's is only quoted.
    const given = (p: Patch) => p.trailers.filter((x) => x.kind === 'Acked-by' || x.kind === 'Reviewed-by').map((x) => `${x.kind} ${x.email} ${x.messageId}`);
    expect(given(s.patches[2]).sort()).toEqual([`Acked-by peterz@infradead.org ${ID.peterAck}`, `Reviewed-by luto@kernel.org ${ID.andyReview}`]);
    for (const n of [0, 1, 3, 4, 5, 6, 7]) expect(given(s.patches[n])).toEqual([`Reviewed-by luto@kernel.org ${ID.andyReview}`]);
    expect(s.patches.flatMap((p) => p.trailers).some((x) => x.email === 'bp@suse.de')).toBe(false);
    expect(s.patches[0].trailers[0]).toHaveProperty('carriedFrom');

    expect(s.versions.map((v) => [v.id, v.version])).toEqual([
      [v1, 1],
      [v2, 2],
    ]);
    expect(s.previousVersionId).toBeNull();
    expect(s.nextVersionId).toBe(v2);
    expect(s.replies).toBe(6);
    expect(s.status).toBe('superseded');
    expect(s.statusReasons.length).toBeGreaterThan(0);

    expect(s.fixups).toHaveLength(1);
    expect(s.fixups[0]).toMatchObject({ targetPatch: { number: 8, messageId: ID.v1Patch(8) }, state: 'folded' });

    expect(s.breakages.map((b) => b.message).sort()).toEqual(["No rule to make target 'archheaders'", "dereferencing pointer to incomplete type 'struct ucontext'"]);
    const ucontext = s.breakages.find((b) => b.message.includes('ucontext'));
    expect(ucontext?.status).toBe('pre-existing');
    expect(ucontext?.baseline?.ref).toBe('38c23685b273');
    expect(Object.keys(ucontext ?? {})).not.toContain('errorText');

    // v1 8/8 rewrites all 20 rows of the table.
    expect(s.syscallChanges).toHaveLength(20);
    expect(s.syscallChanges.every((c) => c.patchNumber === 8 && c.kind === 'changed')).toBe(true);
    expect(s.syscallChanges.find((c) => c.number === 10)).toMatchObject({ name: 'mprotect', abi: 'common', oldEntry: 'sys_mprotect', newEntry: '__sys_x86_mprotect' });
    const archheaders = s.breakages.find((b) => b.message.includes('archheaders'));
    expect(archheaders?.syscallChanges.length).toBe(20);
    expect(archheaders?.syscallChanges.every((id) => s.syscallChanges.some((c) => c.id === id))).toBe(true);
  });

  it('returns v2 with the tip-bot commit on 1/8 and the carried trailers', async () => {
    const { body: s } = await detail(v2);
    expect(s.status).toBe('partially-applied');
    expect(s.patches[0].applied).toEqual({ commit: '1bd21c6c21e848996339508d3ffb106d505256a8', branch: expect.stringContaining('x86/asm'), messageId: ID.tipBot });
    expect(s.patches.slice(1).every((p) => p.applied === null)).toBe(true);
    expect(s.previousVersionId).toBe(v1);
    expect(s.nextVersionId).toBeNull();
    expect(s.versions.map((v) => v.id)).toEqual([v1, v2]);
    // Ingo's ack on the v2 cover covers all eight patches.
    for (const p of s.patches) expect(p.trailers.some((x) => x.kind === 'Acked-by' && x.email === 'mingo@kernel.org' && x.messageId === ID.ingoV2Ack)).toBe(true);
    // 8/8 changed, so Andy's review is not on it.
    expect(s.patches[7].trailers.some((x) => x.kind === 'Reviewed-by' && x.email === 'luto@kernel.org')).toBe(false);
    expect(s.fixups).toEqual([]);
    expect(s.breakages).toEqual([]);
  });

  it('answers bad and unknown ids with JSON 400 and 404', async () => {
    for (const bad of ['abc', '0', '-3', '1.5', '99999999999']) {
      const { status, body } = await detail(bad);
      expect(status, bad).toBe(400);
      expect((body as unknown as { error: string }).error).toContain('series id');
    }
    const missing = await detail(424242);
    expect(missing.status).toBe(404);
    expect((missing.body as unknown as { error: string }).error).toContain('424242');
  });

  it('finds the series of a patch, a cover, a reply and a tip-bot notice', async () => {
    const of = async (messageId: string) => getJson<Detail>(byMessage, `/api/series/by-message/${encodeURIComponent(messageId)}`, { id: encodeURIComponent(messageId) });
    expect((await of(ID.v1Patch(3))).body.id).toBe(v1);
    expect((await of(ID.v1Cover)).body.id).toBe(v1);
    expect((await of(ID.ingoArchheaders)).body.id).toBe(v1);
    expect((await of(`<${ID.v2Patch(8)}>`)).body.id).toBe(v2);
    const full = await of(ID.v2Cover);
    expect(full.body.patches).toHaveLength(8);
    const none = await of('nobody@example.com');
    expect(none.status).toBe(404);
    expect(JSON.stringify(none.body)).toContain('nobody@example.com');
  });

  it('is JSON everywhere, errors included', async () => {
    for (const res of [await get(list, '/api/series?status=x'), await get(one, '/api/series/0', { id: '0' }), await get(one, '/api/series/5555', { id: '5555' })]) {
      expect(res.headers.get('content-type')).toContain('application/json');
    }
  });
});
