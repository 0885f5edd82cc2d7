import { describe, expect, it } from 'vitest';
import { findDiffs, parseDiff } from '../../lib/diff.ts';
import { extractFixups, fixupState, targetFixup, type CommitNotice, type FixupDraft } from '../../lib/fixups/index.ts';
import { describeCorpus, loadMails, mailFromText } from '../helpers/corpus.ts';
import { DASHES_REPLY } from './fixups-helpers.ts';

const BRGERST = 'lkml/brgerst-2020-syscall-wrapper-cleanups';

async function dominikFixup(): Promise<FixupDraft> {
  const [f] = extractFixups(await mailFromText(DASHES_REPLY));
  return f;
}

/** A v2 of patch 8/8 as a series author would repost it, with or without the fixup's lines. */
function v2Patch(withFix: boolean): string {
  return `diff --git a/arch/x86/entry/syscalls/syscall_64.tbl b/arch/x86/entry/syscalls/syscall_64.tbl
--- a/arch/x86/entry/syscalls/syscall_64.tbl
+++ b/arch/x86/entry/syscalls/syscall_64.tbl
@@ -10,1 +10,1 @@
-10	common	mprotect		sys_mprotect
+10	common	mprotect		__sys_x86_mprotect
diff --git a/arch/x86/um/sys_call_table_64.c b/arch/x86/um/sys_call_table_64.c
--- a/arch/x86/um/sys_call_table_64.c
+++ b/arch/x86/um/sys_call_table_64.c
@@ -37,6 +37,${withFix ? 9 : 7} @@
 #define stub_execveat sys_execveat
 #define stub_rt_sigreturn sys_rt_sigreturn
 
${withFix ? '+/* UML uses the generic syscall stubs, not the x86-specific __sys_x86_ ones */\n+#define  __SYSCALL_64(nr, sym, qual)   __UML_SYSCALL_64(nr, sym, qual)\n+\n' : '+/* nothing for UML */\n'} #define __SYSCALL_64(nr, sym, qual) extern asmlinkage long sym(unsigned long, unsigned long, unsigned long, unsigned long, unsigned long, unsigned long) ;
 #include <asm/syscalls_64.h>
 
`;
}

const none = { commitNotices: [] as CommitNotice[], laterFixups: [] as FixupDraft[] };

describe('fixupState: folded', () => {
  it('a v2 of the target that adds the fixup\'s lines (whitespace differences aside) has it folded in', async () => {
    const fixup = await dominikFixup();
    expect(parseDiff(v2Patch(true))).toHaveLength(2);
    const s = fixupState({ fixup, laterVersionsOfTarget: [{ version: 2, messageId: 'v2-8@example.org', diff: parseDiff(v2Patch(true)) }], ...none });
    expect(s).toEqual({ state: 'folded', reason: 'folded: v2 of the target patch contains 2 of the 2 lines the fixup adds', by: 'v2-8@example.org' });
  });

  it('a v2 without them leaves the fixup pending; the first later version that has it is named', async () => {
    const fixup = await dominikFixup();
    expect(fixupState({ fixup, laterVersionsOfTarget: [{ version: 2, messageId: 'v2', diff: parseDiff(v2Patch(false)) }], ...none }).state).toBe('pending');
    const s = fixupState({
      fixup,
      laterVersionsOfTarget: [
        { version: 4, messageId: 'v4', diff: parseDiff(v2Patch(true)) },
        { version: 2, messageId: 'v2', diff: parseDiff(v2Patch(false)) },
        { version: 3, messageId: 'v3', diff: parseDiff(v2Patch(true)) },
      ],
      ...none,
    });
    expect(s).toMatchObject({ state: 'folded', by: 'v3' });
  });

  it('a later version that still adds the lines the fixup removes did not take it', () => {
    const fixup: FixupDraft = {
      ...baseDraft(),
      diff: '--- a/f.c\n+++ b/f.c\n@@ -1,3 +1,3 @@\n int x;\n-\tcall_old_helper(x);\n+\tcall_new_helper(x);\n int y;\n',
    };
    const stillOld = parseDiff('--- a/f.c\n+++ b/f.c\n@@ -1,1 +1,3 @@\n int x;\n+\tcall_old_helper(x);\n+\tcall_new_helper(x);\n');
    const taken = parseDiff('--- a/f.c\n+++ b/f.c\n@@ -1,1 +1,2 @@\n int x;\n+\tcall_new_helper(x);\n');
    expect(fixupState({ fixup, laterVersionsOfTarget: [{ version: 2, messageId: 'v2', diff: stillOld }], ...none }).state).toBe('pending');
    expect(fixupState({ fixup, laterVersionsOfTarget: [{ version: 2, messageId: 'v2', diff: taken }], ...none })).toMatchObject({
      state: 'folded',
      reason: 'folded: v2 of the target patch contains 1 of the 1 lines the fixup adds, and 1 of the 1 lines it removes are no longer added',
    });
  });

  it('a fixup that only removes lines is folded when the later version touches the file and no longer adds them', () => {
    const fixup: FixupDraft = { ...baseDraft(), diff: '--- a/f.c\n+++ b/f.c\n@@ -1,2 +1,1 @@\n int x;\n-\tdebug_printk("here");\n' };
    const without = parseDiff('--- a/f.c\n+++ b/f.c\n@@ -1,1 +1,2 @@\n int x;\n+\treal_work();\n');
    const withIt = parseDiff('--- a/f.c\n+++ b/f.c\n@@ -1,1 +1,3 @@\n int x;\n+\treal_work();\n+\tdebug_printk("here");\n');
    const elsewhere = parseDiff('--- a/g.c\n+++ b/g.c\n@@ -1,1 +1,2 @@\n int x;\n+\treal_work();\n');
    expect(fixupState({ fixup, laterVersionsOfTarget: [{ version: 2, messageId: 'v2', diff: without }], ...none }).state).toBe('folded');
    expect(fixupState({ fixup, laterVersionsOfTarget: [{ version: 2, messageId: 'v2', diff: withIt }], ...none }).state).toBe('pending');
    expect(fixupState({ fixup, laterVersionsOfTarget: [{ version: 2, messageId: 'v2', diff: elsewhere }], ...none }).state).toBe('pending');
  });
});

