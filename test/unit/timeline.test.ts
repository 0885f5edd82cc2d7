import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { actionText, buildTimeline, numberRanges, patchScope, sortEvents, type TimelineEvent, type TimelineFacts } from '../../lib/timeline.ts';

const dominik = { name: 'Dominik Brodowski', email: 'linux@dominikbrodowski.net' };
const ingo = { name: 'Ingo Molnar', email: 'mingo@kernel.org' };
const d = (s: string) => new Date(s);
const V1 = '20180405095307.3730-1-linux@dominikbrodowski.net';
const FIXUP = '20180405204102.GA7395@light.dominikbrodowski.net';

/** The seed's v1, as the database would hand it over (see test/fixtures/seed/README.md). */
function seedV1(): TimelineFacts {
  return {
    series: { id: 1, version: 1, total: 8, title: 'use struct pt_regs based syscall calling for x86-64', posted: { messageId: V1, date: d('2018-04-05T09:53:07Z'), by: dominik } },
    versions: [{ id: 2, version: 2, posted: { messageId: '20180409105145.5364-1-linux@dominikbrodowski.net', date: d('2018-04-09T10:51:45Z'), by: dominik } }],
    trailers: [
      ...[1, 2, 3, 4, 5, 6, 7, 8].map((n) => ({
        kind: 'Reviewed-by',
        name: 'Andy Lutomirski',
        email: 'luto@kernel.org',
        patchNumber: n,
        messageId: 'CALCETrXh2r8aVEdoCMjtKDbWLHFjm3=sDxB2TqGp1s0LBc_Nwg@mail.gmail.com',
        date: d('2018-04-05T14:58:41Z'),
        carriedFromVersion: null,
      })),
      { kind: 'Acked-by', name: 'Peter Zijlstra (Intel)', email: 'peterz@infradead.org', patchNumber: 3, messageId: '20180405113812.GV4082@hirez.programming.kicks-ass.net', date: d('2018-04-05T11:38:12Z'), carriedFromVersion: null },
      // Authorship, not review: never an event.
      { kind: 'Signed-off-by', name: 'Dominik Brodowski', email: 'linux@dominikbrodowski.net', patchNumber: 1, messageId: V1, date: d('2018-04-05T09:53:07Z'), carriedFromVersion: null },
    ],
    review: [],
    fixups: [
      {
        id: 7,
        key: `${FIXUP}#0`,
        subject: 'syscalls/x86: fix UML syscall table',
        posted: { messageId: FIXUP, date: d('2018-04-05T20:41:02Z'), by: dominik },
        targetPatch: 8,
        state: 'folded',
        folded: { messageId: '20180409105145.5364-9-linux@dominikbrodowski.net', date: d('2018-04-09T10:51:53Z'), by: dominik, version: 2 },
        applied: null,
      },
    ],
    breakages: [
      {
        id: 3,
        signature: 'make:archheaders',
        title: "No rule to make target 'archheaders'",
        status: 'fixed',
        reports: [{ messageId: '20180405151933.GA19273@gmail.com', date: d('2018-04-05T15:19:33Z'), by: ingo }],
        fixes: [{ messageId: FIXUP, date: d('2018-04-05T20:41:02Z'), by: dominik, via: 'reply', fixupKey: `${FIXUP}#0` }],
        verdicts: [],
      },
      {
        id: 4,
        signature: 'gcc:signal.c',
        title: "dereferencing pointer to incomplete type 'struct ucontext'",
        status: 'pre-existing',
        reports: [{ messageId: '20180406082322.GA17406@gmail.com', date: d('2018-04-06T08:23:22Z'), by: ingo }],
        fixes: [],
        verdicts: [{ messageId: '20180406083110.GA22791@light.dominikbrodowski.net', date: d('2018-04-06T08:31:10Z'), by: dominik, kind: 'pre-existing', ref: '38c23685b273', quote: 'That build failure is already present in mainline as of 38c23685b273' }],
      },
    ],
    applied: [],
    actions: [
      { id: 12, at: d('2026-01-02T10:00:00Z'), actor: 'alice', targetKind: 'series', action: 'set-status', value: { status: 'reviewed' }, note: 'signal.c is pre-existing', targetLabel: 'series', ref: null },
    ],
    ownMessageIds: [V1, ...[2, 3, 4, 5, 6, 7, 8, 9].map((n) => `20180405095307.3730-${n}-linux@dominikbrodowski.net`)],
  };
}

