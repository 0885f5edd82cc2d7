import { describe, expect, it } from 'vitest';
import { filesTouched, findDiffs } from '../../lib/diff.ts';
import { extractFixups, targetFixup, type FixupDraft, type SeriesPatchRef, type TargetContext } from '../../lib/fixups/index.ts';
import { describeCorpus, loadMails, mailFromText } from '../helpers/corpus.ts';
import { DASHES_REPLY } from './fixups-helpers.ts';

const BRGERST = 'lkml/brgerst-2020-syscall-wrapper-cleanups';
const INGO = `${BRGERST}/from-linux-kernel-archive-via-read_file/03-Ingo-reply-to-04of18-with-inline-fix-PATCH-Fix-SYS_NI-build-failure.eml`;

/** Stubs for "[PATCH v4 NN/18] x86: syscall wrapper cleanups": patch N is Message-ID 20200313195144.164260-(N+1)-brgerst@gmail.com. */
function brgerstStubs(): SeriesPatchRef[] {
  return Array.from({ length: 18 }, (_, i) => ({
    number: i + 1,
    messageId: `20200313195144.164260-${i + 2}-brgerst@gmail.com`,
    subject: `[PATCH v4 ${String(i + 1).padStart(2, '0')}/18] stub ${i + 1}`,
    title: `stub ${i + 1}`,
    files: [],
  }));
}

/**
 * The series as it was committed, from the 18 tip-bot2 notifications: each names its
 * patch by "Link: .../20200313195144.164260-N-brgerst@gmail.com" (patch N-1) and carries its diff.
 */
async function brgerstFromTipBot(): Promise<SeriesPatchRef[]> {
  const out: SeriesPatchRef[] = [];
  for (const mail of await loadMails(`${BRGERST}/tip-bot2-x86-entry-commit-notifications-2020-03.mbox`)) {
    const link = /^Link:\s+https:\/\/lkml\.kernel\.org\/r\/(20200313195144\.164260-(\d+)-brgerst@gmail\.com)\s*$/m.exec(mail.body);
    if (!link) continue;
    const files = findDiffs(mail.body).flatMap((b) => b.files);
    out.push({
      number: Number(link[2]) - 1,
      messageId: link[1],
      subject: mail.subject,
      title: mail.subject.replace(/^\[tip: [^\]]+\]\s*/, ''),
      files: filesTouched(files),
      hunks: files.flatMap((f) => f.hunks.map((h) => ({ path: f.path, oldStart: h.oldStart, oldLines: h.oldLines, newStart: h.newStart, newLines: h.newLines }))),
      diff: files,
    });
  }
  return out.sort((a, b) => a.number - b.number);
}

const noParent: Omit<TargetContext, 'seriesPatches'> = { parentMessageId: null, parentIsCover: false, parentPatchNumber: null };

describeCorpus('targetFixup on the 2020 syscall wrapper series', () => {
  it("Ingo's [PATCH] reply to 4/18 targets patch 4 by its parent", async () => {
    const [mail] = await loadMails(INGO);
    const [fixup] = extractFixups(mail);
    const ctx: TargetContext = { seriesPatches: brgerstStubs(), parentMessageId: mail.inReplyTo, parentIsCover: false, parentPatchNumber: 4 };
    const t = targetFixup(fixup, ctx);
    expect(t).toMatchObject({ number: 4, messageId: '20200313195144.164260-5-brgerst@gmail.com', evidence: 'parent' });
    expect(t.reason).toBe('parent: the fixup is a reply to patch 4/18 ("stub 4")');
    expect(t.candidates[0]).toMatchObject({ number: 4, why: ['the fixup replies to this patch'] });
    // The caller may only know the parent's Message-ID.
    expect(targetFixup(fixup, { ...ctx, parentPatchNumber: null }).number).toBe(4);
  });

  it('without the parent, the committed diffs narrow it to the patches that added the lines it rewrites (4, then 3)', async () => {
    const [mail] = await loadMails(INGO);
    const [fixup] = extractFixups(mail);
    const patches = await brgerstFromTipBot();
    expect(patches.map((p) => p.number)).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
    expect(patches[3].title).toBe('x86/entry: Refactor SYS_NI macros');
    const t = targetFixup(fixup, { seriesPatches: patches, ...noParent });
    // Seven patches touch syscall_wrapper.h; the fix rewrites SYS_NI/COMPAT_SYS_NI (added by 4/18) and
    // COND_SYSCALL_COMPAT (added by 3/18), so the honest answer is "unknown, most likely 4".
    expect(t.number).toBeNull();
    expect(t.evidence).toBe('none');
    expect(t.reason).toBe('none: patches 4, 3 overlap the fixup and the reply does not say which one it fixes');
    expect(t.candidates.map((c) => c.number)).toEqual([4, 3, 17, 2, 16, 1, 6]);
    expect(t.candidates[0].why).toContain('fixup hunk at arch/x86/include/asm/syscall_wrapper.h:257 rewrites lines this patch added');
    // Told it replies to the cover letter, the parent is no evidence either.
    expect(targetFixup(fixup, { seriesPatches: patches, parentMessageId: '20200313195144.164260-1-brgerst@gmail.com', parentIsCover: true, parentPatchNumber: null }).number).toBeNull();
  });

  it('a fixup! subject names its patch by title', async () => {
    const mail = await mailFromText(`From: Dev <dev@example.org>
Subject: [PATCH] fixup! x86/entry: Remove ABI prefixes from functions in syscall tables
Message-ID: <fx1@example.org>

diff --git a/arch/x86/entry/syscalls/syscall_64.tbl b/arch/x86/entry/syscalls/syscall_64.tbl
--- a/arch/x86/entry/syscalls/syscall_64.tbl
+++ b/arch/x86/entry/syscalls/syscall_64.tbl
@@ -10,1 +10,1 @@
-10	common	mprotect		__x64_sys_mprotect
+10	common	mprotect		sys_mprotect
`);
    const [fixup] = extractFixups(mail);
    const t = targetFixup(fixup, { seriesPatches: await brgerstFromTipBot(), ...noParent });
    expect(t).toMatchObject({ number: 12, messageId: '20200313195144.164260-13-brgerst@gmail.com', evidence: 'fixup-subject' });
    expect(t.reason).toBe(
      `fixup-subject: 'fixup! x86/entry: Remove ABI prefixes from functions in syscall tables' names patch 12/18 ("x86/entry: Remove ABI prefixes from functions in syscall tables")`,
    );
  });

  it('a quoted, abbreviated subject in the reply is explicit evidence', async () => {
    const [mail] = await loadMails(INGO);
    const [ingo] = extractFixups(mail);
    const fixup: FixupDraft = { ...ingo, explicitTargets: [{ number: null, total: null, subjectQuote: 'x86/entry: Refactor SYS_NI ...', phrase: "could be folded into 'x86/entry: Refactor SYS_NI ...'" }] };
    const t = targetFixup(fixup, { seriesPatches: await brgerstFromTipBot(), ...noParent });
    expect(t).toMatchObject({ number: 4, evidence: 'explicit', reason: "explicit: 'could be folded into 'x86/entry: Refactor SYS_NI ...''" });
  });
});

