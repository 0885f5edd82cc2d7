import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeTitle, parseSubject, stripReplyPrefixes, type SubjectInfo } from '../../lib/subject.ts';
import { corpusFiles, describeCorpus, loadMails } from '../helpers/corpus.ts';

type Expect = Partial<SubjectInfo>;

const TABLE: [string, Expect][] = [
  ['[PATCH] foo: bar', { isPatch: true, version: 1, versionLabel: '', number: null, total: null, title: 'foo: bar', tags: [] }],
  ['[PATCH v3 02/14] mm: fix', { version: 3, versionLabel: '3', number: 2, total: 14, title: 'mm: fix', rfc: false }],
  ['[PATCH RFC v3 2/14] mm: fix', { version: 3, number: 2, total: 14, rfc: true, isPatch: true }],
  ['[RFC PATCH v3 02/14] mm: fix', { version: 3, number: 2, total: 14, rfc: true, isPatch: true }],
  ['[PATCH net-next v4 0/7] net: dsa: x', { version: 4, number: 0, total: 7, tags: ['net-next'], title: 'net: dsa: x' }],
  ['[PATCHv3 1/2] x86: y', { isPatch: true, version: 3, versionLabel: '3', number: 1, total: 2 }],
  ['[PATCH V2 0/4] PM / OPP: Minor cleanups', { version: 2, number: 0, total: 4, title: 'PM / OPP: Minor cleanups' }],
  ['[PATCH v6,19/24] drm: z', { version: 6, number: 19, total: 24 }],
  ['[net-next,v3,0/4] net: cover', { isPatch: true, version: 3, number: 0, total: 4, tags: ['net-next'] }],
  ['[PATCH1/8] arch: q', { isPatch: true, version: 1, number: 1, total: 8 }],
  ['[PATCH 1 of 3] contrib: fix check-commit', { isPatch: true, number: 1, total: 3, title: 'contrib: fix check-commit' }],
  ['[PATCH 0 of 2] Sample Mercurial patches', { number: 0, total: 2 }],
  ['[PATCH v5.1 10/12] mm: reroll', { version: 5, versionLabel: '5.1', number: 10, total: 12 }],
  ['[PATCH RESEND v2 1/3] a: b', { resend: true, version: 2, number: 1, total: 3 }],
  ['[RESEND PATCH] a: b', { resend: true, isPatch: true }],
  ['[PATCH v2 RESEND 3/3] a: b', { resend: true, version: 2, number: 3 }],
  ['[GIT PULL] soc: updates for v5.5', { isPullRequest: true, isPatch: false, title: 'soc: updates for v5.5', version: 1 }],
  ['[git pull] Please pull powerpc.git next branch', { isPullRequest: true, isPatch: false, title: 'Please pull powerpc.git next branch' }],
  ['[GIT] Networking', { isPullRequest: true, isPatch: false, title: 'Networking' }],
  ['[PULL] qemu-devel tree', { isPullRequest: true }],
  ['Please pull the locking tree', { isPullRequest: true, isPatch: false }],
  ['Re: Please pull the locking tree', { isPullRequest: false, isReply: true }],
  ['[Buildroot] [PATCH 01/11] package/rpi-userland: rename patches', { tags: ['Buildroot'], number: 1, total: 11, isPatch: true, prefixes: ['Buildroot', 'PATCH 01/11'] }],
  ['[dpdk-dev] [PATCH] kni: fix compilation error when debug enabled', { tags: ['dpdk-dev'], isPatch: true, title: 'kni: fix compilation error when debug enabled' }],
  ['[dpdk-dev] Re: [PATCH] kni: fix', { tags: ['dpdk-dev'], isReply: true, isPatch: true, title: 'kni: fix' }],
  ['[PATCH -next] bpf: Use PTR_ERR_OR_ZERO', { tags: ['-next'], isPatch: true }],
  ['[PATCH 5.10 001/123] stable thing', { tags: ['5.10'], number: 1, total: 123, version: 1 }],
  ['[Patch 2/2]: powerpc/hotplug/mm: Fix hot-add memory node assoc', { number: 2, total: 2, title: 'powerpc/hotplug/mm: Fix hot-add memory node assoc' }],
  ['[PATCH net-next v3 0/4] net: dsa: Multi-CPU ground work (v3)', { version: 3, title: 'net: dsa: Multi-CPU ground work (v3)' }],
  ['[PATCH] foo: bar (v2)', { version: 2, versionLabel: '2' }],
  ['Re: [PATCH 00/14] VFS: Filesystem information [ver #18]', { isReply: true, number: 0, total: 14, version: 18 }],
  ['[tip: x86/entry] x86/entry: Remove ABI prefixes', { isPatch: false, tags: ['tip: x86/entry'], title: 'x86/entry: Remove ABI prefixes' }],
  ['[kbuild:kbuild 50/55] efi.c:undefined reference', { isPatch: false, number: 50, total: 55, tags: ['kbuild:kbuild'] }],
  ['[PATCH] fixup! mm: fix the thing', { isFixupBang: 'fixup', title: 'mm: fix the thing' }],
  ['squash! mm: fix the thing', { isFixupBang: 'squash', title: 'mm: fix the thing', isPatch: false }],
  ['[PATCH 3/8] fixup! fixup! mm: x', { isFixupBang: 'fixup', title: 'mm: x' }],
  ['[PATCH] fw: load the firmware', { isForward: false, title: 'fw: load the firmware' }],
  ['[RFC] idea: a new syscall', { rfc: true, isPatch: true }],
  ['', { title: '', isPatch: false, version: 1, prefixes: [] }],
];

