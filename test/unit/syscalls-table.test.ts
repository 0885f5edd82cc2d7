import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findDiffs, parseDiff } from '../../lib/diff.ts';
import { syscallChangesFromDiff } from '../../lib/syscalls/diff.ts';
import { abiSelections, applySyscallChanges, parseSyscallTable, tablePathKind, validateTable, type SyscallRow, type SyscallTable } from '../../lib/syscalls/table.ts';
import { corpusFiles, corpusPath, describeCorpus, loadMails } from '../helpers/corpus.ts';
import { cpuMillis } from './syscalls-helpers.ts';

const X64 = 'arch/x86/entry/syscalls/syscall_64.tbl';
const X32 = 'arch/x86/entry/syscalls/syscall_32.tbl';
const TABLES = 'syscall-tables';
const ANDROID = `${TABLES}/x86-android-msm-4.14-pre-2018-format/syscall_64.tbl`;
const D3B = `${TABLES}/x86-mainline-2020-03-d3b1b776-__x64_sys-format`;
const CAB = `${TABLES}/x86-mainline-2020-03-cab56d34-after-ABI-prefix-removal`;
const V513 = `${TABLES}/x86-mainline-5.13-era-17ae69ab/syscall_64.tbl`;

const read = (rel: string) => readFileSync(corpusPath(rel), 'utf8');
const tableOfText = (text: string) => parseSyscallTable(text, X32);
const tableOf = (rel: string) => parseSyscallTable(read(rel), rel.endsWith('_32.tbl') ? X32 : X64);
const row = (t: SyscallTable, name: string, abi?: string) => t.rows.find((r) => r.name === name && (abi === undefined || r.abi === abi));
const kinds = (t: { problems: { kind: string }[] }) => t.problems.map((p) => p.kind).filter((k) => k !== 'hole');
/** A row without its line number, for comparing tables row by row. */
const content = (r: SyscallRow) => [r.number, r.abi, r.name, r.entry, r.compat, r.qualifier];

describe('tablePathKind', () => {
  it('recognises the table files the kernel build reads', () => {
    expect(tablePathKind(X64)).toBe('tbl');
    expect(tablePathKind('arch/mips/kernel/syscalls/syscall_n32.tbl')).toBe('tbl');
    expect(tablePathKind('arch/arm64/tools/syscall_64.tbl')).toBe('tbl');
    expect(tablePathKind('arch/arm/tools/syscall.tbl')).toBe('tbl');
    expect(tablePathKind('scripts/syscall.tbl')).toBe('tbl');
    expect(tablePathKind('include/uapi/asm-generic/unistd.h')).toBe('unistd');
    expect(tablePathKind('arch/arm64/include/asm/unistd32.h')).toBe('unistd');
  });
  it('rejects other files, including the tables of the build scripts themselves', () => {
    expect(tablePathKind('arch/x86/entry/syscalls/syscalltbl.sh')).toBeNull();
    expect(tablePathKind('arch/x86/um/sys_call_table_64.c')).toBeNull();
    expect(tablePathKind('arch/arm64/include/asm/unistd.h')).toBeNull();
    expect(tablePathKind('Documentation/syscall.tbl')).toBeNull();
  });
});