describe('buildTimeline on the seed v1', () => {
  const events = buildTimeline(seedV1());

  it('lists the story in order, each event with its message', () => {
    expect(events.map((e) => [e.at?.slice(0, 16), e.kind, e.text])).toEqual([
      ['2018-04-05T09:53', 'posted', 'v1 posted: 8 patches'],
      ['2018-04-05T11:38', 'trailer', 'Acked-by: Peter Zijlstra (Intel) on patch 3/8'],
      ['2018-04-05T14:58', 'trailer', 'Reviewed-by: Andy Lutomirski on all 8 patches'],
      ['2018-04-05T15:19', 'breakage-reported', `build failure reported: "No rule to make target 'archheaders'"`],
      ['2018-04-05T20:41', 'fixup-posted', 'fixup "syscalls/x86: fix UML syscall table" posted for patch 8/8'],
      ['2018-04-05T20:41', 'breakage-fix-proposed', `fix proposed for "No rule to make target 'archheaders'" (reply)`],
      ['2018-04-06T08:23', 'breakage-reported', `build failure reported: "dereferencing pointer to incomplete type 'struct ucontext'"`],
      ['2018-04-06T08:31', 'breakage-pre-existing', `"dereferencing pointer to incomplete type 'struct ucontext'" marked pre-existing (already in 38c23685b273)`],
      ['2018-04-09T10:51', 'version-posted', 'v2 posted (newer version)'],
      ['2018-04-09T10:51', 'fixup-folded', 'fixup "syscalls/x86: fix UML syscall table" folded into v2'],
      ['2018-04-09T10:51', 'breakage-fixed', `"No rule to make target 'archheaders'" fixed: its fix was folded into the next version`],
      ['2026-01-02T10:00', 'manual', 'status set to reviewed by alice: signal.c is pre-existing'],
    ]);
    expect(events.filter((e) => e.kind !== 'manual').every((e) => e.messageId)).toBe(true);
    expect(events[8]).toMatchObject({ messageId: '20180409105145.5364-1-linux@dominikbrodowski.net', ref: { kind: 'series', id: 2 } });
    expect(events[11]).toMatchObject({ by: 'alice', messageId: null, id: 'action:12' });
  });

  it('gives every event a stable id made of Message-IDs and keys', () => {
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(buildTimeline(seedV1()).map((e) => e.id)).toEqual(events.map((e) => e.id));
    expect(events.find((e) => e.kind === 'fixup-posted')?.id).toBe(`fixup-posted:${FIXUP}#0`);
  });

  it('shows a fold or a fix only when it happened', () => {
    const f = seedV1();
    f.fixups[0].state = 'pending';
    f.breakages[0].status = 'fix-proposed';
    const kinds = buildTimeline(f).map((e) => e.kind);
    expect(kinds).not.toContain('fixup-folded');
    expect(kinds).not.toContain('breakage-fixed');
    expect(kinds).toContain('breakage-fix-proposed');
  });

  it('groups trailers written into the patches and carried ones per person', () => {
    const f = seedV1();
    f.trailers = [
      ...[1, 2, 3, 4, 5, 6, 7].map((n) => ({ kind: 'Reviewed-by', name: 'Andy Lutomirski', email: 'luto@kernel.org', patchNumber: n, messageId: 'CALCETrX@mail.gmail.com', date: d('2018-04-05T14:58:41Z'), carriedFromVersion: 1 })),
      ...[1, 2].map((n) => ({ kind: 'Tested-by', name: 'Kees Cook', email: 'keescook@chromium.org', patchNumber: n, messageId: `20180405095307.3730-${n + 1}-linux@dominikbrodowski.net`, date: d('2018-04-05T09:53:08Z'), carriedFromVersion: null })),
    ];
    const trailers = buildTimeline(f).filter((e) => e.kind === 'trailer');
    expect(trailers.map((e) => [e.text, e.at?.slice(0, 19)])).toEqual([
      // Carried ones count from this version's posting.
      ['Reviewed-by: Andy Lutomirski on patches 1-7 of 8, carried over from v1', '2018-04-05T09:53:07'],
      ['Tested-by: Kees Cook on patches 1-2 of 8 (in the posted patches)', '2018-04-05T09:53:08'],
    ]);
  });

  it('tells NAKs, objections and withdrawals with their words', () => {
    const f = seedV1();
    f.review = [
      { kind: 'nack', messageId: 'nak@x', date: d('2018-04-07T00:00:00Z'), by: { name: 'Al Viro', email: 'viro@zeniv.linux.org.uk' }, quote: null },
      { kind: 'objection', messageId: 'obj@x', date: d('2018-04-06T00:00:00Z'), by: ingo, quote: 'please fix the UML build first' },
      { kind: 'withdrawn', messageId: 'wd@x', date: d('2018-04-08T00:00:00Z'), by: null, quote: "I'll send a v2" },
    ];
    const texts = buildTimeline(f).filter((e) => ['nack', 'objection', 'withdrawn'].includes(e.kind)).map((e) => e.text);
    expect(texts).toEqual(['Ingo Molnar asked for changes: "please fix the UML build first"', 'NAKed by Al Viro', `withdrawn by the author: "I'll send a v2"`]);
  });

  it('names what was applied, where and as what', () => {
    const f = seedV1();
    f.applied = [{ messageId: 'tip-1bd21c6c21e8@git.kernel.org', date: d('2018-04-12T09:52:10Z'), by: { name: 'tip-bot for Dominik Brodowski', email: 'tipbot@zytor.com' }, commit: '1bd21c6c21e848996339508d3ffb106d505256a8', branch: 'x86/asm', patchNumbers: [1] }];
    const applied = buildTimeline(f).filter((e) => e.kind === 'applied');
    expect(applied.map((e) => e.text)).toEqual(['patch 1/8 applied to x86/asm as 1bd21c6c21e8']);
  });
});

