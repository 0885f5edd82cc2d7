import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { containsPattern, toSearchParams } from '../../lib/db/queries/params.ts';
import { DEFAULT_SERIES_FILTER, seriesFilterFromParams, SERIES_SORTS, SERIES_STATUSES } from '../../lib/db/queries/series.ts';
import { breakageFilterFromParams } from '../../lib/db/queries/breakages.ts';
import { fixupFilterFromParams } from '../../lib/db/queries/fixups.ts';
import { threadTreeJson, type ThreadTreeNode } from '../../lib/db/queries/threads.ts';

const qs = (s: string) => new URLSearchParams(s);

describe('list filters from the query string', () => {
  it('reads every series filter, with defaults', () => {
    expect(seriesFilterFromParams(qs(''))).toEqual({ ok: true, value: DEFAULT_SERIES_FILTER });
    expect(seriesFilterFromParams(qs('q=+pt_regs+&status=superseded&author=dominik&page=3&sort=title&hasOpenBreakages=on&hasPendingFixups=0'))).toEqual({
      ok: true,
      value: { q: 'pt_regs', status: 'superseded', author: 'dominik', page: 3, sort: 'title', hasOpenBreakages: true, hasPendingFixups: false },
    });
    // Empty values are absent (a GET form sends every field).
    expect(seriesFilterFromParams(qs('q=&status=&author=&page=&sort=&hasOpenBreakages='))).toEqual({ ok: true, value: DEFAULT_SERIES_FILTER });
  });

  it('names the bad parameter and what would be right', () => {
    expect(seriesFilterFromParams(qs('status=merged'))).toEqual({ ok: false, error: 'invalid status "merged"', hint: `Use one of: ${SERIES_STATUSES.join(', ')}.` });
    expect(seriesFilterFromParams(qs('sort=size'))).toMatchObject({ ok: false, error: 'invalid sort "size"' });
    expect(seriesFilterFromParams(qs('page=0'))).toMatchObject({ ok: false, error: 'invalid page "0"' });
    expect(seriesFilterFromParams(qs('page=1e3'))).toMatchObject({ ok: false });
    expect(seriesFilterFromParams(qs('hasPendingFixups=perhaps'))).toMatchObject({ ok: false, hint: 'Use true or false.' });
    expect(breakageFilterFromParams(qs('series=12abc'))).toMatchObject({ ok: false, error: 'invalid series "12abc"' });
    expect(fixupFilterFromParams(qs('state=open'))).toMatchObject({ ok: false, error: 'invalid state "open"' });
  });

  it('turns a page record into URLSearchParams, repeated keys included', () => {
    expect(toSearchParams({ q: 'a', status: ['x', 'y'], none: undefined }).toString()).toBe('q=a&status=x&status=y');
  });

  it('escapes LIKE wildcards and drops phrase quotes', () => {
    expect(containsPattern('50%_off\\')).toBe('%50\\%\\_off\\\\%');
    expect(containsPattern('"incomplete type"')).toBe('%incomplete type%');
  });

  it('never throws on any query string, and accepts only valid values', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('q', 'status', 'author', 'page', 'sort', 'hasOpenBreakages', 'hasPendingFixups', 'x'), fc.string({ maxLength: 400 })), (d) => {
        const r = seriesFilterFromParams(new URLSearchParams(d));
        if (r.ok) {
          expect(Number.isInteger(r.value.page) && r.value.page >= 1).toBe(true);
          expect(SERIES_SORTS).toContain(r.value.sort);
          if (r.value.status !== null) expect(SERIES_STATUSES).toContain(r.value.status);
          for (const t of [r.value.q, r.value.author]) if (t !== null) expect(t.length).toBeLessThanOrEqual(300);
        } else {
          expect(r.error.length).toBeGreaterThan(0);
        }
        expect(() => breakageFilterFromParams(new URLSearchParams(d))).not.toThrow();
        expect(() => fixupFilterFromParams(new URLSearchParams(d))).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });
});

describe('thread tree JSON', () => {
  const leaf = (id: string, children: ThreadTreeNode[] = []): ThreadTreeNode => ({ messageId: id, subject: `s ${id}`, from: { name: 'A "q" <b>', email: 'a@x' }, date: null, placeholder: false, children });

  it('is the same JSON as JSON.stringify for ordinary trees', () => {
    const tree = { threadId: 7, root: leaf('r', [leaf('a', [leaf('a1')]), leaf('b'), { ...leaf('c'), placeholder: true, subject: null, from: null }]) };
    expect(JSON.parse(threadTreeJson(tree))).toEqual(tree);
    const fields = {
      messageId: fc.string(),
      subject: fc.option(fc.string()),
      from: fc.option(fc.record({ name: fc.string(), email: fc.string() })),
      date: fc.option(fc.string()),
      placeholder: fc.boolean(),
    };
    const node: fc.Arbitrary<ThreadTreeNode> = fc.letrec<{ node: ThreadTreeNode }>((tie) => ({
      node: fc.oneof(
        { maxDepth: 6, depthIdentifier: 'tree' },
        fc.record({ ...fields, children: fc.constant<ThreadTreeNode[]>([]) }),
        fc.record({ ...fields, children: fc.array(tie('node'), { maxLength: 3 }) }),
      ),
    })).node;
    fc.assert(
      fc.property(node, fc.integer(), (root, threadId) => {
        expect(threadTreeJson({ threadId, root })).toBe(JSON.stringify({ threadId, root }));
      }),
      { numRuns: 200 },
    );
  });

  it('writes a 100,000-deep chain that JSON.stringify cannot', () => {
    const root = leaf('0');
    let n = root;
    for (let i = 1; i < 100_000; i++) {
      const c = leaf(String(i));
      n.children.push(c);
      n = c;
    }
    expect(() => JSON.stringify({ threadId: 1, root })).toThrow(RangeError);
    const json = threadTreeJson({ threadId: 1, root });
    expect(json.startsWith('{"threadId":1,"root":{"messageId":"0"')).toBe(true);
    expect(json.endsWith(']}'.repeat(100_000) + '}')).toBe(true);
  });
});
