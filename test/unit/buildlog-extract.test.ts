import { describe, expect, it } from 'vitest';
import { mailFromText } from '../helpers/corpus.ts';
import { extractBuildErrors, extractBuildReport, prepareMailLines, primaryError, scanLog } from '../../lib/buildlog.ts';

function mail(headers: string, body: string) {
  return mailFromText(`${headers}\nContent-Type: text/plain; charset=utf-8\n\n${body}`);
}

describe('extractBuildErrors: gcc and clang', () => {
  it('keeps the include chain, "In function", source and caret lines with the error', () => {
    const log = [
      'In file included from ./include/linux/atomic.h:7,',
      '                 from kernel/bounds.c:13:',
      './arch/arm/include/asm/cmpxchg.h: In function ‘__cmpxchg’:',
      './arch/arm/include/asm/cmpxchg.h:167:12: error: implicit declaration of function ‘cmpxchg_emu_u8’ [-Werror=implicit-function-declaration]',
      '  167 |   oldval = cmpxchg_emu_u8((volatile u8 *)ptr, old, new);',
      '      |            ^~~~~~~~~~~~~~',
      'cc1: some warnings being treated as errors',
      'make[2]: *** [scripts/Makefile.build:117: kernel/bounds.s] Error 1',
    ].join('\n');
    const errors = extractBuildErrors(log);
    expect(errors.map((e) => e.kind)).toEqual(['compiler-error', 'make-error']);
    const [e, make] = errors;
    expect(e).toMatchObject({ file: 'arch/arm/include/asm/cmpxchg.h', line: 167, column: 12, symbol: 'cmpxchg_emu_u8', isNew: false });
    expect(e.message).toBe("implicit declaration of function 'cmpxchg_emu_u8' [-Werror=implicit-function-declaration]");
    expect(e.text.split('\n')).toEqual(log.split('\n').slice(0, 7));
    expect(make).toMatchObject({ file: 'scripts/Makefile.build', line: 117, symbol: 'kernel/bounds.s', message: '[kernel/bounds.s] Error 1' });
  });

  it('reads old-gcc source/caret pairs, fix-it hints and notes as context, not errors', () => {
    const log = [
      '../fs/io_uring.c:2620:8: error: implicit declaration of function ‘wake_page_match’; did you mean ‘huge_page_mask’? [-Werror=implicit-function-declaration]',
      '  ret = wake_page_match(wpq, key);',
      '        ^~~~~~~~~~~~~~~',
      '        huge_page_mask',
      '../include/linux/compiler.h:372:9: note: in definition of macro ‘__compiletime_assert’',
      '   if (!(condition))     \\',
      '         ^~~~~~~~~',
      '  AR      sound/pci/ac97/built-in.a',
    ].join('\n');
    const errors = extractBuildErrors(log);
    expect(errors).toHaveLength(1);
    expect(errors[0].file).toBe('fs/io_uring.c');
    expect(errors[0].text.split('\n')).toHaveLength(7);
    expect(errors[0].text).not.toContain('AR ');
  });

  it('joins a diagnostic that a mailer broke before its quoted type', () => {
    const errors = extractBuildErrors(
      'arch/um/os-Linux/signal.c:163:22: error: dereferencing pointer to incomplete type\n‘struct ucontext’\n  mcontext_t *mc = &uc->uc_mcontext;\n                      ^~\n',
    );
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toBe("dereferencing pointer to incomplete type 'struct ucontext'");
    expect(errors[0].symbol).toBe('struct ucontext');
  });

  it('knows clang, driver, fatal, assembler and internal compiler errors', () => {
    const errors = extractBuildErrors(
      [
        "arch/arm/mm/copypage-v4mc.c:70:3: error: implicit declaration of function '__flush_dcache_page' is invalid in C99 [-Werror,-Wimplicit-function-declaration]",
        "clang: error: argument unused during compilation: '-pie' [-Werror,-Wunused-command-line-argument]",
        'cc1: error: code model ‘kernel’ not supported in the 32 bit mode',
        './usr/include/cxl/features.h:11:10: fatal error: uuid/uuid.h: No such file or directory',
        '/tmp/cclji32d.s: Assembler messages:',
        "/tmp/cclji32d.s:129: Error: invalid barrier type -- `dmb ishld'",
        'sound/soc/codecs/wm8731.c:654:1: internal compiler error: Segmentation fault',
      ].join('\n'),
    );
    expect(errors.map((e) => [e.kind, e.file, e.symbol])).toEqual([
      ['compiler-error', 'arch/arm/mm/copypage-v4mc.c', '__flush_dcache_page'],
      ['compiler-error', null, '-pie'],
      ['compiler-error', null, 'kernel'],
      ['fatal-error', 'usr/include/cxl/features.h', 'uuid/uuid.h'],
      ['compiler-error', null, 'dmb ishld'],
      ['compiler-error', 'sound/soc/codecs/wm8731.c', null],
    ]);
    expect(errors[4].line).toBeNull(); // a line of gcc's temporary .s file points nowhere
    expect(errors[4].text).toContain('Assembler messages');
    expect(errors[5].message).toBe('internal compiler error: Segmentation fault');
  });

  it('reads sparse, objtool and Kconfig output', () => {
    const errors = extractBuildErrors(
      [
        'mm/memory.c:1234:23: sparse: sparse: incorrect type in initializer (different base types)',
        'fs/inode.c:605:9: sparse: warning: context imbalance in ‘inode_wait_for_lru_isolating’ - unexpected unlock',
        'vmlinux.o: warning: objtool: __sys_x86_pread64()+0x1a: call to foo() leaves .noinstr.text section',
        'arch/Kconfig:10: can\'t open file "arch/h8300/Kconfig"',
        '*** Can\'t find default configuration "arch/riscv/configs/nommu_k210_defconfig"!',
        'drivers/gpu/Kconfig:12: syntax error',
      ].join('\n'),
    );
    expect(errors.map((e) => [e.kind, e.file, e.symbol])).toEqual([
      ['sparse', 'mm/memory.c', null],
      ['sparse', 'fs/inode.c', 'inode_wait_for_lru_isolating'],
      ['objtool', 'vmlinux.o', '__sys_x86_pread64'],
      ['kconfig', 'arch/Kconfig', 'arch/h8300/Kconfig'],
      ['kconfig', 'arch/riscv/configs/nommu_k210_defconfig', 'arch/riscv/configs/nommu_k210_defconfig'],
      ['kconfig', 'drivers/gpu/Kconfig', null],
    ]);
    expect(errors[0].message).toBe('incorrect type in initializer (different base types)');
  });
});

