import { existsSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { corpusFiles, corpusPath, describeCorpus, loadMails } from '../helpers/corpus.ts';
import { extractBuildErrors, extractBuildReport, extractLogReport, prepareMailLines, primaryError, scanLog, type BuildReport } from '../../lib/buildlog.ts';
import type { Mail } from '../../lib/mail/types.ts';

/** index.txt: "  - kbuild_001.log: Title" followed by the expected log lines, indented. */
function kernelciIndex(text: string): Map<string, { title: string; lines: string[] }> {
  const out = new Map<string, { title: string; lines: string[] }>();
  let current: { title: string; lines: string[] } | null = null;
  for (const line of text.split('\n')) {
    const head = /^ {2}- (\S+\.log): (.*)$/.exec(line);
    if (head) {
      current = { title: head[2], lines: [] };
      out.set(head[1], current);
    } else if (current && /^ {6}/.test(line)) current.lines.push(line.slice(6).replace(/^"(.*)"$/, '$1'));
    else if (line.trim() !== '' && !/^ {4}/.test(line)) current = null;
  }
  return out;
}

const ERRORISH = /error|Error \d|undefined reference|multiple definition|No rule to make target/;

describeCorpus('KernelCI logs (build-logs/kernelci-logspec)', () => {
  const dir = 'build-logs/kernelci-logspec';
  const index = kernelciIndex(readFileSync(corpusPath(`${dir}/index.txt`), 'utf8'));
  const logs = corpusFiles(dir).filter((f) => f.endsWith('.log'));

  it('has the logs index.txt describes', () => {
    const described = logs.filter((f) => index.has(f.split('/').pop() as string));
    expect(described.length).toBeGreaterThanOrEqual(6);
  });

  for (const rel of logs) {
    const name = rel.split('/').pop() as string;
    const expected = index.get(name);
    if (!expected) continue;
    it(`${name}: yields the error index.txt names (${expected.title})`, () => {
      const log = readFileSync(corpusPath(rel), 'utf8');
      const t0 = performance.now();
      const report = extractLogReport(log);
      expect(performance.now() - t0).toBeLessThan(1000);
      expect(report).not.toBeNull();
      const primary = primaryError(report!.errors);
      const errorLines = expected.lines.filter((l) => ERRORISH.test(l)).map((l) => l.trim());
      expect(errorLines.length).toBeGreaterThan(0);
      // The first error line the index names is the primary error's.
      expect(primary!.text).toContain(errorLines[0]);
      // Every error line it names is in some error's text.
      const all = extractBuildErrors(log).map((e) => e.text).join('\n');
      for (const l of errorLines) expect(all).toContain(l);
    });
  }

  it('kbuild_001: the nouveau "label at end of compound statement"', () => {
    const p = primaryError(extractLogReport(readFileSync(corpusPath(`${dir}/kbuild_001.log`), 'utf8'))!.errors)!;
    expect(p).toMatchObject({ kind: 'compiler-error', file: 'drivers/gpu/drm/nouveau/nvkm/subdev/gsp/r535.c', line: 1266, column: 3, message: 'label at end of compound statement' });
  });

  it('kbuild_001: context from the log itself (linux-next tarball, kbuild "CC arch/arm64/..." lines, make commands)', () => {
    const r = extractLogReport(readFileSync(corpusPath(`${dir}/kbuild_001.log`), 'utf8'))!;
    expect(r.context).toMatchObject({ arch: 'arm64', config: 'defconfig', tree: 'linux-next', branch: 'next-20240429', makeCommand: 'make -j8 modules' });
  });

  it('kbuild_004: arm vmlinux link, undefined __bad_cmpxchg in kernel/rcu/update.o', () => {
    const r = extractLogReport(readFileSync(corpusPath(`${dir}/kbuild_004.log`), 'utf8'))!;
    expect(primaryError(r.errors)).toMatchObject({ kind: 'linker-undefined', file: 'kernel/rcu/update.o', symbol: '__bad_cmpxchg' });
    expect(r.context).toMatchObject({ arch: 'arm', config: 'imx_v6_v7_defconfig', makeCommand: 'make -j8 zImage' });
    expect(r.kind).toBe('kernelci');
  });

  it('kbuild_005, 007, 011, 012: kinds, files and symbols', () => {
    const primaryOf = (n: string) => primaryError(extractLogReport(readFileSync(corpusPath(`${dir}/${n}`), 'utf8'))!.errors)!;
    expect(primaryOf('kbuild_005.log')).toMatchObject({ kind: 'make-no-rule', symbol: 'Image', file: null });
    expect(primaryOf('kbuild_007.log')).toMatchObject({ kind: 'compiler-error', file: 'arch/arm/include/asm/cmpxchg.h', line: 167, symbol: 'cmpxchg_emu_u8' });
    expect(primaryOf('kbuild_011.log')).toMatchObject({ kind: 'linker-error', file: 'drivers/firmware/efi/efi-init.o', symbol: 'screen_info', message: "multiple definition of 'screen_info'" });
    // The build directory /tmp/kci/linux/ is cut off.
    expect(primaryOf('kbuild_012.log')).toMatchObject({ kind: 'linker-undefined', file: 'tools/testing/selftests/kvm/dirty_log_test.c', line: 775, symbol: 'TEST_ASSERT_EQ' });
  });

  it('kbuild__xx_001 (not in index.txt): the arm64 vdso32 assembler error comes first, then the selftest link errors', () => {
    const r = extractLogReport(readFileSync(corpusPath(`${dir}/kbuild__xx_001.log`), 'utf8'))!;
    expect(primaryError(r.errors)).toMatchObject({ kind: 'compiler-error', file: null, line: null, message: "invalid barrier type -- 'dmb ishld'" });
    expect(r.errors.some((e) => e.kind === 'linker-error' && e.symbol === 'sock_name' && e.file === 'tools/testing/selftests/android/ion/ipcsocket.h')).toBe(true);
    expect(r.errors.some((e) => e.kind === 'linker-undefined' && e.symbol === 'sendtosocket')).toBe(true);
    expect(r.context.arch).toBe('arm64');
  });
});

async function onlyMail(rel: string): Promise<Mail> {
  const mails = await loadMails(rel);
  expect(mails).toHaveLength(1);
  return mails[0];
}

function kinds(r: BuildReport | null): string[] {
  return (r?.errors ?? []).map((e) => e.kind);
}

describeCorpus('build-failure mails (build-logs/from-mail)', () => {
  const dir = 'build-logs/from-mail';

  it('has the 6 mails', () => {
    expect(corpusFiles(dir).filter((f) => f.endsWith('.eml'))).toHaveLength(6);
  });

  it('Naresh, i386 scripts/mod/empty.o: "| "-quoted log, cc1 errors, a recipe line broken by the mailer', async () => {
    const r = extractBuildReport(await onlyMail(`${dir}/naresh-i386-scripts-mod-empty.o-recipe-for-target-failed.eml`));
    expect(kinds(r)).toEqual(['compiler-error', 'compiler-error', 'make-error']);
    expect(r!.errors[0]).toMatchObject({ file: null, message: "code model 'kernel' not supported in the 32 bit mode", symbol: 'kernel' });
    expect(r!.errors[1].message).toBe('sorry, unimplemented: 64-bit mode not compiled in');
    // "/srv/oe/.../kernel-source/scripts/Makefile.build:280:" + "recipe for target 'scripts/mod/empty.o' failed" + "[scripts/mod/empty.o] Error 1".
    expect(r!.errors[2]).toMatchObject({ file: 'scripts/Makefile.build', line: 280, symbol: 'scripts/mod/empty.o', message: '[scripts/mod/empty.o] Error 1' });
    expect(r!.context).toMatchObject({ arch: 'i386', compiler: 'gcc', compilerVersion: '7.3.0', tree: 'linux-next', branch: 'next-20200729' });
    expect(r!.context.makeCommand).toBe('make -j 8 -j 8 bzImage CC=i686-linaro-linux-gcc');
    expect(r!.reportedBy.email).toBe('naresh.kamboju@linaro.org');
    expect(r!.kind).toBe('human');
  });

  it('Naresh, modpost __udivdi3 in btrfs.ko', async () => {
    const r = extractBuildReport(await onlyMail(`${dir}/naresh-modpost-__udivdi3-undefined-recipe-for-target-failed.eml`));
    expect(kinds(r)).toEqual(['modpost', 'make-error']);
    expect(r!.errors[0]).toMatchObject({ file: 'fs/btrfs/btrfs.ko', symbol: '__udivdi3', message: "'__udivdi3' [fs/btrfs/btrfs.ko] undefined!" });
    expect(r!.errors[1]).toMatchObject({ file: 'scripts/Makefile.modpost', line: 111, symbol: 'Module.symvers' });
    expect(primaryError(r!.errors)!.kind).toBe('modpost');
    expect(r!.context.arch).toBe('i386');
  });

  it('Randy, io_uring on i386: ../ paths of an O= build, curly quotes from windows-1252', async () => {
    const r = extractBuildReport(await onlyMail(`${dir}/rdunlap-io_uring-field-has-incomplete-type-dereferencing-pointer.eml`));
    expect(r!.errors.map((e) => [e.file, e.line, e.symbol])).toEqual([
      ['fs/io_uring.c', 500, 'wpq'],
      ['include/linux/kernel.h', 1003, 'struct wait_page_queue'],
      ['include/linux/compiler_types.h', 133, 'struct wait_page_queue'],
      ['fs/io_uring.c', 2620, 'wake_page_match'],
      ['fs/io_uring.c', 2667, 'kiocb_wait_page_queue_init'],
    ]);
    expect(r!.errors[0].message).toBe("field 'wpq' has incomplete type");
    expect(r!.errors[1].message).toBe("dereferencing pointer to incomplete type 'struct wait_page_queue'");
    expect(r!.errors[1].text).toContain('In file included from ../include/linux/export.h:43:0,');
    // The quoted "Changes since 20200522" of Stephen's mail is not part of the report.
    expect(r!.errors.every((e) => !e.text.includes('Changes since'))).toBe(true);
    expect(r!.context).toMatchObject({ arch: 'i386', tree: 'linux-next' });
  });

  it("Stephen, printk tree (quoted-printable): the soft line breaks are gone from the log", async () => {
    const r = extractBuildReport(await onlyMail(`${dir}/sfr-linux-next-build-failure-printk-tree-dereferencing-pointer-to-incomplete-type.eml`));
    expect(kinds(r)).toEqual(['compiler-error', 'compiler-error', 'compiler-warning', 'compiler-error']);
    expect(r!.errors[0]).toMatchObject({ file: 'include/linux/ratelimit_types.h', line: 16, symbol: 'raw_spinlock_t', message: "unknown type name 'raw_spinlock_t'" });
    expect(r!.errors[1].message).toBe("passing argument 1 of '__raw_spin_lock_init' from incompatible pointer type [-Werror=incompatible-pointer-types]");
    expect(r!.errors[3]).toMatchObject({ file: 'include/linux/bug.h', line: 36, symbol: 'const struct bug_entry', message: "dereferencing pointer to incomplete type 'const struct bug_entry'" });
    expect(r!.errors.every((e) => !/=\n|=3D/.test(e.text))).toBe(true);
    expect(r!.kind).toBe('linux-next');
    expect(r!.context).toMatchObject({ arch: 'powerpc', config: 'allyesconfig', tree: 'printk' });
  });

  it("Sudip, arm/arm64 allmodconfig: No rule to make target ..., needed by built-in.a", async () => {
    const r = extractBuildReport(await onlyMail(`${dir}/sudip-No-rule-to-make-target-needed-by-built-in.a.eml`));
    expect(r!.errors).toHaveLength(1);
    expect(r!.errors[0]).toMatchObject({
      kind: 'make-no-rule',
      file: 'drivers/pinctrl/sunxi/pinctrl-sun20i-d1.o',
      symbol: 'drivers/pinctrl/sunxi/pinctrl-sun20i-d1.o',
      message: "No rule to make target 'drivers/pinctrl/sunxi/pinctrl-sun20i-d1.o', needed by 'drivers/pinctrl/sunxi/built-in.a'",
    });
    expect(['arm', 'arm64']).toContain(r!.context.arch);
    expect(r!.context).toMatchObject({ config: 'allmodconfig', tree: 'linux-next', branch: 'next-20220715' });
  });

  it('Vegard, single target builds: no rule, then the old "recipe for target" pairs', async () => {
    const r = extractBuildReport(await onlyMail(`${dir}/vegard-single-target-builds-broken-No-rule-recipe-for-target.eml`));
    expect(r!.errors.map((e) => [e.kind, e.file, e.symbol])).toEqual([
      ['make-no-rule', 'kernel/test.o', 'kernel/test.o'],
      ['make-error', 'scripts/Makefile.build', '__build'],
      ['make-error', 'Makefile', 'kernel'],
    ]);
    expect(primaryError(r!.errors)!.kind).toBe('make-no-rule');
    expect(r!.context.makeCommand).toBe('make kernel/test.o');
  });
});

describeCorpus('linux-next build failure mails (lkml)', () => {
  it("Stephen's asm-generic report: a script's bare \"error: <path>: ...\" with the build dir cut off", async () => {
    const [report, ...replies] = await loadMails('lkml/syscall-table-linking/thread-sfr-build-failure-asm-generic-syscall_64.tbl-not-sorted.mbox');
    const r = extractBuildReport(report)!;
    expect(r.kind).toBe('linux-next');
    expect(r.context).toMatchObject({ arch: 'arm64', config: 'defconfig', tree: 'asm-generic' });
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ kind: 'make-error', file: 'arch/arm64/tools/syscall_64.tbl', message: 'syscall table is not sorted or duplicates the same syscall number' });
    // Arnd's reply quotes the table diff: no report.
    for (const m of replies) expect(extractBuildReport(m)).toBeNull();
  });

  it("Stephen's drivers-x86 report with the fix he applied inline: the log is the report, the patch is not", async () => {
    const [m] = await loadMails('lkml/inline-fixups/sfr-applied-fix-patch-inline-From-Date-Subject.eml');
    const r = extractBuildReport(m)!;
    expect(r.context).toMatchObject({ arch: 'x86_64', config: 'allmodconfig', tree: 'drivers-x86' });
    expect(primaryError(r.errors)).toMatchObject({ kind: 'compiler-error', file: 'drivers/platform/x86/lenovo/thinkpad_acpi.c', symbol: 'FIELD_GET' });
  });
});

