import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { extractFixups, type FixupDraft } from '../../lib/fixups/index.ts';
import type { Mail } from '../../lib/mail/types.ts';
import { corpusAvailable, corpusFiles, loadMails } from '../helpers/corpus.ts';
import { DASHES_REPLY, DOMINIK_FIX } from './fixups-helpers.ts';

const FORMS = new Set(['scissors', 'dashes-headers', 'subject-block', 'bare', 'applied-following', 'attachment', 'fixup-subject']);

function mail(body: string, over: Partial<Mail> = {}): Mail {
  return {
    messageId: 'prop@example.org',
    subject: 'Re: [PATCH 3/8] foo: bar',
    from: { name: 'R', email: 'r@example.org' },
    date: new Date('2024-01-01T00:00:00Z'),
    inReplyTo: 'p3@example.org',
    references: ['cover@example.org', 'p3@example.org'],
    body,
    attachments: [],
    headers: {},
    flags: [],
    ...over,
  };
}

function expectWellFormed(m: Mail, fixups: FixupDraft[]): void {
  expect(Array.isArray(fixups)).toBe(true);
  fixups.forEach((f, i) => {
    expect(f.index).toBe(i);
    expect(f.messageId).toBe(m.messageId);
    expect(FORMS.has(f.form)).toBe(true);
    expect(f.subject === null || (typeof f.subject === 'string' && f.subject.length > 0)).toBe(true);
    expect(typeof f.description).toBe('string');
    expect(typeof f.author.email).toBe('string');
    expect(f.date === null || !Number.isNaN(f.date.getTime())).toBe(true);
    for (const t of f.trailers) expect([typeof t.kind, typeof t.name, typeof t.email]).toEqual(['string', 'string', 'string']);
    for (const p of f.files) expect(p.length).toBeGreaterThan(0);
    expect(f.diff.length).toBeGreaterThan(0);
    expect(f.diff.endsWith('\n')).toBe(true);
    expect(f.patchId).toMatch(/^[0-9a-f]{40}$/);
    for (const t of f.explicitTargets) expect(t.number !== null || t.subjectQuote !== null).toBe(true);
    // Inline diffs are cut from the body, byte for byte.
    if (f.form !== 'attachment' && f.form !== 'fixup-subject') expect(`${m.body}\n`.includes(f.diff)).toBe(true);
  });
}

const quoteAll = (body: string, prefix: string) =>
  body
    .split('\n')
    .map((l) => prefix + l)
    .join('\n');

