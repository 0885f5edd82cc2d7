import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDb, type TestDatabase } from '../helpers/db.ts';
import { corpusAvailable, corpusPath } from '../helpers/corpus.ts';
import { databaseWith, getJson, HOSTILE_QUERIES, ID, seriesIdOfVersion, SEED, teardown, type Handler } from './api-helpers.ts';
import { SEARCH_POOL_PER_ARM } from '../../lib/db/queries/breakages.ts';

interface Breakage {
  id: number;
  signature: string;
  kind: string;
  message: string;
  file: string | null;
  line: number | null;
  arch: string | null;
  config: string | null;
  compiler: string | null;
  status: string;
  baseline: { ref: string | null; quote: string } | null;
  firstReport: { messageId: string; author: { name: string; email: string }; date: string };
  reports: { messageId: string; author: { name: string; email: string }; date: string }[];
  series: { id: number; title: string; version: number }[];
  patches: { seriesId: number; number: number }[];
  fixups: number[];
  syscallChanges: number[];
}

const KEYS = ['arch', 'baseline', 'compiler', 'config', 'file', 'firstReport', 'fixups', 'id', 'kind', 'line', 'message', 'patches', 'reports', 'series', 'signature', 'status', 'syscallChanges'];
const ARCHHEADERS = "No rule to make target 'archheaders'";
const UCONTEXT = "dereferencing pointer to incomplete type 'struct ucontext'";
/** Two real build-failure mails with `__udivdi3` (an i386 modpost failure and an ia64 link failure); see ../shared/corpus/MANIFEST.md. */
const UDIVDI3_MAILS = ['build-logs/from-mail/naresh-modpost-__udivdi3-undefined-recipe-for-target-failed.eml', 'lkml/kernel-test-robot/2019-kbuild-test-robot-branch-report-undefined-reference-__udivdi3.eml'];

