import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { findExplicitTargets } from '../../lib/fixups/index.ts';

const numbers = (text: string) => findExplicitTargets(text).map((t) => [t.number, t.total]);

describe('findExplicitTargets', () => {
  it('reads the seed thread wording, and only the fold target, not "patch 8/8 could simply be dropped"', () => {
    const text = `Ah, that's caused by patch 8/8 which I did and do not like all that much
anyway: UML re-uses syscall_64.tbl which now has x86-specific entries like
__sys_x86_pread64, but expects the generic syscall stub sys_pread64
referenced there. Fixup patch below; could be folded with patch 8/8. Or
patch 8/8 could simply be dropped from the series altogether...`;
    expect(findExplicitTargets(text)).toEqual([{ number: 8, total: 8, subjectQuote: null, phrase: 'could be folded with patch 8/8' }]);
  });

  it.each([
    ['Please fold into 3/8.', 3, 8],
    ['This could be folded into patch 3.', 3, null],
    ['Here is a fixup for patch 2, sorry.', 2, null],
    ['Feel free to squash into 6/7.', 6, 7],
    ['Can you squash this into 4/18 when applying?', 4, 18],
    ['It goes on top of 5/8 and nothing else.', 5, 8],
    ['The diff below is for 4/18 only.', 4, 18],
    ['Squashed with [PATCH 2/3] it builds; squash it with patch #2.', 2, null],
    ['Merge this with patch 07/11 please', 7, 11],
  ])('%s', (text, number, total) => {
    expect(numbers(text)).toEqual([[number, total]]);
  });

  it('reads a quoted subject, also abbreviated', () => {
    expect(findExplicitTargets('This could be folded into "x86/entry: Remove ABI prefixes from functions in syscall tables".')).toEqual([
      { number: null, total: null, subjectQuote: 'x86/entry: Remove ABI prefixes from functions in syscall tables', phrase: 'This could be folded into "x86/entry: Remove ABI prefixes from functions in syscall tables"' },
    ]);
    expect(findExplicitTargets("could be folded into 'x86/entry: Remove ...'")[0].subjectQuote).toBe('x86/entry: Remove ...');
  });

  it('does not take counts, praise, version numbers or diff lines for targets', () => {
    expect(numbers('Thanks for patch 3/8, looks good.')).toEqual([]);
    expect(numbers('I folded 3 patches into one.')).toEqual([]);
    expect(numbers('This got merged into 5.7 already.')).toEqual([]);
    expect(numbers('Patch 8/8 could simply be dropped.')).toEqual([]);
    expect(numbers('diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-/* fold into 3/8 */\n+/* squash into 4/8 */\n')).toEqual([]);
  });

  it('keeps each target once, in text order', () => {
    expect(numbers('Fold into 2/5. Really, fold into 2/5! Or squash into 3/5.')).toEqual([[2, 5], [3, 5]]);
  });

  it('never throws and stays well-formed on random text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), (s) => {
        for (const t of findExplicitTargets(`${s} fold into patch ${s}`)) {
          expect(t.number === null || (Number.isInteger(t.number) && t.number > 0)).toBe(true);
          expect(t.phrase.length).toBeLessThanOrEqual(300);
          expect(t.number !== null || t.subjectQuote !== null).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('stays fast on a long hostile paragraph', () => {
    const text = 'fold into '.repeat(50_000) + 'squash this with "'.repeat(20_000);
    const t0 = performance.now();
    findExplicitTargets(text);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