describe('fixupState: superseded and applied (hand-written)', () => {
  it('a later fixup by the same author on the same files that says it replaces this one supersedes it', () => {
    const fixup = baseDraft();
    const later: FixupDraft = { ...baseDraft(), messageId: 'later@example.org', patchId: 'other', subject: 'foo: different approach', preamble: 'Here is v2 of the fixup, the first one leaked.' };
    expect(fixupState({ fixup, laterVersionsOfTarget: [], commitNotices: [], laterFixups: [later] })).toEqual({
      state: 'superseded',
      reason: 'superseded: a later fixup says "v2 of the fixup"',
      by: 'later@example.org',
    });
    expect(fixupState({ fixup, laterVersionsOfTarget: [], commitNotices: [], laterFixups: [{ ...later, preamble: 'Updated fixup below.' }] }).state).toBe('superseded');
    expect(fixupState({ fixup, laterVersionsOfTarget: [], commitNotices: [], laterFixups: [{ ...later, preamble: 'Looks good.', subject: fixup.subject }] }).reason).toBe(
      'superseded: a later fixup has the same subject "foo: free bar on error"',
    );
    // Another author's fixup, or one on other files, does not replace it.
    expect(fixupState({ fixup, laterVersionsOfTarget: [], commitNotices: [], laterFixups: [{ ...later, author: { name: 'X', email: 'x@example.org' } }] }).state).toBe('pending');
    expect(fixupState({ fixup, laterVersionsOfTarget: [], commitNotices: [], laterFixups: [{ ...later, files: ['other.c'] }] }).state).toBe('pending');
    expect(fixupState({ fixup, laterVersionsOfTarget: [], commitNotices: [], laterFixups: [{ ...later, preamble: 'Another fix on top.' }] }).state).toBe('pending');
  });

  it('a commit notice whose title equals the fixup subject makes it applied, ahead of everything else', () => {
    const fixup = baseDraft();
    const s = fixupState({
      fixup,
      laterVersionsOfTarget: [{ version: 2, messageId: 'v2', diff: parseDiff(fixup.diff) }],
      commitNotices: [{ title: 'foo: other', commit: 'aaaa' }, { title: 'Foo: free  bar on error', commit: '0123456789abcdef0123456789abcdef01234567' }],
      laterFixups: [],
    });
    expect(s).toEqual({ state: 'applied', reason: 'applied: a commit notice announces "Foo: free  bar on error" as 0123456789abcdef0123456789abcdef01234567', by: '0123456789abcdef0123456789abcdef01234567' });
  });
});

