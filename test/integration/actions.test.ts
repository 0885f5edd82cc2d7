/**
 * Maintainer actions end to end, through the route handlers: the seed story's statuses and
 * timeline, accounts (login, sessions, CSRF, API tokens, rejected writes), manual overrides
 * of series status, fixup state and target, breakage status and links, that a reindex keeps
 * them, and that a newer fact (v2 arriving) overrides a manual status and says so.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeDb, type TestDatabase } from '../helpers/db.ts';
import { importFiles } from '../../ingest/import-files.ts';
import { reindex } from '../../ingest/reindex.ts';
import { createApiToken, createUser } from '../../lib/db/accounts.ts';
import { tokenCommand, userCommand, type CommandIo } from '../../bin/accounts.ts';
import type { TimelineEvent } from '../../lib/timeline.ts';
import type { Feed } from '../../lib/db/queries/timeline.ts';

const SEED = join(import.meta.dirname, '../fixtures/seed');
const V1 = '20180405095307.3730-1-linux@dominikbrodowski.net';
const V2 = '20180409105145.5364-1-linux@dominikbrodowski.net';
const FIXUP_MAIL = '20180405204102.GA7395@light.dominikbrodowski.net';
const PASSWORD = 'correct horse battery staple';

type Ctx = { params: Promise<{ id: string }> };
type Handler = (req: Request, ctx: Ctx) => Promise<Response>;
type PlainHandler = (req: Request) => Promise<Response>;

describeDb('maintainer actions, accounts and the timeline', () => {
  let t: TestDatabase;
  let setStatus: Handler;
  let timeline: Handler;
  let fixupPost: Handler;
  let breakagePost: Handler;
  let login: PlainHandler;
  let logout: PlainHandler;
  let events: PlainHandler;
  let atom: PlainHandler;
  let token = '';
  let cookie = '';
  let csrf = '';

  const ctx = (id: string | number): Ctx => ({ params: Promise.resolve({ id: String(id) }) });
  const url = (path: string) => `http://localhost${path}`;
  const json = (body: unknown, headers: Record<string, string> = {}) => ({ method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const form = (fields: Record<string, string>, headers: Record<string, string> = {}) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
  const bearer = (t = token) => ({ authorization: `Bearer ${t}` });
  const seriesRow = async (key: string) =>
    (await t.sql<{ id: number; status: string; status_reasons: { text: string; messageId?: string; seriesId?: number }[] }[]>`select id, status, status_reasons from series where key = ${key}`)[0];
  const fixupRow = async () =>
    (await t.sql<{ id: number; state: string; state_reason: string; target_number: number; target_reason: string; target_message_id: string }[]>`select * from fixups where message_id = ${FIXUP_MAIL}`)[0];
  const breakageRow = async (like: string) =>
    (await t.sql<{ id: number; status: string; status_reason: string }[]>`select id, status, status_reason from breakages where signature like ${like}`)[0];
  const linksOf = async (like: string) =>
    (await t.sql<{ key: string; via: string }[]>`select s.key, l.via from breakage_links l join breakages b on b.id = l.breakage_id join series s on s.id = l.series_id where b.signature like ${like} order by 1`);
  const actionCount = async () => Number((await t.sql<{ n: string }[]>`select count(*) as n from manual_actions`)[0].n);
  const getTimeline = async (key: string) => {
    const s = await seriesRow(key);
    const res = await timeline(new Request(url(`/api/series/${s.id}/timeline`)), ctx(s.id));
    expect(res.status).toBe(200);
    return ((await res.json()) as { events: TimelineEvent[] }).events;
  };

  beforeAll(async () => {
    t = await createTestDatabase();
    process.env.DATABASE_URL = t.url;
    setStatus = (await import('../../app/api/series/[id]/status/route.ts')).POST;
    timeline = (await import('../../app/api/series/[id]/timeline/route.ts')).GET;
    fixupPost = (await import('../../app/api/fixups/[id]/route.ts')).POST;
    breakagePost = (await import('../../app/api/breakages/[id]/actions.ts')).POST;
    const session = await import('../../app/api/session/route.ts');
    login = session.POST;
    logout = (await import('../../app/api/session/logout/route.ts')).POST;
    events = (await import('../../app/api/events/route.ts')).GET;
    atom = (await import('../../app/api/events.atom/route.ts')).GET;
    await createUser(t.sql, 'alice', PASSWORD);
    token = (await createApiToken(t.sql, 'alice', 'test'))?.token ?? '';
    await importFiles(t.sql, [join(SEED, 'v1.mbox')]);
  });
  afterAll(async () => {
    const { database } = await import('../../app/lib/database.ts');
    await (await database()).close();
    await t?.drop();
  });

  it('v1 alone: fixups pending, and its timeline lists the story in mail order, each event with its message', async () => {
    expect((await seriesRow(V1)).status).toBe('fixups-pending');
    const events = await getTimeline(V1);
    expect(events.map((e) => [e.kind, e.messageId])).toEqual([
      ['posted', V1],
      ['trailer', '20180405113812.GV4082@hirez.programming.kicks-ass.net'],
      ['trailer', 'CALCETrXh2r8aVEdoCMjtKDbWLHFjm3=sDxB2TqGp1s0LBc_Nwg@mail.gmail.com'],
      ['breakage-reported', '20180405151933.GA19273@gmail.com'],
      ['fixup-posted', FIXUP_MAIL],
      ['breakage-fix-proposed', FIXUP_MAIL],
      ['breakage-reported', '20180406082322.GA17406@gmail.com'],
      ['breakage-pre-existing', '20180406083110.GA22791@light.dominikbrodowski.net'],
    ]);
    expect(events[1].text).toBe('Acked-by: Peter Zijlstra (Intel) on patch 3/8');
    expect(events[2].text).toBe('Reviewed-by: Andy Lutomirski on all 8 patches');
    expect(events[3].text).toContain("No rule to make target 'archheaders'");
    expect(events[4].text).toBe('fixup "syscalls/x86: fix UML syscall table" posted for patch 8/8');
    expect(events[7].text).toContain('marked pre-existing (already in 38c23685b273)');
    expect(events.map((e) => e.at)).toEqual([...events.map((e) => e.at)].sort());
  });

  it('refuses writes without credentials with a JSON 401 and changes nothing', async () => {
    const s = await seriesRow(V1);
    for (const headers of [{}, bearer('plt_' + 'x'.repeat(43)), bearer('garbage'), { authorization: 'Basic YWxpY2U6cHc=' }]) {
      const res = await setStatus(new Request(url(`/api/series/${s.id}/status`), json({ status: 'rejected' }, headers)), ctx(s.id));
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/json');
      expect((await res.json()).error).toMatch(/authentication required|invalid or revoked API token/);
    }
    // A write to a missing id is refused the same way: no probing without an account.
    expect((await setStatus(new Request(url('/api/series/999/status'), json({ status: 'new' })), ctx(999))).status).toBe(401);
    expect(await actionCount()).toBe(0);
    expect((await seriesRow(V1)).status).toBe('fixups-pending');
  });

  it('logs in with the form: a secure session cookie, and the way back', async () => {
    const wrong = await login(new Request(url('/api/session'), form({ name: 'alice', password: 'nope nope nope', next: '/series/1' })));
    expect(wrong.status).toBe(303);
    expect(wrong.headers.get('location')).toBe('/login?error=wrong&next=%2Fseries%2F1');
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const unknown = await login(new Request(url('/api/session'), json({ name: 'mallory', password: PASSWORD })));
    expect(unknown.status).toBe(401);

    const res = await login(new Request(url('/api/session'), form({ name: 'alice', password: PASSWORD, next: '/series/1' })));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/series/1');
    const set = res.headers.get('set-cookie') ?? '';
    expect(set).toMatch(/^patchloom_session=pls_[A-Za-z0-9_-]{43}; /);
    expect(set).toContain('HttpOnly');
    expect(set).toContain('SameSite=Strict');
    expect(set).not.toContain('Secure');
    // Only the hash of the token is stored.
    const token = /patchloom_session=([^;]+)/.exec(set)?.[1] ?? '';
    expect((await t.sql`select 1 from sessions where token_hash = ${token}`).length).toBe(0);

    const https = await login(new Request('https://patchloom.example/api/session', form({ name: 'alice', password: PASSWORD })));
    expect(https.headers.get('set-cookie')).toContain('; Secure');
    const proxied = await login(new Request(url('/api/session'), form({ name: 'alice', password: PASSWORD }, { 'x-forwarded-proto': 'https' })));
    expect(proxied.headers.get('set-cookie')).toContain('; Secure');
    // An open redirect is refused: the form goes home instead.
    const away = await login(new Request(url('/api/session'), form({ name: 'alice', password: PASSWORD, next: '//evil.example/' })));
    expect(away.headers.get('location')).toBe('/');
    // Login CSRF: another site's form cannot log the browser in.
    const cross = await login(new Request(url('/api/session'), form({ name: 'alice', password: PASSWORD }, { origin: 'https://evil.example' })));
    expect(cross.status).toBe(403);

    const api = await login(new Request(url('/api/session'), json({ name: 'alice', password: PASSWORD }, { origin: 'http://localhost' })));
    expect(api.status).toBe(200);
    const body = await api.json();
    expect(body.user).toEqual({ name: 'alice' });
    cookie = `patchloom_session=${/patchloom_session=([^;]+)/.exec(api.headers.get('set-cookie') ?? '')?.[1]}`;
    csrf = body.csrfToken;
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses a session write without the CSRF token (403) and accepts the form with it', async () => {
    const s = await seriesRow(V1);
    const path = `/api/series/${s.id}/status`;
    const without = await setStatus(new Request(url(path), form({ status: 'rejected' }, { cookie })), ctx(s.id));
    expect(without.status).toBe(403);
    expect((await without.json()).error).toContain('CSRF');
    const wrong = await setStatus(new Request(url(path), form({ status: 'rejected', _csrf: csrf.slice(0, -1) + (csrf.endsWith('A') ? 'B' : 'A') }, { cookie })), ctx(s.id));
    expect(wrong.status).toBe(403);
    const jsonWithout = await setStatus(new Request(url(path), json({ status: 'rejected' }, { cookie })), ctx(s.id));
    expect(jsonWithout.status).toBe(403);
    expect(await actionCount()).toBe(0);

    const ok = await setStatus(new Request(url(path), form({ status: 'under-review', note: 'waiting for the UML fix', _csrf: csrf, _redirect: `/series/${s.id}` }, { cookie })), ctx(s.id));
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe(`/series/${s.id}`);
    const row = await seriesRow(V1);
    expect(row.status).toBe('under-review');
    expect(row.status_reasons).toEqual([{ text: 'set to under-review by alice: waiting for the UML fix' }]);
    // Scripts holding the cookie send the header instead of the field.
    const header = await setStatus(new Request(url(path), json({ status: 'under-review' }, { cookie, 'x-csrf-token': csrf })), ctx(s.id));
    expect(header.status).toBe(200);
    // multipart/form-data forms work the same way.
    const fd = new FormData();
    fd.set('status', 'under-review');
    fd.set('_csrf', csrf);
    fd.set('_redirect', '//evil.example/');
    const multi = await setStatus(new Request(url(path), { method: 'POST', headers: { cookie }, body: fd }), ctx(s.id));
    expect(multi.status).toBe(303);
    expect(multi.headers.get('location')).toBe(`/series/${s.id}`);
  });

  it('accepts an API token without CSRF and answers with the updated series', async () => {
    const s = await seriesRow(V1);
    const res = await setStatus(new Request(url(`/api/series/${s.id}/status`), json({ status: 'reviewed', note: 'signal.c failure is pre-existing; the fixup gets folded' }, bearer())), ctx(s.id));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.id).toBe(s.id);
    expect(body.status).toBe('reviewed');
    expect(body.statusReasons).toEqual([{ text: 'set to reviewed by alice: signal.c failure is pre-existing; the fixup gets folded' }]);
    const [a] = await t.sql<{ actor: string; via: string; target_key: string; value: unknown }[]>`select * from manual_actions order by id desc limit 1`;
    expect(a).toMatchObject({ actor: 'alice', via: 'token', target_key: V1, value: { status: 'reviewed' } });
    const [used] = await t.sql<{ last_used_at: Date | null }[]>`select last_used_at from api_tokens`;
    expect(used.last_used_at).not.toBeNull();
  });

  it('answers invalid input with clear 400s and changes nothing', async () => {
    const s = await seriesRow(V1);
    const before = await actionCount();
    const post = (body: unknown, id: string | number = s.id) => setStatus(new Request(url(`/api/series/${id}/status`), json(body, bearer())), ctx(id));
    const lgtm = await post({ status: 'lgtm' });
    expect(lgtm.status).toBe(400);
    expect((await lgtm.json()).error).toContain('"status" must be one of "new", "under-review"');
    expect((await (await post({ status: 'new', stauts: 'x' })).json()).error).toBe('unknown field "stauts"; allowed: status, note');
    expect((await (await post({})).json()).error).toBe('"status" is required');
    expect((await post({ status: 'new', note: 'x'.repeat(2001) })).status).toBe(400);
    expect((await post({ status: 'new', note: 42 })).status).toBe(400);
    expect((await post({ status: 'new' }, 'abc')).status).toBe(400);
    expect((await post({ status: 'new' }, 999)).status).toBe(404);
    const notJson = await setStatus(new Request(url(`/api/series/${s.id}/status`), { method: 'POST', headers: { 'content-type': 'application/json', ...bearer() }, body: '{"status":' }), ctx(s.id));
    expect(notJson.status).toBe(400);
    expect((await notJson.json()).error).toBe('the body is not valid JSON');
    const array = await setStatus(new Request(url(`/api/series/${s.id}/status`), { method: 'POST', headers: { 'content-type': 'application/json', ...bearer() }, body: '["new"]' }), ctx(s.id));
    expect(array.status).toBe(400);
    const huge = await setStatus(new Request(url(`/api/series/${s.id}/status`), json({ status: 'new', note: 'x'.repeat(70_000) }, bearer())), ctx(s.id));
    expect(huge.status).toBe(413);
    const xml = await setStatus(new Request(url(`/api/series/${s.id}/status`), { method: 'POST', headers: { 'content-type': 'text/xml', ...bearer() }, body: '<status/>' }), ctx(s.id));
    expect(xml.status).toBe(415);
    // A form gets a small page that says why, with the way back.
    const page = await setStatus(new Request(url(`/api/series/${s.id}/status`), form({ status: 'lgtm', _csrf: csrf, _redirect: `/series/${s.id}` }, { cookie })), ctx(s.id));
    expect(page.status).toBe(400);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain(`href="/series/${s.id}"`);
    expect(await actionCount()).toBe(before);
    expect((await seriesRow(V1)).status).toBe('reviewed');
  });

  it('sets a fixup state and corrects its target; validation knows the series has 8 patches', async () => {
    const f = await fixupRow();
    expect(f).toMatchObject({ state: 'pending', target_number: 8 });
    const post = (body: unknown) => fixupPost(new Request(url(`/api/fixups/${f.id}`), json(body, bearer())), ctx(f.id));
    expect((await post({ targetPatch: 9 })).status).toBe(400);
    expect((await post({ targetPatch: 0 })).status).toBe(400);
    expect((await post({ state: 'eaten' })).status).toBe(400);
    expect((await (await post({ note: 'only a note' })).json()).error).toBe('nothing to change');

    const res = await post({ state: 'dropped', targetPatch: '7', note: 'Ingo will apply it as a separate commit' });
    expect(res.status).toBe(200);
    const view = await res.json();
    expect(view.state).toBe('dropped');
    expect(view.targetPatch).toEqual({ number: 7, messageId: '20180405095307.3730-8-linux@dominikbrodowski.net' });
    const row = await fixupRow();
    expect(row.state_reason).toBe('set to dropped by alice: Ingo will apply it as a separate commit');
    expect(row.target_reason).toBe('patch 7, set by alice: Ingo will apply it as a separate commit');
    // A dropped fixup is not pending: the breakage it would fix is open again.
    expect((await breakageRow('%archheaders%')).status).toBe('fix-proposed');
    expect((await t.sql`select pending_fixups from series where key = ${V1}`)[0].pending_fixups).toBe(0);
  });

  it('sets a breakage status with a note, and unlinks it from a series', async () => {
    const b = await breakageRow('%archheaders%');
    expect((await linksOf('%archheaders%')).map((l) => l.key)).toEqual([V1]);
    const post = (body: unknown) => breakagePost(new Request(url(`/api/breakages/${b.id}`), json(body, bearer())), ctx(b.id));
    expect((await (await post({ note: 'just a note' })).json()).error).toBe('nothing to change');
    expect((await post({ status: 'wontfix' })).status).toBe(400);
    expect((await post({ seriesId: 999 })).status).toBe(400);
    const v1 = await seriesRow(V1);
    const res = await post({ status: 'fixed', unlinkSeriesId: v1.id, note: 'fixed by the UML fixup, applied locally' });
    expect(res.status).toBe(200);
    const view = await res.json();
    expect(view.status).toBe('fixed');
    expect(view.series).toEqual([]);
    expect((await breakageRow('%archheaders%')).status_reason).toMatch(/^set manually at \d{4}-\d\d-\d\dT[\d:.]+Z: alice: fixed by the UML fixup, applied locally$/);
    expect(await linksOf('%archheaders%')).toEqual([]);
  });

  it('a reindex keeps every manual action and what it decided', async () => {
    const before = await actionCount();
    await reindex(t.sql);
    expect(await actionCount()).toBe(before);
    const s = await seriesRow(V1);
    expect(s.status).toBe('reviewed');
    expect(s.status_reasons).toEqual([{ text: 'set to reviewed by alice: signal.c failure is pre-existing; the fixup gets folded' }]);
    expect(await fixupRow()).toMatchObject({ state: 'dropped', target_number: 7, target_message_id: '20180405095307.3730-8-linux@dominikbrodowski.net' });
    expect((await breakageRow('%archheaders%')).status).toBe('fixed');
    expect(await linksOf('%archheaders%')).toEqual([]);
  });

  it('"auto" gives the derivation back its say; a link undoes an unlink', async () => {
    const f = await fixupRow();
    const res = await fixupPost(new Request(url(`/api/fixups/${f.id}`), json({ state: 'auto', targetPatch: 'auto' }, bearer())), ctx(f.id));
    expect(res.status).toBe(200);
    expect(await fixupRow()).toMatchObject({ state: 'pending', target_number: 8 });
    const b = await breakageRow('%archheaders%');
    const v1 = await seriesRow(V1);
    const linked = await breakagePost(new Request(url(`/api/breakages/${b.id}`), json({ status: 'auto', seriesId: String(v1.id), note: 'it is this series after all' }, bearer())), ctx(b.id));
    expect(linked.status).toBe(200);
    expect((await linked.json()).status).toBe('fix-proposed');
    // The link the derivation found is back (a link by hand adds nothing where one exists).
    expect(await linksOf('%archheaders%')).toEqual([{ key: V1, via: 'reply in the series thread' }]);
  });

  it('a newer fact overrides the manual status: v2 arrives, v1 is superseded, and the reason says so', async () => {
    await importFiles(t.sql, [join(SEED, 'v2.mbox')]);
    const v1 = await seriesRow(V1);
    const v2 = await seriesRow(V2);
    expect(v1.status).toBe('superseded');
    expect(v1.status_reasons[0]).toEqual({ text: 'superseded by v2', seriesId: v2.id });
    const last = v1.status_reasons[v1.status_reasons.length - 1];
    expect(last.text).toMatch(/^manual status reviewed by alice overridden by newer fact \(\d{4}-\d\d-\d\dT[\d:.]+Z\)$/);
    expect(last.messageId).toMatch(/^20180409105145\.5364-\d+-linux@dominikbrodowski\.net$/);
    // The fixup left to the derivation is folded by v2; the breakage it proposed to fix is fixed.
    expect((await fixupRow()).state).toBe('folded');
    expect((await breakageRow('%archheaders%')).status).toBe('fixed');
  });

  it('the tip-bot mail applies v2 1/8: partially applied, overriding nothing it should not', async () => {
    await importFiles(t.sql, [join(SEED, 'tip-bot.eml')]);
    const v2 = await seriesRow(V2);
    expect(v2.status).toBe('partially-applied');
    expect(v2.status_reasons).toEqual([{ text: '1 of 8 patches applied' }]);
    const events = await getTimeline(V2);
    expect(events.map((e) => e.kind)).toEqual(['version-posted', 'posted', 'trailer', 'trailer', 'trailer', 'applied']);
    expect(events[0]).toMatchObject({ text: 'v1 posted (earlier version)', messageId: V1, ref: { kind: 'series', id: (await seriesRow(V1)).id } });
    expect(events.slice(2, 5).map((e) => e.text).sort()).toEqual([
      'Acked-by: Ingo Molnar on all 8 patches',
      'Acked-by: Peter Zijlstra (Intel) on patch 3/8, carried over from v1',
      'Reviewed-by: Andy Lutomirski on patches 1-7 of 8, carried over from v1',
    ]);
    expect(events[5]).toMatchObject({ text: 'patch 1/8 applied to x86/asm as 1bd21c6c21e8', messageId: 'tip-1bd21c6c21e848996339508d3ffb106d505256a8@git.kernel.org' });
  });

  it('links a breakage to a series by hand: it shows on that series, marked as linked by whom', async () => {
    const b = await breakageRow('%signal.c%');
    const v2 = await seriesRow(V2);
    const res = await breakagePost(new Request(url(`/api/breakages/${b.id}`), json({ seriesId: v2.id, note: 'v2 still fails the same way on Arch' }, bearer())), ctx(b.id));
    expect(res.status).toBe(200);
    expect((await res.json()).series.map((s: { id: number }) => s.id).sort()).toEqual([(await seriesRow(V1)).id, v2.id].sort());
    expect(await linksOf('%signal.c%')).toEqual([
      { key: V1, via: 'reply in the series thread' },
      { key: V2, via: 'linked by alice: v2 still fails the same way on Arch' },
    ]);
    // Pre-existing: it is not this series' fault, so v2's status does not change.
    expect((await seriesRow(V2)).status).toBe('partially-applied');
    const events = await getTimeline(V2);
    expect(events.filter((e) => e.ref?.kind === 'breakage').map((e) => e.kind)).toEqual(['breakage-reported', 'breakage-pre-existing', 'manual']);
    expect(events[events.length - 1].text).toBe(
      `breakage "dereferencing pointer to incomplete type 'struct ucontext'" linked to v2 "use struct pt_regs based syscall calling for x86-64" by alice: v2 still fails the same way on Arch`,
    );
  });

  it('the v1 timeline: the whole story in order, then the maintainer actions with who and why', async () => {
    const events = await getTimeline(V1);
    const mail = events.filter((e) => e.kind !== 'manual');
    expect(mail.map((e) => e.kind)).toEqual([
      'posted',
      'trailer',
      'trailer',
      'breakage-reported',
      'fixup-posted',
      'breakage-fix-proposed',
      'breakage-reported',
      'breakage-pre-existing',
      'version-posted',
      'fixup-folded',
      'breakage-fixed',
    ]);
    expect(mail[8]).toMatchObject({ text: 'v2 posted (newer version)', messageId: V2 });
    expect(mail[9]).toMatchObject({ text: 'fixup "syscalls/x86: fix UML syscall table" folded into v2', messageId: '20180409105145.5364-9-linux@dominikbrodowski.net' });
    const manual = events.filter((e) => e.kind === 'manual');
    expect(manual.map((e) => e.text)).toEqual([
      'status set to under-review by alice: waiting for the UML fix',
      'status set to under-review by alice',
      'status set to under-review by alice',
      'status set to reviewed by alice: signal.c failure is pre-existing; the fixup gets folded',
      'fixup "syscalls/x86: fix UML syscall table" state set to dropped by alice: Ingo will apply it as a separate commit',
      'fixup "syscalls/x86: fix UML syscall table" target set to patch 7 by alice: Ingo will apply it as a separate commit',
      `breakage "No rule to make target 'archheaders'" status set to fixed by alice: fixed by the UML fixup, applied locally`,
      `breakage "No rule to make target 'archheaders'" unlinked from v1 "use struct pt_regs based syscall calling for x86-64" by alice: fixed by the UML fixup, applied locally`,
      'fixup "syscalls/x86: fix UML syscall table" state set to derived again (manual setting cleared) by alice',
      'fixup "syscalls/x86: fix UML syscall table" target derived again (manual setting cleared) by alice',
      `breakage "No rule to make target 'archheaders'" status set to derived again (manual setting cleared) by alice: it is this series after all`,
      `breakage "No rule to make target 'archheaders'" linked to v1 "use struct pt_regs based syscall calling for x86-64" by alice: it is this series after all`,
      // The breakage linked to v1 (by its thread) was linked to v2 by hand: that shows here too.
      `breakage "dereferencing pointer to incomplete type 'struct ucontext'" linked to v2 "use struct pt_regs based syscall calling for x86-64" by alice: v2 still fails the same way on Arch`,
    ]);
    // Mail events come in mail time, actions in the time they were made (now, after 2018).
    expect(events.map((e) => e.at)).toEqual([...events.map((e) => e.at)].sort());
    expect(events.every((e) => e.kind === 'manual' ? e.by === 'alice' && e.messageId === null : typeof e.messageId === 'string')).toBe(true);
  });

  it('the event feed: everything that changed since a moment, newest last, as JSON and Atom', async () => {
    const res = await events(new Request(url('/api/events')));
    expect(res.status).toBe(200);
    const feed = (await res.json()) as Feed;
    expect(feed.more).toBe(false);
    const arrived = feed.events.map((e) => e.arrivedAt);
    expect(arrived).toEqual([...arrived].sort());
    expect(new Set(feed.events.map((e) => e.feedId)).size).toBe(feed.events.length);
    expect(feed.events.filter((e) => e.kind === 'manual')).toHaveLength(await actionCount());
    // An action on a fixup is about its series (that is where the fixup is shown).
    const onFixup = feed.events.filter((e) => e.kind === 'manual' && e.ref?.kind === 'fixup');
    expect(onFixup.length).toBe(4);
    expect(onFixup.every((e) => e.subject?.kind === 'series' && e.subject.title === 'v1 use struct pt_regs based syscall calling for x86-64')).toBe(true);
    // The tip-bot mail arrived last of all mail; only the link made after it comes later.
    const lastMail = feed.events.filter((e) => e.kind !== 'manual').pop();
    expect(lastMail).toMatchObject({ kind: 'applied', messageId: 'tip-1bd21c6c21e848996339508d3ffb106d505256a8@git.kernel.org', subject: { kind: 'series', title: 'v2 use struct pt_regs based syscall calling for x86-64', status: 'partially-applied' } });
    const last = feed.events[feed.events.length - 1];
    expect(last).toMatchObject({ kind: 'manual', subject: { kind: 'breakage', status: 'pre-existing' }, ref: { kind: 'breakage' } });
    expect(last.text).toMatch(/^breakage "dereferencing pointer .*" linked to v2 .* by alice: v2 still fails the same way on Arch$/);
    expect(feed.next).toBe(last.arrivedAt);
    // Every mail event of the seed is there once per series it concerns, in arrival order: v1 mail before v2 mail.
    const posted = feed.events.filter((e) => e.kind === 'posted').map((e) => e.messageId);
    expect(posted).toEqual([V1, V2]);
    // Following it: nothing new since the last answer; a new action shows up.
    const again = (await (await events(new Request(url(`/api/events?since=${encodeURIComponent(feed.next)}`)))).json()) as Feed;
    expect(again.events).toEqual([]);
    const v2 = await seriesRow(V2);
    await setStatus(new Request(url(`/api/series/${v2.id}/status`), json({ status: 'applied', note: 'the rest went in with the merge window' }, bearer())), ctx(v2.id));
    const later = (await (await events(new Request(url(`/api/events?since=${encodeURIComponent(feed.next)}`)))).json()) as Feed;
    expect(later.events.map((e) => [e.kind, e.text, e.subject?.status])).toEqual([['manual', 'status set to applied by alice: the rest went in with the merge window', 'applied']]);
    // Only mail that arrived after `since` counts: v1's timeline is not repeated.
    expect(later.events.some((e) => e.messageId === V1)).toBe(false);
    expect((await events(new Request(url('/api/events?since=yesterday')))).status).toBe(400);

    const a = await atom(new Request(url('/api/events.atom')));
    expect(a.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    const xml = await a.text();
    expect(xml.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">')).toBe(true);
    const entries = xml.match(/<entry>/g)?.length ?? 0;
    expect(entries).toBe(feed.events.length + 1);
    expect(xml.match(/<\/entry>/g)?.length).toBe(entries);
    // Newest first, as feed readers expect; the text is escaped.
    expect(xml.indexOf('status set to applied by alice')).toBeLessThan(xml.indexOf('v1 posted: 8 patches'));
    expect(xml).toContain('No rule to make target &apos;archheaders&apos;');
  });

  it('logging out ends the session: the cookie no longer writes', async () => {
    const out = await logout(new Request(url('/api/session/logout'), form({ _csrf: csrf }, { cookie })));
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toMatch(/^patchloom_session=; Path=\/; Max-Age=0; HttpOnly; SameSite=Strict$/);
    const s = await seriesRow(V1);
    const res = await setStatus(new Request(url(`/api/series/${s.id}/status`), form({ status: 'new', _csrf: csrf }, { cookie })), ctx(s.id));
    expect(res.status).toBe(401);
  });

  it('the CLI creates users from a password file or stdin and prints a token once', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = (stdinText = ''): CommandIo => {
      const stdin = new PassThrough();
      stdin.end(stdinText);
      return { stdin, stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } };
    };
    const dir = mkdtempSync(join(tmpdir(), 'pw-'));
    writeFileSync(join(dir, 'pw'), 'hunter2hunter2\nignored second line\n');
    expect(await userCommand(t.sql, ['add', 'bob', '--password-file', join(dir, 'pw')], io())).toEqual({ ok: true });
    expect(await userCommand(t.sql, ['add', 'bob', '--password-file', join(dir, 'pw')], io())).toMatchObject({ ok: false, message: expect.stringContaining('already exists') });
    expect(await userCommand(t.sql, ['add', 'carol'], io('short\n'))).toEqual({ ok: false, message: 'the password needs at least 8 characters' });
    expect(await userCommand(t.sql, ['add', 'carol'], io('from stdin please\n'))).toEqual({ ok: true });
    expect(await userCommand(t.sql, ['add', '../root'], io('whatever123\n'))).toMatchObject({ ok: false });
    const bob = await login(new Request(url('/api/session'), json({ name: 'bob', password: 'hunter2hunter2' })));
    expect(bob.status).toBe(200);
    const carol = await login(new Request(url('/api/session'), json({ name: 'carol', password: 'from stdin please' })));
    expect(carol.status).toBe(200);

    out.length = 0;
    expect(await tokenCommand(t.sql, ['create', 'bob', '--name', 'ci'], io())).toEqual({ ok: true });
    const printed = out.join('').trim();
    expect(printed).toMatch(/^plt_[A-Za-z0-9_-]{43}$/);
    expect(err.join('')).toContain('shown only now');
    expect((await t.sql`select 1 from api_tokens where token_hash = ${printed}`).length).toBe(0);
    const v2 = await seriesRow(V2);
    const res = await setStatus(new Request(url(`/api/series/${v2.id}/status`), json({ status: 'auto' }, bearer(printed))), ctx(v2.id));
    expect(res.status).toBe(200);
    expect((await res.json()).status).toBe('partially-applied');
    expect(await tokenCommand(t.sql, ['create', 'nobody'], io())).toMatchObject({ ok: false, message: expect.stringContaining('no user named "nobody"') });
    const [id] = await t.sql<{ id: number }[]>`select t.id from api_tokens t join users u on u.id = t.user_id where u.name = 'bob'`;
    expect(await tokenCommand(t.sql, ['revoke', 'bob', String(id.id)], io())).toEqual({ ok: true });
    expect((await setStatus(new Request(url(`/api/series/${v2.id}/status`), json({ status: 'new' }, bearer(printed))), ctx(v2.id))).status).toBe(401);
  });

  it('a second reindex keeps the override by the newer fact, and the link by hand', async () => {
    await reindex(t.sql);
    const v1 = await seriesRow(V1);
    expect(v1.status).toBe('superseded');
    expect(v1.status_reasons[v1.status_reasons.length - 1].text).toMatch(/^manual status reviewed by alice overridden by newer fact/);
    expect((await seriesRow(V2)).status).toBe('partially-applied');
    expect(await linksOf('%signal.c%')).toEqual([
      { key: V1, via: 'reply in the series thread' },
      { key: V2, via: 'linked by alice: v2 still fails the same way on Arch' },
    ]);
  });
});
