import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findDiffs } from '../../lib/diff.ts';
import { ownText } from '../../lib/mail/quote.ts';
import { parseMail } from '../../lib/mail/parse.ts';
import { messagesOfFile } from '../../lib/mail/read.ts';
import type { Mail } from '../../lib/mail/types.ts';
import { syscallChangesFromDiff, type SyscallChange } from '../../lib/syscalls/diff.ts';
import { linkToSyscallChanges, namesOfChange, syscallMentions } from '../../lib/syscalls/links.ts';
import { parseSyscallQuery } from '../../lib/syscalls/names.ts';
import { applySyscallChanges, parseSyscallTable, validateTable } from '../../lib/syscalls/table.ts';
import { cpuMillis } from './syscalls-helpers.ts';
import { describeCorpus, loadMails } from '../helpers/corpus.ts';

const X64 = 'arch/x86/entry/syscalls/syscall_64.tbl';
const changesOf = (mail: Mail) => syscallChangesFromDiff(findDiffs(mail.body).flatMap((b) => b.files));
const withId = (changes: SyscallChange[], id: string, label?: string) => changes.map((c) => ({ ...c, id, label }));

const ROW_CHANGE: SyscallChange = { table: X64, number: 10, abi: 'common', name: 'mprotect', oldEntry: 'sys_mprotect', newEntry: '__sys_x86_mprotect', oldCompat: null, newCompat: null, oldQualifier: null, newQualifier: null, kind: 'changed' };

describe('syscallMentions', () => {
  it('finds symbols, tables and build steps in a build failure and in prose', () => {
    const m = syscallMentions(
      'UML re-uses syscall_64.tbl which now has entries like __sys_x86_pread64\n' +
        'make[2]: *** No rule to make target \'archheaders\'.  Stop.\narch/um/Makefile:119: recipe for target \'archheaders\' failed\n' +
        ' [<ffffffff81180a10>] __x64_sys_mprotect+0x10/0x20\nSYSCALL_DEFINE3(mprotect, unsigned long, start,\nsee arch/x86/entry/syscalls/syscall_32.tbl and sys_call_table, sys_ni_syscall',
    );
    expect(m.symbols).toEqual([
      { symbol: 'SYSCALL_DEFINE3(mprotect)', name: 'mprotect' },
      { symbol: '__sys_x86_pread64', name: 'pread64' },
      { symbol: '__x64_sys_mprotect', name: 'mprotect' },
    ]);
    expect(m.tables).toEqual(['arch/x86/entry/syscalls/syscall_32.tbl', 'syscall_64.tbl']);
    expect(m.buildSteps).toEqual(['archheaders', 'uml']);
  });
  it('never throws and stays fast on hostile text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 3000 }), (s) => {
        const m = syscallMentions(s);
        for (const sym of m.symbols) expect(sym.name.length).toBeGreaterThan(0);
      }),
    );
    const huge = 'a/'.repeat(1_500_000) + ' sys_'.repeat(200_000) + '\nerror: ' + 'x'.repeat(500_000);
    let m = syscallMentions('');
    expect(cpuMillis(() => (m = syscallMentions(huge)))).toBeLessThan(1000);
    expect(m.symbols).toEqual([]);
  });
});

describe('linkToSyscallChanges', () => {
  const changes = withId([ROW_CHANGE], 'msg-8', 'patch 8/8');
  it('links a named symbol of a changed syscall, saying why', () => {
    expect(linkToSyscallChanges(syscallMentions('I see __x64_sys_mprotect in the oops'), changes)).toEqual([
      { changeId: 'msg-8', via: 'symbol', reason: `names __x64_sys_mprotect, whose entry patch 8/8 changes (${X64} 10 common mprotect: sys_mprotect → __sys_x86_mprotect)` },
    ]);
  });
  it('links a build step only when it reads the changed table', () => {
    expect(linkToSyscallChanges(syscallMentions("No rule to make target 'archheaders'"), changes)[0]).toMatchObject({ via: 'build-step' });
    expect(linkToSyscallChanges(syscallMentions('arch/um/os-Linux/signal.c:163:22: error: dereferencing pointer to incomplete type'), changes)).toEqual([]);
    const arm64 = withId([{ ...ROW_CHANGE, table: 'arch/arm64/tools/syscall_64.tbl' }], 'a');
    expect(linkToSyscallChanges(syscallMentions("No rule to make target 'archheaders'"), arm64)).toEqual([]);
    expect(linkToSyscallChanges(syscallMentions('make: *** [scripts/Makefile.asm-headers:88: arch/arm64/include/generated/asm/syscall_table_64.h] Error 1'), arm64)).toEqual([
      expect.objectContaining({ via: 'build-step', reason: expect.stringContaining('asm/syscall_table_64.h is generated from arch/arm64/tools/syscall_64.tbl') }),
    ]);
  });
  it('gives one link per change id, the strongest reason first', () => {
    const two = [...changes, ...withId([{ ...ROW_CHANGE, number: 17, name: 'pread64', oldEntry: 'sys_pread64', newEntry: '__sys_x86_pread64' }], 'msg-8', 'patch 8/8'), ...withId([{ ...ROW_CHANGE, table: 'arch/x86/entry/syscalls/syscall_32.tbl', abi: 'i386', number: 125 }], 'msg-other')];
    const links = linkToSyscallChanges(syscallMentions('sys_pread64 in arch/x86/entry/syscalls/syscall_32.tbl'), two);
    expect(links.map((l) => [l.changeId, l.via])).toEqual([
      ['msg-8', 'symbol'],
      ['msg-other', 'table'],
    ]);
  });
});