/** Line-level mutations of a real body: drop, repeat, insert random text, cut. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.string({ maxLength: 80 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('quote' as const), at: fc.nat() }),
);

function mutate(body: string, ms: { kind: string; at: number; text?: string }[]): string {
  let lines = body.split('\n');
  for (const m of ms) {
    if (lines.length === 0) break;
    const at = m.at % lines.length;
    if (m.kind === 'drop') lines.splice(at, 1);
    else if (m.kind === 'repeat') lines.splice(at, 0, lines[at]);
    else if (m.kind === 'insert') lines.splice(at, 0, m.text ?? '');
    else if (m.kind === 'cut') lines = lines.slice(0, at);
    else if (m.kind === 'quote') lines[at] = `> ${lines[at]}`;
  }
  return lines.join('\n');
}

const interesting = fc.constantFrom(
  '-- >8 --', '---8<---', '8<-----------------', '------------------------------------------------------------------------',
  'From: Someone <s@example.org>', 'Date: Thu, 5 Apr 2018 22:36:03 +0200', 'Subject: [PATCH] x', 'Signed-off-by: A <a@b>',
  '---', '@@ -1,2 +1,2 @@', '--- a/x.c', '+++ b/x.c', 'diff --git a/x.c b/x.c', '-old', '+new', ' ctx', '', '> quoted',
  'I have applied the following patch for today.', 'Fixes: 1234567890ab ("foo: bar")', 'could be folded into patch 3/8',
);

describe('extractFixups never throws and stays well-formed', () => {
  it('on random text, with and without reply headers', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ maxLength: 60 }), interesting), { maxLength: 60 }), fc.boolean(), fc.string({ maxLength: 40 }), (lines, reply, subject) => {
        const m = mail(lines.join('\n'), reply ? {} : { subject, inReplyTo: null, references: [] });
        expectWellFormed(m, extractFixups(m));
      }),
      { numRuns: 400 },
    );
  });

  it('on mutated copies of the hand-written seed-like reply', () => {
    const body = DASHES_REPLY.slice(DASHES_REPLY.indexOf('\n\n') + 2);
    fc.assert(
      fc.property(fc.array(mutation, { maxLength: 8 }), (ms) => {
        const m = mail(mutate(body, ms));
        expectWellFormed(m, extractFixups(m));
      }),
      { numRuns: 300 },
    );
  });

  it.skipIf(!corpusAvailable)('on mutated real inline-fixup mail', async () => {
    const bodies: string[] = [];
    for (const rel of corpusFiles('lkml/inline-fixups')) for (const m of await loadMails(rel)) bodies.push(m.body);
    fc.assert(
      fc.property(fc.constantFrom(...bodies), fc.array(mutation, { maxLength: 6 }), fc.boolean(), (body, ms, patchSubject) => {
        const m = mail(mutate(body, ms), patchSubject ? { subject: '[PATCH] x: y' } : {});
        expectWellFormed(m, extractFixups(m));
      }),
      { numRuns: 200 },
    );
  });
});

describe('extractFixups never finds a fixup in fully quoted text', () => {
  it('random text, quoted with "> " or ">"', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ maxLength: 60 }), interesting), { maxLength: 60 }), fc.constantFrom('> ', '>', ' > ', '>> '), (lines, prefix) => {
        expect(extractFixups(mail(quoteAll(lines.join('\n'), prefix)))).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('the seed-like reply quoted in full, even under a fixup! subject', () => {
    const body = quoteAll(DASHES_REPLY.slice(DASHES_REPLY.indexOf('\n\n') + 2), '> ');
    expect(extractFixups(mail(body))).toEqual([]);
    expect(extractFixups(mail(body, { subject: '[PATCH] fixup! foo: bar', inReplyTo: null, references: [] }))).toEqual([]);
    // Unquoted, the same text has its fixup: the property above is not vacuous.
    expect(extractFixups(mail(DASHES_REPLY.slice(DASHES_REPLY.indexOf('\n\n') + 2)))).toHaveLength(1);
  });

  it.skipIf(!corpusAvailable)('every real inline-fixup mail, quoted in full', async () => {
    let before = 0;
    for (const rel of corpusFiles('lkml/inline-fixups')) {
      for (const m of await loadMails(rel)) {
        before += extractFixups(m).length;
        expect(extractFixups({ ...m, body: quoteAll(m.body, '> ') }), rel).toEqual([]);
      }
    }
    expect(before).toBe(12);
  });
});

describe('extractFixups on hostile sizes', () => {
  /** Best of three runs: the machine running the tests is shared, and one run can be slowed by others' work. */
  const time = (body: string) => {
    const m = mail(body);
    let ms = Infinity;
    let out: FixupDraft[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      out = extractFixups(m);
      ms = Math.min(ms, performance.now() - t0);
    }
    return { ms, out };
  };

  it('a 5 MB single-line body', () => {
    const { ms, out } = time('-'.repeat(2_500_000) + '8<' + 'From: '.repeat(400_000));
    expect(out).toEqual([]);
    expect(ms).toBeLessThan(500);
  });

  it('a 5 MB reply of 100k+ lines full of near-miss markers, with one real fixup at the end', () => {
    const noise = ['> quoted line', '-- >8 --', 'From: a <a@b.c>', 'Subject: [PATCH] nope', '@@ -1,2 +1,2 @@', '--- a/x', '+++ b/x', 'could be folded into patch 3/8', 'I have applied the following patch'];
    const lines: string[] = [];
    let size = 0;
    for (let i = 0; size < 5_000_000; i++) {
      const l = `${noise[i % noise.length]} ${'x'.repeat(i % 40)}`;
      lines.push(l);
      size += l.length + 1;
    }
    const body = `${lines.join('\n')}\n\n-- >8 --\nSubject: [PATCH] the real one\n\n${DOMINIK_FIX}`;
    expect(lines.length).toBeGreaterThan(100_000);
    const { ms, out } = time(body);
    expect(out.map((f) => [f.form, f.subject])).toEqual([['scissors', 'the real one']]);
    expect(ms).toBeLessThan(1000);
  });

  it('a 5 MB inline diff', () => {
    const plus = Array.from({ length: 100_000 }, (_, i) => `+line ${i} ${'y'.repeat(40)}`);
    const body = `Try this:\n\n--- a/big.c\n+++ b/big.c\n@@ -1,1 +1,${plus.length + 1} @@\n ctx\n${plus.join('\n')}\n`;
    expect(body.length).toBeGreaterThan(5_000_000);
    const { ms, out } = time(body);
    expect(out).toHaveLength(1);
    expect(out[0].files).toEqual(['big.c']);
    expect(ms).toBeLessThan(1000);
  });

  it('at most 100 fixups from one message', () => {
    const one = '--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-a\n+b\n';
    const body = Array.from({ length: 300 }, (_, i) => `fix ${i}:\n${one}`).join('\n');
    expect(time(body).out).toHaveLength(100);
  });
});
