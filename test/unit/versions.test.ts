import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assembleSeries } from '../../lib/series.ts';
import type { Mail } from '../../lib/mail/types.ts';
import {
  candidateFromDraft,
  linkedMessageIds,
  linkVersions,
  mentionedVersions,
  partialRerolls,
  supersededBy,
  versionChains,
  type VersionCandidate,
} from '../../lib/versions.ts';
import { corpusFiles, describeCorpus, loadMails } from '../helpers/corpus.ts';

/** Drafts of the given corpus files as version candidates, with each cover's (or lone patch's) text. */
async function candidates(...rels: string[]): Promise<VersionCandidate[]> {
  const mails: Mail[] = (await Promise.all(rels.map((r) => loadMails(r)))).flat();
  const byId = new Map(mails.map((m) => [m.messageId, m]));
  return assembleSeries(mails).map((d) => candidateFromDraft(d, byId.get(d.key)?.body));
}

function cand(key: string, over: Partial<VersionCandidate> = {}): VersionCandidate {
  return {
    key,
    title: 'mm: do the thing',
    version: 1,
    versionLabel: '',
    author: { name: 'A U Thor', email: 'author@example.org' },
    date: new Date('2024-01-01T10:00:00Z'),
    changeId: null,
    inReplyTo: null,
    messageIds: [key],
    ...over,
  };
}
const day = (n: number) => new Date(Date.UTC(2024, 0, 1 + n, 10));

describe('evidence extraction', () => {
  it('finds links to older postings in a cover letter', () => {
    const body = 'Changes in v4:\n- Link to v3: https://lore.kernel.org/r/20250211-xattrat-syscall-v3-1-a07d15f898b2@kernel.org\n' + 'v1:\nhttps://lore.kernel.org/linuxppc-dev/20250109174540.893098-1-aalbersh@kernel.org/\nhttps://lore.kernel.org/all/a%40b.c/\n';
    expect(linkedMessageIds(body)).toEqual(['20250211-xattrat-syscall-v3-1-a07d15f898b2@kernel.org', '20250109174540.893098-1-aalbersh@kernel.org', 'a@b.c']);
  });
  it('finds versions named in change notes', () => {
    expect(mentionedVersions('Changes since v4:\n - x\nv2 -> v3: y\nv1:\n - z\n').sort()).toEqual([1, 2, 4]);
    expect(mentionedVersions('This is version five of nothing in particular.')).toEqual([]);
  });
});