describe('parseSyscallTable on hand-written rows', () => {
  it('reads the old /ptregs qualifier, the noreturn column, "-" compat and hex numbers', () => {
    const t = parseSyscallTable(
      ['# comment', '59\t64\texecve\t\t\tsys_execve/ptregs', '60\tcommon\texit\t\t\tsys_exit\t\t\t-\t\t\tnoreturn', '0x10 i386 foo sys_foo compat_sys_foo', '134\t64\tuselib', ''].join('\n'),
      X64,
    );
    expect(t.rows.map(content)).toEqual([
      [59, '64', 'execve', 'sys_execve', null, 'ptregs'],
      [60, 'common', 'exit', 'sys_exit', null, 'noreturn'],
      [16, 'i386', 'foo', 'sys_foo', 'compat_sys_foo', null],
      [134, '64', 'uselib', null, null, null],
    ]);
    expect(t.rows.map((r) => r.line)).toEqual([2, 3, 4, 5]);
  });
  it('reports rows the build would misread', () => {
    const t = parseSyscallTable('10 common\n 11 common munmap sys_munmap\n12 common brk sys_brk x y z\n', X64);
    expect(t.problems.filter((p) => p.kind === 'malformed').map((p) => p.line)).toEqual([1, 2, 3]);
  });
  it('flags a duplicate number within one ABI group, but not across x86-64 and x32', () => {
    const ok = parseSyscallTable('13\t64\trt_sigaction\tsys_rt_sigaction\n14\tcommon\trt_sigprocmask\tsys_rt_sigprocmask\n512\tx32\trt_sigaction\tcompat_sys_rt_sigaction\n', X64);
    expect(kinds(ok)).toEqual([]);
    const dup = parseSyscallTable('332\tcommon\tstatx\tsys_statx\n333\tcommon\tio_pgetevents\tsys_io_pgetevents\n333\t64\tprocess_vmsplice\tsys_process_vmsplice\n', X64);
    expect(dup.problems).toContainEqual(
      expect.objectContaining({
        kind: 'duplicate',
        line: 3,
        number: 333,
        abis: ['common', '64'],
        kernelError: `error: ${X64}: syscall table is not sorted or duplicates the same syscall number`,
      }),
    );
  });
  it('validates the generic scripts/syscall.tbl per 32-bit and 64-bit ABI set', () => {
    // Rows as in scripts/syscall.tbl (2024): time32/64 and stat64/newstat variants share numbers.
    const generic = ['4\ttime32\tio_getevents\tsys_io_getevents_time32', '4\t64\tio_getevents\tsys_io_getevents', '79\tstat64\tfstatat64\tsys_fstatat64', '79\tnewstat\tnewfstatat\tsys_newfstatat', '244\tarc\tcacheflush\tsys_cacheflush', '244\tcsky\tset_thread_area\tsys_set_thread_area', '258\triscv\triscv_hwprobe\tsys_riscv_hwprobe'];
    expect(kinds(parseSyscallTable(generic.join('\n'), 'scripts/syscall.tbl'))).toEqual([]);
    const bad = parseSyscallTable([...generic, '79\t64\tnewfstatat\tsys_newfstatat'].join('\n'), 'arch/arm64/tools/syscall_64.tbl');
    expect(bad.problems.find((p) => p.kind !== 'hole')).toMatchObject({ kind: 'duplicate', number: 79, line: 8, message: '79 64 newfstatat (line 8) duplicates 79 newstat newfstatat (line 4) in ABIs common,64,newstat,renameat,rlimit,memfd_secret' });
  });
  it('selects powerpc ABIs as its Makefile does: nospu rows in 32 and 64, not in spu', () => {
    // Rows of arch/powerpc/kernel/syscalls/syscall.tbl.
    const ppc = parseSyscallTable(
      '161\t32\tsched_rr_get_interval\t\tsys_sched_rr_get_interval_time32\n161\t64\tsched_rr_get_interval\t\tsys_sched_rr_get_interval\n161\tspu\tsched_rr_get_interval\t\tsys_sched_rr_get_interval\n172\tnospu\trt_sigreturn\t\t\tsys_rt_sigreturn\t\tcompat_sys_rt_sigreturn\n',
      'arch/powerpc/kernel/syscalls/syscall.tbl',
    );
    expect(abiSelections(ppc).selections).toEqual([['nospu', '32'], ['nospu', '64'], ['spu']]);
    expect(kinds(ppc)).toEqual([]);
    expect(abiSelections(tableOfText('0\ti386\trestart_syscall\tsys_restart_syscall\n')).selections).toEqual([['i386']]);
  });
  it('flags an ABI no build selects: the "032" typo of the 2023 mips o32 merge resolution', () => {
    // Lines of arch/mips/kernel/syscalls/syscall_o32.tbl from the linux-next merge of 2023-10-27.
    const t = parseSyscallTable('457\to32\tlsm_get_self_attr\t\tsys_lsm_get_self_attr\n458\t032\tlsm_set_self_attr\t\tsys_lsm_set_self_attr\n459\to32\tlsm_list_modules\t\tsys_lsm_list_modules\n', 'arch/mips/kernel/syscalls/syscall_o32.tbl');
    expect(t.problems).toEqual([expect.objectContaining({ kind: 'unknown-abi', line: 2, number: 458 })]);
  });
});

