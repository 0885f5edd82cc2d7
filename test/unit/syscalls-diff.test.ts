import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findDiffs, parseDiff } from '../../lib/diff.ts';
import type { Mail } from '../../lib/mail/types.ts';
import { ownText } from '../../lib/mail/quote.ts';
import { syscallChangesFromCombinedDiff, syscallChangesFromDiff, type SyscallChange } from '../../lib/syscalls/diff.ts';
import { parseSyscallTable } from '../../lib/syscalls/table.ts';
import { corpusPath, describeCorpus, loadMails } from '../helpers/corpus.ts';
import { cpuMillis } from './syscalls-helpers.ts';

const X64 = 'arch/x86/entry/syscalls/syscall_64.tbl';
const X32 = 'arch/x86/entry/syscalls/syscall_32.tbl';

const changesOf = (mail: Mail) => syscallChangesFromDiff(findDiffs(ownText(mail.body)).flatMap((b) => b.files));
const short = (c: SyscallChange) => `${c.kind} ${c.number} ${c.abi} ${c.name} ${c.oldEntry ?? '-'}${c.oldCompat ? `,${c.oldCompat}` : ''} -> ${c.newEntry ?? '-'}${c.newCompat ? `,${c.newCompat}` : ''}`;

function tblDiff(path: string, body: string[]): string {
  const oldCount = body.filter((l) => l[0] !== '+').length;
  const newCount = body.filter((l) => l[0] !== '-').length;
  return `diff --git a/${path} b/${path}\n--- a/${path}\n+++ b/${path}\n@@ -1,${oldCount} +1,${newCount} @@\n${body.join('\n')}\n`;
}

describe('syscallChangesFromDiff on hand-written diffs', () => {
  it('pairs a "-" and a "+" row of one number, ABI and name into one change', () => {
    const d = tblDiff(X64, [' 9\tcommon\tmmap\t\t\tsys_mmap', '-10\tcommon\tmprotect\t\tsys_mprotect', '+10\tcommon\tmprotect\t\t__sys_x86_mprotect', ' 11\tcommon\tmunmap\t\t\tsys_munmap']);
    expect(syscallChangesFromDiff(parseDiff(d))).toEqual([
      { table: X64, number: 10, abi: 'common', name: 'mprotect', oldEntry: 'sys_mprotect', newEntry: '__sys_x86_mprotect', oldCompat: null, newCompat: null, oldQualifier: null, newQualifier: null, kind: 'changed' },
    ]);
  });
  it('ignores realignment and treats a renumbered row as removed plus added', () => {
    const d = tblDiff(X64, ['-452\tcommon\tfchmodat2\t\tsys_fchmodat2', '+452 common fchmodat2 sys_fchmodat2', '-453\tcommon\tlsm_get_self_attr\tsys_lsm_get_self_attr', '+457\tcommon\tlsm_get_self_attr\tsys_lsm_get_self_attr']);
    expect(syscallChangesFromDiff(parseDiff(d)).map(short)).toEqual(['removed 453 common lsm_get_self_attr sys_lsm_get_self_attr -> -', 'added 457 common lsm_get_self_attr - -> sys_lsm_get_self_attr']);
  });
  it('sees a dropped /ptregs qualifier as a change', () => {
    const [c] = syscallChangesFromDiff(parseDiff(tblDiff(X64, ['-59\t64\texecve\t\t\t__x64_sys_execve/ptregs', '+59\t64\texecve\t\t\t__x64_sys_execve'])));
    expect(c).toMatchObject({ kind: 'changed', oldEntry: '__x64_sys_execve', newEntry: '__x64_sys_execve', oldQualifier: 'ptregs', newQualifier: null });
  });
  it('ignores files that are not tables and a move of a row between hunks', () => {
    const moved = `${tblDiff(X64, ['-333\t64\tfoo\tsys_foo', ' 334\tcommon\trseq\tsys_rseq'])}@@ -10,1 +9,2 @@\n 435\tcommon\tclone3\tsys_clone3\n+333\t64\tfoo\tsys_foo\n`;
    expect(syscallChangesFromDiff(parseDiff(moved))).toEqual([]);
    expect(syscallChangesFromDiff(parseDiff(tblDiff('arch/x86/um/sys_call_table_64.c', ['-10\tcommon\tmprotect\tsys_mprotect'])))).toEqual([]);
  });
  it('reads unistd.h hunks whose #define and __SYSCALL lines differ in kind', () => {
    const d = tblDiff('include/uapi/asm-generic/unistd.h', [
      ' #define __NR_futex_requeue 456',
      ' __SYSCALL(__NR_futex_requeue, sys_futex_requeue)',
      '-#define __NR_lsm_get_self_attr 457',
      '+#define __NR_lsm_get_self_attr 459',
      ' __SYSCALL(__NR_lsm_get_self_attr, sys_lsm_get_self_attr)',
      ' #undef __NR_syscalls',
      '-#define __NR_syscalls 460',
      '+#define __NR_syscalls 462',
    ]);
    expect(syscallChangesFromDiff(parseDiff(d)).map(short)).toEqual(['removed 457 common lsm_get_self_attr sys_lsm_get_self_attr -> -', 'added 459 common lsm_get_self_attr - -> sys_lsm_get_self_attr']);
  });
  it('never throws on random hunks of table files', () => {
    const line = fc.tuple(fc.constantFrom(' ', '-', '+'), fc.string({ maxLength: 60 })).map(([c, s]) => c + s.replace(/\n/g, ''));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 40 }), fc.constantFrom(X64, 'include/uapi/asm-generic/unistd.h'), (body, path) => {
        for (const c of syscallChangesFromDiff(parseDiff(tblDiff(path, body)))) expect(['added', 'removed', 'changed']).toContain(c.kind);
        syscallChangesFromCombinedDiff(`diff --cc ${path}\n@@@ -1,3 -1,3 +1,3 @@@\n${body.map((l) => l[0] + l).join('\n')}`);
      }),
    );
  });
});