describe('helpers', () => {
  it('writes patch numbers as ranges and scopes', () => {
    expect(numberRanges([7, 1, 2, 3, 5, 3])).toBe('1-3, 5, 7');
    expect(numberRanges([])).toBe('');
    expect(patchScope([1, 2, 3, 4, 5, 6, 7, 8], 8)).toBe('all 8 patches');
    expect(patchScope([3], 8)).toBe('patch 3/8');
    expect(patchScope([1, 2, 3, 4, 5, 6, 7], 8)).toBe('patches 1-7 of 8');
    expect(patchScope([1], 1)).toBe('the patch');
  });

  it('says what each manual action did, and that "auto" clears', () => {
    const base = { actor: 'alice', note: '', targetLabel: 'fixup "x86: fix"' };
    expect(actionText({ ...base, targetKind: 'fixup', action: 'set-state', value: { state: 'dropped' } })).toBe('fixup "x86: fix" state set to dropped by alice');
    expect(actionText({ ...base, targetKind: 'fixup', action: 'set-state', value: { state: null } })).toBe('fixup "x86: fix" state set to derived again (manual setting cleared) by alice');
    expect(actionText({ ...base, targetKind: 'fixup', action: 'set-target', value: { patch: 7 }, note: 'it touches 7/8' })).toBe('fixup "x86: fix" target set to patch 7 by alice: it touches 7/8');
    expect(actionText({ ...base, targetKind: 'breakage', targetLabel: 'breakage "E"', action: 'unlink', value: { seriesKey: 'k', seriesLabel: 'v2 "t"' } })).toBe('breakage "E" unlinked from v2 "t" by alice');
  });

  it('sorts events without a date last and ties by kind', () => {
    const e = (id: string, at: string | null, kind: TimelineEvent['kind']): TimelineEvent => ({ id, at, kind, text: id, messageId: null, by: null, ref: null });
    const sorted = sortEvents([e('c', null, 'posted'), e('b', '2018-01-01T00:00:00.000Z', 'applied'), e('a', '2018-01-01T00:00:00.000Z', 'posted'), e('d', '2017-01-01T00:00:00.000Z', 'manual')]);
    expect(sorted.map((x) => x.id)).toEqual(['d', 'a', 'b', 'c']);
    // Two actions made in one millisecond keep the order they were made in.
    const at = '2026-01-01T00:00:00.000Z';
    expect(sortEvents([e('action:10', at, 'manual'), e('action:9', at, 'manual')]).map((x) => x.id)).toEqual(['action:9', 'action:10']);
  });
});

