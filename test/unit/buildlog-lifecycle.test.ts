import { describe, expect, it } from 'vitest';
import { describeCorpus, loadMails, mailFromText } from '../helpers/corpus.ts';
import { breakageStatus, detectInvalid, detectPreExisting, extractBuildReport, fixClaims, type BreakageStatusInput, type KnownReport } from '../../lib/buildlog.ts';

describe('detectPreExisting', () => {
  it('finds the baseline and the sentence in the usual wordings', () => {
    expect(detectPreExisting('This build failure also exists for plain v4.16.')).toMatchObject({ ref: 'v4.16', refs: ['v4.16'] });
    expect(detectPreExisting('FWIW it happens without this series too, on next-20240105.')).toMatchObject({ ref: 'next-20240105' });
    expect(detectPreExisting('The error also fails on v6.1 for me.')?.ref).toBe('v6.1');
    expect(detectPreExisting('I bisected: this is not caused by this patch but by 1a2b3c4d5e6f.')).toMatchObject({ ref: '1a2b3c4d5e6f' });
    const p = detectPreExisting('Thanks.\n\nThat warning is pre-existing, see the\nreport from last week.\n\nCheers')!;
    expect(p.ref).toBeNull();
    expect(p.quote).toBe('That warning is pre-existing, see the report from last week.');
    expect(detectPreExisting('The build is already broken in mainline since rc3.')?.quote).toBe('The build is already broken in mainline since rc3.');
  });

  it('does not fire on questions, negations, quotes, code or other "already"s', () => {
    expect(detectPreExisting('Is this failure already present in mainline?')).toBeNull();
    expect(detectPreExisting('This is not a pre-existing failure, your patch 3/8 causes it.')).toBeNull();
    expect(detectPreExisting('> That build failure is already present in mainline as of 38c23685b273.\n\nNo, it is not.')).toBeNull();
    expect(detectPreExisting('These wrappers already exist for 32-bit compat, so reuse them.')).toBeNull();
    expect(detectPreExisting('No reason to limit us to a pre-existing structure layout.')).toBeNull();
    expect(detectPreExisting('diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+/* the failure is pre-existing */\n')).toBeNull();
    expect(detectPreExisting('')).toBeNull();
  });

  it('separates where it fails from where it works', () => {
    const p = detectPreExisting('This is already broken upstream (fails with clang-17 on Fedora 39, but builds fine with gcc 13.2 on Ubuntu 22.04).')!;
    expect(p.failsOn).toEqual([expect.objectContaining({ distro: 'Fedora 39', compiler: 'clang', compilerVersion: '17' })]);
    expect(p.worksOn).toEqual([expect.objectContaining({ distro: 'Ubuntu 22.04', compiler: 'gcc', compilerVersion: '13.2' })]);
  });
});

describe('detectInvalid', () => {
  it('finds retractions', () => {
    expect(detectInvalid('Sorry, false positive: my setup was broken (stale headers).')?.quote).toBe('Sorry, false positive: my setup was broken (stale headers).');
    expect(detectInvalid('Please ignore this report, my toolchain was misconfigured.')).not.toBeNull();
    expect(detectInvalid('This is not a bug, the config is invalid.')).not.toBeNull();
    expect(detectInvalid('My build tree was dirty. Sorry for the noise.')).not.toBeNull();
  });

  it('ignores negations, questions and robot boilerplate', () => {
    expect(detectInvalid('This is not a false positive, it fails here too.')).toBeNull();
    expect(detectInvalid('Could this be a false positive?')).toBeNull();
    expect(detectInvalid('Unverified Error/Warning (likely false positive, please contact us if interested):')).toBeNull();
    expect(detectInvalid('I can reproduce it with gcc-12.')).toBeNull();
  });
});

const ROBOT_FUTEX = '202505212200.ditHHp5E-lkp@intel.com';

function fixMail(headers: string, body: string) {
  return mailFromText(`${headers}\nContent-Type: text/plain; charset=utf-8\n\n${body}`);
}

const DIFF = 'diff --git a/include/uapi/linux/futex.h b/include/uapi/linux/futex.h\n--- a/include/uapi/linux/futex.h\n+++ b/include/uapi/linux/futex.h\n@@ -1 +1 @@\n-struct list_head list;\n+struct robust_list list;\n';

describe('fixClaims', () => {
  const robot: KnownReport = { messageId: ROBOT_FUTEX, reportedBy: { name: 'kernel test robot', email: 'lkp@intel.com' }, signatures: ["compiler-error|usr/include/linux/futex.h|field 'list' has incomplete type"] };
  const otherRobot: KnownReport = { messageId: '202501010000.abc-lkp@intel.com', reportedBy: { name: 'kernel test robot', email: 'lkp@intel.com' }, signatures: ['compiler-error|fs/x.c|boom'] };

  it('a Closes: trailer names the report it fixes', async () => {
    const m = await fixMail(
      'From: Dev <dev@example.org>\nSubject: [PATCH] futex: fix uapi build\nMessage-ID: <fix1@x>',
      `Use the uapi type.\n\nReported-by: kernel test robot <lkp@intel.com>\nCloses: https://lore.kernel.org/oe-kbuild-all/${ROBOT_FUTEX}/\nSigned-off-by: Dev <dev@example.org>\n---\n${DIFF}`,
    );
    const claims = fixClaims(m, [robot, otherRobot]);
    expect(claims).toHaveLength(1);
    expect(claims[0]).toMatchObject({ reportMessageId: ROBOT_FUTEX, via: 'closes' });
    expect(claims[0].evidence[0]).toContain('Closes:');
  });

  it('a Reported-by of a robot that reported twice claims only the report whose error the commit message quotes', async () => {
    const m = await fixMail(
      'From: Dev <dev@example.org>\nSubject: [PATCH] futex: fix uapi build\nMessage-ID: <fix2@x>',
      `The robot says:\n\n  ./usr/include/linux/futex.h:177:26: error: field 'list' has incomplete type\n\nReported-by: kernel test robot <lkp@intel.com>\nSigned-off-by: Dev <dev@example.org>\n---\n${DIFF}`,
    );
    const claims = fixClaims(m, [robot, otherRobot]);
    expect(claims.map((c) => [c.reportMessageId, c.via])).toEqual([[ROBOT_FUTEX, 'reported-by']]);
    expect(claims[0].evidence.some((e) => e.includes('commit message quotes'))).toBe(true);
  });

  it('a mail without a change claims nothing, whatever its trailers', async () => {
    const m = await fixMail('From: kernel test robot <lkp@intel.com>\nSubject: Re: [PATCH v4 4/7] futex: x\nMessage-ID: <r@x>', `| Reported-by: kernel test robot <lkp@intel.com>\n| Closes: https://lore.kernel.org/oe-kbuild-all/${ROBOT_FUTEX}/\n`);
    expect(fixClaims(m, [robot])).toEqual([]);
  });
});

