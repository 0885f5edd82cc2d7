import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ancestorsOf,
  connectedIds,
  flattenTree,
  parentOf,
  subjectThreadKey,
  threadMessages,
  type ThreadInput,
} from '../../lib/threading.ts';
import type { Mail } from '../../lib/mail/types.ts';
import { describeCorpus, loadMails } from '../helpers/corpus.ts';

function msg(id: string, opts: Partial<ThreadInput> = {}): ThreadInput {
  return { messageId: id, inReplyTo: null, references: [], subject: id, date: null, ...opts };
}
const at = (minute: number) => new Date(Date.UTC(2024, 0, 1, 0, minute));

function toInput(m: Mail): ThreadInput {
  return { messageId: m.messageId, inReplyTo: m.inReplyTo, references: m.references, subject: m.subject, date: m.date };
}

/** The forest as "depth:id" lines (placeholders starred): what must not depend on input order. */
function shape(msgs: ThreadInput[]): string[] {
  return flattenTree(threadMessages(msgs)).map((n) => `${n.depth}:${n.placeholder ? '*' : ''}${n.messageId}`);
}

describe('parentOf / ancestorsOf / connectedIds', () => {
  it('prefers In-Reply-To, else the last reference', () => {
    expect(parentOf(msg('c', { inReplyTo: 'b', references: ['a', 'x'] }))).toBe('b');
    expect(parentOf(msg('c', { references: ['a', 'b'] }))).toBe('b');
    expect(parentOf(msg('c'))).toBeNull();
  });
  it('ignores self-references and the Yahoo ".ref" echo', () => {
    const cover = msg('20221229233454.43880-1-casey@schaufler-ca.com', { references: ['20221229233454.43880-1-casey.ref@schaufler-ca.com'] });
    expect(parentOf(cover)).toBeNull();
    expect(parentOf(msg('a@x', { inReplyTo: 'a@x', references: ['a@x'] }))).toBeNull();
  });
  it('lists ancestors nearest first and the ids a union-find needs', () => {
    const m = msg('d', { inReplyTo: 'c', references: ['a', 'b', 'c'] });
    expect(ancestorsOf(m)).toEqual(['c', 'b', 'a']);
    expect(connectedIds(m)).toEqual(['d', 'c', 'b', 'a']);
  });
  it('keys subject fallback by the subject without reply markers', () => {
    expect(subjectThreadKey({ subject: 'Re: RE: [PATCH 1/2] Foo  bar' })).toBe('[patch 1/2] foo bar');
    expect(subjectThreadKey({ subject: 'Re: ' })).toBeNull();
  });
});

