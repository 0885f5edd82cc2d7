import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classify, mailBlocks, MAX_RENDERED_LINES } from '../../app/ui/mail-lines.ts';

const REPLY = `On Thu, Apr 05, 2018 at 05:19:33PM +0200, Ingo Molnar wrote:
> Ok, this series looks mostly good to me, but AFAICS this breaks the UML build:
>
> make[2]: *** No rule to make target 'archheaders'.  Stop.
> arch/um/Makefile:119: recipe for target 'archheaders' failed

Ah, that's caused by patch 8/8. Fixup patch below.

diff --git a/arch/x86/entry/syscalls/syscall_64.tbl b/arch/x86/entry/syscalls/syscall_64.tbl
index e0e4c76..59784f9 100644
--- a/arch/x86/entry/syscalls/syscall_64.tbl
+++ b/arch/x86/entry/syscalls/syscall_64.tbl
@@ -3,3 +3,4 @@
 #
-# old
+# UML re-uses this table
+# too
 #
> not a quote inside the diff? it is after it
`;

/** Every line of the input, back from the blocks, in order. */
function linesOf(blocks: ReturnType<typeof mailBlocks>['blocks']): string[] {
  return blocks.flatMap((b) => b.runs.flatMap((r) => r.text.split('\n')));
}

describe('mail lines', () => {
  it('classifies a reply with a quoted log and an inline diff', () => {
    const kinds = classify(REPLY.trimEnd().split('\n')).map((l) => l.kind);
    expect(kinds).toEqual([
      'text', // attribution
      'quote', 'quote', 'quote', 'quote',
      'text', 'text', 'text',
      'meta', 'meta', 'meta', 'meta',
      'hunk',
      'ctx', 'del', 'add', 'add', 'ctx',
      'quote',
    ]);
  });

  it('folds the quoted run, keeps the rest, and loses no line', () => {
    const { blocks, cutLines } = mailBlocks(REPLY);
    expect(cutLines).toBe(0);
    expect(blocks.map((b) => [b.folded, b.lines])).toEqual([
      [false, 1],
      [true, 4],
      [false, 14],
    ]);
    expect(blocks[1].runs).toEqual([{ kind: 'quote', text: "> Ok, this series looks mostly good to me, but AFAICS this breaks the UML build:\n>\n> make[2]: *** No rule to make target 'archheaders'.  Stop.\n> arch/um/Makefile:119: recipe for target 'archheaders' failed" }]);
    // Equal kinds share one run: the two added lines are one element.
    expect(blocks[2].runs.find((r) => r.kind === 'add')?.text).toBe('+# UML re-uses this table\n+# too');
    expect(linesOf(blocks)).toEqual(REPLY.trimEnd().split('\n'));
  });

  it('does not fold short quotes, nor anything when folding is off', () => {
    const short = mailBlocks('> one\n> two\nreply');
    expect(short.blocks.map((b) => b.folded)).toEqual([false]);
    expect(mailBlocks(REPLY, false).blocks.every((b) => !b.folded)).toBe(true);
  });

  it('keeps markup as text (the page renders it as a text node)', () => {
    const { blocks } = mailBlocks('<script>alert(1)</script>\n<img src=x onerror=alert(2)>');
    expect(linesOf(blocks)).toEqual(['<script>alert(1)</script>', '<img src=x onerror=alert(2)>']);
  });

  it(`cuts after ${MAX_RENDERED_LINES} lines and says how many are left out`, () => {
    const { blocks, cutLines } = mailBlocks(Array.from({ length: MAX_RENDERED_LINES + 250 }, (_, i) => `line ${i}`).join('\n'));
    expect(cutLines).toBe(250);
    expect(linesOf(blocks)).toHaveLength(MAX_RENDERED_LINES);
  });

  it('handles a 5 MB single-line body and 100k lines quickly', () => {
    let t = performance.now();
    const one = mailBlocks('x'.repeat(5 * 1024 * 1024));
    expect(one.blocks[0].runs[0].text).toHaveLength(5 * 1024 * 1024);
    expect(performance.now() - t).toBeLessThan(1000);
    t = performance.now();
    const many = mailBlocks(Array.from({ length: 100_000 }, (_, i) => (i % 3 ? `> quoted ${i}` : `+ line ${i}`)).join('\n'));
    expect(many.cutLines).toBe(100_000 - MAX_RENDERED_LINES);
    expect(performance.now() - t).toBeLessThan(1000);
  });

  it('never throws and never loses or reorders a line (random text)', () => {
    const line = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('>', '> q', '', '+a', '-b', ' c', '@@ -1,2 +1,2 @@', 'diff --git a/f b/f', '--- a/f', '+++ b/f', 'On Mon, X wrote:'));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 60 }), fc.boolean(), (ls, fold) => {
        const text = ls.join('\n');
        const { blocks } = mailBlocks(text, fold);
        const expected = text.replace(/\r\n?/g, '\n').replace(/\n+$/, '').split('\n');
        expect(linesOf(blocks)).toEqual(expected);
        for (const b of blocks) expect(b.runs.reduce((n, r) => n + r.text.split('\n').length, 0)).toBe(b.lines);
      }),
      { numRuns: 300 },
    );
  });
});
