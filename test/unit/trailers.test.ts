import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeCorpus, loadMails, mailFromText, readCorpus } from '../helpers/corpus.ts';
import { messagesOfFile } from '../../lib/mail/read.ts';
import { parseMail } from '../../lib/mail/parse.ts';
import type { Mail } from '../../lib/mail/types.ts';
import {
  collectSeriesTrailers,
  extractTrailers,
  formatTrailer,
  parseTrailerLine,
  patchTrailers,
  sameEmail,
  scanTrailers,
  TRAILER_KINDS,
  trailersGivenIn,
  type GivenTrailer,
  type SeriesTrailerInput,
  type Trailer,
} from '../../lib/trailers.ts';
import { assembleSeries } from './trailers-helpers.ts';

const brief = (ts: { kind: Trailer['kind']; name: string; email: string; value: string }[]) => ts.map((t) => formatTrailer(t));
const briefGiven = (m: Map<number, GivenTrailer[]>) => Object.fromEntries([...m].map(([n, ts]) => [n, brief(ts)]));

describe('parseTrailerLine', () => {
  it.each([
    ['Reviewed-by: Jan Kara <jack@suse.cz>', 'Reviewed-by', 'Jan Kara', 'jack@suse.cz'],
    ['Reported-By: Ingo Molnar <mingo@kernel.org>', 'Reported-by', 'Ingo Molnar', 'mingo@kernel.org'],
    ['ACKED-BY: Someone <Some.One@Example.COM>', 'Acked-by', 'Someone', 'some.one@example.com'],
    ['Signed-off-by: Peter Zijlstra (Intel) <peterz@infradead.org>', 'Signed-off-by', 'Peter Zijlstra (Intel)', 'peterz@infradead.org'],
    ['Reviewed-by: Borislav Petkov (AMD) <bp@alien8.de>', 'Reviewed-by', 'Borislav Petkov (AMD)', 'bp@alien8.de'],
    ['Reported-by: "Paul E. McKenney" <paulmck@kernel.org>', 'Reported-by', 'Paul E. McKenney', 'paulmck@kernel.org'],
    ['Tested-by: Tester2, Followup <followup-tester2@example.com>', 'Tested-by', 'Tester2, Followup', 'followup-tester2@example.com'],
    ['Tested-by: Followup Tester1 [corporate] <followup-tester1@example.com>', 'Tested-by', 'Followup Tester1 [corporate]', 'followup-tester1@example.com'],
    ['Reviewed-by: HTML Junker <html-junker@example.com<mailto:html-junker@example.com>>', 'Reviewed-by', 'HTML Junker', 'html-junker@example.com'],
    ['Cc: bare-address@example.org', 'Cc', '', 'bare-address@example.org'],
    ['Cc: <stable@vger.kernel.org> # v5.10+', 'Cc', '', 'stable@vger.kernel.org'],
    ['Cc: stable@vger.kernel.org # 5.4.x', 'Cc', '', 'stable@vger.kernel.org'],
    ['Nacked-by: Linus Torvalds <torvalds@linux-foundation.org>', 'Nacked-by', 'Linus Torvalds', 'torvalds@linux-foundation.org'],
    ['NAKed-by: Someone <s@example.org>', 'Nacked-by', 'Someone', 's@example.org'],
    ['Co-developed-by: A B <ab@example.org>', 'Co-developed-by', 'A B', 'ab@example.org'],
    ['Suggested-by: Benno Lossin <lossin@kernel.org>', 'Suggested-by', 'Benno Lossin', 'lossin@kernel.org'],
  ])('%s', (line, kind, name, email) => {
    expect(parseTrailerLine(line)).toMatchObject({ kind, name, email });
  });

  it('reads Fixes, Link and Closes as values', () => {
    expect(parseTrailerLine('Fixes: a74d187c2df3 ("x86/entry: Refactor SYS_NI macros")')).toEqual({
      kind: 'Fixes',
      name: '',
      email: '',
      value: 'a74d187c2df3 ("x86/entry: Refactor SYS_NI macros")',
    });
    expect(parseTrailerLine('Link: https://lore.kernel.org/r/20200313195144.164260-5-brgerst@gmail.com')?.kind).toBe('Link');
    expect(parseTrailerLine('Closes: https://lore.kernel.org/oe-kbuild-all/202501112052.ZJEvfjhd-lkp@intel.com/')?.kind).toBe('Closes');
  });

  it.each([
    ['Reviewed-by: me', 'a person trailer without an address'],
    ['  Reviewed-by: Jan Kara <jack@suse.cz>', 'an indented example, not a trailer'],
    ['> Reviewed-by: Jan Kara <jack@suse.cz>', 'quoted text'],
    ['Fixes: the thing that broke', 'Fixes without a commit id'],
    ['Link: see the other thread', 'Link without a URL'],
    ['Acked-by-ish: A <a@b.c>', 'an unknown key'],
    ['Author: Brian Gerst <brgerst@gmail.com>', 'a commit header, not a trailer'],
    [`Reviewed-by: ${'x'.repeat(500)} <a@b.c>`, 'an overlong value'],
  ])('rejects %s (%s)', (line) => {
    expect(parseTrailerLine(line)).toBeNull();
  });

  it('writes trailers back in canonical form', () => {
    expect(formatTrailer({ kind: 'Reviewed-by', name: 'HTML Junker', email: 'html-junker@example.com', value: 'junk' })).toBe(
      'Reviewed-by: HTML Junker <html-junker@example.com>',
    );
    expect(formatTrailer({ kind: 'Cc', name: '', email: 'x@y.org', value: 'x@y.org # 5.4' })).toBe('Cc: x@y.org');
    expect(formatTrailer({ kind: 'Closes', name: '', email: '', value: 'https://example.org/bug/1234' })).toBe('Closes: https://example.org/bug/1234');
  });
});

