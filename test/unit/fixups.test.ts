import { describe, expect, it } from 'vitest';
import { extractFixups, type FixupDraft } from '../../lib/fixups/index.ts';
import { messagesOfFile } from '../../lib/mail/read.ts';
import { parseMail } from '../../lib/mail/parse.ts';
import type { Mail } from '../../lib/mail/types.ts';
import { corpusFiles, describeCorpus, loadMails, mailFromText, readCorpus } from '../helpers/corpus.ts';
import { DASHES_REPLY, DOMINIK_FIX, gitApplyCheck } from './fixups-helpers.ts';

const DIR = 'lkml/inline-fixups';

/** The raw message text of each message of a corpus file, by Message-ID (for byte-exact diff checks). */
async function rawById(rel: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const m of messagesOfFile(readCorpus(rel))) {
    const mail = await parseMail(m.bytes);
    out.set(mail.messageId, m.bytes.toString('utf8'));
  }
  return out;
}

/** Quoted-printable decoding done here, independently of the mail parser, to compare diffs with the raw bytes. */
function decodeQuotedPrintable(s: string): string {
  const bytes = Buffer.from(s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
  return bytes.toString('utf8');
}

async function single(rel: string): Promise<{ mail: Mail; fixups: FixupDraft[]; raw: string }> {
  const [mail] = await loadMails(rel);
  const raw = readCorpus(rel).toString('utf8');
  return { mail, fixups: extractFixups(mail), raw };
}

describeCorpus('extractFixups on lkml/inline-fixups', () => {
  it('covers all 8 files of the folder', () => {
    expect(corpusFiles(DIR)).toHaveLength(8);
  });

  it('Michael Witten: a row of ---8<--- markers, then Subject: with the description right below it', async () => {
    const { mail, fixups, raw } = await single(`${DIR}/multiple-scissors-markers-with-Subject.eml`);
    expect(fixups).toHaveLength(1);
    const [f] = fixups;
    expect(f).toMatchObject({
      messageId: mail.messageId,
      form: 'scissors',
      subject: 'kbuild: Introduce "Warnings for maintainers"',
      author: { name: 'Michael Witten', email: 'mfwitten@gmail.com' },
      index: 0,
    });
    expect(f.date?.toISOString()).toBe('2020-08-18T22:05:00.000Z');
    expect(f.files).toEqual([
      'arch/arm64/kernel/vdso32/Makefile',
      'lib/Kconfig.debug',
      'scripts/Makefile.extrawarn',
      'tools/power/acpi/Makefile.config',
      'tools/power/cpupower/Makefile',
      'tools/scripts/Makefile.include',
    ]);
    expect(f.description.startsWith('This commit introduces the following new Kconfig options:')).toBe(true);
    expect(f.description.endsWith('they are thwarted by some other Kbuild logic.')).toBe(true);
    expect(f.description).not.toContain('6 files changed');
    expect(f.trailers).toEqual([{ kind: 'Signed-off-by', name: 'Michael Witten', email: 'mfwitten@gmail.com' }]);
    expect(f.diff.startsWith('diff --git a/arch/arm64/kernel/vdso32/Makefile b/arch/arm64/kernel/vdso32/Makefile\n')).toBe(true);
    expect(f.diff.endsWith(' EXTRA_WARNINGS += -Winit-self\n')).toBe(true);
    expect(raw).toContain(f.diff);
    expect(f.preamble).toContain('git am --scissors /path/to/email.eml');
    expect(gitApplyCheck(f.diff)).toBe('');
  });

  it('Lorenzo Stoakes: ----8<---- then a format-patch "From <sha>" line, From:, Date:, Subject: and Reported-by the robot', async () => {
    const { mail, fixups, raw } = await single(`${DIR}/scissors-8-with-From-Subject-Reported-by-kernel-test-robot.eml`);
    expect(fixups).toHaveLength(1);
    const [f] = fixups;
    expect(f.form).toBe('scissors');
    expect(f.subject).toBe('mm/mremap: allow undocumented mremap() shrink behaviour');
    expect(f.author).toEqual({ name: 'Lorenzo Stoakes', email: 'lorenzo.stoakes@oracle.com' });
    // The in-body Date: (when the fix was written) wins over the reply's Date: (11:04:42 UTC).
    expect(mail.date?.toISOString()).toBe('2025-07-20T11:04:42.000Z');
    expect(f.date?.toISOString()).toBe('2025-07-20T10:41:48.000Z');
    expect(f.files).toEqual(['mm/mremap.c']);
    expect(f.trailers).toEqual([
      { kind: 'Signed-off-by', name: 'Lorenzo Stoakes', email: 'lorenzo.stoakes@oracle.com' },
      { kind: 'Reported-by', name: 'kernel test robot', email: 'oliver.sang@intel.com' },
      { kind: 'Closes', name: 'https://lore.kernel.org/oe-lkp/202507201002.69144b74-lkp@intel.com', email: '' },
    ]);
    expect(f.description.startsWith('It turns out that, in apparent contradiction to the man page')).toBe(true);
    expect(f.description).not.toMatch(/^From /m);
    expect(f.diff.startsWith('diff --git a/mm/mremap.c b/mm/mremap.c\nindex 20844fb91755..11a8321a90b8 100644\n')).toBe(true);
    expect(f.diff.endsWith(' \t/* Need to be careful about a growing mapping */\n')).toBe(true);
    expect(raw).toContain(f.diff);
    expect(gitApplyCheck(f.diff)).toBe('');
  });

  it('Jeff Layton: a reply to 0/14 quoting the cover diffstat, then scissors and "[PATCH] title" without headers', async () => {
    const { mail, fixups, raw } = await single(`${DIR}/scissors-no-pseudo-headers-reply-to-0of14-touches-syscall-tables.eml`);
    // The quoted cover letter names both syscall tables; they are quoted, not part of the fix.
    expect(mail.body).toContain('>  arch/x86/entry/syscalls/syscall_64.tbl');
    expect(fixups).toHaveLength(1);
    const [f] = fixups;
    expect(f.form).toBe('scissors');
    expect(f.subject).toBe('vfs: allow fsinfo to fetch the current state of s_wb_err');
    expect(f.author).toEqual({ name: 'Jeff Layton', email: 'jlayton@redhat.com' });
    expect(f.files).toEqual(['fs/fsinfo.c', 'include/uapi/linux/fsinfo.h']);
    expect(f.files.some((p) => p.endsWith('.tbl'))).toBe(false);
    expect(f.description.startsWith('Add a new "error_state" struct to fsinfo')).toBe(true);
    expect(f.trailers).toEqual([{ kind: 'Signed-off-by', name: 'Jeff Layton', email: 'jlayton@redhat.com' }]);
    expect(f.diff.endsWith(' #endif /* _UAPI_LINUX_FSINFO_H */\n')).toBe(true);
    expect(raw).toContain(f.diff);
    expect(gitApplyCheck(f.diff)).toBe('');
  });

  it('Calvin Owens: ---8<--- directly followed by a diff; the patch quoted earlier in the reply is not a fixup', async () => {
    const { mail, fixups, raw } = await single(`${DIR}/scissors-plain-diff-no-headers.eml`);
    expect(mail.body).toContain('> > > diff --git a/scripts/package/buildtar b/scripts/package/buildtar');
    expect(fixups).toHaveLength(1);
    const [f] = fixups;
    expect(f).toMatchObject({ form: 'scissors', subject: null, description: '', author: { email: 'calvin@wbinvd.org' } });
    expect(f.files).toEqual(['scripts/package/buildtar']);
    expect(f.diff).toContain('+\tx86|i386|x86_64|arm)\n');
    // The quoted original added an "arm)" case at line 101; the fixup does not.
    expect(f.diff).toContain('@@ -54,8 +54,8 @@');
    expect(f.diff).not.toContain('@@ -101,6 +101,9 @@');
    expect(raw).toContain(f.diff);
    expect(f.preamble).toContain('using KBUILD_IMAGE like you suggest allows');
    expect(gitApplyCheck(f.diff)).toBe('');
  });

  it('Stephen Rothwell: "I have applied the following patch for today" with From:/Date:/Subject: (quoted-printable mail)', async () => {
    const { mail, fixups, raw } = await single(`${DIR}/sfr-applied-fix-patch-inline-From-Date-Subject.eml`);
    expect(fixups).toHaveLength(1);
    const [f] = fixups;
    expect(f.form).toBe('applied-following');
    // A folded Subject: is unfolded; [PATCH] is stripped.
    expect(f.subject).toBe('fix up for "Fortify: Use C arithmetic not FIELD_xxx() in FORTIFY_REASON defines"');
    expect(f.author).toEqual({ name: 'Stephen Rothwell', email: 'sfr@canb.auug.org.au' });
    expect(f.date?.toISOString()).toBe('2026-01-15T03:17:35.000Z');
    expect(mail.date?.toISOString()).toBe('2026-01-15T03:52:44.000Z');
    expect(f.files).toEqual(['drivers/platform/x86/lenovo/thinkpad_acpi.c']);
    expect(f.description.startsWith('interacting with commits')).toBe(true);
    expect(f.description.endsWith('from the drivers-x86 tree.')).toBe(true);
    expect(f.diff).toBe(
      [
        'diff --git a/drivers/platform/x86/lenovo/thinkpad_acpi.c b/drivers/platform/x86/lenovo/thinkpad_acpi.c',
        'index 95755fa1e008..a272f27e6227 100644',
        '--- a/drivers/platform/x86/lenovo/thinkpad_acpi.c',
        '+++ b/drivers/platform/x86/lenovo/thinkpad_acpi.c',
        '@@ -36,6 +36,7 @@',
        ' ',
        ' #include <linux/acpi.h>',
        ' #include <linux/backlight.h>',
        '+#include <linux/bitfield.h>',
        ' #include <linux/bitops.h>',
        ' #include <linux/delay.h>',
        ' #include <linux/dmi.h>',
        '',
      ].join('\n'),
    );
    expect(decodeQuotedPrintable(raw)).toContain(f.diff);
    expect(gitApplyCheck(f.diff)).toBe('');
  });

  it('Thomas Gleixner: 8<---- then Subject: before From: and Date:, with a Not-Signed-off-by and a non-git diff', async () => {
    const { mail, fixups, raw } = await single(`${DIR}/tglx-scissors-then-Subject-From-pseudo-headers.eml`);
    expect(fixups).toHaveLength(1);
    const [f] = fixups;
    expect(f.form).toBe('scissors');
    expect(f.subject).toBe('x86/vdso: Hack to test the time namespace path');
    expect(f.author).toEqual({ name: 'Thomas Gleixner', email: 'tglx@linutronix.de' });
    expect(f.date?.toISOString()).toBe('2019-08-18T14:49:00.000Z');
    expect(mail.date?.toISOString()).toBe('2019-08-18T16:29:19.000Z');
    expect(f.files).toEqual(['arch/x86/entry/vdso/vma.c']);
    expect(f.trailers).toEqual([{ kind: 'Not-Signed-off-by', name: 'Thomas Gleixner', email: 'tglx@linutronix.de' }]);
    expect(f.description).toBe('Install a special TIMENS vvar page which forces the VDSO to take the time\nnamespace path for testing.');
    expect(f.diff.startsWith('--- a/arch/x86/entry/vdso/vma.c\n+++ b/arch/x86/entry/vdso/vma.c\n@@ -84,6 +84,33 @@')).toBe(true);
    expect(raw).toContain(f.diff);
    expect(gitApplyCheck(f.diff)).toBe('');
  });

  it('the cxl uuid thread: four proposed fixes in four replies; the report and the replies quoting them give none', async () => {
    const rel = `${DIR}/thread-BUG-next-cxl-uuid-fatal-error-and-scissors-fix.mbox`;
    const mails = await loadMails(rel);
    const raws = await rawById(rel);
    expect(mails).toHaveLength(17);
    const byId = new Map(mails.map((m) => [m.messageId, extractFixups(m)]));
    const carrying = mails.filter((m) => (byId.get(m.messageId) ?? []).length > 0).map((m) => m.messageId);
    expect(carrying).toEqual([
      '14bfcfa0-5999-49e4-854e-ff8810d6df3c@intel.com',
      '67e7301dc8ad7_201f0294a5@dwillia2-xfh.jf.intel.com.notmuch',
      '20250331132439.GD10839@nvidia.com',
      '67eac8df3e217_201f02948d@dwillia2-xfh.jf.intel.com.notmuch',
    ]);
    // Paul's report, and every reply that quotes one of the fixes, carry no fixup of their own.
    expect(byId.get('f6489337-67c7-48c8-b48a-58603ec15328@paulmck-laptop')).toEqual([]);
    for (const id of ['52a34c97-88d2-415e-a899-6583ae3ba620@paulmck-laptop', 'fa4ee4e3-40f7-4e11-be14-7cd0b223def4@paulmck-laptop', '1f48ba3b-9ba8-44e5-98c7-4c9abf95a935@intel.com', '16f87249-053a-4779-92dd-38a9679eeaee@paulmck-laptop']) {
      const mail = mails.find((m) => m.messageId === id);
      expect(mail?.body).toMatch(/^> diff --git /m);
      expect(byId.get(id)).toEqual([]);
    }

    const [dave] = byId.get('14bfcfa0-5999-49e4-854e-ff8810d6df3c@intel.com') ?? [];
    expect(dave).toMatchObject({ form: 'bare', subject: null, author: { email: 'dave.jiang@intel.com' }, files: ['include/uapi/cxl/features.h'] });
    expect(dave.description).toContain('Does the change below address the issue for you?');

    const [danFirst] = byId.get('67e7301dc8ad7_201f0294a5@dwillia2-xfh.jf.intel.com.notmuch') ?? [];
    expect(danFirst).toMatchObject({ form: 'scissors', subject: null });
    expect(danFirst.files).toEqual(['drivers/cxl/core/features.c', 'include/uapi/cxl/features.h', 'tools/testing/cxl/test/mem.c']);

    const [jason] = byId.get('20250331132439.GD10839@nvidia.com') ?? [];
    expect(jason).toMatchObject({ form: 'bare', author: { email: 'jgg@nvidia.com' }, files: ['include/uapi/cxl/features.h'] });

    const [dan] = byId.get('67eac8df3e217_201f02948d@dwillia2-xfh.jf.intel.com.notmuch') ?? [];
    expect(dan.form).toBe('scissors');
    expect(dan.subject).toBe('fwctl/cxl: Fix uuid_t usage in uapi');
    expect(dan.author).toEqual({ name: 'Dan Williams', email: 'dan.j.williams@intel.com' });
    expect(dan.date?.toISOString()).toBe('2025-03-31T16:43:48.000Z');
    expect(dan.files).toEqual(['include/uapi/cxl/features.h']);
    // MIME-Version/Content-Type pseudo-headers after Subject: are skipped, not taken as description.
    expect(dan.description.startsWith('The uuid_t type is kernel internal')).toBe(true);
    expect(dan.trailers.map((t) => [t.kind, t.email])).toEqual([
      ['Suggested-by', 'jgg@nvidia.com'],
      ['Reported-by', 'paulmck@kernel.org'],
      ['Closes', ''],
      ['Fixes', ''],
      ['Signed-off-by', 'dan.j.williams@intel.com'],
    ]);
    expect(dan.trailers[1].name).toBe('Paul E. McKenney');
    expect(dan.explicitTargets).toEqual([
      { number: null, total: null, subjectQuote: 'cxl: Move cxl feature command structs to user header', phrase: 'Fixes: 9b8e73cdb141 ("cxl: Move cxl feature command structs to user header")' },
    ]);

    for (const id of carrying) {
      const [f] = byId.get(id) ?? [];
      expect(raws.get(id)).toContain(f.diff);
      expect(gitApplyCheck(f.diff)).toBe('');
    }
  });

  it('the bitmap-tree thread: Stephen\'s applied patch and Catalin\'s scissors fix; Beata\'s replies quote them and give none', async () => {
    const rel = `${DIR}/thread-sfr-build-failure-bitmap-tree-and-arm64-scissors-fix.mbox`;
    const mails = await loadMails(rel);
    const raws = await rawById(rel);
    expect(mails).toHaveLength(8);
    const found = mails.map((m) => [m.messageId, extractFixups(m).map((f) => f.form)] as const);
    expect(found).toEqual([
      // The build-failure report is also the carrier of Stephen's own fix-up ("I have applied the following patch").
      ['20250218160742.49d6ab76@canb.auug.org.au', ['applied-following']],
      ['Z7RiVtunqI9edfK4@arm.com', []],
      ['20250219004934.46ace766@canb.auug.org.au', []],
      ['Z7SU0THZ6bSG9BKT@arm.com', []],
      ['Z7SWQoO2Upm_sNNx@thinkpad', []],
      ['Z7TQIYRPw6nxsa0K@arm.com', ['scissors']],
      ['Z7TfeGxiy3_otBry@arm.com', []],
      ['Z7TjF5-63nR8Zpw0@arm.com', []],
    ]);
    const [sfr] = extractFixups(mails[0]);
    expect(sfr.subject).toBe('fixup for "cpumask: drop cpumask_next_wrap_old()"');
    expect(sfr.date?.toISOString()).toBe('2025-02-18T04:44:06.000Z');
    expect(sfr.files).toEqual(['arch/arm64/kernel/topology.c']);
    expect(decodeQuotedPrintable(raws.get(mails[0].messageId) ?? '')).toContain(sfr.diff);
    expect(gitApplyCheck(sfr.diff)).toBe('');

    const catalinMail = mails[5];
    const [catalin] = extractFixups(catalinMail);
    expect(catalin.subject).toBe('arm64: Do not use the deprecated cpumask_next_wrap() in arch_freq_get_on_cpu()');
    expect(catalin.author).toEqual({ name: 'Catalin Marinas', email: 'catalin.marinas@arm.com' });
    expect(catalin.date?.toISOString()).toBe('2025-02-18T18:20:46.000Z');
    expect(catalin.files).toEqual(['arch/arm64/kernel/topology.c']);
    expect(catalin.trailers.map((t) => t.kind)).toEqual(['Fixes', 'Signed-off-by']);
    expect(catalin.explicitTargets[0].subjectQuote).toBe('arm64: Provide an AMU-based version of arch_freq_get_on_cpu');
    expect(catalin.preamble).toContain("I'll add my temporary fix:");
    // The mail ends in blank lines; the diff takes exactly the hunk's lines.
    expect(catalin.diff.endsWith('+\t\t\t}\n\n \t\t\tcpufreq_cpu_put(policy);\n\n')).toBe(true);
    expect(raws.get(catalinMail.messageId)).toContain(catalin.diff);
    expect(gitApplyCheck(catalin.diff)).toBe('');
    // The check can fail: Catalin's fix does not apply where Stephen's preimage is expected.
    expect(gitApplyCheck(catalin.diff, sfr.diff)).toMatch(/error|patch does not apply/);
  });
});

describeCorpus('extractFixups on other corpus mail', () => {
  const INGO = 'lkml/brgerst-2020-syscall-wrapper-cleanups/from-linux-kernel-archive-via-read_file/03-Ingo-reply-to-04of18-with-inline-fix-PATCH-Fix-SYS_NI-build-failure.eml';

  it("Ingo's reply to 4/18 whose own subject is [PATCH], with the fix and no scissors: one subject-block fixup", async () => {
    const { mail, fixups, raw } = await single(INGO);
    expect(mail.subject).toBe('[PATCH] x86/entry: Fix SYS_NI() build failure');
    expect(mail.inReplyTo).toBe('20200313195144.164260-5-brgerst@gmail.com');
    expect(fixups).toHaveLength(1);
    const [f] = fixups;
    expect(f).toMatchObject({ form: 'subject-block', subject: 'x86/entry: Fix SYS_NI() build failure', author: { name: 'Ingo Molnar', email: 'mingo@kernel.org' } });
    expect(f.files).toEqual(['arch/x86/include/asm/syscall_wrapper.h']);
    expect(f.trailers).toEqual([{ kind: 'Signed-off-by', name: 'Ingo Molnar', email: 'mingo@kernel.org' }]);
    // The description is Ingo's own explanation after the quoted patch, not the quoted patch.
    expect(f.description.startsWith('This breaks the x86-64 build on !CONFIG_POSIX_TIMERS')).toBe(true);
    expect(f.description).not.toContain('Pull the common code out');
    expect(f.diff.startsWith('diff --git a/arch/x86/include/asm/syscall_wrapper.h b/arch/x86/include/asm/syscall_wrapper.h\n')).toBe(true);
    expect(raw).toContain(f.diff);
    expect(gitApplyCheck(f.diff)).toBe('');
  });

  it('the same mail, when the caller has classified it as a patch submission, gives none', async () => {
    const [mail] = await loadMails(INGO);
    expect(extractFixups(mail, { isPatchSubmission: true })).toEqual([]);
  });

  it('no [PATCH] submission in lkml/threads gives a fixup (every cover, patch and resend)', async () => {
    let submissions = 0;
    for (const rel of corpusFiles('lkml/threads')) {
      for (const mail of await loadMails(rel)) {
        if (/^\s*re:/i.test(mail.subject) || !/\[[^\]]*patch/i.test(mail.subject)) continue;
        submissions++;
        expect(extractFixups(mail), `${rel}: ${mail.subject}`).toEqual([]);
      }
    }
    expect(submissions).toBeGreaterThan(60);
  });

  it('replies in lkml/threads that only quote a patch give none; the four that carry their own diff are found', async () => {
    const carrying: string[] = [];
    let quotingOnly = 0;
    for (const rel of corpusFiles('lkml/threads')) {
      for (const mail of await loadMails(rel)) {
        const fixups = extractFixups(mail);
        if (/^> ?diff --git /m.test(mail.body) && !/^diff --git /m.test(mail.body) && mail.attachments.length === 0) {
          quotingOnly++;
          expect(fixups, mail.messageId).toEqual([]);
        }
        for (const f of fixups) carrying.push(`${mail.messageId} ${f.form} ${f.author.email}`);
      }
    }
    expect(quotingOnly).toBeGreaterThan(20);
    expect(carrying.sort()).toEqual([
      // Amir: "Attaching the patch with missing bits of fuse and overlayfs ... Christian, please squash my patch"
      'CAOQ4uxj22du-+8vmkSq3V8C22y7hEGhOHqryAck9yuB1V3spow@mail.gmail.com attachment amir73il@gmail.com',
      // Christian Brauner: "See the appended patch." (text/x-diff attachment)
      '20250703-restlaufzeit-baurecht-9ed44552b481@brauner attachment brauner@kernel.org',
      // Christian Brauner: "Just along the syscall simply add something like:" + bare diff
      '20250515-bedarf-absagen-464773be3e72@brauner bare brauner@kernel.org',
      // Andrey: "You mean something like this?" then "-- " and a format-patch with From:/Date:/Subject:
      'l33napyvz5fwbcdju4otllbu4zr6faaz6mufz652alpxnjjfvl@h7j4hu4uwqwv dashes-headers aalbersh@kernel.org',
    ].sort());
  });

  it('attachments: text/x-patch and text/x-diff parts of a reply, with their own From:/Subject:', async () => {
    const mails = await loadMails('lkml/threads/file_getattr-series/v6-0of6-file_getattr.mbox');
    const amirMail = mails.find((m) => m.messageId === 'CAOQ4uxj22du-+8vmkSq3V8C22y7hEGhOHqryAck9yuB1V3spow@mail.gmail.com');
    if (!amirMail) throw new Error('Amir\'s reply is missing from the corpus');
    const [amir] = extractFixups(amirMail);
    expect(amir).toMatchObject({ form: 'attachment', subject: 'fuse: return -EOPNOTSUPP from ->fileattr_[gs]et() instead of -ENOTTY', author: { email: 'amir73il@gmail.com' } });
    expect(amir.files).toEqual(['fs/fuse/ioctl.c', 'fs/overlayfs/copy_up.c', 'fs/overlayfs/inode.c']);
    expect(amir.preamble).toContain('Christian, please squash my patch');
    expect(amirMail.attachments[0].text).toContain(amir.diff);
    expect(gitApplyCheck(amir.diff)).toBe('');
  });

  it('tip-bot commit notices, pull requests and linux-next merge resolutions are not fixups', async () => {
    for (const rel of corpusFiles('lkml/tip-bot')) for (const m of await loadMails(rel)) expect(extractFixups(m), rel).toEqual([]);
    const notices = await loadMails('lkml/brgerst-2020-syscall-wrapper-cleanups/tip-bot2-x86-entry-commit-notifications-2020-03.mbox');
    expect(notices).toHaveLength(19);
    for (const m of notices) expect(extractFixups(m)).toEqual([]);
    for (const rel of ['patchwork-mail/mail/0001-git-pull-request.mbox', 'patchwork-mail/mail/0003-git-pull-request-with-diff.mbox', 'patchwork-mail/mail/0017-git-pull-request-git-2-14-3.mbox']) {
      for (const m of await loadMails(rel)) expect(extractFixups(m), rel).toEqual([]);
    }
    // A merge-conflict mail: its "diff --cc" resolution is no fixup, but the merge fix patch it carries is.
    const [merge] = await loadMails('lkml/syscall-table-linking/thread-sfr-manual-merge-security-vs-vfs-brauner-syscall-tables.mbox');
    const fixups = extractFixups(merge);
    expect(fixups.map((f) => [f.form, f.subject, f.files])).toEqual([
      ['applied-following', 'fix up for "LSM: wireup Linux Security Module syscalls"', ['arch/arm64/include/asm/unistd.h']],
    ]);
  });

  it('patchwork and b4 fixtures (patches, series, fuzz mail) give no fixup', async () => {
    for (const rel of [...corpusFiles('patchwork-mail'), ...corpusFiles('b4-samples')]) {
      if (!/\.(mbox|eml)$/.test(rel)) continue;
      for (const m of await loadMails(rel)) expect(extractFixups(m), rel).toEqual([]);
    }
  });
});

describe('extractFixups on hand-written forms', () => {
  it('dashes-headers: a row of dashes, then From:, Date:, Subject: (the seed thread form)', async () => {
    const mail = await mailFromText(DASHES_REPLY);
    const fixups = extractFixups(mail);
    expect(fixups).toHaveLength(1);
    const [f] = fixups;
    expect(f).toMatchObject({ form: 'dashes-headers', subject: 'syscalls/x86: fix UML syscall table', description: 'UML expects the generic syscall stubs in the syscall table.', index: 0 });
    expect(f.date?.toISOString()).toBe('2018-04-05T20:36:03.000Z');
    expect(f.diff).toBe(DOMINIK_FIX);
    expect(f.explicitTargets).toEqual([{ number: 8, total: 8, subjectQuote: null, phrase: 'could be folded with patch 8/8' }]);
    expect(f.preamble).toContain('Fixup patch below; could be folded with patch 8/8.');
    expect(gitApplyCheck(f.diff)).toBe('');
  });

  it('the in-body From: wins over the sender when someone forwards another author\'s fix', async () => {
    const mail = await mailFromText(
      DASHES_REPLY.replace('From: Dominik Brodowski <linux@dominikbrodowski.net>\nTo:', 'From: Ingo Molnar <mingo@kernel.org>\nTo:'),
    );
    expect(mail.from.email).toBe('mingo@kernel.org');
    const [f] = extractFixups(mail);
    expect(f.author).toEqual({ name: 'Dominik Brodowski', email: 'linux@dominikbrodowski.net' });
  });

  it('subject-block: an in-body Subject: [PATCH] block without scissors or dashes', async () => {
    const mail = await mailFromText(`From: A Reviewer <rev@example.org>
Subject: Re: [PATCH 3/5] foo: add bar
Message-ID: <r1@example.org>
In-Reply-To: <p3@example.org>

> +	bar();

This leaks on the error path. How about:

Subject: [PATCH] foo: free bar on error

Free bar when baz fails.

Reported-by: Someone Else <someone@example.org>
Signed-off-by: A Reviewer <rev@example.org>
---
 foo.c | 1 +
 1 file changed, 1 insertion(+)

diff --git a/foo.c b/foo.c
--- a/foo.c
+++ b/foo.c
@@ -1,2 +1,3 @@
 	bar();
+	free(bar);
 	return 0;
`);
    const [f] = extractFixups(mail);
    expect(f).toMatchObject({ form: 'subject-block', subject: 'foo: free bar on error', description: 'Free bar when baz fails.', author: { email: 'rev@example.org' } });
    expect(f.trailers.map((t) => `${t.kind}: ${t.email}`)).toEqual(['Reported-by: someone@example.org', 'Signed-off-by: rev@example.org']);
    expect(f.preamble).toBe('This leaks on the error path. How about:');
  });

  it('fixup-subject: a separate [PATCH] fixup! mail is one fixup even though it looks like a submission', async () => {
    const mail = await mailFromText(`From: Dev <dev@example.org>
Subject: [PATCH] fixup! x86/entry: Remove ABI prefixes from functions in syscall tables
Message-ID: <fx1@example.org>

Missed one.
---
diff --git a/arch/x86/entry/syscalls/syscall_64.tbl b/arch/x86/entry/syscalls/syscall_64.tbl
--- a/arch/x86/entry/syscalls/syscall_64.tbl
+++ b/arch/x86/entry/syscalls/syscall_64.tbl
@@ -10,1 +10,1 @@
-10	common	mprotect		__x64_sys_mprotect
+10	common	mprotect		sys_mprotect
`);
    const fixups = extractFixups(mail, { isPatchSubmission: true });
    expect(fixups).toHaveLength(1);
    expect(fixups[0]).toMatchObject({ form: 'fixup-subject', subject: 'fixup! x86/entry: Remove ABI prefixes from functions in syscall tables', description: 'Missed one.' });
    expect(fixups[0].files).toEqual(['arch/x86/entry/syscalls/syscall_64.tbl']);
    const squash = await mailFromText('From: Dev <dev@example.org>\nSubject: squash! foo: bar\nMessage-ID: <sq@example.org>\n\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n');
    expect(extractFixups(squash).map((f) => [f.form, f.subject])).toEqual([['fixup-subject', 'squash! foo: bar']]);
  });

  it('a patch submission, a pull request and a quoting-only reply give none', async () => {
    const patch = await mailFromText(`From: Dev <dev@example.org>
Subject: [PATCH v2 3/8] foo: bar
Message-ID: <p@example.org>
In-Reply-To: <cover@example.org>

Body.

Signed-off-by: Dev <dev@example.org>
---
${DOMINIK_FIX}`);
    expect(extractFixups(patch)).toEqual([]);
    expect(extractFixups(patch, { isPatchSubmission: false }).map((f) => f.form)).toEqual(['subject-block']);
    const quoting = await mailFromText(`From: R <r@example.org>
Subject: Re: [PATCH v2 3/8] foo: bar
Message-ID: <q@example.org>
In-Reply-To: <p@example.org>

${DOMINIK_FIX.split('\n').map((l) => `> ${l}`).join('\n')}

Reviewed-by: R <r@example.org>
`);
    expect(extractFixups(quoting)).toEqual([]);
    const pull = await mailFromText(`From: M <m@example.org>
Subject: [GIT PULL] x86/entry for v5.7
Message-ID: <pull@example.org>

The following changes since commit 1234567:

are available in the Git repository at:

  git://git.kernel.org/pub/scm/linux/kernel/git/tip/tip.git x86-entry-2020-03-30

${DOMINIK_FIX}`);
    expect(extractFixups(pull)).toEqual([]);
  });

  it('two fixups in one reply get their own index, headers and explicit words', async () => {
    const mail = await mailFromText(`From: R <r@example.org>
Subject: Re: [PATCH 0/8] series
Message-ID: <two@example.org>
In-Reply-To: <cover@example.org>

This one should be squashed into patch 2/8:

-- >8 --
Subject: [PATCH] first fix

${DOMINIK_FIX}
And this one is for 5/8:

-- >8 --
Subject: [PATCH] second fix

--- a/b.c
+++ b/b.c
@@ -1 +1 @@
-old
+new
`);
    const fixups = extractFixups(mail);
    expect(fixups.map((f) => [f.index, f.form, f.subject, f.explicitTargets.map((t) => `${t.number}/${t.total}`)])).toEqual([
      [0, 'scissors', 'first fix', ['2/8']],
      [1, 'scissors', 'second fix', ['5/8']],
    ]);
  });

  it('an mm-commits notice (dashes + From:/Subject: and the patch) is a commit notice, not a fixup', async () => {
    const mail = await mailFromText(`From: Andrew Morton <akpm@linux-foundation.org>
Subject: + foo-free-bar-on-error.patch added to mm-unstable branch
Message-ID: <mm1@example.org>

The patch titled
     Subject: foo: free bar on error
has been added to the -mm mm-unstable branch.  Its filename is
     foo-free-bar-on-error.patch

------------------------------------------------------
From: Dev <dev@example.org>
Subject: foo: free bar on error
Date: Mon, 1 Jan 2024 10:00:00 +0000

Free it.

Signed-off-by: Dev <dev@example.org>
---

${DOMINIK_FIX}`);
    expect(extractFixups(mail)).toEqual([]);
  });

  it('applied-following: the phrase may wrap, and works without pseudo-headers too', async () => {
    const mail = await mailFromText(`From: Stephen Rothwell <sfr@canb.auug.org.au>
Subject: linux-next: build failure after merge of the foo tree
Message-ID: <sfr1@example.org>

Hi all,

After merging the foo tree, today's build failed. I have
applied the following merge fix patch for today.
Some words about it.

${DOMINIK_FIX}`);
    const [f] = extractFixups(mail);
    expect(f).toMatchObject({ form: 'applied-following', subject: null, description: 'Some words about it.', author: { email: 'sfr@canb.auug.org.au' } });
    expect(f.preamble).toBe("Hi all,\n\nAfter merging the foo tree, today's build failed. I have\napplied the following merge fix patch for today.");
  });

  it('an Outlook-style reply quotes without ">"; the patch below its header is not the sender\'s', async () => {
    const mail = await mailFromText(`From: R <r@example.org>
Subject: RE: [PATCH] foo
Message-ID: <ol@example.org>
In-Reply-To: <p@example.org>

Looks fine to me.

-----Original Message-----
From: Dev <dev@example.org>
Sent: Monday
Subject: [PATCH] foo

${DOMINIK_FIX}`);
    expect(extractFixups(mail)).toEqual([]);
  });
});