const REPLIES: [string, { isReply: boolean; isForward: boolean; number: number | null; title: string }][] = [
  ['Re: [PATCH 0/8] use struct pt_regs based syscall calling for x86-64', { isReply: true, isForward: false, number: 0, title: 'use struct pt_regs based syscall calling for x86-64' }],
  ['RE: [PATCH v2 3/5] x', { isReply: true, isForward: false, number: 3, title: 'x' }],
  ['AW: [PATCH] x', { isReply: true, isForward: false, number: null, title: 'x' }],
  ['Aw: Re: [PATCH 1/2] x', { isReply: true, isForward: false, number: 1, title: 'x' }],
  ['Fwd: [PATCH 2/2] x', { isReply: false, isForward: true, number: 2, title: 'x' }],
  ['Fw: [PATCH 2/2] x', { isReply: false, isForward: true, number: 2, title: 'x' }],
  ['Re: Re: [PATCH] x', { isReply: true, isForward: false, number: null, title: 'x' }],
  ['Re: Fwd: Re: [PATCH 4/4] x', { isReply: true, isForward: true, number: 4, title: 'x' }],
  ['Re:[PATCH 1/3] x', { isReply: true, isForward: false, number: 1, title: 'x' }],
  ['Re[2]: [PATCH 1/3] x', { isReply: true, isForward: false, number: 1, title: 'x' }],
  ['Re: linux-next: Tree for May 25 (fs/io_uring)', { isReply: true, isForward: false, number: null, title: 'linux-next: Tree for May 25 (fs/io_uring)' }],
];

describe('parseSubject', () => {
  it.each(TABLE)('%s', (subject, expected) => {
    const info = parseSubject(subject);
    expect(info).toMatchObject(expected);
  });

  it.each(REPLIES)('reply markers: %s', (subject, expected) => {
    expect(parseSubject(subject)).toMatchObject(expected);
  });

  it('keeps every bracket group raw', () => {
    expect(parseSubject('[Buildroot] [PATCH v2 01/11] pkg: x').prefixes).toEqual(['Buildroot', 'PATCH v2 01/11']);
  });

  it('caps hostile subjects and stays fast', () => {
    const huge = '[PATCH v2 1/2] ' + 'x '.repeat(2_500_000);
    const brackets = '['.repeat(1_000_000) + ']'.repeat(1_000_000);
    const manyRe = 'Re: '.repeat(500_000) + '[PATCH] x';
    const t0 = performance.now();
    expect(parseSubject(huge).number).toBe(1);
    parseSubject(brackets);
    parseSubject(manyRe);
    parseSubject('['.repeat(299) + 'PATCH 1/2' + ']'.repeat(299));
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it('never throws and returns well-formed output on random strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => wellFormed(parseSubject(s))),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.array(fc.constantFrom('[', ']', 'PATCH', ' ', 'v', '2', '/', ',', 'Re:', 'of', 'RFC', '.', '1', 'fixup!', 'GIT', 'PULL', '\t'), { maxLength: 40 }), (parts) =>
        wellFormed(parseSubject(parts.join(''))),
      ),
      { numRuns: 2000 },
    );
  });
});