describe('extractTrailers (patch rules)', () => {
  it('takes the trailers above the ---, not the notes below it', () => {
    const text = [
      'x86: do a thing',
      '',
      'Reported-By: Ingo Molnar <mingo@kernel.org>',
      'Signed-off-by: Brian Gerst <brgerst@gmail.com>',
      '---',
      'v2: Acked-by: Old Reviewer <old@example.org> was dropped',
      'Acked-by: Not Given <not@example.org>',
      ' a.c | 1 +',
      '',
      'diff --git a/a.c b/a.c',
      '--- a/a.c',
      '+++ b/a.c',
      '@@ -1 +1,2 @@',
      ' x',
      '+Reviewed-by: In A Diff <diff@example.org>',
    ].join('\n');
    expect(extractTrailers(text).map((t) => [t.kind, t.email, t.line])).toEqual([
      ['Reported-by', 'mingo@kernel.org', 2],
      ['Signed-off-by', 'brgerst@gmail.com', 3],
    ]);
  });

  it('joins an address wrapped onto the next line', () => {
    const [t] = extractTrailers('Signed-off-by: A Very Long Name Indeed\n<long.name@example.org>\n');
    expect(t).toMatchObject({ kind: 'Signed-off-by', name: 'A Very Long Name Indeed', email: 'long.name@example.org' });
  });

  it('stops at the signature', () => {
    expect(extractTrailers('Acked-by: A <a@example.org>\n-- \nReviewed-by: Sig <sig@example.org>\n')).toHaveLength(1);
  });
});

describe('trailersGivenIn (reply rules)', () => {
  it('never counts quoted trailers, and counts trailers after an inline diff suggestion', async () => {
    const mail = await mailFromText(
      [
        'From: Rev Iewer <rev@example.org>',
        'Subject: Re: [PATCH 2/2] foo: bar',
        'Message-ID: <r1@example.org>',
        'In-Reply-To: <p2@example.org>',
        '',
        '> Reviewed-by: Quoted Person <quoted@example.org>',
        '',
        'How about this instead:',
        '',
        'diff --git a/a.c b/a.c',
        '--- a/a.c',
        '+++ b/a.c',
        '@@ -1 +1 @@',
        '-old',
        '+new',
        '',
        'With that:',
        'Reviewed-by: Rev Iewer <rev@example.org>',
      ].join('\n'),
    );
    const given = trailersGivenIn(mail);
    expect(brief(given.trailers)).toEqual(['Reviewed-by: Rev Iewer <rev@example.org>']);
    // Line numbers point into the body, so a UI can highlight the line.
    expect(mail.body.split('\n')[given.trailers[0].line]).toBe('Reviewed-by: Rev Iewer <rev@example.org>');
  });

  it('drops what follows a scissors line: it belongs to the fixup', async () => {
    const mail = await mailFromText(
      [
        'From: Rev Iewer <rev@example.org>',
        'Subject: Re: [PATCH 8/8] x',
        'Message-ID: <r2@example.org>',
        '',
        'Acked-by: Rev Iewer <rev@example.org>',
        '',
        '-- >8 --',
        'Subject: [PATCH] fix it',
        '',
        'Signed-off-by: Rev Iewer <rev@example.org>',
      ].join('\n'),
    );
    expect(brief(trailersGivenIn(mail).trailers)).toEqual(['Acked-by: Rev Iewer <rev@example.org>']);
  });
});