describe('extractBuildErrors: make, linker, modpost', () => {
  it('reads old and new make wording and keeps "Waiting for unfinished jobs" as context', () => {
    const errors = extractBuildErrors(
      [
        "make[2]: *** No rule to make target 'archheaders'.  Stop.",
        "arch/um/Makefile:119: recipe for target 'archheaders' failed",
        'make[1]: *** [archheaders] Error 2',
        'make[1]: *** Waiting for unfinished jobs....',
        "make[3]: *** No rule to make target 'drivers/pinctrl/sunxi/pinctrl-sun20i-d1.o', needed by 'drivers/pinctrl/sunxi/built-in.a'.  Stop.",
        'make[2]: *** [scripts/Makefile.build:244: drivers/gpu/drm/nouveau/nvkm/subdev/gsp/r535.o] Error 1',
        "make[3]: Target 'oldconfig' not remade because of errors.",
        'make: *** [Makefile:248: __sub-make] Error 2 shuffle=618416945',
      ].join('\n'),
    );
    expect(errors.map((e) => [e.kind, e.file, e.line, e.symbol])).toEqual([
      ['make-no-rule', null, null, 'archheaders'],
      ['make-error', 'arch/um/Makefile', 119, 'archheaders'],
      ['make-no-rule', 'drivers/pinctrl/sunxi/pinctrl-sun20i-d1.o', null, 'drivers/pinctrl/sunxi/pinctrl-sun20i-d1.o'],
      ['make-error', 'scripts/Makefile.build', 244, 'drivers/gpu/drm/nouveau/nvkm/subdev/gsp/r535.o'],
      ['make-error', 'Makefile', 248, '__sub-make'],
    ]);
    expect(errors[1].message).toBe('[archheaders] Error 2');
    expect(errors[1].text.split('\n')).toHaveLength(3);
    expect(errors[1].text).toContain('Waiting for unfinished jobs');
    expect(errors[2].message).toBe("No rule to make target 'drivers/pinctrl/sunxi/pinctrl-sun20i-d1.o', needed by 'drivers/pinctrl/sunxi/built-in.a'");
  });

  it('reads bfd and lld linker errors, with the object from the "in function" line', () => {
    const errors = extractBuildErrors(
      [
        "arm-linux-gnueabihf-ld: kernel/rcu/update.o: in function `rcu_trc_cmpxchg_need_qs':",
        "update.c:(.text+0x318): undefined reference to `__bad_cmpxchg'",
        "arm-linux-gnueabihf-ld: kernel/rcu/update.o:update.c:(.text+0x1d10): more undefined references to `__bad_cmpxchg' follow",
        "nios2-linux-ld: arch/nios2/kernel/syscall_table.o:(.data+0x724): undefined reference to `sys_multi_clock_gettime'",
        "/usr/bin/ld: /tmp/ccmsbDAi.o: in function `run_test':",
        "/tmp/kci/linux/tools/testing/selftests/kvm/dirty_log_test.c:775: undefined reference to `TEST_ASSERT_EQ'",
        'collect2: error: ld returned 1 exit status',
        "efi-init.c:(.data+0x0): multiple definition of `screen_info'; arch/arm/kernel/setup.o:setup.c:(.data+0x12c): first defined here",
        'ld.lld: error: undefined symbol: __udivdi3',
        '>>> referenced by btrfs.c',
        '>>>               fs/btrfs/volumes.o:(btrfs_foo) in archive vmlinux.a',
        'x86_64-linux-gnu-ld: cannot find -lfoo',
      ].join('\n'),
    );
    expect(errors.map((e) => [e.kind, e.file, e.line, e.symbol])).toEqual([
      ['linker-undefined', 'kernel/rcu/update.o', null, '__bad_cmpxchg'],
      ['linker-undefined', 'arch/nios2/kernel/syscall_table.o', null, 'sys_multi_clock_gettime'],
      ['linker-undefined', 'tools/testing/selftests/kvm/dirty_log_test.c', 775, 'TEST_ASSERT_EQ'],
      ['linker-error', null, null, null],
      ['linker-error', 'efi-init.c', null, 'screen_info'],
      ['linker-undefined', 'fs/btrfs/volumes.o', null, '__udivdi3'],
      ['linker-error', null, null, null],
    ]);
    expect(errors[0].text).toContain('more undefined references');
    expect(errors[0].message).toBe("undefined reference to '__bad_cmpxchg'");
    expect(errors[3].message).toBe('ld returned 1 exit status');
    expect(errors[4].message).toBe("multiple definition of 'screen_info'");
    expect(errors[6].message).toBe('cannot find -lfoo');
  });

  it('reads modpost errors, old and new', () => {
    const errors = extractBuildErrors(
      [
        'ERROR: modpost: "__udivdi3" [fs/btrfs/btrfs.ko] undefined!',
        'ERROR: "__aeabi_uldivmod" [drivers/foo/bar.ko] undefined!',
        'ERROR: modpost: module binfmt_misc uses symbol d_drop from namespace ANDROID_GKI_VFS_EXPORT_ONLY, but does not import it.',
        'FATAL: modpost: Section mismatches detected.',
        'WARNING: modpost: vmlinux.o: section mismatch in reference: foo (section: .text) -> bar (section: .init.text)',
      ].join('\n'),
    );
    expect(errors.map((e) => [e.kind, e.file, e.symbol])).toEqual([
      ['modpost', 'fs/btrfs/btrfs.ko', '__udivdi3'],
      ['modpost', 'drivers/foo/bar.ko', '__aeabi_uldivmod'],
      ['modpost', 'binfmt_misc', 'd_drop'],
      ['modpost', null, null],
    ]);
  });

  it('ignores prose, timestamps, make chatter and warnings about makefiles', () => {
    expect(
      extractBuildErrors(
        [
          'On 12:30:45 the build finished.',
          "make[2]: Leaving directory '/tmp/kci/linux/tools/testing/selftests/kvm'",
          "Makefile:62: warning: overriding recipe for target 'emit_tests'",
          'The error: it did not work.',
          '  CC [M]  drivers/net/ethernet/stmicro/stmmac/dwmac4_dma.o',
          'drivers/edac/edac_device.c:79 edac_device_alloc_ctl_info() warn: Please consider using kcalloc instead',
        ].join('\n'),
      ),
    ).toEqual([]);
  });
});