describeCorpus('links in real threads', () => {
  it('the unsorted-table failure: the error names the arm64 table and the step that rejected it', async () => {
    const [report, arnd, again] = await loadMails('lkml/syscall-table-linking/thread-sfr-build-failure-asm-generic-syscall_64.tbl-not-sorted.mbox');
    const m = syscallMentions(ownText(report.body));
    expect(m.tables).toEqual(['arch/arm64/tools/syscall_64.tbl']);
    expect(m.buildSteps).toEqual(['syscalltbl.sh']);
    expect(m.tableErrors).toEqual([{ table: 'arch/arm64/tools/syscall_64.tbl', text: 'error: /home/sfr/next/next/arch/arm64/tools/syscall_64.tbl: syscall table is not sorted or duplicates the same syscall number' }]);
    // Arnd's reply only quotes the report; Stephen's answer names nothing.
    expect(syscallMentions(ownText(arnd.body)).tableErrors).toEqual([]);
    expect(syscallMentions(ownText(again.body))).toEqual({ symbols: [], tables: [], buildSteps: [], tableErrors: [] });
    // The thread has no diff of 95cca8c0b665, so reproduce the diagnosis on the table the
    // error names: scripts/syscall.tbl (arch/arm64/tools/syscall_64.tbl is a symlink to it)
    // with nfsservctl written twice, as validateTable and scripts/syscalltbl.sh both reject it.
    const table = parseSyscallTable('41\tcommon\tpivot_root\t\t\tsys_pivot_root\n42\tcommon\tnfsservctl\n42\tcommon\tnfsservctl\n43\t32\tstatfs64\t\t\tsys_statfs64\t\t\tcompat_sys_statfs64\n43\t64\tstatfs\t\t\t\tsys_statfs\n', 'arch/arm64/tools/syscall_64.tbl');
    const [problem] = validateTable(table);
    expect(problem).toMatchObject({ kind: 'duplicate', number: 42, line: 3 });
    expect(problem.kernelError).toBe(m.tableErrors[0].text.replace('/home/sfr/next/next/', ''));
    expect(linkToSyscallChanges(m, withId([{ ...ROW_CHANGE, table: 'arch/arm64/tools/syscall_64.tbl', number: 42, abi: 'common', name: 'nfsservctl', kind: 'added', oldEntry: null, newEntry: null }], '95cca8c0b665'))).toEqual([
      { changeId: '95cca8c0b665', via: 'table-error', reason: expect.stringContaining('reports "error: /home/sfr/next/next/arch/arm64/tools/syscall_64.tbl: syscall table is not sorted') },
    ]);
  });
  it('the brgerst series: the cover letter names both tables; the SYS_NI build fix names no syscall', async () => {
    const [tip] = await loadMails('lkml/brgerst-2020-syscall-wrapper-cleanups/tip-bot2-x86-entry-Remove-ABI-prefixes-from-functions-in-syscall-tables.eml');
    const changes = withId(changesOf(tip), tip.messageId, 'x86/entry: Remove ABI prefixes');
    const dir = 'lkml/brgerst-2020-syscall-wrapper-cleanups/from-linux-kernel-archive-via-read_file';
    const [cover] = await loadMails(`${dir}/02-PATCH-v4-00of18-x86-syscall-wrapper-cleanups.eml`);
    const coverMentions = syscallMentions(ownText(cover.body));
    expect(coverMentions.tables).toEqual(['arch/x86/entry/syscalls/syscall_32.tbl', 'arch/x86/entry/syscalls/syscall_64.tbl']);
    expect(coverMentions.buildSteps).toEqual(expect.arrayContaining(['syscalltbl.sh', 'syscallhdr.sh', 'arch/x86/um/sys_call_table_64.c']));
    expect(linkToSyscallChanges(coverMentions, changes)).toEqual([{ changeId: tip.messageId, via: 'table', reason: expect.stringMatching(/^names arch\/x86\/entry\/syscalls\/syscall_32\.tbl, in which x86\/entry: Remove ABI prefixes changes a row/) }]);
    for (const f of ['03-Ingo-reply-to-04of18-with-inline-fix-PATCH-Fix-SYS_NI-build-failure.eml', '04-PATCH-x86-entry-Fix-build-error-with-CONFIG_POSIX_TIMERS-off.eml']) {
      const [mail] = await loadMails(`${dir}/${f}`);
      const m = syscallMentions(ownText(mail.body));
      expect(m.symbols, f).toEqual([]);
      expect(linkToSyscallChanges(m, changes), f).toEqual([]);
    }
  });
  it('a merge-conflict report names the syscalls of both sides', async () => {
    const [report] = await loadMails('lkml/syscall-table-linking/thread-sfr-manual-merge-security-vs-vfs-brauner-syscall-tables.mbox');
    const m = syscallMentions(ownText(report.body));
    expect(m.symbols.map((s) => s.name)).toEqual(expect.arrayContaining(['lsm_get_self_attr', 'lsm_set_self_attr', 'lsm_list_modules', 'statmount', 'listmount']));
    expect(m.tables).toContain(X64);
    expect(m.tables).toContain('include/uapi/asm-generic/unistd.h');
  });
  it('a file_getattr reply quoting the syscall table links to the version that added the rows', async () => {
    const mails = await loadMails('lkml/threads/file_getattr-series/v6-0of6-file_getattr.mbox');
    const patch = mails.find((m) => m.subject.startsWith('[PATCH v6 6/6]'))!;
    const changes = withId(changesOf(patch), patch.messageId, 'v6 6/6');
    const replies = mails.filter((m) => m.inReplyTo === patch.messageId);
    const linked = replies.filter((r) => linkToSyscallChanges(syscallMentions(r.body), changes).length > 0);
    expect(linked.length).toBeGreaterThan(0);
    expect(linkToSyscallChanges(syscallMentions('sys_file_getattr returns -EOPNOTSUPP'), changes)).toEqual([
      { changeId: patch.messageId, via: 'symbol', reason: 'names sys_file_getattr, whose row v6 6/6 adds (arch/alpha/kernel/syscalls/syscall.tbl 578 common file_getattr sys_file_getattr)' },
    ]);
  });
});