describeCorpus('fixClaims on real mail', () => {
  it("Brian Gerst's fix names Ingo in Reported-By", async () => {
    const [fix] = await loadMails('lkml/brgerst-2020-syscall-wrapper-cleanups/from-linux-kernel-archive-via-read_file/04-PATCH-x86-entry-Fix-build-error-with-CONFIG_POSIX_TIMERS-off.eml');
    const ingo: KnownReport = { messageId: '20200323081114.GA10796@gmail.com', reportedBy: { name: 'Ingo Molnar', email: 'mingo@kernel.org' }, signatures: [] };
    const someoneElse: KnownReport = { messageId: 'other@x', reportedBy: { name: 'Other', email: 'other@example.org' }, signatures: [] };
    expect(fixClaims(fix, [ingo, someoneElse])).toEqual([{ reportMessageId: ingo.messageId, via: 'reported-by', evidence: ['Reported-By: Ingo Molnar <mingo@kernel.org>'] }]);
  });

  it("Catalin's scissors fix down Stephen's bitmap report thread claims it, weakly", async () => {
    const thread = await loadMails('lkml/inline-fixups/thread-sfr-build-failure-bitmap-tree-and-arm64-scissors-fix.mbox');
    const report = thread[0];
    const r = extractBuildReport(report)!;
    expect(r.kind).toBe('linux-next');
    const known: KnownReport[] = [{ messageId: report.messageId, reportedBy: r.reportedBy, signatures: r.errors.map((e) => e.signature) }];
    // Catalin's fix sits three replies down, with no Reported-by or Closes: only the thread ties it.
    const claims = thread.slice(1).map((m) => ({ from: m.from.email, claims: fixClaims(m, known) })).filter((c) => c.claims.length > 0);
    expect(claims).toEqual([{ from: 'catalin.marinas@arm.com', claims: [{ reportMessageId: report.messageId, via: 'in-thread', evidence: [`fixup posted in the thread of ${report.messageId}, touching arch/arm64/kernel/topology.c`] }] }]);
    // The same fix does not claim a report about another file.
    const unrelated: KnownReport[] = [{ ...known[0], signatures: ["compiler-error|fs/other.c|'zzz_symbol' undeclared"] }];
    expect(thread.slice(1).flatMap((m) => fixClaims(m, unrelated))).toEqual([]);
  });
});

describe('breakageStatus', () => {
  const base: BreakageStatusInput = { reports: [{ reportId: 'r1' }, { reportId: 'r2' }], fixProposedBy: [], fixedBy: [], preExisting: null, invalid: null, laterVersionStillFails: null };

  it('goes by precedence: manual > invalid > pre-existing > fixed > later version > proposed > open', () => {
    expect(breakageStatus(base)).toEqual({ status: 'open', reason: 'no fix, pre-existing or invalid verdict yet; reported 2 times (first r1)' });
    const proposed = { ...base, fixProposedBy: [{ messageId: 'f1', via: 'reply' }] };
    expect(breakageStatus(proposed)).toMatchObject({ status: 'fix-proposed', reason: expect.stringContaining('f1 (reply)') });
    expect(breakageStatus({ ...proposed, laterVersionStillFails: true })).toMatchObject({ status: 'open', reason: expect.stringContaining('still fails') });
    expect(breakageStatus({ ...proposed, laterVersionStillFails: false })).toMatchObject({ status: 'fixed', reason: expect.stringContaining('later version') });
    const fixed = { ...proposed, laterVersionStillFails: true, fixedBy: [{ messageId: 'tip1', via: 'tip-bot' }] };
    expect(breakageStatus(fixed)).toMatchObject({ status: 'fixed', reason: expect.stringContaining('tip1 (tip-bot)') });
    const pre = { ...fixed, preExisting: { ref: '38c23685b273', quote: 'already present in mainline', messageId: 'd1' } };
    expect(breakageStatus(pre)).toMatchObject({ status: 'pre-existing', reason: expect.stringContaining('38c23685b273') });
    const invalid = { ...pre, invalid: { quote: 'false positive', messageId: 'x1' } };
    expect(breakageStatus(invalid)).toMatchObject({ status: 'invalid', reason: expect.stringContaining('x1') });
    const manual = { ...invalid, manual: { status: 'open' as const, note: 'still broken for me', at: '2024-01-02T03:04:05Z' } };
    expect(breakageStatus(manual)).toEqual({ status: 'open', reason: 'set manually at 2024-01-02T03:04:05Z: still broken for me' });
  });
});
