import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assembleSeries, b4MessageIdStem, findChangeId, hasPullRequestText, isPatchMail, type SeriesDraft } from '../../lib/series.ts';
import { messagesOfFile } from '../../lib/mail/read.ts';
import { parseSubject } from '../../lib/subject.ts';
import { parseMail } from '../../lib/mail/parse.ts';
import type { Mail } from '../../lib/mail/types.ts';
import { corpusFiles, describeCorpus, loadMails, mailFromText } from '../helpers/corpus.ts';

const SEED = join(import.meta.dirname, '../fixtures/seed');

async function loadAll(...rels: string[]): Promise<Mail[]> {
  return (await Promise.all(rels.map((r) => loadMails(r)))).flat();
}

/** One line per draft: what a maintainer would check first. */
function summary(drafts: SeriesDraft[]): string[] {
  return drafts.map(
    (d) =>
      `v${d.versionLabel || '1'} ${d.coverMessageId ? 'cover+' : ''}[${d.patches.map((p) => p.number).join(',')}]/${d.total}` +
      `${d.missing.length ? ` missing ${d.missing.join(',')}` : ''}${d.resend ? ' resend' : ''}${d.isPullRequest ? ' pull' : ''}` +
      `${d.patches.some((p) => p.partialRerollOf !== undefined) ? ` reroll-of-v${d.patches[0].partialRerollOf}` : ''} "${d.title}"`,
  );
}