// The seed thread as a fixture (test/fixtures/seed, written by hand after the real 2018 thread).
const SEED = resolve(import.meta.dirname, '../fixtures/seed');

describe('the seed thread: patch 8/8, the UML build break and its fixup', () => {
  const load = async (file: string) => Promise.all(messagesOfFile(readFileSync(join(SEED, file))).map((m) => parseMail(m.bytes)));
  const byId = (mails: Mail[], id: string) => {
    const m = mails.find((x) => x.messageId === id);
    if (!m) throw new Error(`no ${id} in the seed fixture`);
    return m;
  };
  it('patch 8/8 changes the entry points, mprotect included, and nothing else of the series touches a table', async () => {
    const v1 = await load('v1.mbox');
    const patches = v1.filter((m) => /^\[PATCH [1-8]\/8\]/.test(m.subject));
    expect(patches.map((p) => changesOf(p).length)).toEqual([0, 0, 0, 0, 0, 0, 0, 20]);
    const changes = changesOf(patches[7]);
    expect(changes.every((c) => c.kind === 'changed' && c.table === X64)).toBe(true);
    expect(changes.find((c) => c.name === 'mprotect')).toEqual(ROW_CHANGE);
    expect(changes.find((c) => c.name === 'rt_sigreturn')).toMatchObject({ newEntry: '__sys_x86_rt_sigreturn', oldQualifier: 'ptregs', newQualifier: 'ptregs' });
    // v2 folds the UML fixup into 8/8: the same table rows change.
    const v2 = await load('v2.mbox');
    expect(changesOf(v2.find((m) => m.subject.startsWith('[PATCH v2 8/8]'))!)).toEqual(changes);
    const preimage = parseSyscallTable(readFileSync(join(SEED, 'preimage', X64), 'utf8'), X64);
    const after = applySyscallChanges(preimage, changes);
    expect(after.problems).toEqual([]);
    expect(after.rows.find((r) => r.number === 10)?.entry).toBe('__sys_x86_mprotect');
  });
  it("Ingo's archheaders failure and Dominik's fixup link to patch 8/8, each with its reason", async () => {
    const v1 = await load('v1.mbox');
    const patch8 = byId(v1, '20180405095307.3730-9-linux@dominikbrodowski.net');
    const changes = withId(changesOf(patch8), patch8.messageId, 'patch 8/8');
    const breakage = byId(v1, '20180405151933.GA19273@gmail.com');
    const fixup = byId(v1, '20180405204102.GA7395@light.dominikbrodowski.net');

    const broke = linkToSyscallChanges(syscallMentions(ownText(breakage.body)), changes);
    expect(broke).toEqual([
      {
        changeId: patch8.messageId,
        via: 'build-step',
        reason: `names the build step archheaders: the UML build (arch/um) runs x86's archheaders, which generates asm/syscalls_64.h from ${X64}, in which patch 8/8 changes a row (${X64} 0 common read: sys_read → __sys_x86_read)`,
      },
    ]);

    const fixupMentions = syscallMentions(ownText(fixup.body));
    expect(fixupMentions.symbols.map((s) => s.symbol)).toEqual(expect.arrayContaining(['__sys_x86_pread64', 'sys_pread64']));
    expect(fixupMentions.tables).toContain(X64);
    expect(linkToSyscallChanges(fixupMentions, changes)).toEqual([
      { changeId: patch8.messageId, via: 'symbol', reason: `names __sys_x86_pread64, whose entry patch 8/8 changes (${X64} 17 common pread64: sys_pread64 → __sys_x86_pread64)` },
    ]);
    // The fixup edits a comment of syscall_64.tbl and syscalltbl.sh: no row changes.
    expect(changesOf(fixup)).toEqual([]);
  });
  describeCorpus('with the 2020 tip-bot2 mails', () => {
    it('answers "which series touched mprotect\'s entry point, and what broke?"', async () => {
      const v1 = await load('v1.mbox');
      const tip = await loadMails('lkml/brgerst-2020-syscall-wrapper-cleanups/tip-bot2-x86-entry-commit-notifications-2020-03.mbox');
      const all = [...v1, ...tip].flatMap((m) => withId(changesOf(m), m.messageId, m.subject));
      for (const q of ['mprotect', 'sys_mprotect', '__x64_sys_mprotect', '__sys_x86_mprotect']) {
        const { name } = parseSyscallQuery(q);
        const touched = all.filter((c) => c.kind === 'changed' && namesOfChange(c).includes(name!));
        expect([...new Set(touched.map((c) => c.label))], q).toEqual([
          '[PATCH 8/8] syscalls/x86: use __sys_x86_*() entry points in syscall_64.tbl',
          '[tip: x86/entry] x86/entry: Remove ABI prefixes from functions in syscall tables',
          '[tip: x86/entry] x86/entry/32: Clean up syscall_32.tbl',
        ]);
      }
      const breakage = byId(v1, '20180405151933.GA19273@gmail.com');
      const broken = linkToSyscallChanges(syscallMentions(ownText(breakage.body)), all);
      // archheaders reads both x86 tables, so every change to them is a candidate; the
      // caller narrows by time. All are build-step links, weaker than a named symbol.
      expect(broken.map((l) => l.changeId)).toEqual(['20180405095307.3730-9-linux@dominikbrodowski.net', ...tip.filter((m) => changesOf(m).length > 0).map((m) => m.messageId)]);
      expect(new Set(broken.map((l) => l.via))).toEqual(new Set(['build-step']));
    });
  });
  it('the later pre-existing signal.c failure is no syscall-table breakage', async () => {
    const v1 = await load('v1.mbox');
    const patch8 = byId(v1, '20180405095307.3730-9-linux@dominikbrodowski.net');
    const changes = withId(changesOf(patch8), patch8.messageId, 'patch 8/8');
    const verdict = byId(v1, '20180406083110.GA22791@light.dominikbrodowski.net');
    expect(ownText(verdict.body)).toContain('already present in mainline');
    expect(linkToSyscallChanges(syscallMentions(ownText(verdict.body)), changes)).toEqual([]);
  });
});