describe('threadMessages', () => {
  it('builds a tree with placeholders for missing parents', () => {
    const msgs = [
      msg('cover', { date: at(0) }),
      msg('p1', { inReplyTo: 'cover', references: ['cover'], date: at(1) }),
      msg('p2', { inReplyTo: 'cover', references: ['cover'], date: at(2) }),
      msg('r1', { inReplyTo: 'p1', references: ['cover', 'p1'], date: at(10) }),
      msg('orphan-reply', { inReplyTo: 'lost', references: ['lost-root', 'lost'], date: at(5) }),
    ];
    expect(shape(msgs)).toEqual(['0:cover', '1:p1', '2:r1', '1:p2', '0:*lost-root', '1:*lost', '2:orphan-reply']);
  });

  it('threads input given out of order, with children by date then id', () => {
    const msgs = [
      msg('r2', { inReplyTo: 'p', references: ['p'], date: at(3) }),
      msg('r1b', { inReplyTo: 'p', references: ['p'], date: at(2) }),
      msg('r1a', { inReplyTo: 'p', references: ['p'], date: at(2) }),
      msg('p', { date: at(0) }),
    ];
    expect(shape(msgs)).toEqual(['0:p', '1:r1a', '1:r1b', '1:r2']);
  });

  it('breaks reference loops at the earliest message', () => {
    const msgs = [
      msg('a', { inReplyTo: 'c', date: at(1) }),
      msg('b', { inReplyTo: 'a', date: at(2) }),
      msg('c', { inReplyTo: 'b', date: at(3) }),
      msg('self', { inReplyTo: 'self', date: at(4) }),
    ];
    expect(shape(msgs)).toEqual(['0:a', '1:b', '2:c', '0:self']);
  });

  it('falls back to the subject only when the headers give nothing', () => {
    const msgs = [
      msg('root', { subject: '[PATCH] foo: bar', date: at(0) }),
      msg('headerless', { subject: 'Re: [PATCH] foo: bar', date: at(5) }),
      msg('other-thread', { subject: 'Re: [PATCH] foo: bar', inReplyTo: 'elsewhere', date: at(6) }),
      msg('no-match', { subject: 'Re: something else', date: at(7) }),
    ];
    expect(shape(msgs)).toEqual(['0:root', '1:headerless', '0:*elsewhere', '1:other-thread', '0:no-match']);
  });

  it('picks the latest earlier root for a headerless reply when a subject repeats', () => {
    const msgs = [
      msg('old', { subject: 'Status', date: at(0) }),
      msg('new', { subject: 'Status', date: at(100) }),
      msg('reply', { subject: 'Re: Status', date: at(120) }),
    ];
    expect(shape(msgs)).toEqual(['0:old', '0:new', '1:reply']);
  });

  it('keeps one copy of a duplicated Message-ID whatever the order', () => {
    const a = msg('dup', { subject: 'first', date: at(1) });
    const b = msg('dup', { subject: 'second', inReplyTo: 'x', date: at(2) });
    expect(shape([a, b])).toEqual(shape([b, a]));
    expect(shape([a, b])).toEqual(['0:dup']);
  });

  it('gives the same forest for any input order (random graphs)', () => {
    const graph = fc.array(
      fc.record({
        id: fc.integer({ min: 0, max: 25 }),
        irt: fc.option(fc.integer({ min: 0, max: 30 })),
        refs: fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 4 }),
        minute: fc.option(fc.integer({ min: 0, max: 20 })),
        reply: fc.boolean(),
      }),
      { maxLength: 30 },
    );
    fc.assert(
      fc.property(graph, fc.infiniteStream(fc.nat()), (nodes, rand) => {
        const seen = new Set<number>();
        const msgs = nodes
          .filter((n) => !seen.has(n.id) && seen.add(n.id))
          .map((n) =>
            msg(`m${n.id}`, {
              inReplyTo: n.irt === null ? null : `m${n.irt}`,
              references: n.refs.map((r) => `m${r}`),
              subject: n.reply ? 'Re: topic' : 'topic',
              date: n.minute === null ? null : at(n.minute),
            }),
          );
        const shuffled = [...msgs];
        const it = rand[Symbol.iterator]();
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = (it.next().value as number) % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
        }
        const a = shape(msgs);
        expect(shape(shuffled)).toEqual(a);
        // every message appears exactly once
        const real = a.filter((l) => !l.includes('*')).map((l) => l.split(':')[1]);
        expect(real.sort()).toEqual(msgs.map((m) => m.messageId).sort());
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on hostile header values', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ id: fc.string({ maxLength: 5 }), irt: fc.option(fc.string({ maxLength: 5 })), refs: fc.array(fc.string({ maxLength: 5 }), { maxLength: 5 }), subject: fc.string({ maxLength: 30 }) }), { maxLength: 20 }),
        (rows) => {
          const forest = threadMessages(rows.map((r) => msg(r.id, { inReplyTo: r.irt, references: r.refs, subject: r.subject })));
          for (const n of flattenTree(forest)) expect(typeof n.messageId).toBe('string');
        },
      ),
      { numRuns: 500 },
    );
  });

  it('handles a 10,000-deep reply chain without recursion', () => {
    const msgs: ThreadInput[] = [msg('m0', { date: at(0) })];
    for (let i = 1; i < 10_000; i++) msgs.push(msg(`m${i}`, { inReplyTo: `m${i - 1}`, date: new Date(Date.UTC(2024, 0, 1) + i * 1000) }));
    msgs.reverse();
    const flat = flattenTree(threadMessages(msgs));
    expect(flat).toHaveLength(10_000);
    expect(flat[9_999]).toMatchObject({ messageId: 'm9999', depth: 9_999, parentId: 'm9998' });
  });

  it('threads 20,000 messages quickly', () => {
    const msgs: ThreadInput[] = [];
    for (let t = 0; t < 1000; t++) {
      const root = `t${t}-0`;
      msgs.push(msg(root, { date: new Date(Date.UTC(2024, 0, 1) + t * 60_000) }));
      for (let i = 1; i < 20; i++) {
        const parent = `t${t}-${Math.floor((i - 1) / 2)}`;
        msgs.push(msg(`t${t}-${i}`, { inReplyTo: parent, references: [root, parent], date: new Date(Date.UTC(2024, 0, 1) + t * 60_000 + i * 1000) }));
      }
    }
    const t0 = performance.now();
    const forest = threadMessages(msgs);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(forest).toHaveLength(1000);
    expect(flattenTree(forest)).toHaveLength(20_000);
  });
});

describeCorpus('threading real threads', () => {
  it('threads lsm-syscalls v4 under its cover despite the bogus .ref reference', async () => {
    const mails = await loadMails('lkml/threads/lsm-syscalls/v4-0of8.mbox');
    const forest = threadMessages(mails.map(toInput));
    expect(forest).toHaveLength(1);
    expect(forest[0]).toMatchObject({ messageId: '20221229233454.43880-1-casey@schaufler-ca.com', placeholder: false });
    expect(forest[0].children.map((c) => c.messageId)).toEqual([2, 3, 4, 5, 6, 7, 8, 9].map((n) => `20221229233454.43880-${n}-casey@schaufler-ca.com`));
    // the kernel test robot's reply hangs under patch 2/8
    const p2 = forest[0].children[1];
    expect(p2.children).toHaveLength(1);
    expect(mails.find((m) => m.messageId === p2.children[0].messageId)?.from.email).toBe('yujie.liu@intel.com');
  });

  it('gives identical forests for shuffled real threads (file_getattr v5, both files)', async () => {
    const mails = [
      ...(await loadMails('lkml/threads/file_getattr-series/v5-0of7-file_getattr-2025-05-12-sent-twice.mbox')),
      ...(await loadMails('lkml/threads/file_getattr-series/v5-0of7-file_getattr-2025-05-13-resend.mbox')),
    ].map(toInput);
    const expected = shape(mails);
    // three postings on 05-12 (one of them only as its stray 5/7 under a missing cover) and the 05-13 one
    const roots = flattenTree(threadMessages(mails)).filter((n) => n.depth === 0);
    expect(roots.map((r) => `${r.placeholder ? '*' : ''}${r.messageId}`)).toEqual([
      '20250512-xattrat-syscall-v5-0-a88b20e37aae@kernel.org',
      '*20250512-xattrat-syscall-v5-0-ffbc7c477332@kernel.org',
      '20250512-xattrat-syscall-v5-0-4cd6821e8ff7@kernel.org',
      '20250513-xattrat-syscall-v5-0-22bb9c6c767f@kernel.org',
    ]);
    fc.assert(
      fc.property(fc.shuffledSubarray(mails, { minLength: mails.length, maxLength: mails.length }), (shuffled) => {
        expect(shape(shuffled)).toEqual(expected);
      }),
      { numRuns: 30 },
    );
  });
});