describeCorpus('table changes in real patches', () => {
  it('the tip-bot2 "Remove ABI prefixes" mail changes every prefixed entry of both tables', async () => {
    const [mail] = await loadMails('lkml/brgerst-2020-syscall-wrapper-cleanups/tip-bot2-x86-entry-Remove-ABI-prefixes-from-functions-in-syscall-tables.eml');
    const changes = syscallChangesFromDiff(findDiffs(mail.body).flatMap((b) => b.files));
    const prefixed = (path: string, file: string) =>
      parseSyscallTable(readFileSync(corpusPath(`syscall-tables/x86-mainline-2020-03-d3b1b776-__x64_sys-format/${file}`), 'utf8'), path).rows.filter((r) =>
        [r.entry, r.compat].some((s) => s !== null && /^__(x64|x32|ia32)_/.test(s)),
      ).length;
    expect(prefixed(X64, 'syscall_64.tbl')).toBe(370);
    expect(prefixed(X32, 'syscall_32.tbl')).toBe(409);
    expect(changes).toHaveLength(370 + 409);
    expect(changes.every((c) => c.kind === 'changed')).toBe(true);
    const find = (table: string, n: number, abi: string) => changes.find((c) => c.table === table && c.number === n && c.abi === abi);
    expect(find(X64, 10, 'common')).toMatchObject({ name: 'mprotect', oldEntry: '__x64_sys_mprotect', newEntry: 'sys_mprotect' });
    expect(find(X64, 545, 'x32')).toMatchObject({ name: 'execveat', oldEntry: '__x32_compat_sys_execveat', newEntry: 'compat_sys_execveat' });
    expect(find(X32, 125, 'i386')).toMatchObject({ name: 'mprotect', oldEntry: 'sys_mprotect', newEntry: 'sys_mprotect', oldCompat: '__ia32_sys_mprotect', newCompat: 'sys_mprotect' });
  });
  it('the other tip-bot2 mails of the series: the ptregs removal and the x32_rt_sigreturn wrapper', async () => {
    const mails = await loadMails('lkml/brgerst-2020-syscall-wrapper-cleanups/tip-bot2-x86-entry-commit-notifications-2020-03.mbox');
    const bySubject = new Map(mails.map((m) => [m.subject.replace('[tip: x86/entry] ', ''), syscallChangesFromDiff(findDiffs(m.body).flatMap((b) => b.files))]));
    expect([...bySubject].filter(([, c]) => c.length > 0).map(([s, c]) => [s, c.length])).toEqual([
      ['x86/entry/32: Use IA32-specific wrappers for syscalls taking 64-bit arguments', 9],
      ['x86/entry/32: Rename 32-bit specific syscalls', 15],
      ['x86/entry: Remove ABI prefixes from functions in syscall tables', 779],
      ['x86/entry/32: Clean up syscall_32.tbl', 289],
      ['x86/entry/64: Remove ptregs qualifier from syscall table', 10],
      ['x86/entry/64: Use syscall wrappers for x32_rt_sigreturn', 1],
    ]);
    const ptregs = bySubject.get('x86/entry/64: Remove ptregs qualifier from syscall table')!;
    expect(ptregs.every((c) => c.oldQualifier === 'ptregs' && c.newQualifier === null && c.oldEntry === c.newEntry)).toBe(true);
    expect(ptregs.map((c) => c.name)).toContain('execve');
    expect(bySubject.get('x86/entry/64: Use syscall wrappers for x32_rt_sigreturn')!.map(short)).toEqual(['changed 513 x32 rt_sigreturn sys32_x32_rt_sigreturn -> __x32_compat_sys_x32_rt_sigreturn']);
  });
  it('the 2018 process_vmsplice patch adds rows in the old format', async () => {
    const [mail] = await loadMails('lkml/syscall-table-linking/2018-01-PATCH-v5-3of4-x86-wire-up-process_vmsplice-pre-pt_regs-tbl-format.eml');
    expect(changesOf(mail).map((c) => `${c.table.slice(-14)} ${short(c)}`)).toEqual([
      'syscall_32.tbl added 385 i386 process_vmsplice - -> sys_process_vmsplice,compat_sys_process_vmsplice',
      'syscall_64.tbl added 333 64 process_vmsplice - -> sys_process_vmsplice',
      'syscall_64.tbl added 548 x32 process_vmsplice - -> compat_sys_process_vmsplice',
    ]);
  });
  it('the unsorted-table failure thread carries no table diff', async () => {
    const mails = await loadMails('lkml/syscall-table-linking/thread-sfr-build-failure-asm-generic-syscall_64.tbl-not-sorted.mbox');
    expect(mails).toHaveLength(3);
    for (const m of mails) {
      expect(changesOf(m)).toEqual([]);
      expect(syscallChangesFromCombinedDiff(m.body)).toEqual([]);
    }
  });
  it('the 2023-10 merge resolution renumbers the LSM syscalls after map_shadow_stack and futex2', async () => {
    const [report, reply] = await loadMails('lkml/syscall-table-linking/thread-sfr-manual-merge-security-vs-asm-generic-block-tip-2023-10.mbox');
    // Combined diffs are not plain diffs: lib/diff.ts finds nothing, the combined reader does.
    expect(findDiffs(report.body)).toEqual([]);
    const changes = syscallChangesFromCombinedDiff(report.body);
    expect(new Set(changes.map((c) => c.name))).toEqual(new Set(['lsm_get_self_attr', 'lsm_set_self_attr', 'lsm_list_modules', 'map_shadow_stack', 'futex_wake', 'futex_wait', 'futex_requeue']));
    expect(new Set(changes.map((c) => c.table)).size).toBe(17);
    const x64 = (parent: number) => changes.filter((c) => c.table === X64 && c.parent === parent).map(short);
    // Against the asm-generic/block/tip side only the LSM rows are new.
    expect(x64(1)).toEqual(['added 457 common lsm_get_self_attr - -> sys_lsm_get_self_attr', 'added 458 common lsm_set_self_attr - -> sys_lsm_set_self_attr', 'added 459 common lsm_list_modules - -> sys_lsm_list_modules']);
    // Against the security tree they moved from 454-456 to 457-459.
    expect(x64(2)).toEqual([
      'removed 454 common lsm_get_self_attr sys_lsm_get_self_attr -> -',
      'added 454 common futex_wake - -> sys_futex_wake',
      'removed 455 common lsm_set_self_attr sys_lsm_set_self_attr -> -',
      'added 455 common futex_wait - -> sys_futex_wait',
      'removed 456 common lsm_list_modules sys_lsm_list_modules -> -',
      'added 456 common futex_requeue - -> sys_futex_requeue',
      'added 457 common lsm_get_self_attr - -> sys_lsm_get_self_attr',
      'added 458 common lsm_set_self_attr - -> sys_lsm_set_self_attr',
      'added 459 common lsm_list_modules - -> sys_lsm_list_modules',
    ]);
    const generic = changes.filter((c) => c.table === 'include/uapi/asm-generic/unistd.h' && c.parent === 1).map(short);
    expect(generic).toEqual(['added 457 common lsm_get_self_attr - -> sys_lsm_get_self_attr', 'added 458 common lsm_set_self_attr - -> sys_lsm_set_self_attr', 'added 459 common lsm_list_modules - -> sys_lsm_list_modules']);
    expect(syscallChangesFromCombinedDiff(reply.body)).toEqual([]);
  });
  it('the 2023-11 merge resolution puts the LSM syscalls after statmount/listmount', async () => {
    const [report] = await loadMails('lkml/syscall-table-linking/thread-sfr-manual-merge-security-vs-vfs-brauner-syscall-tables.mbox');
    const changes = syscallChangesFromCombinedDiff(report.body);
    expect(new Set(changes.map((c) => c.name))).toEqual(new Set(['lsm_get_self_attr', 'lsm_set_self_attr', 'lsm_list_modules', 'statmount', 'listmount']));
    const lsm = changes.filter((c) => c.parent === 1 && c.name === 'lsm_get_self_attr');
    expect(new Set(lsm.map((c) => c.kind))).toEqual(new Set(['added']));
    expect(lsm.find((c) => c.table === 'arch/alpha/kernel/syscalls/syscall.tbl')?.number).toBe(569);
    expect(lsm.find((c) => c.table === X64)?.number).toBe(459);
    // The plain diff in the same mail (arch/arm64/include/asm/unistd.h) is no table.
    expect(syscallChangesFromDiff(findDiffs(report.body).flatMap((b) => b.files))).toEqual([]);
  });
});