describeCorpus('trailersGivenIn on real mail', () => {
  const dir = 'lkml/brgerst-2020-syscall-wrapper-cleanups/from-linux-kernel-archive-via-read_file';

  it("Ingo's reply to 4/18 gives nothing: the Reviewed-bys are quoted, his Signed-off-by heads his fix", async () => {
    const [mail] = await loadMails(`${dir}/03-Ingo-reply-to-04of18-with-inline-fix-PATCH-Fix-SYS_NI-build-failure.eml`);
    expect(mail.body).toContain('> Reviewed-by: Dominik Brodowski <linux@dominikbrodowski.net>');
    expect(mail.body).toContain('\nSigned-off-by: Ingo Molnar <mingo@kernel.org>\n');
    expect(trailersGivenIn(mail).trailers).toEqual([]);
  });

  it("Brian's fix patch has its own Fixes, Reported-By and Signed-off-by", async () => {
    const [mail] = await loadMails(`${dir}/04-PATCH-x86-entry-Fix-build-error-with-CONFIG_POSIX_TIMERS-off.eml`);
    expect(patchTrailers(mail).map((t) => formatTrailer(t))).toEqual([
      'Fixes: a74d187c2df3 ("x86/entry: Refactor SYS_NI macros")',
      'Reported-by: Ingo Molnar <mingo@kernel.org>',
      'Signed-off-by: Brian Gerst <brgerst@gmail.com>',
    ]);
    // As a message in a thread it gives nothing to its parent.
    expect(trailersGivenIn(mail).trailers).toEqual([]);
  });

  it('reads the trailer block of a tip-bot commit, names with parentheses included', async () => {
    const [mail] = await loadMails('lkml/tip-bot/2023-06-16-tip-x86-shstk-Introduce-map_shadow_stack-syscall.eml');
    expect(patchTrailers(mail).map((t) => formatTrailer(t))).toEqual([
      'Signed-off-by: Rick Edgecombe <rick.p.edgecombe@intel.com>',
      'Signed-off-by: Dave Hansen <dave.hansen@linux.intel.com>',
      'Reviewed-by: Borislav Petkov (AMD) <bp@alien8.de>',
      'Reviewed-by: Kees Cook <keescook@chromium.org>',
      'Acked-by: Mike Rapoport (IBM) <rppt@kernel.org>',
      'Tested-by: Pengfei Xu <pengfei.xu@intel.com>',
      'Tested-by: John Allen <john.allen@amd.com>',
      'Tested-by: Kees Cook <keescook@chromium.org>',
      'Link: https://lore.kernel.org/all/20230613001108.3040476-35-rick.p.edgecombe%40intel.com',
    ]);
  });

  it.each([
    ['lkml/kernel-test-robot/2025-reply-to-syscall-patch-futex-set_robust_list2-incomplete-type.eml', ['Reported-by', 'Closes']],
    ['lkml/kernel-test-robot/2025-reply-undefined-reference-strlcpy-hostprog.eml', ['Reported-by', 'Closes']],
    ['lkml/kernel-test-robot/2021-No-rule-to-make-target.eml', ['Reported-by']],
    ['lkml/kernel-test-robot/2019-reply-to-tip-bot2-mail-x86-cpu-intel-rename-fallout.eml', ['Reported-by']],
  ])('the kernel test robot only suggests tags: %s', async (file, kinds) => {
    const [mail] = await loadMails(file);
    const given = trailersGivenIn(mail);
    expect(given.trailers).toEqual([]);
    expect(given.suggestedTrailers.map((t) => t.kind)).toEqual(kinds);
    expect(given.suggestedTrailers[0].email).toBe('lkp@intel.com');
  });

  it("Lorenzo's fix after ----8<---- carries the robot's Reported-by: not given to the series", async () => {
    const [mail] = await loadMails('lkml/inline-fixups/scissors-8-with-From-Subject-Reported-by-kernel-test-robot.eml');
    expect(mail.body).toContain('\nReported-by: kernel test robot <oliver.sang@intel.com>\n');
    expect(trailersGivenIn(mail).trailers).toEqual([]);
  });

  it("tglx's 8<--- hack with Subject/From pseudo-headers gives nothing", async () => {
    const [mail] = await loadMails('lkml/inline-fixups/tglx-scissors-then-Subject-From-pseudo-headers.eml');
    expect(trailersGivenIn(mail).trailers).toEqual([]);
  });

  it("sfr's in-body From:/Subject: patch is a fixup, not trailers for the thread", async () => {
    const [mail] = await loadMails('lkml/inline-fixups/sfr-applied-fix-patch-inline-From-Date-Subject.eml');
    expect(mail.body).toMatch(/^Signed-off-by: Stephen Rothwell <sfr@canb\.auug\.org\.au>$/m);
    expect(trailersGivenIn(mail).trailers).toEqual([]);
  });

  it('reads real review trailers given in replies', async () => {
    const v3 = await loadMails('lkml/threads/file_getattr-series/v3-getfsxattrat.mbox');
    const arnd = v3.filter((m) => m.from.email === 'arnd@arndb.de').flatMap((m) => trailersGivenIn(m).trailers);
    expect(brief(arnd)).toEqual(['Acked-by: Arnd Bergmann <arnd@arndb.de>']);
    const cxl = await loadMails('lkml/inline-fixups/thread-BUG-next-cxl-uuid-fatal-error-and-scissors-fix.mbox');
    const tested = cxl.flatMap((m) => trailersGivenIn(m).trailers.map((t) => ({ ...t, by: m.from.email })));
    expect(tested.map((t) => [t.kind, t.email, t.by])).toEqual([['Tested-by', 'paulmck@kernel.org', 'paulmck@kernel.org']]);
  });
});

