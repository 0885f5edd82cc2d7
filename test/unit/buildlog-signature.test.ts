import { describe, expect, it } from 'vitest';
import { errorSignature, extractBuildErrors, groupBreakages, normalizePath, normalizeQuotes, type BuildReport } from '../../lib/buildlog.ts';

function sig(log: string): string {
  const errors = extractBuildErrors(log);
  expect(errors.length).toBeGreaterThan(0);
  return errors[0].signature;
}

describe('normalizePath', () => {
  it('cuts build directories, ./ and ../ prefixes, and resolves a/../b', () => {
    expect(normalizePath('/builds/linux/fs/btrfs/volumes.c')).toBe('fs/btrfs/volumes.c');
    expect(normalizePath('/home/x/linux/arch/um/os-Linux/signal.c')).toBe('arch/um/os-Linux/signal.c');
    expect(normalizePath('/tmp/kci/linux/tools/testing/selftests/kvm/dirty_log_test.c')).toBe('tools/testing/selftests/kvm/dirty_log_test.c');
    expect(normalizePath('/srv/oe/build/tmp-lkft-glibc/work-shared/intel-core2-32/kernel-source/scripts/Makefile.build')).toBe('scripts/Makefile.build');
    expect(normalizePath('./arch/arm/include/asm/cmpxchg.h')).toBe('arch/arm/include/asm/cmpxchg.h');
    expect(normalizePath('../fs/io_uring.c')).toBe('fs/io_uring.c');
    expect(normalizePath('./../include/linux/compiler_types.h')).toBe('include/linux/compiler_types.h');
    expect(normalizePath('drivers/gpu/drm/amd/amdgpu/../display/dc/link/link_factory.c')).toBe('drivers/gpu/drm/amd/display/dc/link/link_factory.c');
    expect(normalizePath('/tmp/kci/linux/Makefile')).toBe('Makefile');
    // Host headers are not the kernel's.
    expect(normalizePath('/usr/include/stdio.h')).toBe('/usr/include/stdio.h');
    expect(normalizePath('<command-line>')).toBe('<command-line>');
  });
});

describe('normalizeQuotes', () => {
  it('maps every quoting style and its mojibake to ASCII single quotes', () => {
    for (const q of ['‘struct ucontext’', "'struct ucontext'", "`struct ucontext'", '"struct ucontext"', 'âstruct ucontextâ', 'â\u0080\u0098struct ucontextâ\u0080\u0099', 'â€˜struct ucontextâ€™']) {
      expect(normalizeQuotes(`incomplete type ${q}`)).toBe("incomplete type 'struct ucontext'");
    }
    expect(normalizeQuotes("can't open file")).toBe("can't open file");
  });
});