function stubs(files: Record<number, string[]>, total = 8): SeriesPatchRef[] {
  return Array.from({ length: total }, (_, i) => ({
    number: i + 1,
    messageId: `p${i + 1}@example.org`,
    subject: `[PATCH ${i + 1}/${total}] patch ${i + 1}`,
    title: `patch ${i + 1}`,
    files: files[i + 1] ?? [],
  }));
}

describe('targetFixup evidence order', () => {
  it('explicit words win over the parent: the seed reply to 0/8 saying "could be folded with patch 8/8"', async () => {
    const [fixup] = extractFixups(await mailFromText(DASHES_REPLY));
    const ctx: TargetContext = { seriesPatches: stubs({ 8: ['arch/x86/entry/syscalls/syscall_64.tbl'] }), parentMessageId: 'p3@example.org', parentIsCover: false, parentPatchNumber: 3 };
    const t = targetFixup(fixup, ctx);
    expect(t).toMatchObject({ number: 8, messageId: 'p8@example.org', evidence: 'explicit', reason: "explicit: 'could be folded with patch 8/8'" });
  });

  it('"3/8" in a reply to a 14-patch series talks about another series: the next evidence decides', async () => {
    const [fixup] = extractFixups(await mailFromText(DASHES_REPLY));
    const t = targetFixup(fixup, { seriesPatches: stubs({}, 14), parentMessageId: 'p3@example.org', parentIsCover: false, parentPatchNumber: 3 });
    expect(t).toMatchObject({ number: 3, evidence: 'parent' });
  });

  it('file overlap with exactly one patch picks it; with several it stays unknown with ranked candidates', async () => {
    const [fixup] = extractFixups(await mailFromText(DASHES_REPLY));
    expect(fixup.files).toEqual(['arch/x86/um/sys_call_table_64.c']);
    const noWords: FixupDraft = { ...fixup, explicitTargets: [] };
    const cover = { parentMessageId: 'cover@example.org', parentIsCover: true, parentPatchNumber: null };
    const one = targetFixup(noWords, { seriesPatches: stubs({ 2: ['arch/x86/entry/common.c'], 6: ['arch/x86/um/sys_call_table_64.c', 'arch/x86/um/Makefile'] }), ...cover });
    expect(one).toMatchObject({ number: 6, evidence: 'file-overlap', reason: 'file-overlap: only patch 6/8 ("patch 6") touches arch/x86/um/sys_call_table_64.c' });
    const two = targetFixup(noWords, {
      seriesPatches: stubs({ 2: ['arch/x86/um/sys_call_table_64.c'], 6: ['arch/x86/um/sys_call_table_64.c'] }).map((p) =>
        p.number === 6 ? { ...p, hunks: [{ path: 'arch/x86/um/sys_call_table_64.c', oldStart: 30, oldLines: 8, newStart: 30, newLines: 10 }] } : p,
      ),
      ...cover,
    });
    expect(two.number).toBeNull();
    expect(two.evidence).toBe('none');
    expect(two.candidates.map((c) => [c.number, c.score])).toEqual([[6, 15], [2, 10]]);
    const none = targetFixup(noWords, { seriesPatches: stubs({ 1: ['README'] }), ...cover });
    expect(none).toMatchObject({ number: null, evidence: 'none', candidates: [] });
  });
});