describeCorpus('the diff readers on mutated real mail', () => {
  const mutate = (text: string) =>
    fc.tuple(fc.integer({ min: 0, max: text.length }), fc.integer({ min: 0, max: 300 }), fc.string({ maxLength: 40 })).map(([at, cut, insert]) => text.slice(0, at) + insert + text.slice(at + cut));
  const wellFormed = (c: SyscallChange) => {
    expect(['added', 'removed', 'changed']).toContain(c.kind);
    expect(Number.isSafeInteger(c.number)).toBe(true);
    if (c.kind === 'added') expect(c.oldEntry).toBeNull();
    if (c.kind === 'removed') expect(c.newEntry).toBeNull();
  };
  it('never throw and return well-formed changes', async () => {
    const [merge] = await loadMails('lkml/syscall-table-linking/thread-sfr-manual-merge-security-vs-asm-generic-block-tip-2023-10.mbox');
    const [tip] = await loadMails('lkml/brgerst-2020-syscall-wrapper-cleanups/tip-bot2-x86-entry-Remove-ABI-prefixes-from-functions-in-syscall-tables.eml');
    fc.assert(
      fc.property(mutate(merge.body), (body) => {
        for (const c of syscallChangesFromCombinedDiff(body)) {
          wellFormed(c);
          expect(c.parent === 1 || c.parent === 2).toBe(true);
        }
      }),
      { numRuns: 100 },
    );
    fc.assert(
      fc.property(mutate(tip.body.slice(0, 20_000)), (body) => {
        for (const c of syscallChangesFromDiff(findDiffs(body).flatMap((b) => b.files))) wellFormed(c);
      }),
      { numRuns: 100 },
    );
  });
  it('read a 5 MB merge report in well under a second', () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => ` +${i}\tcommon\tfoo${i}\t\t\tsys_foo${i}`);
    const prose = 'Today\'s linux-next merge of the security tree got conflicts in syscall_64.tbl\n'.repeat(50_000);
    const text = `${prose}diff --cc ${X64}\n@@@ -1,1 -1,1 +1,10001 @@@\n  0\tcommon\tread\tsys_read\n${rows.join('\n')}\n${'x'.repeat(1_000_000)}`;
    expect(text.length).toBeGreaterThan(5_000_000);
    let changes: ReturnType<typeof syscallChangesFromCombinedDiff> = [];
    expect(cpuMillis(() => (changes = syscallChangesFromCombinedDiff(text)))).toBeLessThan(1000);
    expect(changes.filter((c) => c.parent === 2 && c.kind === 'added')).toHaveLength(10_000);
    expect(changes.filter((c) => c.parent === 1)).toEqual([]);
  });
});