// --- collecting onto a series ---------------------------------------------------------------

function seedLikeThread(): Promise<Mail[]> {
  const head = (id: string, from: string, subject: string, parent?: string) =>
    [`From: ${from}`, `Subject: ${subject}`, `Message-ID: <${id}>`, 'Date: Thu, 5 Apr 2018 17:00:00 +0200', ...(parent ? [`In-Reply-To: <${parent}>`, `References: <cover@x>${parent === 'cover@x' ? '' : ` <${parent}>`}`] : []), ''].join('\n');
  const dom = 'Dominik Brodowski <linux@dominikbrodowski.net>';
  const patch = (n: number) =>
    `${head(`p${n}@x`, dom, `[PATCH ${n}/8] syscalls: patch number ${n}`, 'cover@x')}\nChange ${n}.\n\nSigned-off-by: ${dom}\n---\n f${n}.c | 1 +\n\ndiff --git a/f${n}.c b/f${n}.c\n--- a/f${n}.c\n+++ b/f${n}.c\n@@ -1 +1,2 @@\n a\n+b${n}\n`;
  const texts = [
    `${head('cover@x', dom, '[PATCH 0/8] use struct pt_regs based syscall calling for x86-64')}\nThe cover.\n\nSigned-off-by: ${dom}\n`,
    ...[1, 2, 3, 4, 5, 6, 7, 8].map(patch),
    `${head('tglx@x', 'Thomas Gleixner <tglx@linutronix.de>', 'Re: [PATCH 0/8] use struct pt_regs based syscall calling for x86-64', 'cover@x')}\nOn Thu, Dominik wrote:\n> The cover.\n\nReviewed-by: Thomas Gleixner <tglx@linutronix.de>\n`,
    `${head('acked3@x', 'Linus Torvalds <torvalds@linux-foundation.org>', 'Re: [PATCH 3/8] syscalls: patch number 3', 'p3@x')}\n> Change 3.\n\nAcked-by: Linus Torvalds <torvalds@linux-foundation.org>\n`,
    // Quotes Thomas' Reviewed-by: that is not a new one, for patch 5 or anything else.
    `${head('quote5@x', 'Ingo Molnar <mingo@kernel.org>', 'Re: [PATCH 5/8] syscalls: patch number 5', 'p5@x')}\n> Reviewed-by: Ingo Molnar <mingo@kernel.org>\n\nI still like the truth in advertising aspect.\n`,
    // A reply to a reply to 8/8 with an inline fixup "could be folded with patch 8/8".
    `${head('ingo8@x', 'Ingo Molnar <mingo@kernel.org>', 'Re: [PATCH 8/8] syscalls: patch number 8', 'p8@x')}\nthis breaks the UML build\n`,
    `${head('fix8@x', dom, 'Re: [PATCH 8/8] syscalls: patch number 8', 'ingo8@x')}\nFixup patch below; could be folded with patch 8/8.\n\n> Subject: [PATCH] syscalls/x86: fix UML syscall table\n\nSubject: [PATCH] syscalls/x86: fix UML syscall table\nFrom: ${dom}\n\nSigned-off-by: ${dom}\n\ndiff --git a/f8.c b/f8.c\n--- a/f8.c\n+++ b/f8.c\n@@ -1,2 +1,2 @@\n a\n-b8\n+c8\n`,
  ];
  return Promise.all(texts.map((t) => mailFromText(t)));
}