describe('errorSignature', () => {
  it('is the same for every quoting style, line and column, and "did you mean" hint', () => {
    const a = sig('arch/um/os-Linux/signal.c:163:22: error: dereferencing pointer to incomplete type ‘struct ucontext’');
    expect(sig("arch/um/os-Linux/signal.c:170:5: error: dereferencing pointer to incomplete type 'struct ucontext'")).toBe(a);
    expect(sig('arch/um/os-Linux/signal.c:163:22: error: dereferencing pointer to incomplete type "struct ucontext"')).toBe(a);
    expect(sig("arch/um/os-Linux/signal.c:163: error: dereferencing pointer to incomplete type `struct ucontext'")).toBe(a);
    expect(a).toBe("compiler-error|arch/um/os-Linux/signal.c|dereferencing pointer to incomplete type 'struct ucontext'");
    expect(sig("fs/a.c:1:2: error: implicit declaration of function 'foo'; did you mean 'fop'? [-Werror=implicit-function-declaration]")).toBe(
      sig("fs/a.c:9:9: error: implicit declaration of function 'foo' [-Werror,-Wimplicit-function-declaration]"),
    );
  });

  it('is the same across build directories and out-of-tree prefixes', () => {
    const a = sig('/builds/linux/fs/btrfs/volumes.c:12:3: error: ‘x’ undeclared');
    expect(sig('/home/dom/linux/fs/btrfs/volumes.c:14:3: error: ‘x’ undeclared')).toBe(a);
    expect(sig('../fs/btrfs/volumes.c:12:3: error: ‘x’ undeclared')).toBe(a);
    expect(sig('fs/btrfs/volumes.c:12:3: error: ‘x’ undeclared')).toBe(a);
  });

  it('drops cross-compiler prefixes, section offsets, addresses and temporary files', () => {
    const a = sig("aarch64-linux-gnu-ld: kernel/rcu/update.o: in function `f':\nupdate.c:(.text+0x318): undefined reference to `__bad_cmpxchg'");
    expect(sig("ld: kernel/rcu/update.o: in function `g':\nupdate.c:(.text+0x1568): undefined reference to `__bad_cmpxchg'")).toBe(a);
    expect(sig("kernel/rcu/update.o: In function `g':\nupdate.c:(.text+0x1568): undefined reference to `__bad_cmpxchg'")).toBe(a);
    // lld words it differently.
    expect(sig('ld.lld: error: undefined symbol: __bad_cmpxchg\n>>> referenced by update.c\n>>>               kernel/rcu/update.o:(f) in archive vmlinux.a')).toBe(a);
    expect(sig("/tmp/ccAbC123.s:129: Error: invalid barrier type -- `dmb ishld'")).toBe(sig("/tmp/ccXyZ987.s:234: Error: invalid barrier type -- `dmb ishld'"));
    expect(sig('vmlinux.o: warning: objtool: foo()+0x1a: call to bar() leaves .noinstr.text section')).toBe(sig('vmlinux.o: warning: objtool: foo()+0x2c: call to bar() leaves .noinstr.text section'));
    expect(sig('drivers/x.c:743:1: error: the frame size of 1040 bytes is larger than 1024 bytes [-Werror=frame-larger-than=]')).toBe(
      sig('drivers/x.c:743:1: error: the frame size of 1056 bytes is larger than 1024 bytes [-Werror=frame-larger-than=]'),
    );
  });

  it('keys make failures by target, whatever make version or makefile line', () => {
    const old = sig("scripts/Makefile.build:324: recipe for target 'arch/um/os-Linux/signal.o' failed\nmake[1]: *** [arch/um/os-Linux/signal.o] Error 1");
    expect(sig('make[1]: *** [scripts/Makefile.build:250: arch/um/os-Linux/signal.o] Error 1')).toBe(old);
    expect(sig("make[2]: *** No rule to make target 'archheaders'.  Stop.")).toBe(sig("make: *** No rule to make target 'archheaders', needed by 'all'."));
  });

  it('tells different failures apart', () => {
    const a = sig('fs/a.c:1:2: error: ‘x’ undeclared');
    expect(sig('fs/b.c:1:2: error: ‘x’ undeclared')).not.toBe(a);
    expect(sig('fs/a.c:1:2: error: ‘y’ undeclared')).not.toBe(a);
    expect(sig('fs/a.c:1:2: warning: ‘x’ undeclared')).not.toBe(a);
    expect(errorSignature({ kind: 'linker-undefined', file: 'a.o', message: "undefined reference to 'f'", symbol: 'f' })).not.toBe(
      errorSignature({ kind: 'linker-undefined', file: 'a.o', message: "undefined reference to 'g'", symbol: 'g' }),
    );
  });
});

describe('groupBreakages', () => {
  const report = (log: string): BuildReport => ({
    errors: extractBuildErrors(log),
    context: { arch: null, config: null, compiler: null, compilerVersion: null, distro: null, tree: null, branch: null, baseCommit: null, makeCommand: null },
    reportedBy: { name: 'x', email: 'x@example.org' },
    patchSubject: null,
    patchLink: null,
    isRobot: false,
    kind: 'human',
  });

  it('groups by the primary error, not by make consequences or later errors', () => {
    const groups = groupBreakages([
      { reportId: 'a', report: report("make[2]: *** No rule to make target 'archheaders'.  Stop.\nmake[1]: *** [archheaders] Error 2") },
      { reportId: 'b', report: report('/home/me/linux/fs/x.c:1:2: error: ‘y’ undeclared\nmake[1]: *** [fs/x.o] Error 1') },
      { reportId: 'c', report: report("make[1]: *** No rule to make target 'archheaders'.  Stop.") },
      { reportId: 'd', report: report("fs/x.c:3:4: error: 'y' undeclared\nfs/z.c:1:1: error: 'w' undeclared") },
      { reportId: 'd', report: report("fs/x.c:3:4: error: 'y' undeclared") },
      { reportId: 'e', report: report('nothing to see') },
    ]);
    expect(groups.map((g) => [g.signature, g.reportIds])).toEqual([
      ["make-no-rule||No rule to make target 'archheaders'", ['a', 'c']],
      ["compiler-error|fs/x.c|'y' undeclared", ['b', 'd']],
    ]);
    expect(groups[1].primary.line).toBe(1);
  });
});