describeCorpus('kernel test robot reports (lkml/kernel-test-robot)', () => {
  const dir = 'lkml/kernel-test-robot';

  it('has the 7 reports, each a robot report', async () => {
    const files = corpusFiles(dir).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(7);
    for (const f of files) {
      const r = extractBuildReport(await onlyMail(f));
      expect(r, f).not.toBeNull();
      expect(r!.isRobot).toBe(true);
      expect(r!.kind).toBe('robot');
      expect(r!.reportedBy.email).toBe('lkp@intel.com');
    }
  });

  it('2019 branch report: ia64 __udivdi3, new ones marked by >>', async () => {
    const r = extractBuildReport(await onlyMail(`${dir}/2019-kbuild-test-robot-branch-report-undefined-reference-__udivdi3.eml`))!;
    expect(r.context).toEqual({
      arch: 'ia64',
      config: 'defconfig',
      compiler: 'gcc',
      compilerVersion: '7.4.0',
      distro: null,
      tree: 'kbuild',
      branch: 'kbuild',
      baseCommit: '9d429754d43ad1c701b8875cfd645736c8570976',
      makeCommand: 'GCC_VERSION=7.4.0 make.cross ARCH=ia64',
    });
    expect(r.errors.every((e) => e.kind === 'linker-undefined')).toBe(true);
    const first = r.errors.find((e) => e.file === 'init/do_mounts_rd.o' && e.symbol === '__udivdi3');
    expect(first?.isNew).toBe(false);
    const efi = r.errors.find((e) => e.file === 'arch/ia64/kernel/efi.o');
    expect(efi).toMatchObject({ isNew: true, symbol: '__udivdi3' });
    expect(primaryError(r.errors)).toBe(efi);
    expect(r.patchLink).toBeNull();
  });

  it('2019 reply to a tip-bot mail: INTEL_FAM6_* undeclared on x86_64', async () => {
    const r = extractBuildReport(await onlyMail(`${dir}/2019-reply-to-tip-bot2-mail-x86-cpu-intel-rename-fallout.eml`))!;
    expect(r.context).toMatchObject({ arch: 'x86_64', config: 'lkp', compiler: 'gcc', compilerVersion: '7.4.0', tree: 'linus', branch: 'master', makeCommand: 'make ARCH=x86_64' });
    const p = primaryError(r.errors)!;
    expect(p).toMatchObject({ kind: 'compiler-error', file: 'arch/x86/include/asm/intel-family.h', line: 114, column: 23, symbol: 'INTEL_FAM6_HASWELL', isNew: true });
    expect(p.text).toContain('In file included from drivers/idle/intel_idle.c:53:0:');
    expect(p.text).toContain("note: in expansion of macro 'INTEL_CPU_FAM6'");
    expect(r.errors.every((e) => e.isNew)).toBe(true);
  });

  it('2021: make errors only; the new "No rule to make target" is primary', async () => {
    const r = extractBuildReport(await onlyMail(`${dir}/2021-No-rule-to-make-target.eml`))!;
    expect(r.context).toMatchObject({ arch: 'sh', config: 'rts7751r2d1_defconfig', compiler: 'gcc', compilerVersion: '9.3.0', tree: 'kbuild', branch: 'testing3' });
    expect(primaryError(r.errors)).toMatchObject({ kind: 'make-no-rule', symbol: 'arch/sh/boards/Makefile', isNew: true });
    const include = r.errors.find((e) => e.kind === 'make-error' && e.symbol === 'arch/sh/boards/Makefile');
    expect(include).toMatchObject({ file: 'scripts/Makefile.clean', line: 14, message: 'arch/sh/boards/Makefile: No such file or directory', isNew: true });
    expect(r.errors.find((e) => e.symbol === 'Documentation/Makefile')?.isNew).toBe(false);
  });

  it('2022 clang: version 15.0.0, implicit declarations new, undeclared identifiers old', async () => {
    const r = extractBuildReport(await onlyMail(`${dir}/2022-clang-implicit-declaration.eml`))!;
    expect(r.context).toMatchObject({ arch: 'arm', config: 'randconfig-r011-20220313', compiler: 'clang', compilerVersion: '15.0.0', tree: 'masahiroy-kbuild', branch: 'for-next', baseCommit: 'e8c07082a810fbb9db303a2b66b66b8d7e588b53' });
    expect(r.errors.filter((e) => e.isNew).map((e) => e.symbol)).toEqual(['__flush_dcache_page', 'set_top_pte', 'mk_pte']);
    expect(r.errors.find((e) => e.symbol === 'L_PTE_PRESENT')?.isNew).toBe(false);
    expect(r.errors.filter((e) => e.kind === 'compiler-warning').map((e) => e.symbol)).toEqual(['v4_mc_copy_user_highpage', 'v4_mc_clear_user_highpage']);
    // The "vim +70" source excerpt after the log is not read as errors.
    expect(r.errors.every((e) => !e.text.includes('Russell King'))).toBe(true);
  });

  it('2022 BUILD REGRESSION summary: error lines with their configs, unverified ones marked', async () => {
    const r = extractBuildReport(await onlyMail(`${dir}/2022-linux-next-BUILD-REGRESSION-summary.eml`))!;
    expect(r.context).toMatchObject({ tree: 'linux-next', branch: 'master', baseCommit: 'f1244c81da13009dbf61cb807f45881501c44789', arch: null, config: null });
    const unwrap = r.errors.find((e) => e.file === 'drivers/dma-buf/st-dma-fence-unwrap.c')!;
    expect(unwrap).toMatchObject({ kind: 'compiler-warning', symbol: 'err', unverified: true });
    expect(unwrap.configs).toContain('alpha-allmodconfig');
    expect(unwrap.configs).toContain('xtensa-randconfig-r036-20220420');
    const frame = r.errors.find((e) => e.file === 'drivers/ntb/hw/idt/ntb_hw_idt.c')!;
    expect(frame.unverified).toBeUndefined();
    expect(frame.configs?.length).toBeGreaterThan(0);
    const ice = r.errors.find((e) => e.message === 'internal compiler error: Segmentation fault')!;
    expect(ice).toMatchObject({ file: 'sound/soc/codecs/wm8731.c', unverified: true });
    expect(r.errors.find((e) => e.kind === 'kconfig')).toMatchObject({ file: 'arch/Kconfig', symbol: 'arch/h8300/Kconfig', configs: ['h8300-allyesconfig', 'h8300-randconfig-r032-20220420'] });
    // A verified error wins over the robot's own "likely false positive" list.
    expect(primaryError(r.errors)!.unverified).toBeUndefined();
  });

  it('2025 reply to a syscall patch: patch subject and link, base commit, i386 randconfig', async () => {
    const r = extractBuildReport(await onlyMail(`${dir}/2025-reply-to-syscall-patch-futex-set_robust_list2-incomplete-type.eml`))!;
    expect(r.patchSubject).toBe('[PATCH v4 4/7] futex: Create set_robust_list2');
    expect(r.patchLink).toBe('20250520-tonyk-robust_futex-v4-4-1123093e59de@igalia.com');
    expect(r.context).toMatchObject({ arch: 'i386', config: 'buildonly-randconfig-003-20250521', compiler: 'gcc', compilerVersion: '12.2.0', baseCommit: '3ee84e3dd88e39b55b534e17a7b9a181f1d46809' });
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ kind: 'compiler-error', file: 'usr/include/linux/futex.h', line: 177, column: 26, symbol: 'list', isNew: true, message: "field 'list' has incomplete type" });
  });

  it('2025 hostprog strlcpy: undefined reference, collect2 and make "not remade" as consequences', async () => {
    const r = extractBuildReport(await onlyMail(`${dir}/2025-reply-undefined-reference-strlcpy-hostprog.eml`))!;
    expect(r.context).toMatchObject({ arch: 'arc', compiler: 'gcc', compilerVersion: '8.5.0', tree: 'masahiroy-kbuild', branch: 'kbuild' });
    expect(r.patchLink).toBe('20250726191515.171012-1-suchitkarunakaran@gmail.com');
    expect(primaryError(r.errors)).toMatchObject({ kind: 'linker-undefined', file: 'scripts/kconfig/symbol.o', symbol: 'strlcpy', isNew: true });
    // The two config blocks repeat the same errors: one of each is kept.
    expect(r.errors.filter((e) => e.kind === 'linker-undefined')).toHaveLength(1);
    expect(r.errors.some((e) => e.kind === 'linker-error' && e.message === 'ld returned 1 exit status')).toBe(true);
    expect(r.errors.find((e) => e.symbol === 'scripts/kconfig/conf')?.text).toContain("Target 'oldconfig' not remade because of errors.");
    const warning = r.errors.find((e) => e.kind === 'compiler-warning');
    expect(warning).toMatchObject({ file: 'scripts/kconfig/symbol.c', line: 780, symbol: 'strlcpy', isNew: true });
  });
});