describe('linkVersions on hand-written postings', () => {
  it('links a title change through change notes and shared patch titles', () => {
    const v4 = cand('v4', { title: 'fs: introduce getfsxattrat and setfsxattrat syscalls', version: 4, versionLabel: '4', date: day(0), patchTitles: ['lsm: new hooks', 'fs: split converters', 'fs: introduce getfsxattrat'] });
    const v5 = cand('v5', { title: 'fs: introduce file_getattr and file_setattr syscalls', version: 5, versionLabel: '5', date: day(40), coverBody: 'Changes since v4:\n- renamed to file_getattr\n', patchTitles: ['fs: split helpers', 'lsm: new hooks', 'fs: split converters', 'fs: introduce file_getattr'] });
    const links = linkVersions([v5, v4]);
    expect(links).toHaveLength(1);
    expect(links[0]).toMatchObject({ olderKey: 'v4', newerKey: 'v5', kind: 'version' });
    expect(links[0].evidence).toEqual(expect.arrayContaining(['same author (author@example.org)', 'change notes mention v4', '2 patch titles shared', 'higher version (v4 → v5)', 'later date']));
    // the title alone would not have done it
    const bare = linkVersions([cand('a', { title: v4.title, version: 4, versionLabel: '4' }), cand('b', { title: v5.title, version: 5, versionLabel: '5', date: day(40) })]);
    expect(bare).toEqual([]);
  });

  it('links through a b4 change-id even across authors', () => {
    const links = linkVersions([
      cand('old', { changeId: '20240101-thing-abc', version: 2, versionLabel: '2' }),
      cand('new', { changeId: '20240101-thing-abc', version: 3, versionLabel: '3', title: 'completely new name', author: { name: 'New Owner', email: 'owner@example.com' }, date: day(30) }),
    ]);
    expect(links).toEqual([expect.objectContaining({ olderKey: 'old', newerKey: 'new', kind: 'version', evidence: expect.arrayContaining(['b4 change-id 20240101-thing-abc']) })]);
  });

  it('links a new version threaded into the previous one', () => {
    const links = linkVersions([
      cand('v1', { title: 'x: old name', messageIds: ['v1', 'v1-p1', 'v1-r1'] }),
      cand('v2', { title: 'x: new name', version: 2, versionLabel: '2', inReplyTo: 'v1-r1', date: day(3) }),
    ]);
    expect(links).toEqual([expect.objectContaining({ olderKey: 'v1', newerKey: 'v2', evidence: expect.arrayContaining(['threaded into the older posting']) })]);
  });

  it('does not link different authors, unrelated titles, or pull requests by title likeness', () => {
    expect(linkVersions([cand('a'), cand('b', { author: { name: 'Other', email: 'other@example.org' }, version: 2, versionLabel: '2', date: day(1) })])).toEqual([]);
    expect(linkVersions([cand('a', { title: 'x86/entry: fix foo' }), cand('b', { title: 'mm: rework the bar allocator', version: 2, versionLabel: '2', date: day(1) })])).toEqual([]);
    expect(linkVersions([cand('a', { title: 'soc: updates for v5.5', isPullRequest: true }), cand('b', { title: 'soc: updates for v5.6', isPullRequest: true, date: day(60) })])).toEqual([]);
    // the same short title years apart is a different series
    expect(linkVersions([cand('a', { title: 'MAINTAINERS: update my email' }), cand('b', { title: 'MAINTAINERS: update my email', date: day(900) })])).toEqual([]);
  });

  it('records a partial reroll without superseding its base', () => {
    const v5 = cand('v5', { version: 5, versionLabel: '5', messageIds: ['v5', 'v5-10'], total: 12 });
    const v51 = cand('v5.1', { version: 5, versionLabel: '5.1', partialRerollOf: 5, inReplyTo: 'v5-10', title: 'mm: patch ten', date: day(2) });
    const v6 = cand('v6', { version: 6, versionLabel: '6', date: day(20) });
    const links = linkVersions([v6, v51, v5]);
    expect(links.map((l) => `${l.olderKey}>${l.newerKey}:${l.kind}`).sort()).toEqual(['v5>v5.1:partial-reroll', 'v5>v6:version']);
    const chains = versionChains([v5, v51, v6], links);
    expect(chains).toEqual([['v5', 'v6']]);
    expect(partialRerolls(links)).toEqual(new Map([['v5', ['v5.1']]]));
    expect(supersededBy(chains)).toEqual(new Map([['v5', { by: 'v6', latest: 'v6' }]]));
  });

  it('never throws, and chains partition the postings', () => {
    const arb = fc.array(
      fc.record({
        title: fc.constantFrom('a: one', 'a: two', 'b: three four', ''),
        version: fc.integer({ min: 0, max: 5 }),
        minor: fc.option(fc.integer({ min: 1, max: 2 })),
        email: fc.constantFrom('a@x', 'b@x', ''),
        day: fc.option(fc.integer({ min: 0, max: 1000 })),
        changeId: fc.option(fc.constantFrom('c1', 'c2')),
        irt: fc.option(fc.nat()),
        body: fc.string({ maxLength: 60 }),
      }),
      { maxLength: 15 },
    );
    fc.assert(
      fc.property(arb, (rows) => {
        const cs = rows.map((r, i) =>
          cand(`k${i}`, {
            title: r.title,
            version: r.version,
            versionLabel: r.minor ? `${r.version}.${r.minor}` : String(r.version),
            partialRerollOf: r.minor ? r.version : null,
            author: { name: '', email: r.email },
            date: r.day === null ? null : day(r.day),
            changeId: r.changeId,
            inReplyTo: r.irt === null ? null : `k${r.irt % Math.max(1, rows.length)}`,
            coverBody: r.body,
          }),
        );
        const links = linkVersions(cs);
        for (const l of links) expect(l.olderKey).not.toBe(l.newerKey);
        expect(new Set(links.map((l) => l.newerKey)).size).toBe(links.length);
        const chains = versionChains(cs, links);
        const inChains = chains.flat();
        const rerolls = cs.filter((c) => c.partialRerollOf !== null).map((c) => c.key);
        expect(new Set(inChains).size).toBe(inChains.length);
        expect([...inChains, ...rerolls].sort()).toEqual(cs.map((c) => c.key).sort());
        for (const [, s] of supersededBy(chains)) expect(inChains).toContain(s.latest);
      }),
      { numRuns: 500 },
    );
  });
});