describe('buildTimeline on arbitrary facts', () => {
  const date = fc.option(fc.date({ min: new Date('1990-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }), { nil: null });
  const addr = fc.option(fc.record({ name: fc.string({ maxLength: 20 }), email: fc.string({ maxLength: 20 }) }), { nil: null });
  const mail = fc.record({ messageId: fc.string({ minLength: 1, maxLength: 20 }), date, by: addr });
  const facts: fc.Arbitrary<TimelineFacts> = fc.record({
    series: fc.record({ id: fc.nat(), version: fc.nat(20), total: fc.nat(40), title: fc.string(), posted: fc.option(mail, { nil: null }) }),
    versions: fc.array(fc.record({ id: fc.nat(), version: fc.nat(20), posted: fc.option(mail, { nil: null }) }), { maxLength: 4 }),
    trailers: fc.array(
      fc.record({ kind: fc.constantFrom('Reviewed-by', 'Acked-by', 'Tested-by', 'Cc'), name: fc.string({ maxLength: 10 }), email: fc.string({ maxLength: 10 }), patchNumber: fc.integer({ min: -1, max: 50 }), messageId: fc.string({ maxLength: 10 }), date, carriedFromVersion: fc.option(fc.nat(5), { nil: null }) }),
      { maxLength: 30 },
    ),
    review: fc.array(fc.record({ kind: fc.constantFrom('nack' as const, 'objection' as const, 'withdrawn' as const), messageId: fc.string({ maxLength: 10 }), date, by: addr, quote: fc.option(fc.string(), { nil: null }) }), { maxLength: 4 }),
    fixups: fc.array(
      fc.record({
        id: fc.nat(),
        key: fc.string({ maxLength: 10 }),
        subject: fc.option(fc.string(), { nil: null }),
        posted: mail,
        targetPatch: fc.option(fc.nat(40), { nil: null }),
        state: fc.constantFrom('pending', 'folded', 'applied', 'superseded', 'dropped'),
        folded: fc.option(fc.record({ messageId: fc.string({ minLength: 1 }), date, by: addr, version: fc.nat(9) }), { nil: null }),
        applied: fc.option(fc.record({ messageId: fc.string({ minLength: 1 }), date, by: addr, commit: fc.option(fc.string({ maxLength: 40 }), { nil: null }) }), { nil: null }),
      }),
      { maxLength: 4 },
    ),
    breakages: fc.array(
      fc.record({
        id: fc.nat(),
        signature: fc.string({ maxLength: 10 }),
        title: fc.string(),
        status: fc.constantFrom('open', 'fix-proposed', 'fixed', 'pre-existing', 'invalid'),
        reports: fc.array(mail, { maxLength: 3 }),
        fixes: fc.array(fc.record({ messageId: fc.string({ minLength: 1 }), date, by: addr, via: fc.string({ maxLength: 8 }), fixupKey: fc.option(fc.string({ maxLength: 10 }), { nil: null }) }), { maxLength: 3 }),
        verdicts: fc.array(fc.record({ messageId: fc.string({ minLength: 1 }), date, by: addr, kind: fc.constantFrom('pre-existing' as const, 'invalid' as const), ref: fc.option(fc.string(), { nil: null }), quote: fc.string() }), { maxLength: 2 }),
      }),
      { maxLength: 3 },
    ),
    applied: fc.array(fc.record({ messageId: fc.string({ minLength: 1 }), date, by: addr, commit: fc.option(fc.string(), { nil: null }), branch: fc.option(fc.string(), { nil: null }), patchNumbers: fc.array(fc.integer({ min: -2, max: 50 }), { maxLength: 8 }) }), { maxLength: 3 }),
    actions: fc.array(
      fc.record({
        id: fc.nat(),
        at: fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
        actor: fc.string({ minLength: 1, maxLength: 10 }),
        targetKind: fc.constantFrom('series' as const, 'fixup' as const, 'breakage' as const),
        action: fc.constantFrom('set-status', 'set-state', 'set-target', 'link', 'unlink', 'other'),
        value: fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string(), fc.integer(), fc.constant(null))),
        note: fc.string(),
        targetLabel: fc.string(),
        ref: fc.constant(null),
      }),
      { maxLength: 4 },
    ),
    ownMessageIds: fc.array(fc.string({ maxLength: 10 }), { maxLength: 5 }),
  });

  it('never throws; events are sorted, dated ones first, with unique ids', () => {
    fc.assert(
      fc.property(facts, (f) => {
        const events = buildTimeline(f);
        expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
        const dated = events.map((e) => e.at);
        const firstNull = dated.indexOf(null);
        if (firstNull >= 0) expect(dated.slice(firstNull).every((x) => x === null)).toBe(true);
        const present = dated.filter((x): x is string => x !== null);
        expect(present).toEqual([...present].sort());
        for (const e of events) expect(typeof e.text).toBe('string');
      }),
      { numRuns: 300 },
    );
  });
});