describe('collectSeriesTrailers', () => {
  it('seed-like thread: cover Reviewed-by on all 8, Acked-by only on 3/8, quoted and fixup trailers never', async () => {
    const { input } = assembleSeries(await seedLikeThread());
    const got = collectSeriesTrailers(input);
    const tglx = 'Reviewed-by: Thomas Gleixner <tglx@linutronix.de>';
    expect(briefGiven(got)).toEqual({
      1: [tglx],
      2: [tglx],
      3: ['Acked-by: Linus Torvalds <torvalds@linux-foundation.org>', tglx],
      4: [tglx],
      5: [tglx],
      6: [tglx],
      7: [tglx],
      8: [tglx],
    });
    expect(got.get(3)?.[0].messageId).toBe('acked3@x');
    expect(got.get(8)?.[0].messageId).toBe('tglx@x');
  });

  const base = (): SeriesTrailerInput => ({
    patches: [
      { number: 1, messageId: 'p1', patchId: 'id-1' },
      { number: 2, messageId: 'p2', patchId: 'id-2' },
    ],
    coverMessageId: 'c',
    messages: [],
  });
  const t = (kind: Trailer['kind'], name: string, email: string): Trailer => ({ kind, name, email, value: `${name} <${email}>`, line: 0 });

  it('carries trailers of an unchanged patch from the previous version, but not a NAK or those of a changed patch', () => {
    const input = base();
    input.previousVersion = {
      patches: [
        {
          number: 1,
          patchId: 'id-1',
          messageId: 'v1-p1',
          trailers: [
            { kind: 'Reviewed-by', name: 'R', email: 'r@x.org', value: 'R <r@x.org>', messageId: 'v1-r' },
            { kind: 'Nacked-by', name: 'N', email: 'n@x.org', value: 'N <n@x.org>', messageId: 'v1-n' },
          ],
        },
        { number: 2, patchId: 'id-2-old', trailers: [{ kind: 'Acked-by', name: 'A', email: 'a@x.org', value: 'A <a@x.org>', messageId: 'v1-a' }] },
      ],
    };
    const got = collectSeriesTrailers(input);
    expect(got.get(1)).toEqual([{ kind: 'Reviewed-by', name: 'R', email: 'r@x.org', value: 'R <r@x.org>', messageId: 'v1-r', carriedFrom: 'v1-p1' }]);
    expect(got.get(2)).toEqual([]);
  });

  it('one given again on this version replaces the carried one', () => {
    const input = base();
    input.messages = [{ messageId: 'again', parentId: 'p1', from: { name: 'R', email: 'r@x.org' }, ownTrailers: [t('Reviewed-by', 'R', 'r@x.org')] }];
    input.previousVersion = { patches: [{ number: 1, patchId: 'id-1', trailers: [{ kind: 'Reviewed-by', name: 'R', email: 'r@x.org', value: 'R <r@x.org>', messageId: 'v1-r' }] }] };
    expect(collectSeriesTrailers(input).get(1)).toEqual([{ kind: 'Reviewed-by', name: 'R', email: 'r@x.org', value: 'R <r@x.org>', messageId: 'again' }]);
  });

  it('matches carried patches by patch id even when renumbered', () => {
    const input = base();
    input.previousVersion = { patches: [{ number: 5, patchId: 'id-2', trailers: [{ kind: 'Tested-by', name: 'T', email: 't@x.org', value: 'T <t@x.org>', messageId: 'v1-t' }] }] };
    expect(collectSeriesTrailers(input).get(2)?.map((x) => x.carriedFrom)).toEqual(['v1-t']);
  });

  it('walks up deep reply chains, stops at foreign patches and loops, and dedupes per person', () => {
    const input = base();
    const rev = { name: 'Rev', email: 'rev@x.org' };
    input.messages = [
      { messageId: 'a', parentId: 'p2', from: rev, ownTrailers: [] },
      { messageId: 'b', parentId: 'a', from: rev, ownTrailers: [t('Reviewed-by', 'Rev', 'rev@x.org')] },
      { messageId: 'b2', parentId: 'b', from: rev, ownTrailers: [t('Reviewed-by', 'Rev', 'REV@x.org'), t('Cc', '', 'list@x.org')] },
      { messageId: 'c', parentId: 'c', from: rev, ownTrailers: [t('Acked-by', 'Rev', 'rev@x.org')] },
      { messageId: 'old', parentId: 'c', from: rev, ownTrailers: [], isPatch: true },
      { messageId: 'd', parentId: 'old', from: rev, ownTrailers: [t('Tested-by', 'Rev', 'rev@x.org')] },
      { messageId: 'e', parentId: 'missing', from: rev, ownTrailers: [t('Tested-by', 'Rev', 'rev@x.org')] },
      { messageId: 'loop1', parentId: 'loop2', from: rev, ownTrailers: [t('Tested-by', 'Rev', 'rev@x.org')] },
      { messageId: 'loop2', parentId: 'loop1', from: rev, ownTrailers: [] },
    ];
    const got = collectSeriesTrailers(input);
    // 'c' is the cover itself (its own trailers are the author's); 'd' hangs under a foreign patch, 'e' under an unknown message.
    expect(briefGiven(got)).toEqual({ 1: [], 2: ['Reviewed-by: Rev <rev@x.org>'] });
  });

  it('does not collect a trailer given for someone else (b4 default)', () => {
    const input = base();
    input.messages = [
      { messageId: 'r', parentId: 'p1', from: { name: 'Mismatched Reviewer', email: 'mismatched-reviewer1@example.com' }, ownTrailers: [t('Reviewed-by', 'Mismatched Reviewer1', 'mismatched-reviewer1@example.net')] },
      { messageId: 's', parentId: 'p1', from: { name: 'Same Name', email: 'work@corp.example' }, ownTrailers: [t('Tested-by', 'Same Name', 'home@example.org')] },
      { messageId: 'u', parentId: 'p1', from: { name: 'Plus', email: 'plus+kernel@example.org' }, ownTrailers: [t('Acked-by', 'P', 'plus@example.org')] },
    ];
    expect(briefGiven(collectSeriesTrailers(input))).toEqual({ 1: ['Tested-by: Same Name <home@example.org>', 'Acked-by: P <plus@example.org>'], 2: [] });
    expect(sameEmail('foo@linux.intel.com', 'foo@intel.com')).toBe(true);
    expect(sameEmail('foo@intel.com', 'bar@intel.com')).toBe(false);
  });
});