describe('unistd.h', () => {
  // Shaped like include/uapi/asm-generic/unistd.h: continuation lines, __SC_3264 with the
  // 32/64-bit names given by aliases at the end, an __ARCH_WANT_ alternative.
  const UNISTD = `#ifndef __SYSCALL
#define __SYSCALL(x, y)
#endif
#define __NR_io_setup 0
__SC_COMP(__NR_io_setup, sys_io_setup, compat_sys_io_setup)
#define __NR_io_destroy 1
__SYSCALL(__NR_io_destroy, sys_io_destroy)
#define __NR3264_lseek 62
__SC_3264(__NR3264_lseek, sys_llseek, sys_lseek)
#ifdef __ARCH_WANT_SYNC_FILE_RANGE2
#define __NR_sync_file_range2 84
__SC_COMP(__NR_sync_file_range2, sys_sync_file_range2, \\
	  compat_sys_sync_file_range2)
#else
#define __NR_sync_file_range 84
__SC_COMP(__NR_sync_file_range, sys_sync_file_range, \\
	  compat_sys_sync_file_range)
#endif
#define __NR_mprotect 226
__SYSCALL(__NR_mprotect, sys_mprotect)
#undef __NR_syscalls
#define __NR_syscalls 227
#if __BITS_PER_LONG == 64 && !defined(__SYSCALL_COMPAT)
#define __NR_lseek __NR3264_lseek
#else
#define __NR_llseek __NR3264_lseek
#endif
`;
  it('reads #define __NR_x N with __SYSCALL, __SC_COMP and __SC_3264', () => {
    const t = parseSyscallTable(UNISTD, 'include/uapi/asm-generic/unistd.h');
    expect(t.format).toBe('unistd');
    expect(t.rows.map(content)).toEqual([
      [0, 'common', 'io_setup', 'sys_io_setup', 'compat_sys_io_setup', null],
      [1, 'common', 'io_destroy', 'sys_io_destroy', null, null],
      [62, '32', 'llseek', 'sys_llseek', null, null],
      [62, '64', 'lseek', 'sys_lseek', null, null],
      [84, '__ARCH_WANT_SYNC_FILE_RANGE2', 'sync_file_range2', 'sys_sync_file_range2', 'compat_sys_sync_file_range2', null],
      [84, '!__ARCH_WANT_SYNC_FILE_RANGE2', 'sync_file_range', 'sys_sync_file_range', 'compat_sys_sync_file_range', null],
      [226, 'common', 'mprotect', 'sys_mprotect', null, null],
    ]);
    expect(kinds(t)).toEqual([]);
  });
  it('detects the format from the text when no path is given', () => {
    expect(parseSyscallTable(UNISTD).format).toBe('unistd');
    expect(parseSyscallTable('10\tcommon\tmprotect\tsys_mprotect\n').format).toBe('tbl');
  });
});

describe('parsers never throw', () => {
  it('on random text, as table or unistd.h', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), fc.constantFrom(X64, 'include/uapi/asm-generic/unistd.h', undefined), (text, path) => {
        const t = parseSyscallTable(text, path);
        for (const r of t.rows) {
          expect(Number.isSafeInteger(r.number)).toBe(true);
          expect(r.name.length).toBeGreaterThan(0);
        }
        expect(t.problems.length).toBeLessThanOrEqual(400);
      }),
    );
  });
  it('on random lines made of table-like tokens', () => {
    const token = fc.constantFrom('10', '0x1f', '333', 'common', '64', 'x32', 'i386', 'mprotect', 'sys_mprotect/ptregs', '-', 'noreturn', '#', '\t', ' ', '#define __NR_x 5', '__SYSCALL(__NR_x, sys_x)', '__SC_3264(__NR3264_x, a, b)', '#if __BITS_PER_LONG == 32', '#else', '#endif', '\\');
    fc.assert(
      fc.property(fc.array(fc.array(token, { maxLength: 8 }).map((t) => t.join(' ')), { maxLength: 60 }), (lines) => {
        const text = lines.join('\n');
        const t = parseSyscallTable(text, X64);
        expect(validateTable(t)).toEqual(t.problems.filter((p) => p.kind !== 'malformed'));
        parseSyscallTable(text, 'include/uapi/asm-generic/unistd.h');
      }),
    );
  });
  it('on deep #if nesting, long continuations and whitespace runs', () => {
    const U = 'include/uapi/asm-generic/unistd.h';
    let nested = parseSyscallTable('');
    const ms = cpuMillis(() => {
      nested = parseSyscallTable('#if X\n#define __NR_a 1\n__SYSCALL(__NR_a, sys_a)\n'.repeat(20_000), U);
      parseSyscallTable('\\\n'.repeat(500_000), U);
      parseSyscallTable('\n'.repeat(2_000_000) + '#' + ' '.repeat(1_000_000));
    });
    expect(ms).toBeLessThan(1000);
    // Sixteen conditions are kept; deeper ones are counted only.
    expect(nested.rows[20].abi.split(' && ')).toHaveLength(16);
  });
  it('on a 5 MB text in well under a second', () => {
    // A mail-sized hostile input: 20k rows among prose lines, and one 1 MB line.
    const big = '10\tcommon\tmprotect\t\tsys_mprotect\n'.repeat(20_000) + 'No rule to make target archheaders, see syscall_64.tbl\n'.repeat(60_000) + 'x'.repeat(1_100_000);
    expect(big.length).toBeGreaterThan(5_000_000);
    let t = parseSyscallTable('');
    const ms = cpuMillis(() => {
      t = parseSyscallTable(big, X64);
      parseSyscallTable(big, 'include/uapi/asm-generic/unistd.h');
    });
    expect(ms).toBeLessThan(1000);
    expect(t.rows).toHaveLength(20_000);
    expect(t.problems.length).toBeLessThanOrEqual(400);
  });
});