describeCorpus('fixupState on real series', () => {
  async function tipNotices(): Promise<CommitNotice[]> {
    const mails = await loadMails(`${BRGERST}/tip-bot2-x86-entry-commit-notifications-2020-03.mbox`);
    return mails.map((m) => ({ title: m.subject.replace(/^\[tip: [^\]]+\]\s*/, ''), commit: /^Commit-ID:\s+([0-9a-f]{40})/m.exec(m.body)?.[1] ?? null }));
  }

  it("Brian's follow-up fix, taken as a fixup, is applied: tip-bot announced it as 290a4474d019", async () => {
    const [mail] = await loadMails(`${BRGERST}/from-linux-kernel-archive-via-read_file/04-PATCH-x86-entry-Fix-build-error-with-CONFIG_POSIX_TIMERS-off.eml`);
    // As a standalone [PATCH] it is a submission; a caller that tracks it as the fix for 4/18 says otherwise.
    expect(extractFixups(mail)).toEqual([]);
    const [fixup] = extractFixups(mail, { isPatchSubmission: false });
    expect(fixup.subject).toBe('x86/entry: Fix build error x86 with !CONFIG_POSIX_TIMERS');
    expect(fixup.trailers.map((t) => t.kind)).toEqual(['Fixes', 'Reported-By', 'Signed-off-by']);
    const s = fixupState({ fixup, laterVersionsOfTarget: [], commitNotices: await tipNotices(), laterFixups: [] });
    expect(s).toEqual({
      state: 'applied',
      reason: 'applied: a commit notice announces "x86/entry: Fix build error x86 with !CONFIG_POSIX_TIMERS" as 290a4474d019c7e49c186100e157fff5e273ab3b',
      by: '290a4474d019c7e49c186100e157fff5e273ab3b',
    });
    // Its Fixes: trailer names the patch it repairs.
    const stubs = (await loadMails(`${BRGERST}/tip-bot2-x86-entry-commit-notifications-2020-03.mbox`)).flatMap((m) => {
      const link = /20200313195144\.164260-(\d+)-brgerst@gmail\.com/.exec(m.body);
      return link ? [{ number: Number(link[1]) - 1, messageId: link[0], subject: m.subject, title: m.subject.replace(/^\[tip: [^\]]+\]\s*/, ''), files: [] }] : [];
    });
    const t = targetFixup(fixup, { seriesPatches: stubs, parentMessageId: null, parentIsCover: false, parentPatchNumber: null });
    expect(t).toMatchObject({ number: 4, evidence: 'explicit', reason: `explicit: 'Fixes: a74d187c2df3 ("x86/entry: Refactor SYS_NI macros")'` });
  });

  it("Ingo's own fix was never committed under its title: pending", async () => {
    const [mail] = await loadMails(`${BRGERST}/from-linux-kernel-archive-via-read_file/03-Ingo-reply-to-04of18-with-inline-fix-PATCH-Fix-SYS_NI-build-failure.eml`);
    const [fixup] = extractFixups(mail);
    expect(fixupState({ fixup, laterVersionsOfTarget: [], commitNotices: await tipNotices(), laterFixups: [] }).state).toBe('pending');
  });

  it("Amir's attached fix for v6 4/6 is not in 4/6 itself; a 4/6 with it squashed in has it folded", async () => {
    const mails = await loadMails('lkml/threads/file_getattr-series/v6-0of6-file_getattr.mbox');
    const amirMail = mails.find((m) => m.messageId === 'CAOQ4uxj22du-+8vmkSq3V8C22y7hEGhOHqryAck9yuB1V3spow@mail.gmail.com');
    const target = mails.find((m) => /^\[PATCH v6 4\/6\]/.test(m.subject));
    if (!amirMail || !target) throw new Error('v6 thread incomplete');
    const [fixup] = extractFixups(amirMail);
    const patch = findDiffs(target.body).flatMap((b) => b.files);
    expect(fixupState({ fixup, laterVersionsOfTarget: [{ version: 6, messageId: target.messageId, diff: patch }], ...none }).state).toBe('pending');
    const squashed = [...patch, ...parseDiff(fixup.diff)];
    expect(fixupState({ fixup, laterVersionsOfTarget: [{ version: 7, messageId: 'v7-4@example.org', diff: squashed }], ...none })).toMatchObject({ state: 'folded', by: 'v7-4@example.org' });
  });
});

function baseDraft(): FixupDraft {
  const diff = '--- a/foo.c\n+++ b/foo.c\n@@ -1,2 +1,3 @@\n \tbar();\n+\tfree(bar_buffer);\n \treturn 0;\n';
  return {
    messageId: 'fix@example.org',
    form: 'subject-block',
    subject: 'foo: free bar on error',
    description: '',
    author: { name: 'A Reviewer', email: 'rev@example.org' },
    date: null,
    trailers: [],
    files: ['foo.c'],
    diff,
    patchId: 'p1',
    explicitTargets: [],
    index: 0,
    preamble: '',
  };
}