describe('mail lines: own text, robot markers, pipe-quoted logs, diffs', () => {
  it('takes `>>` as the robot marking new lines inside its error section, and strips its indent', () => {
    const { lines } = prepareMailLines(
      ['All errors (new ones prefixed by >>):', '', '   In file included from <command-line>:', '>> ./usr/include/linux/futex.h:177:26: error: field ‘list’ has incomplete type', '     177 |         struct list_head list;', '', '-- ', '0-DAY CI Kernel Test Service'].join('\n'),
    );
    expect(lines.map((l) => l.text).slice(2, 5)).toEqual(['In file included from <command-line>:', './usr/include/linux/futex.h:177:26: error: field ‘list’ has incomplete type', '  177 |         struct list_head list;']);
    const errors = scanLog(lines).errors;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ isNew: true, file: 'usr/include/linux/futex.h', symbol: 'list' });
  });

  it('never reads a `> ` quoted log as a report, nor a robot report quoted in a reply', async () => {
    const m = await mail(
      'From: Dev <dev@example.org>\nSubject: Re: [PATCH] foo\nMessage-ID: <r@x>',
      [
        'On Mon, 1 Jan 2024, kernel test robot wrote:',
        '> All errors (new ones prefixed by >>):',
        '> ',
        '> >> drivers/foo.c:12:3: error: ‘bar’ undeclared (first use in this function)',
        '>    make[2]: *** [scripts/Makefile.build:244: drivers/foo.o] Error 1',
        '>> drivers/foo.c:12:3: error: ‘bar’ undeclared (first use in this function)',
        '',
        'Thanks, fixed in v2.',
      ].join('\n'),
    );
    expect(extractBuildReport(m)).toBeNull();
  });

  it('reads logs pasted with "| " in front of each line', async () => {
    const m = await mail(
      'From: Tester <t@example.org>\nSubject: build error on i386\nMessage-ID: <t@x>',
      ['We see this on i386 with gcc-7.3.0:', '', '|   CC      scripts/mod/empty.o', '| cc1: error: code model ‘kernel’ not supported in the 32 bit mode', '| make[2]: *** [scripts/mod/empty.o] Error 1'].join('\n'),
    );
    const r = extractBuildReport(m);
    expect(r?.errors.map((e) => e.kind)).toEqual(['compiler-error', 'make-error']);
    expect(r?.context).toMatchObject({ arch: 'i386', compiler: 'gcc', compilerVersion: '7.3.0' });
    expect(r?.kind).toBe('human');
  });

  it('never reads a diff as a log, even one whose code prints "error:"', async () => {
    const patch = [
      'diff --git a/drivers/foo.c b/drivers/foo.c',
      'index 1111111..2222222 100644',
      '--- a/drivers/foo.c',
      '+++ b/drivers/foo.c',
      '@@ -1,3 +1,4 @@',
      ' static int foo(void)',
      '-	pr_err("foo.c:12:3: error: bad state\\n");',
      '+	pr_err("drivers/foo.c:12:3: error: worse state\\n");',
      '+	pr_err("make[1]: *** [foo] Error 1");',
      ' }',
    ].join('\n');
    const reply = await mail('From: Dev <dev@example.org>\nSubject: Re: [PATCH 1/2] foo: bar\nMessage-ID: <d@x>', `Fixup below.\n\n${patch}\n`);
    expect(extractBuildReport(reply)).toBeNull();
    expect(scanLog(prepareMailLines(reply.body).lines).errors).toEqual([]);
    // A hunk mangled by a mailer (counts do not match) is still not a log.
    const mangled = patch.replace('@@ -1,3 +1,4 @@', '@@ -1,30 +1,40 @@').replace('diff --git a/drivers/foo.c b/drivers/foo.c\nindex 1111111..2222222 100644\n', '');
    expect(scanLog(prepareMailLines(`Broken mailer:\n${mangled}\nbye`).lines).errors).toEqual([]);
    // A patch submission whose commit message quotes the error it fixes is not a report either.
    const sub = await mail('From: Dev <dev@example.org>\nSubject: [PATCH] foo: fix build\nMessage-ID: <s@x>', `Fixes:\n\ndrivers/foo.c:12:3: error: 'bar' undeclared\n\nSigned-off-by: Dev <dev@example.org>\n---\n${patch}\n`);
    expect(extractBuildReport(sub)).toBeNull();
  });

  it('blanks an inline patch after a scissors line, commit message included', () => {
    const { lines } = prepareMailLines(
      ['Does this help?', '', '-- >8 --', 'Subject: [PATCH] foo: fix', '', 'Fixes: drivers/foo.c:12:3: error: bar', '', 'diff --git a/x b/x', '--- a/x', '+++ b/x', '@@ -1 +1 @@', '-a', '+b'].join('\n'),
    );
    expect(scanLog(lines).errors).toEqual([]);
    expect(lines[0].text).toBe('Does this help?');
  });

  it('reads text attachments, and the arch and compiler of an attached kernel config', async () => {
    const raw = [
      'From: kernel test robot <lkp@intel.com>',
      'Subject: [foo:bar 1/2] drivers/foo.c:12:3: error: x',
      'Message-ID: <a@x>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="B"',
      '',
      '--B',
      'Content-Type: text/plain; charset=us-ascii',
      '',
      'See the attached log.',
      '--B',
      'Content-Type: text/plain; charset=us-ascii; name="build.log"',
      'Content-Disposition: attachment; filename="build.log"',
      '',
      "drivers/foo.c:12:3: error: 'bar' undeclared here (not in a function)",
      '--B',
      'Content-Type: text/plain; charset=us-ascii; name="config"',
      'Content-Disposition: attachment; filename="config"',
      '',
      '#',
      '# Automatically generated file; DO NOT EDIT.',
      '# Linux/riscv 6.2.0-rc1 Kernel Configuration',
      '#',
      'CONFIG_CC_VERSION_TEXT="riscv64-linux-gcc (GCC) 12.1.0"',
      'CONFIG_CC_IS_GCC=y',
      '--B--',
      '',
    ].join('\n');
    const r = extractBuildReport(await mailFromText(raw));
    expect(r?.errors.map((e) => [e.file, e.symbol])).toEqual([['drivers/foo.c', 'bar']]);
    expect(r?.context).toMatchObject({ arch: 'riscv', compiler: 'gcc', compilerVersion: '12.1.0' });
    expect(r?.isRobot).toBe(true);
  });
});