describeCorpus('the file_getattr series wires a new syscall into every table', () => {
  const DIR = 'lkml/threads/file_getattr-series';
  const tablePatch = async (file: string) => {
    const mails = await loadMails(`${DIR}/${file}`);
    const withChanges = mails.filter((m) => /^\[PATCH/.test(m.subject) && changesOf(m).length > 0);
    expect(withChanges).toHaveLength(1);
    return changesOf(withChanges[0]);
  };
  const x64 = (changes: SyscallChange[]) => changes.filter((c) => c.table === X64).map(short);
  it('v1-v4 add getfsxattrat and setfsxattrat at 467/468', async () => {
    for (const [file, tables] of [['v1-getfsxattrat-PATCH.mbox', 12], ['v2-getfsxattrat.mbox', 17], ['v3-getfsxattrat.mbox', 17], ['v4-0of3-getfsxattrat.mbox', 17]] as const) {
      const changes = await tablePatch(file);
      expect(changes.every((c) => c.kind === 'added'), file).toBe(true);
      expect(new Set(changes.map((c) => c.name)), file).toEqual(new Set(['getfsxattrat', 'setfsxattrat']));
      expect(new Set(changes.map((c) => c.table)).size, file).toBe(tables);
      expect(x64(changes), file).toEqual(['added 467 common getfsxattrat - -> sys_getfsxattrat', 'added 468 common setfsxattrat - -> sys_setfsxattrat']);
      // alpha numbers its syscalls from 110 higher
      expect(changes.find((c) => c.table === 'arch/alpha/kernel/syscalls/syscall.tbl')?.number, file).toBe(577);
      expect(changes.find((c) => c.table === 'include/uapi/asm-generic/unistd.h' && c.name === 'getfsxattrat')).toMatchObject({ number: 467, abi: 'common', newEntry: 'sys_getfsxattrat' });
    }
  });
  it('v5 and v6 rename it to file_getattr/file_setattr at 468/469, v6 also in scripts/syscall.tbl', async () => {
    for (const file of ['v5-0of7-file_getattr-2025-05-13-resend.mbox', 'v6-0of6-file_getattr.mbox']) {
      const changes = await tablePatch(file);
      expect(new Set(changes.map((c) => c.name)), file).toEqual(new Set(['file_getattr', 'file_setattr']));
      expect(x64(changes), file).toEqual(['added 468 common file_getattr - -> sys_file_getattr', 'added 469 common file_setattr - -> sys_file_setattr']);
      expect(changes.find((c) => c.table === 'arch/mips/kernel/syscalls/syscall_n32.tbl' && c.name === 'file_getattr')).toMatchObject({ abi: 'n32', number: 468 });
      expect(changes.find((c) => c.table === 'arch/s390/kernel/syscalls/syscall.tbl' && c.name === 'file_setattr')).toMatchObject({ newEntry: 'sys_file_setattr', newCompat: 'sys_file_setattr' });
    }
    const v6 = await tablePatch('v6-0of6-file_getattr.mbox');
    expect(v6.filter((c) => c.table === 'scripts/syscall.tbl').map(short)).toEqual(['added 468 common file_getattr - -> sys_file_getattr', 'added 469 common file_setattr - -> sys_file_setattr']);
  });
  it('the v5 posting that stopped at 5/7 carries no table change', async () => {
    const mails = await loadMails(`${DIR}/v5-0of7-file_getattr-2025-05-12-sent-twice.mbox`);
    expect(mails.flatMap(changesOf)).toEqual([]);
  });
});