describeCorpus('the real tables in syscall-tables/', () => {
  it('parses every table in the folder, old and new formats', () => {
    const counts = Object.fromEntries(corpusFiles(TABLES).filter((f) => f.endsWith('.tbl')).map((f) => [f.slice(TABLES.length + 1), tableOf(f).rows.length]));
    expect(counts).toEqual({
      'x86-android-msm-4.14-pre-2018-format/syscall_64.tbl': 372,
      'x86-mainline-2020-03-cab56d34-after-ABI-prefix-removal/syscall_32.tbl': 427,
      'x86-mainline-2020-03-cab56d34-after-ABI-prefix-removal/syscall_64.tbl': 385,
      'x86-mainline-2020-03-d3b1b776-__x64_sys-format/syscall_32.tbl': 427,
      'x86-mainline-2020-03-d3b1b776-__x64_sys-format/syscall_64.tbl': 385,
      'x86-mainline-5.13-era-17ae69ab/syscall_64.tbl': 394,
    });
  });
  it('has mprotect at 10 in every 64-bit table, with the entry of its era', () => {
    expect(content(row(tableOf(ANDROID), 'mprotect')!)).toEqual([10, 'common', 'mprotect', 'sys_mprotect', null, null]);
    expect(row(tableOf(`${D3B}/syscall_64.tbl`), 'mprotect')!.entry).toBe('__x64_sys_mprotect');
    expect(row(tableOf(`${CAB}/syscall_64.tbl`), 'mprotect')!.entry).toBe('sys_mprotect');
    expect(row(tableOf(V513), 'mprotect')).toMatchObject({ number: 10, abi: 'common', entry: 'sys_mprotect' });
  });
  it('reads the two-column i386 rows and the x32 compat rows', () => {
    expect(content(row(tableOf(`${D3B}/syscall_32.tbl`), 'mprotect')!)).toEqual([125, 'i386', 'mprotect', 'sys_mprotect', '__ia32_sys_mprotect', null]);
    expect(content(row(tableOf(`${CAB}/syscall_32.tbl`), 'mprotect')!)).toEqual([125, 'i386', 'mprotect', 'sys_mprotect', 'sys_mprotect', null]);
    expect(content(row(tableOf(`${D3B}/syscall_32.tbl`), 'open')!)).toEqual([5, 'i386', 'open', 'sys_open', '__ia32_compat_sys_open', null]);
    expect(content(row(tableOf(`${D3B}/syscall_64.tbl`), 'execveat', 'x32')!)).toEqual([545, 'x32', 'execveat', '__x32_compat_sys_execveat', null, null]);
    expect(content(row(tableOf(V513), 'landlock_restrict_self')!)).toEqual([446, 'common', 'landlock_restrict_self', 'sys_landlock_restrict_self', null, null]);
  });
  it('reads the pre-2018 /ptregs qualifiers of the Android 4.14 table', () => {
    const t = tableOf(ANDROID);
    expect(t.rows.filter((r) => r.qualifier === 'ptregs').map((r) => `${r.number} ${r.abi} ${r.entry}`)).toEqual([
      '15 64 sys_rt_sigreturn',
      '56 common sys_clone',
      '57 common sys_fork',
      '58 common sys_vfork',
      '59 64 sys_execve',
      '172 common sys_iopl',
      '322 64 sys_execveat',
      '520 x32 compat_sys_execve',
      '545 x32 compat_sys_execveat',
    ]);
    expect(row(t, 'uselib')).toMatchObject({ number: 134, abi: '64', entry: null });
  });
  it('flags the Android table as unsorted: io_pgetevents (333) was backported after 434', () => {
    const problems = validateTable(tableOf(ANDROID)).filter((p) => p.kind !== 'hole');
    expect(problems).toEqual([
      expect.objectContaining({ kind: 'unsorted', number: 333, line: 344, abis: ['common', '64'], message: expect.stringContaining('after 434 common pidfd_open') }),
    ]);
  });
  it('finds nothing wrong with the mainline tables but their holes', () => {
    for (const f of [`${D3B}/syscall_64.tbl`, `${D3B}/syscall_32.tbl`, `${CAB}/syscall_64.tbl`, `${CAB}/syscall_32.tbl`, V513]) expect(kinds(tableOf(f)), f).toEqual([]);
    const holes = tableOf(`${D3B}/syscall_64.tbl`).problems.filter((p) => p.kind === 'hole').map((p) => p.number);
    // 335-423 are kept free to line up with the generic numbers; 436 (close_range) came later to x86; 439-511 before x32.
    expect(holes).toEqual([335, 436, 439]);
  });
  it('applying the cab56d34 diff to the d3b1b776 tables gives exactly the cab56d34 tables', () => {
    const changes = syscallChangesFromDiff(parseDiff(read(`${CAB}/cab56d34-syscall-tbl.diff`)));
    for (const [name, path] of [['syscall_64.tbl', X64], ['syscall_32.tbl', X32]]) {
      const applied = applySyscallChanges(parseSyscallTable(read(`${D3B}/${name}`), path), changes);
      const expected = parseSyscallTable(read(`${CAB}/${name}`), path);
      expect(applied.rows.map(content)).toEqual(expected.rows.map(content));
      expect(kinds(applied)).toEqual([]);
    }
  });
  it('applying the 2018 process_vmsplice patch to the Android table collides with io_pgetevents at 333', async () => {
    const [mail] = await loadMails('lkml/syscall-table-linking/2018-01-PATCH-v5-3of4-x86-wire-up-process_vmsplice-pre-pt_regs-tbl-format.eml');
    const changes = syscallChangesFromDiff(findDiffs(mail.body).flatMap((b) => b.files));
    const applied = applySyscallChanges(tableOf(ANDROID), changes);
    expect(applied.rows).toHaveLength(374);
    expect(applied.problems).toContainEqual(
      expect.objectContaining({ kind: 'duplicate', number: 333, abis: ['common', '64'], message: '333 64 process_vmsplice duplicates 333 common io_pgetevents (line 344) in ABIs common,64' }),
    );
    // The base already had the same 333 io_pgetevents; applying the patch twice conflicts.
    expect(applySyscallChanges(applied, changes).problems.filter((p) => p.kind === 'conflict').map((p) => p.message)).toEqual([
      '333 64 process_vmsplice: row already present',
      '548 x32 process_vmsplice: row already present',
    ]);
  });
  it('reports a change whose old entry is not in the table as a conflict', () => {
    const changes = syscallChangesFromDiff(parseDiff(read(`${CAB}/cab56d34-syscall-tbl.diff`)));
    // The prefix removal expects __x64_sys_mprotect; the Android table has sys_mprotect.
    const applied = applySyscallChanges(tableOf(ANDROID), changes);
    expect(applied.problems.filter((p) => p.kind === 'conflict').map((p) => p.message)).toContain('10 common mprotect: expected __x64_sys_mprotect, found sys_mprotect');
  });
  it('never throws on mutated real tables', () => {
    const text = read(`${D3B}/syscall_64.tbl`);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: text.length }), fc.integer({ min: 0, max: 200 }), fc.string({ maxLength: 40 }), (at, cut, insert) => {
        const t = parseSyscallTable(text.slice(0, at) + insert + text.slice(at + cut), X64);
        expect(t.rows.length).toBeGreaterThan(300);
      }),
      { numRuns: 200 },
    );
  });
});