function shuffle<T>(xs: T[], seed: number): T[] {
  const out = [...xs];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const PATCH_BODY = `Does a thing.

Signed-off-by: A U Thor <author@example.org>
---
 a.c | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)

diff --git a/a.c b/a.c
index 1111111..2222222 100644
--- a/a.c
+++ b/a.c
@@ -1,3 +1,3 @@
 int a;
-int b;
+int c;
 int d;
--
2.40.0
`;

function mailText(headers: Record<string, string>, body: string): string {
  const h = { From: 'A U Thor <author@example.org>', Date: 'Mon, 1 Jan 2024 10:00:00 +0000', ...headers };
  return Object.entries(h).map(([k, v]) => `${k}: ${v}`).join('\n') + '\n\n' + body;
}

describe('isPatchMail', () => {
  it('takes a diff in the author own text', async () => {
    expect(isPatchMail(await mailFromText(mailText({ 'Message-ID': '<p@x>', Subject: '[PATCH] a: b' }, PATCH_BODY)))).toBe(true);
    expect(isPatchMail(await mailFromText(mailText({ 'Message-ID': '<p@x>', Subject: 'a: b without prefix' }, PATCH_BODY)))).toBe(true);
  });
  it('ignores a diff that is only quoted', async () => {
    const quoted = 'On Mon, A wrote:\n' + PATCH_BODY.split('\n').map((l) => `> ${l}`).join('\n') + '\nLooks good.\n';
    expect(isPatchMail(await mailFromText(mailText({ 'Message-ID': '<q@x>', Subject: '[PATCH] a: b' }, quoted)))).toBe(false);
  });
  it('does not take replies carrying a diff (fixups are handled elsewhere)', async () => {
    expect(isPatchMail(await mailFromText(mailText({ 'Message-ID': '<r@x>', Subject: 'Re: [PATCH 8/8] a: b' }, PATCH_BODY)))).toBe(false);
  });
  it('takes a text/x-patch attachment when the subject says PATCH', async () => {
    const raw = mailText(
      { 'Message-ID': '<att@x>', Subject: '[PATCH] attach', 'MIME-Version': '1.0', 'Content-Type': 'multipart/mixed; boundary="b"' },
      `--b\nContent-Type: text/plain\n\nSee attached.\n--b\nContent-Type: text/x-patch; name="0001-a.patch"\nContent-Disposition: attachment; filename="0001-a.patch"\n\n${PATCH_BODY}\n--b--\n`,
    );
    expect(isPatchMail(await mailFromText(raw))).toBe(true);
    const noPrefix = raw.replace('Subject: [PATCH] attach', 'Subject: logs attached');
    expect(isPatchMail(await mailFromText(noPrefix))).toBe(false);
  });
  it('handles 5 MB bodies well under a second each', async () => {
    const base = await mailFromText(mailText({ 'Message-ID': '<big@x>', Subject: '[PATCH] big' }, 'intro\n'));
    const timed = (mail: Mail, patch: boolean) => {
      const t0 = performance.now();
      expect(isPatchMail(mail)).toBe(patch);
      expect(assembleSeries([mail])).toHaveLength(patch ? 1 : 0);
      expect(performance.now() - t0).toBeLessThan(1000);
    };
    const line = 'x'.repeat(80) + '\n';
    timed({ ...base, body: line.repeat(Math.ceil((5 << 20) / line.length)) + PATCH_BODY }, true);
    timed({ ...base, body: 'y'.repeat(5 << 20) }, false);
    // an unprefixed diff after 5 MB (100k lines) of whitespace and dashes: the embedded-patch check stays linear
    timed({ ...base, subject: 'no prefix', body: (' '.repeat(25) + '-'.repeat(25) + ' \n').repeat(100_000) + PATCH_BODY }, true);
    timed({ ...base, body: '> quoted\n'.repeat(500_000) }, false);
  });
  it('never throws on random bodies and subjects', async () => {
    const base = await mailFromText(mailText({ 'Message-ID': '<fz@x>', Subject: '[PATCH] fz' }, 'x\n'));
    const token = fc.constantFrom('diff --git a/x b/x', '--- a/x', '+++ b/x', '@@ -1 +1 @@', '@@@ -1,1 +1,1 @@', '-a', '+b', ' c', '> ', 'Subject: [PATCH] y', '8<---', 'Index: f', '====', 'The following changes since commit abc', 'are available in the Git repository at:', '', 'change-id: 1-2-3');
    fc.assert(
      fc.property(fc.array(fc.oneof(token, fc.string({ maxLength: 20 })), { maxLength: 40 }), fc.string({ maxLength: 40 }), (lines, subject) => {
        const m = { ...base, subject, body: lines.join('\n') };
        const patch = isPatchMail(m);
        const drafts = assembleSeries([m]);
        expect(typeof patch).toBe('boolean');
        // a lone mail forms at most one draft, holding only itself; a PATCH-prefixed patch always does
        expect(drafts.length).toBeLessThanOrEqual(1);
        if (patch && parseSubject(subject).isPatch) expect(drafts).toHaveLength(1);
        for (const d of drafts) expect(d.messageIds).toEqual(['fz@x']);
      }),
      { numRuns: 1000 },
    );
  });
  it('reads b4 change-id and Message-ID stems', () => {
    expect(findChangeId('---\nbase-commit: abc\nchange-id: 20250114-xattrat-syscall-6a1136d2db59\n\nBest regards,\n')).toBe('20250114-xattrat-syscall-6a1136d2db59');
    expect(b4MessageIdStem('20250512-xattrat-syscall-v5-3-a88b20e37aae@kernel.org')).toBe('xattrat-syscall');
    expect(b4MessageIdStem('20170613191725.26625-1-f.fainelli@gmail.com')).toBeNull();
  });
});

describeCorpus('isPatchMail on the corpus', () => {
  it('tells pull requests from patches, even with a diff', async () => {
    for (const f of ['0001-git-pull-request', '0002-git-pull-request-wrapped', '0003-git-pull-request-with-diff', '0004-git-pull-request-git+ssh', '0005-git-pull-request-ssh', '0006-git-pull-request-http', '0017-git-pull-request-git-2-14-3', '0023-git-pull-request-newline-in-url', '0024-git-pull-request-trailing-space']) {
      const [m] = await loadMails(`patchwork-mail/mail/${f}.mbox`);
      expect(isPatchMail(m), f).toBe(false);
      const [d] = assembleSeries([m]);
      expect(d, f).toMatchObject({ isPullRequest: true, patches: [], coverMessageId: m.messageId });
    }
    const [withDiff] = await loadMails('patchwork-mail/mail/0003-git-pull-request-with-diff.mbox');
    expect(hasPullRequestText(withDiff.body)).toBe(true);
  });
  it('classifies the parser fixtures like patchwork', async () => {
    const patches = ['0007-cvs-format-diff', '0008-git-rename', '0009-git-rename-with-diff', '0010-invalid-charset', '0011-no-newline-at-end-of-file', '0012-invalid-header-char', '0019-multipart-patch', '0021-git-empty-new-file', '0022-git-mode-change', '0013-with-utf8-body', '0016-no-subject', '0025-git-add-binary-file', '0026-git-add-mixed-binary-text-files', '0027-git-modify-binary-file'];
    for (const f of patches) {
      const [m] = await loadMails(`patchwork-mail/mail/${f}.mbox`);
      expect(isPatchMail(m), f).toBe(true);
    }
    for (const f of ['0020-multipart-comment']) {
      const [m] = await loadMails(`patchwork-mail/mail/${f}.mbox`);
      expect(isPatchMail(m), f).toBe(false);
    }
  });
  it('does not count replies with inline fixups or quoted diffs as patches', async () => {
    for (const f of corpusFiles('lkml/inline-fixups')) {
      for (const m of await loadMails(f)) if (/^re:/i.test(m.subject)) expect(isPatchMail(m), `${f}: ${m.subject}`).toBe(false);
    }
    const v3 = await loadMails('lkml/threads/file_getattr-series/v3-getfsxattrat.mbox');
    expect(v3.filter(isPatchMail).map((m) => m.messageId)).toEqual(['20250211-xattrat-syscall-v3-1-a07d15f898b2@kernel.org']);
  });
});

describeCorpus('assembleSeries: patchwork series fixtures', () => {
  const cases: [string, string[]][] = [
    ['base-cover-letter', ['v1 cover+[1,2]/2 "A sample series"']],
    ['base-deep-threaded', ['v1 cover+[1,2]/2 "A sample series"']],
    ['base-different-versions', ['v3 cover+[1,2,3,4]/4 "net: dsa: Multi-CPU ground work (v3)"']],
    ['base-extra-patches', ['v1 cover+[1,2,3]/2 "A sample series"']],
    ['base-incomplete', ['v1 cover+[1]/2 missing 2 "A sample series"']],
    ['base-no-cover-letter', ['v1 [1,2]/2 "test: Add some lorem ipsum"']],
    ['base-no-references-no-cover', ['v1 cover+[1,2]/2 "powerpc/dlpar: Correct display of hot-add/hot-remove CPUs and memory"']],
    ['base-no-references', ['v2 [1,2]/2 "net: ieee802154: remove explicit set skb->sk"']],
    ['base-out-of-order', ['v1 cover+[1,2]/2 "A sample series"']],
    ['base-single-patch', ['v1 [1]/1 "test: Add some lorem ipsum"']],
    ['bugs-mixed-versions', ['v1 [1]/2 missing 2 "test: Add some lorem ipsum"', 'v2 [2]/2 missing 1 "test: Convert to Markdown"']],
    ['bugs-multiple-content-types', ['v1 [1]/1 "bpf: Use PTR_ERR_OR_ZERO in xsk_map_inc()"']],
    ['bugs-multiple-references', ['v2 cover+[1,2,3,4]/4 "PM / OPP: Minor cleanups"']],
    ['bugs-nocover-noversion', ['v1 [1,2]/2 "test: Add some lorem ipsum"', 'v1 [1,2]/2 "test: Add some lorem ipsum"']],
    ['bugs-nocover', ['v1 [1,2]/2 "test: Add some lorem ipsum"', 'v2 [1,2]/2 "test: Add some lorem ipsum"']],
    ['bugs-spamming', ['v2 [1]/4 missing 2,3,4 "Rework tagging infrastructure"', 'v2 [1]/4 missing 2,3,4 resend "Rework tagging infrastructure"', 'v2 [1]/4 missing 2,3,4 resend "Rework tagging infrastructure"']],
    ['bugs-unnumbered', ['v1 cover+[1]/2 missing 2 "A sample series"', 'v1 [1]/1 "This is an orphaned patch!"']],
    ['dependency-base-patch', ['v1 cover+[1,2]/2 "Add test files for testing"']],
    ['mercurial-cover-letter', ['v1 cover+[1,2]/2 "Sample Mercurial patches"']],
    ['mercurial-no-cover-letter', ['v1 [1,2]/2 "contrib: fix check-commit to not reject commits from `hg sign` and `hg tag`"']],
    ['revision-basic', ['v1 cover+[1,2]/2 "A sample series"', 'v2 cover+[1,2]/2 "A sample series"']],
    ['revision-no-cover-letter', ['v1 cover+[1,2]/2 "A sample series"', 'v2 [1,2]/2 "test: Add some lorem ipsum"']],
    ['revision-out-of-order', ['v1 cover+[1,2]/2 "A sample series"', 'v2 cover+[1,2]/2 "A sample series"']],
    ['revision-threaded-to-cover', ['v1 cover+[1,2]/2 "A sample series"', 'v2 cover+[1,2]/2 "A sample series"']],
    ['revision-threaded-to-patch', ['v1 cover+[1,2]/2 "A sample series"', 'v2 cover+[1,2]/2 "A sample series"']],
    ['revision-threaded-to-single-patch', ['v1 [1]/1 "test: Add some lorem ipsum"', 'v2 [1]/1 "test: Add some lorem ipsum"']],
    // same content posted again an hour later: a resend (patchwork: a second, unlabeled revision)
    ['revision-unlabeled-noreferences', ['v2 [1,2]/2 "net: ieee802154: remove explicit set skb->sk"', 'v2 [1,2]/2 resend "net: ieee802154: remove explicit set skb->sk"']],
    // same title, changed patches: a new revision, not a resend
    ['revision-unlabeled', ['v1 cover+[1,2]/2 "A sample series"', 'v1 cover+[1,2]/2 "A sample series"']],
  ];
  it.each(cases)('%s', async (name, expected) => {
    const mails = await loadMails(`patchwork-mail/series/${name}.mbox`);
    const drafts = assembleSeries(mails);
    expect(summary(drafts)).toEqual(expected);
    // patchwork's first check: every patch-like mail is in exactly one series
    const all = drafts.flatMap((d) => d.messageIds);
    expect(new Set(all).size).toBe(all.length);
    for (let seed = 1; seed <= 5; seed++) expect(assembleSeries(shuffle(mails, seed))).toEqual(drafts);
  });

  it('keeps a new version threaded into the old thread out of the old series (patchwork #127)', async () => {
    const drafts = assembleSeries(await loadMails('patchwork-mail/series/revision-threaded-to-patch.mbox'));
    expect(drafts[0].messageIds).toEqual(['1473632524-8585-1-git-send-email-stephenfinucane@gmail.com', '1473632524-8585-2-git-send-email-stephenfinucane@gmail.com', '1473632524-8585-3-git-send-email-stephenfinucane@gmail.com']);
    expect(drafts[1].inReplyTo).toBe('1473632524-8585-3-git-send-email-stephenfinucane@gmail.com');
    expect(drafts[1].key).toBe('1473633142-10432-1-git-send-email-stephenfinucane@gmail.com');
  });

  it('puts replies with the patch they answer', async () => {
    const [d] = assembleSeries(await loadMails('patchwork-mail/series/bugs-multiple-content-types.mbox'));
    expect(d.messageIds).toEqual(['20190820013652.147041-1-yuehaibing@huawei.com', '93fafdab-8fb3-0f2b-8f36-0cf297db3cd9@intel.com']);
  });

  it('does not crash on the dependency templates', async () => {
    for (const f of corpusFiles('patchwork-mail/series').filter((f) => f.endsWith('.template'))) {
      const drafts = assembleSeries(await loadMails(f));
      expect(drafts.length).toBeGreaterThan(0);
    }
  });
});

describeCorpus('assembleSeries: b4 samples', () => {
  it('assembles every b4 thread', async () => {
    const expected: Record<string, string[]> = {
      'naked-cover-bugreport': ['v1 [1]/1 "widget: fix data corruption under load"'],
      'naked-cover-single': ['v1 cover+[1]/1 "do a thing to the widget subsystem"'],
      'shazam-git1-just-series': ['v1 cover+[1,2,3,4]/4 "This is a cover for test series 1"'],
      'shazam-git1-with-link': ['v1 cover+[1,2,3,4]/4 "This is a cover for test series 1"'],
      'trailers-followup-already-present': ['v1 [1]/1 "rust: pwm: replace core::mem::zeroed with pin_init::zeroed"'],
      'trailers-followup-bare-address': ['v1 [1]/1 "Simple test"'],
      'trailers-followup-custody': ['v1 [1]/1 "Simple test"'],
      'trailers-followup-htmljunk': ['v1 [1]/1 "Simple test"'],
      'trailers-followup-name-parens': ['v1 [1]/1 "Simple test"'],
      'trailers-followup-non-git-patch-with-comments': ['v1 [1]/1 "Simple test"'],
      'trailers-followup-non-git-patch': ['v1 [1]/1 "Simple test"'],
      'trailers-followup-nore': ['v1 [1]/1 "Simple test"'],
      'trailers-followup-partial-reroll': ['v2 cover+[1,2]/2 "Simple cover"', 'v3 [2]/2 missing 1 reroll-of-v2 "Simple test 2"'],
      'trailers-followup-single': ['v1 [1]/1 "Simple test"'],
      'trailers-followup-stripped-lines': ['v1 [1]/1 "Simple test"'],
      'trailers-followup-with-cover': ['v2 cover+[1,2]/2 "Simple cover"'],
      'trailers-followup-with-diffstat': ['v1 [1]/1 "Simple test"'],
      'trailers-thread-with-cover-followup': ['v1 cover+[1,2,3,4]/4 "This is a cover for test series 1"'],
      'trailers-thread-with-followups': ['v1 cover+[1,2,3,4]/4 "This is a cover for test series 1"'],
    };
    const files = corpusFiles('b4-samples').filter((f) => f.endsWith('.mbox'));
    expect(files.map((f) => f.replace(/^b4-samples\/|\.mbox$/g, '')).sort()).toEqual(Object.keys(expected).sort());
    for (const f of files) {
      const mails = await loadMails(f);
      const drafts = assembleSeries(mails);
      const name = f.replace(/^b4-samples\/|\.mbox$/g, '');
      expect(summary(drafts), name).toEqual(expected[name]);
      // every message of these threads belongs to a series, except the bug report answered by a patch
      const members = drafts.reduce((n, d) => n + d.messageIds.length, 0);
      expect(members, name).toBe(name === 'naked-cover-bugreport' ? 1 : mails.length);
    }
  });

  it('keeps the reviewer replies and the follow-up with the right patch', async () => {
    const drafts = assembleSeries(await loadMails('b4-samples/trailers-followup-partial-reroll.mbox'));
    expect(drafts[0].messageIds).toEqual(['cover-message@example.com', 'fwup-message-1@example.com', 'fwup-message-2@example.com', 'patch-1-message@example.com', 'patch-2-message@example.com']);
    expect(drafts[1]).toMatchObject({ key: 'patch-v3-2-message@example.com', inReplyTo: 'patch-2-message@example.com', received: [2], missing: [1] });
    expect(drafts[1].patches[0]).toMatchObject({ number: 2, partialRerollOf: 2, files: ['b4/bogus.py'] });
  });

  it('reads the b4 change-id of a cover', async () => {
    const [d] = assembleSeries(await loadMails('b4-samples/shazam-git1-just-series.mbox'));
    expect(d.changeId).toBe('20221025-test1-e8520c2200a3');
  });
});

describeCorpus('assembleSeries: real LKML threads', () => {
  it('file_getattr v1..v6: one draft per posting, v5 posted four times', async () => {
    const dir = 'lkml/threads/file_getattr-series';
    const mails = await loadAll(...corpusFiles(dir));
    const drafts = assembleSeries(mails);
    expect(summary(drafts)).toEqual([
      'v1 [1]/1 "fs: introduce getfsxattrat and setfsxattrat syscalls"',
      'v2 [1]/1 "fs: introduce getfsxattrat and setfsxattrat syscalls"',
      'v3 [1]/1 "fs: introduce getfsxattrat and setfsxattrat syscalls"',
      'v4 cover+[1,2,3]/3 "fs: introduce getfsxattrat and setfsxattrat syscalls"',
      // b4 timed out: only 0-4 of the first posting reached linux-api
      'v5 cover+[1,2,3,4]/7 missing 5,6,7 "fs: introduce file_getattr and file_setattr syscalls"',
      // a stray 5/7 of another attempt, threaded to a cover that never arrived
      'v5 [5]/7 missing 1,2,3,4,6,7 resend "fs: make vfs_fileattr_[get|set] return -EOPNOSUPP"',
      'v5 cover+[1,2]/7 missing 3,4,5,6,7 resend "fs: introduce file_getattr and file_setattr syscalls"',
      'v5 cover+[1,2,3,4,5,6,7]/7 resend "fs: introduce file_getattr and file_setattr syscalls"',
      'v6 cover+[1,2,3,4,5,6]/6 "fs: introduce file_getattr and file_setattr syscalls"',
    ]);
    // every message of the seven files belongs to exactly one posting
    const members = drafts.flatMap((d) => d.messageIds);
    expect(new Set(members).size).toBe(mails.length);
    expect(drafts.map((d) => d.messageIds.length)).toEqual([10, 3, 23, 28, 7, 2, 8, 23, 52]);
    const C = '20250114-xattrat-syscall-6a1136d2db59';
    // v1 predates b4; the stray 5/7 carries no trailer
    expect(drafts.map((d) => d.changeId)).toEqual([null, C, C, C, C, null, C, C, C]);
    const stray = drafts[5];
    expect(stray).toMatchObject({ key: '20250512-xattrat-syscall-v5-5-ffbc7c477332@kernel.org', coverMessageId: null, inReplyTo: '20250512-xattrat-syscall-v5-0-ffbc7c477332@kernel.org' });
    // "Ignore please, sorry, wrong in-reply-to" stays with the stray patch
    expect(stray.messageIds).toContain('ayokvlxinxeoehids35l62ollqdwvai7jorefi7s4k263vvztp@hdfwbsmmfdba');
    // the syscall patch of v6 touches the x86 tables
    expect(drafts[8].patches[5].files).toEqual(expect.arrayContaining(['arch/x86/entry/syscalls/syscall_64.tbl', 'arch/x86/entry/syscalls/syscall_32.tbl']));
    // the resent v5 patches are byte-for-byte the same change
    expect(drafts[7].patches[0].patchId).toBe(drafts[4].patches[0].patchId);
  });

  it('lsm-syscalls v4, v5, v6 with their reviews and robot reports', async () => {
    const drafts = assembleSeries(await loadAll('lkml/threads/lsm-syscalls/v4-0of8.mbox', 'lkml/threads/lsm-syscalls/v5-0of8.mbox', 'lkml/threads/lsm-syscalls/v6-0of11.mbox'));
    expect(summary(drafts)).toEqual([
      'v4 cover+[1,2,3,4,5,6,7,8]/8 "LSM: Three basic syscalls"',
      'v5 cover+[1,2,3,4,5,6,7,8]/8 "LSM: Three basic syscalls"',
      'v6 cover+[1,2,3,4,5,6,7,8,9,10,11]/11 "LSM: Three basic syscalls"',
    ]);
    expect(drafts.map((d) => d.messageIds.length)).toEqual([10, 32, 29]);
    // the cover's bogus "<...casey.ref@...>" reference is not a previous version
    expect(drafts.map((d) => d.inReplyTo)).toEqual([null, null, null]);
    expect(drafts[0].patches[6].files).toContain('arch/x86/entry/syscalls/syscall_64.tbl');
  });

  it('multi_clock_gettime v3, v4, v5 single patches', async () => {
    const drafts = assembleSeries(await loadAll('lkml/threads/multi_clock_gettime/v3.mbox', 'lkml/threads/multi_clock_gettime/v4.mbox', 'lkml/threads/multi_clock_gettime/v5.mbox'));
    expect(summary(drafts)).toEqual([
      'v3 [1]/1 "posix-timers: add multi_clock_gettime system call"',
      'v4 [1]/1 "posix-timers: add multi_clock_gettime system call"',
      'v5 [1]/1 "posix-timers: add multi_clock_gettime system call"',
    ]);
    expect(drafts.map((d) => d.messageIds.length)).toEqual([10, 5, 5]);
  });

  it('gives the same drafts for shuffled input', async () => {
    const mails = await loadAll(...corpusFiles('lkml/threads/file_getattr-series'));
    const once = assembleSeries(mails);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), (seed) => {
        expect(assembleSeries(shuffle(mails, seed))).toEqual(once);
      }),
      { numRuns: 5 },
    );
  });

  it('never throws on mutated real mails', async () => {
    const mails = await loadAll('lkml/threads/lsm-syscalls/v4-0of8.mbox', 'patchwork-mail/series/revision-threaded-to-patch.mbox');
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            i: fc.nat(),
            subject: fc.option(fc.string({ maxLength: 40 })),
            irt: fc.option(fc.nat()),
            from: fc.option(fc.constantFrom('', 'x@y', 'casey@schaufler-ca.com')),
            date: fc.option(fc.integer({ min: -1, max: 2e12 })),
            bodyCut: fc.option(fc.nat()),
          }),
          { maxLength: 12 },
        ),
        (edits) => {
          const copy = mails.map((m) => ({ ...m }));
          for (const e of edits) {
            const m = copy[e.i % copy.length];
            if (e.subject !== null) m.subject = e.subject;
            if (e.irt !== null) m.inReplyTo = copy[e.irt % copy.length].messageId;
            if (e.from !== null) m.from = { name: '', email: e.from };
            if (e.date !== null) m.date = e.date < 0 ? null : new Date(e.date);
            if (e.bodyCut !== null) m.body = m.body.slice(0, e.bodyCut % (m.body.length + 1));
          }
          const drafts = assembleSeries(copy);
          for (const d of drafts) {
            expect(d.received).toEqual([...new Set(d.received)].sort((a, b) => a - b));
            expect(d.messageIds.length).toBeGreaterThan(0);
          }
          const all = drafts.flatMap((d) => d.messageIds);
          expect(new Set(all).size).toBe(all.length);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('assembleSeries: hand-written cases', () => {
  const patch = (id: string, subject: string, extra: Record<string, string> = {}, body = PATCH_BODY) =>
    mailFromText(mailText({ 'Message-ID': `<${id}>`, Subject: subject, ...extra }, body));

  it('groups unthreaded patches of one author within the hour, and not later ones', async () => {
    const mails = await Promise.all([
      patch('a1@x', '[PATCH 1/3] a: one', { Date: 'Mon, 1 Jan 2024 10:00:00 +0000' }),
      patch('a2@x', '[PATCH 2/3] a: two', { Date: 'Mon, 1 Jan 2024 10:40:00 +0000' }),
      patch('a3@x', '[PATCH 3/3] a: three', { Date: 'Mon, 1 Jan 2024 12:30:00 +0000' }),
      patch('b2@x', '[PATCH 2/3] b: other author', { Date: 'Mon, 1 Jan 2024 10:01:00 +0000', From: 'Someone Else <else@example.org>' }),
    ]);
    expect(summary(assembleSeries(mails))).toEqual(['v1 [1,2]/3 missing 3 "a: one"', 'v1 [2]/3 missing 1,3 "b: other author"', 'v1 [3]/3 missing 1,2 "a: three"']);
  });

  it('keeps a partial reroll v5.1 as its own draft that rerolls v5', async () => {
    const cover = await patch('c@x', '[PATCH v5 0/12] mm: big series', {}, 'cover text\n');
    const p10 = await patch('p10@x', '[PATCH v5 10/12] mm: ten', { 'In-Reply-To': '<c@x>', References: '<c@x>' });
    const reroll = await patch('p10b@x', '[PATCH v5.1 10/12] mm: ten', { 'In-Reply-To': '<p10@x>', References: '<c@x> <p10@x>', Date: 'Tue, 2 Jan 2024 10:00:00 +0000' });
    const review = await patch('rv@x', 'Re: [PATCH v5.1 10/12] mm: ten', { 'In-Reply-To': '<p10b@x>', References: '<c@x> <p10@x> <p10b@x>', From: 'R <r@example.org>', Date: 'Tue, 2 Jan 2024 11:00:00 +0000' }, 'Reviewed-by: R <r@example.org>\n');
    const drafts = assembleSeries([review, reroll, p10, cover]);
    expect(summary(drafts)).toEqual(['v5 cover+[10]/12 missing 1,2,3,4,5,6,7,8,9,11,12 "mm: big series"', 'v5.1 [10]/12 missing 1,2,3,4,5,6,7,8,9,11,12 reroll-of-v5 "mm: ten"']);
    expect(drafts[1]).toMatchObject({ version: 5, versionLabel: '5.1', messageIds: ['p10b@x', 'rv@x'] });
  });

  it('recognises [PATCH RESEND] as a resend without merging it', async () => {
    const a = await patch('r1@x', '[PATCH v2] a: b');
    const b = await patch('r2@x', '[PATCH RESEND v2] a: b', { Date: 'Mon, 8 Jan 2024 10:00:00 +0000' });
    expect(summary(assembleSeries([a, b]))).toEqual(['v2 [1]/1 "a: b"', 'v2 [1]/1 resend "a: b"']);
  });

  it('does not start series from tip-bot notices or reports carrying a fix', async () => {
    const orig = await patch('orig@x', '[PATCH] x86: fix');
    const tip = await patch('tip@x', '[tip: x86/urgent] x86: fix', { From: 'tip-bot2 for A U Thor <tip-bot2@linutronix.de>', 'In-Reply-To': '<orig@x>', References: '<orig@x>' });
    const lostTip = await patch('tip2@x', '[tip: x86/urgent] x86: other', { From: 'tip-bot2 for A <tip-bot2@linutronix.de>', 'In-Reply-To': '<gone@x>' });
    const report = await patch('sfr@x', 'linux-next: build failure after merge of the x86 tree', { From: 'Stephen Rothwell <sfr@canb.auug.org.au>' }, 'I applied this:\n\nFrom: S R\nSubject: [PATCH] fix it\n\n' + PATCH_BODY);
    const drafts = assembleSeries([orig, tip, lostTip, report]);
    expect(summary(drafts)).toEqual(['v1 [1]/1 "x86: fix"']);
    expect(drafts[0].messageIds).toEqual(['orig@x', 'tip@x']);
  });
});

describe('assembleSeries: the seed fixture', () => {
  const readSeed = async (name: string) => Promise.all(messagesOfFile(readFileSync(join(SEED, name))).map((m) => parseMail(m.bytes)));

  it('builds v1 and v2 of the pt_regs series, with the discussion and tip-bot mail in place', async () => {
    const mails = [...(await readSeed('v1.mbox')), ...(await readSeed('v2.mbox')), ...(await readSeed('tip-bot.eml'))];
    const drafts = assembleSeries(mails);
    expect(summary(drafts)).toEqual([
      'v1 cover+[1,2,3,4,5,6,7,8]/8 "use struct pt_regs based syscall calling for x86-64"',
      'v2 cover+[1,2,3,4,5,6,7,8]/8 "use struct pt_regs based syscall calling for x86-64"',
    ]);
    // Ingo's UML report and Dominik's inline fixup (a reply carrying a diff) belong to v1, not as patches
    expect(drafts[0].messageIds).toEqual(expect.arrayContaining(['20180405151933.GA19273@gmail.com', '20180405204102.GA7395@light.dominikbrodowski.net', '20180406083110.GA22791@light.dominikbrodowski.net']));
    expect(drafts[0].messageIds).toHaveLength(15);
    expect(drafts[0].patches[7].files).toContain('arch/x86/entry/syscalls/syscall_64.tbl');
    // the tip-bot notice for v2 1/8 is a reply of v2, not a series
    expect(drafts[1].messageIds).toContain('tip-1bd21c6c21e848996339508d3ffb106d505256a8@git.kernel.org');
    expect(drafts[1].inReplyTo).toBeNull();
  });
});

describe('assembleSeries at scale', () => {
  it('assembles 20,000 messages (1,000 postings with replies) without quadratic blow-up', () => {
    const diff = (n: number) => `msg\n---\ndiff --git a/f${n}.c b/f${n}.c\nindex 1..2 100644\n--- a/f${n}.c\n+++ b/f${n}.c\n@@ -1,1 +1,1 @@\n-a\n+b\n`;
    const mails: Mail[] = [];
    const base = Date.UTC(2024, 0, 1);
    for (let s = 0; s < 1000; s++) {
      const author = { name: `Author ${s % 50}`, email: `a${s % 50}@x` };
      const cover = `c${s}@x`;
      const mk = (id: string, subject: string, irt: string | null, body: string, t: number, from = author): Mail => ({
        messageId: id, subject, from, date: new Date(base + s * 3_600_000 + t * 1000), inReplyTo: irt,
        references: irt ? [...new Set([cover, irt])] : [], body, attachments: [], headers: {}, flags: [],
      });
      mails.push(mk(cover, `[PATCH v${1 + (s % 3)} 0/5] series ${s}`, null, 'cover\n', 0));
      for (let p = 1; p <= 5; p++) mails.push(mk(`p${s}-${p}@x`, `[PATCH v${1 + (s % 3)} ${p}/5] patch ${p}`, cover, diff(p), p));
      for (let r = 0; r < 14; r++) mails.push(mk(`r${s}-${r}@x`, `Re: [PATCH ${r % 6}/5] x`, r % 6 === 0 ? cover : `p${s}-${r % 6}@x`, '> q\nLooks good.\n', 100 + r, { name: 'R', email: 'r@x' }));
    }
    const t0 = performance.now();
    const drafts = assembleSeries(shuffle(mails, 7));
    expect(performance.now() - t0).toBeLessThan(8000);
    expect(drafts).toHaveLength(1000);
    expect(drafts.every((d) => d.patches.length === 5 && d.messageIds.length === 20 && !d.resend)).toBe(true);
  });
});