describeCorpus('patch mails never make reports', () => {
  const files = [...corpusFiles('lkml/threads'), ...corpusFiles('patchwork-mail')].filter((f) => /\.(mbox|eml)$/.test(f));

  it('no [PATCH] submission, and no diff in any mail, yields an error', async () => {
    let patches = 0;
    let replies = 0;
    for (const f of files) {
      for (const m of await loadMails(f)) {
        if (!/\[[^\]]*PATCH/i.test(m.subject)) continue;
        const isReply = /^\s*re:/i.test(m.subject);
        if (!isReply) {
          patches++;
          expect(extractBuildReport(m), `${f}: ${m.subject}`).toBeNull();
          // Not just because of the subject: the diff itself yields nothing.
          expect(scanLog(prepareMailLines(m.body).lines).errors, `${f}: ${m.subject}`).toEqual([]);
        } else if (!/test robot/i.test(m.from.name)) {
          replies++;
          expect(extractBuildReport(m), `${f}: ${m.subject}`).toBeNull();
        }
      }
    }
    expect(patches).toBeGreaterThan(100);
    expect(replies).toBeGreaterThan(50);
  });

  it('robot replies in those threads are reports, with their patch link', async () => {
    const mails = await loadMails('lkml/threads/multi_clock_gettime/v4.mbox');
    const robot = mails.filter((m) => m.from.email === 'lkp@intel.com');
    expect(robot).toHaveLength(2);
    const r = extractBuildReport(robot[0])!;
    expect(r.patchLink).toBe('20231231170721.3381-1-maimon.sagi@gmail.com');
    expect(r.context).toMatchObject({ arch: 'nios2', tree: 'tip', branch: 'x86/asm' });
    expect(primaryError(r.errors)).toMatchObject({ kind: 'linker-undefined', file: 'arch/nios2/kernel/syscall_table.o', symbol: 'sys_multi_clock_gettime', isNew: true });
  });

  it('the kbuild_001 log is read well within a second', () => {
    const path = corpusPath('build-logs/kernelci-logspec/kbuild_001.log');
    expect(existsSync(path)).toBe(true);
    const log = readFileSync(path, 'utf8');
    expect(log.length).toBeGreaterThan(690_000);
    const t0 = performance.now();
    extractBuildErrors(log);
    expect(performance.now() - t0).toBeLessThan(500);
  });
});