describeCorpus('collectSeriesTrailers against b4 samples', () => {
  const collect = async (name: string) => {
    const { input } = assembleSeries(await loadMails(`b4-samples/${name}.mbox`));
    return briefGiven(collectSeriesTrailers(input));
  };

  it.each([
    ['trailers-followup-single', ['Reviewed-by: Followup Reviewer1 <followup-reviewer1@example.com>', 'Tested-by: Followup Reviewer2 <followup-reviewer2@example.com>']],
    ['trailers-followup-bare-address', ['Reviewed-by: Followup Reviewer1 (corporate) <followup-reviewer1@example.com>', 'Tested-by: Followup Reviewer2 <followup-reviewer2@example.com>']],
    [
      'trailers-followup-name-parens',
      [
        'Reviewed-by: Followup Reviewer1 (corporate) <followup-reviewer1@example.com>',
        'Tested-by: Followup Reviewer2 <followup-reviewer2@example.com>',
        'Tested-by: Followup Tester1 [corporate] <followup-tester1@example.com>',
        'Tested-by: Tester2, Followup <followup-tester2@example.com>',
      ],
    ],
    ['trailers-followup-htmljunk', ['Reviewed-by: HTML Junker <html-junker@example.com>']],
    ['trailers-followup-nore', ['Reviewed-by: Followup Reviewer1 <followup-reviewer1@example.com>']],
    ['trailers-followup-with-diffstat', ['Reviewed-by: Followup Reviewer1 <followup-reviewer1@example.com>']],
    ['trailers-followup-non-git-patch', ['Reviewed-by: Followup Reviewer1 <followup-reviewer1@example.com>']],
    ['trailers-followup-stripped-lines', ['Reviewed-by: Followup Reviewer1 <followup-reviewer1@example.com>']],
    // The quoted "> Reviewed-by" in fwup-message-2 and the mismatched sender's trailer are not collected.
    ['trailers-followup-already-present', []],
  ])('%s (as its -ref-defaults.txt, minus b4 test config)', async (name, expected) => {
    expect(await collect(name)).toEqual({ 1: expected });
  });

  it('with-cover: cover trailers go to every patch; one Reviewed-by per person (b4 writes both spellings)', async () => {
    expect(await collect('trailers-followup-with-cover')).toEqual({
      1: ['Reviewed-by: Coverletter Reviewer1 <followup-reviewer1@example.com>'],
      2: ['Reviewed-by: Followup Reviewer1 <followup-reviewer1@example.com>'],
    });
  });

  it('partial-reroll: the v3 2/2 does not inherit the Reviewed-by given to the v2 2/2; the cover one applies', async () => {
    expect(await collect('trailers-followup-partial-reroll')).toEqual({
      1: ['Reviewed-by: Coverletter Reviewer1 <followup-reviewer1@example.com>'],
      2: ['Reviewed-by: Coverletter Reviewer1 <followup-reviewer1@example.com>'],
    });
  });

  it('thread-with-cover-followup: Tested-by, Link and Closes on 4/4, the cover Reviewed-by on all', async () => {
    const cover = 'Reviewed-by: Cover Upper <cover.upper@example.org>';
    const { input } = assembleSeries(await loadMails('b4-samples/trailers-thread-with-cover-followup.mbox'));
    const got = collectSeriesTrailers(input);
    expect(briefGiven(got)).toEqual({
      1: [cover],
      2: [cover],
      3: [cover],
      4: ['Tested-by: Follow Upper <follow.upper@example.org>', 'Link: https://example.org', 'Closes: https://example.org/bug/1234', cover],
    });
  });
});