function wellFormed(info: SubjectInfo): boolean {
  expect(Number.isInteger(info.version)).toBe(true);
  expect(info.version).toBeGreaterThanOrEqual(0);
  expect(info.versionLabel).toMatch(/^(\d+(\.\d+)?)?$/);
  if (info.versionLabel) expect(Number(info.versionLabel.split('.')[0])).toBe(info.version);
  expect(info.number === null).toBe(info.total === null);
  if (info.total !== null) expect(info.total).toBeGreaterThan(0);
  expect(info.title).toBe(info.title.replace(/\s+/g, ' ').trim());
  expect(Array.isArray(info.prefixes) && Array.isArray(info.tags)).toBe(true);
  return true;
}

describe('stripReplyPrefixes and normalizeTitle', () => {
  it('strips only the reply markers', () => {
    expect(stripReplyPrefixes('Re: AW: [PATCH v2 1/3]  foo')).toBe('[PATCH v2 1/3] foo');
    expect(stripReplyPrefixes('[PATCH] Re: x')).toBe('[PATCH] Re: x');
  });
  it('compares titles across versions', () => {
    expect(normalizeTitle('fs: introduce file_getattr and file_setattr syscalls')).toBe('fs introduce file getattr and file setattr syscalls');
    expect(normalizeTitle('Net: DSA: Multi-CPU ground work (v3)')).toBe(normalizeTitle('net: dsa: multi-cpu ground work'));
    expect(normalizeTitle('VFS: Filesystem information [ver #18]')).toBe('vfs filesystem information');
    expect(normalizeTitle('fs: introduce getfsxattrat')).not.toBe(normalizeTitle('fs: introduce file_getattr'));
  });
});

describeCorpus('subjects of the corpus', () => {
  it('parses every subject without throwing, including mutated ones', async () => {
    const files = corpusFiles().filter((f) => /\.(mbox|eml|txt|patch|template)$/.test(f) && !f.includes('MANIFEST') && !f.startsWith('licenses'));
    const subjects: string[] = [];
    for (const f of files) for (const m of await loadMails(f)) subjects.push(m.subject);
    expect(subjects.length).toBeGreaterThan(400);
    for (const s of subjects) wellFormed(parseSubject(s));
    fc.assert(
      fc.property(fc.constantFrom(...subjects), fc.nat(), fc.string({ maxLength: 12 }), (s, at, junk) => {
        const i = s.length ? at % s.length : 0;
        return wellFormed(parseSubject(s.slice(0, i) + junk + s.slice(i)));
      }),
      { numRuns: 1000 },
    );
  });

  it('reads the real series subjects as a maintainer would', async () => {
    const v6 = await loadMails('lkml/threads/lsm-syscalls/v6-0of11.mbox');
    const cover = parseSubject(v6[0].subject);
    expect(cover).toMatchObject({ version: 6, number: 0, total: 11, title: 'LSM: Three basic syscalls', isReply: false });
    const numbers = v6.map((m) => parseSubject(m.subject)).filter((i) => !i.isReply).map((i) => i.number);
    expect(numbers).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const replies = v6.filter((m) => parseSubject(m.subject).isReply);
    expect(replies.length).toBe(17);
    const pull = await loadMails('patchwork-mail/mail/0017-git-pull-request-git-2-14-3.mbox');
    expect(parseSubject(pull[0].subject).isPullRequest).toBe(true);
  });
});