describe('primaryError', () => {
  it('prefers the first error-level diagnostic over make and collect2 consequences, and new lines over old', () => {
    const errors = extractBuildErrors(
      ["/usr/bin/ld: x.o: in function `f':", "x.c:(.text+0x1): undefined reference to `g'", 'collect2: error: ld returned 1 exit status', 'make: *** [Makefile:1: all] Error 2'].join('\n'),
    );
    expect(primaryError(errors)?.symbol).toBe('g');
    const onlyMake = extractBuildErrors("make[1]: *** [archheaders] Error 2\nmake[2]: *** No rule to make target 'archheaders'.  Stop.");
    expect(primaryError(onlyMake)?.kind).toBe('make-no-rule');
    const warnThenMake = extractBuildErrors('a.c:1:2: warning: unused variable ‘x’ [-Wunused-variable]\nmake[1]: *** [a.o] Error 1');
    expect(primaryError(warnThenMake)?.kind).toBe('compiler-warning');
    expect(primaryError([])).toBeNull();
  });
});

describe('inline patches with pseudo-headers', () => {
  it('a fixup whose commit message quotes the error it fixes is not a new report', async () => {
    const m = await mailFromText(
      [
        'From: Dev <dev@example.org>',
        'Subject: Re: [PATCH 8/8] foo',
        'Message-ID: <fx@x>',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Ah, my bad. Fixup below; could be folded with patch 8/8.',
        '',
        '----------------------------------------------------------------------',
        'From: Dev <dev@example.org>',
        'Date: Thu, 5 Apr 2018 22:39:33 +0200',
        'Subject: [PATCH] foo: fix UML build',
        '',
        'This fixes:',
        "    make[2]: *** No rule to make target 'archheaders'.  Stop.",
        '',
        'Signed-off-by: Dev <dev@example.org>',
        '---',
        'diff --git a/x b/x',
        '--- a/x',
        '+++ b/x',
        '@@ -1 +1 @@',
        '-a',
        '+b',
        '',
      ].join('\n'),
    );
    expect(extractBuildReport(m)).toBeNull();
  });
});