describeCorpus('collectSeriesTrailers on real threads', () => {
  it('file_getattr v6: Jan Kara, Amir Goldstein and Darrick Wong, each on the patch they answered', async () => {
    const { input } = assembleSeries(await loadMails('lkml/threads/file_getattr-series/v6-0of6-file_getattr.mbox'));
    const jan = 'Reviewed-by: Jan Kara <jack@suse.cz>';
    expect(briefGiven(collectSeriesTrailers(input))).toEqual({
      1: ['Reviewed-by: Amir Goldstein <amir73il@gmail.com>', jan, 'Reviewed-by: Darrick J. Wong <djwong@kernel.org>'],
      2: [jan, 'Acked-by: Darrick J. Wong <djwong@kernel.org>'],
      3: [],
      4: [jan, 'Reviewed-by: Darrick J. Wong <djwong@kernel.org>'],
      5: [jan],
      6: [jan],
    });
  });

  it('lsm-syscalls v6: the robot suggestions on 04/11 and 02/11 are not trailers; 06/11 has two Acked-bys', async () => {
    const { input } = assembleSeries(await loadMails('lkml/threads/lsm-syscalls/v6-0of11.mbox'));
    const got = collectSeriesTrailers(input);
    expect(brief(got.get(6) ?? [])).toEqual(['Acked-by: Geert Uytterhoeven <geert@linux-m68k.org>', 'Acked-by: Arnd Bergmann <arnd@arndb.de>']);
    expect([...got].filter(([n]) => n !== 6).every(([, ts]) => ts.length === 0)).toBe(true);
  });
});

const SEED = resolve(import.meta.dirname, '../fixtures/seed');
const seedPresent = existsSync(join(SEED, 'v1.mbox')) && existsSync(join(SEED, 'v2.mbox'));
if (!seedPresent) console.warn(`skipping seed fixture trailer tests: ${SEED}/v1.mbox and v2.mbox do not exist yet`);

async function seedMails(name: string): Promise<Mail[]> {
  return Promise.all(messagesOfFile(readFileSync(join(SEED, name))).map((m) => parseMail(m.bytes)));
}

describe.skipIf(!seedPresent)('seed fixture (test/fixtures/seed)', () => {
  const andy = 'Reviewed-by: Andy Lutomirski <luto@kernel.org>';
  const peterz = 'Acked-by: Peter Zijlstra (Intel) <peterz@infradead.org>';

  it("v1: Andy's Reviewed-by on the cover reaches all 8, PeterZ's Acked-by only 3/8, the quoted Borislav never", async () => {
    const mails = await seedMails('v1.mbox');
    expect(mails.some((m) => m.body.includes('> Reviewed-by: Borislav Petkov <bp@suse.de>'))).toBe(true);
    const { input } = assembleSeries(mails);
    expect(briefGiven(collectSeriesTrailers(input))).toEqual({ 1: [andy], 2: [andy], 3: [peterz, andy], 4: [andy], 5: [andy], 6: [andy], 7: [andy], 8: [andy] });
    // Dominik's UML fixup below a dashed line, with From:/Date:/Subject: pseudo-headers, gives nothing.
    const fixup = mails.find((m) => m.body.includes('Subject: [PATCH] syscalls/x86: fix UML syscall table\n'));
    expect(fixup && trailersGivenIn(fixup).trailers).toEqual([]);
  });

  it("v2: unchanged patches carry v1's trailers, the reworked 8/8 does not; Ingo's cover Acked-by reaches all", async () => {
    const v1 = assembleSeries(await seedMails('v1.mbox'));
    const v1Trailers = collectSeriesTrailers(v1.input);
    const v2 = assembleSeries(await seedMails('v2.mbox'));
    v2.input.previousVersion = {
      patches: v1.input.patches.map((p) => ({ number: p.number, patchId: p.patchId, messageId: p.messageId, trailers: v1Trailers.get(p.number) ?? [] })),
    };
    const got = collectSeriesTrailers(v2.input);
    const ingo = 'Acked-by: Ingo Molnar <mingo@kernel.org>';
    expect(briefGiven(got)).toEqual({
      1: [andy, ingo],
      2: [andy, ingo],
      3: [peterz, andy, ingo],
      4: [andy, ingo],
      5: [andy, ingo],
      6: [andy, ingo],
      7: [andy, ingo],
      8: [ingo],
    });
    expect(got.get(3)?.find((t) => t.kind === 'Acked-by' && t.email === 'peterz@infradead.org')?.carriedFrom).toBe('20180405095307.3730-4-linux@dominikbrodowski.net');
    expect(got.get(1)?.[1].carriedFrom).toBeUndefined();
  });
});