describeDb('breakages API', () => {
  let t: TestDatabase;
  let search: Handler<never>;
  let one: Handler<{ id: string }>;
  let v1: number;
  let v2: number;

  const find = (query: string) => getJson<{ breakages: Breakage[] }>(search, `/api/breakages${query}`);
  const messages = async (query: string) => {
    const { status, body } = await find(query);
    expect(status, query).toBe(200);
    return body.breakages.map((b) => b.message);
  };

  beforeAll(async () => {
    t = await databaseWith([SEED, ...(corpusAvailable ? UDIVDI3_MAILS.map(corpusPath) : [])]);
    search = (await import('../../app/api/breakages/route.ts')).GET as Handler<never>;
    one = (await import('../../app/api/breakages/[id]/route.ts')).GET;
    v1 = await seriesIdOfVersion(t, 1);
    v2 = await seriesIdOfVersion(t, 2);
  });
  afterAll(() => teardown(t));

  it('finds each seed failure by make target, phrase, type, and path', async () => {
    expect(await messages('?q=archheaders')).toEqual([ARCHHEADERS]);
    expect(await messages(`?q=${encodeURIComponent('"incomplete type"')}`)).toEqual([UCONTEXT]);
    expect(await messages('?q=incomplete+type')).toEqual([UCONTEXT]);
    expect(await messages('?q=ucontext')).toEqual([UCONTEXT]);
    expect(await messages(`?q=${encodeURIComponent('arch/um/os-Linux/signal.c')}`)).toEqual([UCONTEXT]);
    // Part of a path or a word is a substring match (trigram index), not a token match.
    expect(await messages('?q=os-Linux%2Fsig')).toEqual([UCONTEXT]);
    expect(await messages('?q=archhead')).toEqual([ARCHHEADERS]);
    expect(await messages('?q=hard_handler')).toEqual([UCONTEXT]);
    expect(await messages('?q=no+such+failure+anywhere')).toEqual([]);
  });

  it.skipIf(!corpusAvailable)('finds both real __udivdi3 failures (link and modpost) by the symbol, and nothing else', async () => {
    const found = await find('?q=__udivdi3');
    const got = found.body.breakages;
    expect(got.map((b) => b.kind).sort()).toEqual(['linker-undefined', 'modpost']);
    expect(got.every((b) => b.message.includes('__udivdi3'))).toBe(true);
    expect(got.map((b) => b.arch).sort()).toEqual(['i386', 'ia64']);
    expect(await messages('?q=udivdi3')).toHaveLength(2);
    expect(await messages('?q=__udivdi3&arch=ia64')).toEqual(["undefined reference to '__udivdi3'"]);
  });

  it('returns the documented shape with the seed facts', async () => {
    const { body } = await find('?q=ucontext');
    const b = body.breakages[0];
    expect(Object.keys(b).sort()).toEqual(KEYS);
    expect(b).toMatchObject({
      kind: 'compiler-error',
      file: 'arch/um/os-Linux/signal.c',
      line: 163,
      arch: 'um',
      status: 'pre-existing',
      baseline: { ref: '38c23685b273', quote: expect.stringContaining('already present in mainline as of 38c23685b273') },
      firstReport: { messageId: ID.ingoUcontext, author: { name: 'Ingo Molnar', email: 'mingo@kernel.org' }, date: '2018-04-06T08:23:22.000Z' },
      series: [{ id: v1, title: 'use struct pt_regs based syscall calling for x86-64', version: 1 }],
      fixups: [],
    });
    expect(Object.keys(b.baseline ?? {}).sort()).toEqual(['quote', 'ref']);
    // Quoted again in #15: not a second report.
    expect(b.reports.map((r) => r.messageId)).toEqual([ID.ingoUcontext]);

    const a = (await find('?q=archheaders')).body.breakages[0];
    expect(a).toMatchObject({ kind: 'make-no-rule', arch: 'um', status: 'fixed', baseline: null, firstReport: { messageId: ID.ingoArchheaders } });
    expect(a.reports.map((r) => r.messageId)).toEqual([ID.ingoArchheaders]);
    // Dominik's inline fixup answers Ingo's report.
    const [fixup] = await t.sql<{ id: number }[]>`select id from fixups where message_id = ${ID.dominikFixup}`;
    expect(a.fixups).toEqual([fixup.id]);
    // The UML build runs archheaders, which reads syscall_64.tbl: all 20 rows 8/8 changed.
    expect(a.syscallChanges).toHaveLength(20);
  });

  it('filters by status, arch, file and series', async () => {
    expect(await messages('?status=pre-existing')).toEqual([UCONTEXT]);
    expect(await messages('?status=fixed')).toEqual([ARCHHEADERS]);
    expect((await messages('?arch=um')).sort()).toEqual([ARCHHEADERS, UCONTEXT]);
    expect((await messages('?arch=UM')).sort()).toEqual([ARCHHEADERS, UCONTEXT]);
    expect(await messages('?arch=x86_64')).toEqual([]);
    expect(await messages('?file=os-Linux')).toEqual([UCONTEXT]);
    expect((await messages(`?series=${v1}`)).sort()).toEqual([ARCHHEADERS, UCONTEXT]);
    expect(await messages(`?series=${v2}`)).toEqual([]);
    expect(await messages(`?series=${v1}&q=archheaders&status=fixed&arch=um`)).toEqual([ARCHHEADERS]);
    expect(await messages(`?series=${v1}&q=archheaders&status=open`)).toEqual([]);
  });

  it('ranks the closer match first', async () => {
    // Both failures mention UML's tree, but only one names the type.
    expect((await messages('?q=struct+ucontext'))[0]).toBe(UCONTEXT);
    expect((await messages('?q=target+archheaders'))[0]).toBe(ARCHHEADERS);
  });

  it('treats hostile search text as text', async () => {
    for (const q of HOSTILE_QUERIES) {
      const { status, body } = await find(`?q=${encodeURIComponent(q)}`);
      expect(status, q).toBe(200);
      expect(Array.isArray(body.breakages), q).toBe(true);
    }
    for (const q of HOSTILE_QUERIES) expect((await find(`?file=${encodeURIComponent(q)}&arch=${encodeURIComponent(q.slice(0, 60))}`)).status, q).toBe(200);
    expect((await messages('')).length).toBeGreaterThanOrEqual(2);
  });

  it('answers bad parameters with a 400', async () => {
    for (const [q, word] of [
      ['?status=broken', 'status'],
      ['?series=abc', 'series'],
      ['?series=0', 'series'],
      [`?q=${'y'.repeat(301)}`, 'q'],
      [`?arch=${'z'.repeat(65)}`, 'arch'],
      ['?page=0', 'page'],
      ['?page=two', 'page'],
    ] as const) {
      const { status, body } = await getJson<{ error: string; hint: string }>(search, `/api/breakages${q}`);
      expect(status, q).toBe(400);
      expect(body.error, q).toContain(word);
      expect(body.hint, q).toBeTruthy();
    }
  });

  it('returns one breakage by id, and JSON 400/404 otherwise', async () => {
    const [row] = await t.sql<{ id: number }[]>`select id from breakages where message = ${UCONTEXT}`;
    const { status, body } = await getJson<Breakage>(one, `/api/breakages/${row.id}`, { id: String(row.id) });
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(KEYS);
    expect(body.message).toBe(UCONTEXT);
    expect((await getJson(one, '/api/breakages/nope', { id: 'nope' })).status).toBe(400);
    const missing = await getJson<{ error: string }>(one, '/api/breakages/777777', { id: '777777' });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toContain('777777');
  });

  it('pages a search 50 at a time; a broad one ranks its most recent matches', async () => {
    const first = await find('?q=archheaders');
    expect(first.body).toMatchObject({ more: false });
    expect((await find('?q=archheaders&page=2')).body).toEqual({ breakages: [], more: false });
    // 150 failures naming one word, the longer (the less similar to it) the more recent.
    await t.sql`
      insert into breakages (signature, kind, message, error_text, status, status_reason, first_report_message_id, first_report_date)
      select 'zzpaged-' || i, 'compiler-error', 'zzpaged failure' || (select string_agg(' w' || j, '') from generate_series(1, i) j),
             'error: see above', 'open', '', ${ID.ingoUcontext}, timestamptz '2100-01-01' + make_interval(days => i)
      from generate_series(1, 150) i`;
    const page = (n: number) => getJson<{ breakages: Breakage[]; more: boolean }>(search, `/api/breakages?q=zzpaged&page=${n}`);
    // The SEARCH_POOL_PER_ARM most recent matches are ranked, the closest (shortest) first, 50 a page.
    const found: Breakage[] = [];
    for (let n = 1; n <= 10; n++) {
      const { status, body } = await page(n);
      expect(status).toBe(200);
      expect(body.breakages.length).toBeLessThanOrEqual(50);
      found.push(...body.breakages);
      if (!body.more) break;
    }
    const numbers = found.map((b) => b.message.split(' ').length - 2);
    const oldest = 150 - SEARCH_POOL_PER_ARM + 1;
    expect(numbers).toEqual(Array.from({ length: SEARCH_POOL_PER_ARM }, (_, i) => oldest + i));
    expect((await page(Math.ceil(SEARCH_POOL_PER_ARM / 50) + 1)).body).toEqual({ breakages: [], more: false });
    // A narrower search ranks all its matches: "w140" is in the 11 longest messages.
    const narrow = await getJson<{ breakages: Breakage[]; more: boolean }>(search, '/api/breakages?q=w140');
    expect(narrow.body.breakages.map((b) => b.message.split(' ').length - 2)).toEqual([140, 141, 142, 143, 144, 145, 146, 147, 148, 149, 150]);
    // Without a query: newest first, 50 a page.
    const newest = await getJson<{ breakages: Breakage[]; more: boolean }>(search, '/api/breakages?status=open');
    expect(newest.body.breakages).toHaveLength(50);
    expect(newest.body.more).toBe(true);
    expect(newest.body.breakages[0].message).toMatch(/ w150$/);
  });
});