describeCorpus('linkVersions on the corpus', () => {
  it('chains file_getattr v1..v6 across the rename, with v5 resends', async () => {
    const cs = await candidates(...corpusFiles('lkml/threads/file_getattr-series'));
    const links = linkVersions(cs);
    const chains = versionChains(cs, links);
    expect(chains).toEqual([
      [
        '20250109174540.893098-1-aalbersh@kernel.org',
        '20250122-xattrat-syscall-v2-1-5b360d4fbcb2@kernel.org',
        '20250211-xattrat-syscall-v3-1-a07d15f898b2@kernel.org',
        '20250321-xattrat-syscall-v4-0-3e82e6fb3264@kernel.org',
        '20250512-xattrat-syscall-v5-0-a88b20e37aae@kernel.org',
        '20250512-xattrat-syscall-v5-5-ffbc7c477332@kernel.org',
        '20250512-xattrat-syscall-v5-0-4cd6821e8ff7@kernel.org',
        '20250513-xattrat-syscall-v5-0-22bb9c6c767f@kernel.org',
        '20250630-xattrat-syscall-v6-0-c4e3bc35227b@kernel.org',
      ],
    ]);
    expect(links.map((l) => l.kind)).toEqual(['version', 'version', 'version', 'version', 'resend', 'resend', 'resend', 'version']);
    const byNewer = new Map(links.map((l) => [l.newerKey, l]));
    // v1 was not sent with b4: v2 links back through its cover text and the title
    expect(byNewer.get('20250122-xattrat-syscall-v2-1-5b360d4fbcb2@kernel.org')?.evidence).toEqual(
      expect.arrayContaining(['same title', 'cover links to the older posting (20250109174540.893098-1-aalbersh@kernel.org)', 'change notes mention v1']),
    );
    // the rename getfsxattrat → file_getattr at v5: no same title, but b4 and the change notes
    const v5 = byNewer.get('20250512-xattrat-syscall-v5-0-a88b20e37aae@kernel.org');
    expect(v5?.olderKey).toBe('20250321-xattrat-syscall-v4-0-3e82e6fb3264@kernel.org');
    expect(v5?.evidence).not.toContain('same title');
    expect(v5?.evidence).toEqual(expect.arrayContaining(['b4 change-id 20250114-xattrat-syscall-6a1136d2db59', 'change notes mention v4', 'higher version (v4 → v5)']));
    // v6 supersedes everything; the last v5 posting is what v6's cover links to
    const sup = supersededBy(chains);
    expect(sup.get('20250109174540.893098-1-aalbersh@kernel.org')).toEqual({ by: '20250122-xattrat-syscall-v2-1-5b360d4fbcb2@kernel.org', latest: '20250630-xattrat-syscall-v6-0-c4e3bc35227b@kernel.org' });
    expect(byNewer.get('20250630-xattrat-syscall-v6-0-c4e3bc35227b@kernel.org')?.evidence).toContain('cover links to the older posting (20250513-xattrat-syscall-v5-0-22bb9c6c767f@kernel.org)');
    expect(sup.has('20250630-xattrat-syscall-v6-0-c4e3bc35227b@kernel.org')).toBe(false);
  });

  it('chains lsm-syscalls v4 → v5 → v6 and multi_clock_gettime v3 → v4 → v5 apart from each other', async () => {
    const cs = await candidates(...corpusFiles('lkml/threads/lsm-syscalls'), ...corpusFiles('lkml/threads/multi_clock_gettime'));
    const chains = versionChains(cs, linkVersions(cs));
    expect(chains).toEqual([
      ['20221229233454.43880-1-casey@schaufler-ca.com', '20230109180717.58855-1-casey@schaufler-ca.com', '20230222200838.8149-1-casey@schaufler-ca.com'],
      ['20231228122411.3189-1-maimon.sagi@gmail.com', '20231231170721.3381-1-maimon.sagi@gmail.com', '20240102091855.70418-1-maimon.sagi@gmail.com'],
    ]);
  });

  it('treats patchwork unlabeled re-postings as patchwork expects: two series, in order', async () => {
    const changed = await candidates('patchwork-mail/series/revision-unlabeled.mbox');
    expect(linkVersions(changed)).toEqual([
      expect.objectContaining({ olderKey: '1473632524-8585-1-git-send-email-stephenfinucane@gmail.com', newerKey: '1473633201-10585-1-git-send-email-stephenfinucane@gmail.com', kind: 'version' }),
    ]);
    const same = await candidates('patchwork-mail/series/revision-unlabeled-noreferences.mbox');
    const links = linkVersions(same);
    expect(links).toEqual([expect.objectContaining({ olderKey: '1495516865-17019-1-git-send-email-xiaolou4617@gmail.com', newerKey: '1495516865-17091-1-git-send-email-xiaolou4617@gmail.com', kind: 'resend' })]);
    expect(versionChains(same, links)).toHaveLength(1);
  });

  it('links every labelled patchwork revision fixture, and not the orphaned patch', async () => {
    for (const name of ['revision-basic', 'revision-no-cover-letter', 'revision-out-of-order', 'revision-threaded-to-cover', 'revision-threaded-to-patch', 'revision-threaded-to-single-patch', 'bugs-nocover']) {
      const cs = await candidates(`patchwork-mail/series/${name}.mbox`);
      const links = linkVersions(cs);
      expect(links.map((l) => l.kind), name).toEqual(['version']);
      expect(versionChains(cs, links), name).toEqual([cs.map((c) => c.key)]);
    }
    const orphan = await candidates('patchwork-mail/series/bugs-unnumbered.mbox');
    expect(linkVersions(orphan)).toEqual([]);
  });

  it('records b4 partial reroll v3 2/2 against v2', async () => {
    const cs = await candidates('b4-samples/trailers-followup-partial-reroll.mbox');
    const links = linkVersions(cs);
    expect(links).toEqual([expect.objectContaining({ olderKey: 'cover-message@example.com', newerKey: 'patch-v3-2-message@example.com', kind: 'partial-reroll' })]);
    expect(versionChains(cs, links)).toEqual([['cover-message@example.com']]);
  });
});