// --- robustness -----------------------------------------------------------------------------

function wellFormed(scan: { trailers: Trailer[]; suggestedTrailers: Trailer[] }, lineCount: number): void {
  for (const x of [...scan.trailers, ...scan.suggestedTrailers]) {
    expect(TRAILER_KINDS).toContain(x.kind);
    expect(x.line).toBeGreaterThanOrEqual(0);
    expect(x.line).toBeLessThan(lineCount);
    if (['Fixes', 'Link', 'Closes'].includes(x.kind)) expect(x.email).toBe('');
    else expect(x.email).toMatch(/^[^\s@]+@[^\s@]+$/);
  }
}

describe('robustness', () => {
  it('never throws and returns well-formed trailers on random text', () => {
    const line = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.constantFrom('---', '-- ', '-- >8 --', '| Reported-by: kernel test robot <lkp@intel.com>', 'kindly add following tags', 'diff --git a/x b/x', '@@ -1 +1 @@', 'From: A <a@b.c>', 'Subject: x'),
      fc.tuple(fc.constantFrom(...TRAILER_KINDS, 'Reported-By', 'NAKed-by'), fc.string({ maxLength: 60 })).map(([k, v]) => `${k}: ${v}`),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 60 }), fc.boolean(), (lines, reply) => {
        const text = lines.join('\n');
        wellFormed(scanTrailers(text, { reply }), text.split('\n').length);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on mutated real mail', async () => {
    const texts = [
      readCorpusText('b4-samples/trailers-followup-name-parens.mbox'),
      readCorpusText('lkml/brgerst-2020-syscall-wrapper-cleanups/from-linux-kernel-archive-via-read_file/03-Ingo-reply-to-04of18-with-inline-fix-PATCH-Fix-SYS_NI-build-failure.eml'),
      readCorpusText('lkml/kernel-test-robot/2025-reply-undefined-reference-strlcpy-hostprog.eml'),
    ].filter((t): t is string => t !== null);
    if (texts.length === 0) return;
    fc.assert(
      fc.property(fc.constantFrom(...texts), fc.array(fc.tuple(fc.nat(), fc.nat(300), fc.string({ maxLength: 40 })), { maxLength: 8 }), fc.boolean(), (text, edits, reply) => {
        let t = text;
        for (const [at, len, ins] of edits) {
          const i = at % (t.length + 1);
          t = t.slice(0, i) + ins + t.slice(i + len);
        }
        wellFormed(scanTrailers(t, { reply }), t.split('\n').length);
      }),
      { numRuns: 200 },
    );
  });

  it('handles a 5 MB single-line body and 100k lines well under a second', async () => {
    const oneLine = `Reviewed-by: ${'a'.repeat(5 * 1024 * 1024)}`;
    // 100k lines, 5 MB: review prose with a trailer-looking line now and then.
    const many = Array.from({ length: 100_000 }, (_, i) => (i % 50 === 0 ? `| Acked-by: A <a@b.c> ${i}` : i % 7 === 0 ? `Fixes: (${'('.repeat(40)}` : `> quoted review text, line ${i}: it looks fine`)).join('\n');
    const fixesLine = `Fixes: ${'('.repeat(5 * 1024 * 1024)}\nnext line)`;
    for (const body of [oneLine, many, fixesLine, `<${'a@'.repeat(2_000_000)}`]) {
      const mail = { ...(await mailFromText('Subject: x\n\nx\n')), body };
      expect(
        await fastestMs(() => {
          trailersGivenIn(mail);
          scanTrailers(body);
        }),
      ).toBeLessThan(1000);
    }
  });
});

function readCorpusText(rel: string): string | null {
  try {
    return readCorpus(rel).toString('utf8');
  } catch {
    return null;
  }
}

/** Best of three runs, in ms: the machine may be busy with other test files. */
async function fastestMs(fn: () => unknown): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    await fn();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}
