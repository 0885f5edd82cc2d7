import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSyscallQuery, symbolVariants, syscallNameOf } from '../../lib/syscalls/names.ts';

describe('syscallNameOf', () => {
  it('gives mprotect for every symbol the kernel has used for it', () => {
    for (const s of [
      'sys_mprotect',
      '__sys_x86_mprotect', // the 2018 series, patch 8/8
      '__x64_sys_mprotect',
      '__ia32_sys_mprotect',
      '__x32_compat_sys_mprotect',
      '__ia32_compat_sys_mprotect',
      '__se_sys_mprotect',
      '__do_sys_mprotect',
      'ksys_mprotect',
      'compat_sys_mprotect',
      '__arm64_sys_mprotect',
      '__riscv_sys_mprotect',
      '__s390x_sys_mprotect',
      'SyS_mprotect',
      'SYSCALL_DEFINE3(mprotect, unsigned long, start, size_t, len, unsigned long, prot)',
      '__x64_sys_mprotect+0x1a/0x30', // a backtrace frame
    ]) {
      expect(syscallNameOf(s), s).toBe('mprotect');
    }
  });
  it('keeps the syscall part of longer names and drops the old /ptregs qualifier', () => {
    expect(syscallNameOf('__ia32_compat_sys_x86_clone')).toBe('x86_clone');
    expect(syscallNameOf('compat_sys_preadv64v2')).toBe('preadv64v2');
    expect(syscallNameOf('sys_execve/ptregs')).toBe('execve');
    expect(syscallNameOf('sys32_x32_rt_sigreturn')).toBe('rt_sigreturn');
    expect(syscallNameOf('COMPAT_SYSCALL_DEFINE2(getrlimit, unsigned int, resource')).toBe('getrlimit');
  });
  it('gives null for the not-implemented stubs, the table itself and plain words', () => {
    for (const s of ['sys_ni_syscall', '__x64_sys_ni_syscall', '__ia32_sys_ni_syscall', 'sys_ni_posix_timers', 'sys_call_table', 'sys_call_ptr_t', 'mprotect', '__x64_sys_', '', '10']) {
      expect(syscallNameOf(s), s).toBeNull();
    }
  });
});

describe('symbolVariants', () => {
  it('lists the symbols a search for mprotect must also find', () => {
    const v = symbolVariants('mprotect');
    expect(v).toContain('__x64_sys_mprotect');
    expect(v).toContain('__sys_x86_mprotect');
    expect(v).toContain('__ia32_compat_sys_mprotect');
    expect(v[0]).toBe('sys_mprotect');
  });
  it('is the inverse of syscallNameOf for any syscall name', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z][a-z0-9_]{0,30}$/), (name) => {
        fc.pre(!/^ni_|^call_table|^call_ptr_t$/.test(name));
        for (const s of symbolVariants(name)) expect(syscallNameOf(s)).toBe(name);
      }),
    );
  });
});

describe('parseSyscallQuery', () => {
  it('resolves q=sys_mprotect, q=__x64_sys_mprotect and q=mprotect to the same name', () => {
    const expected = { name: 'mprotect', number: null };
    expect(parseSyscallQuery('sys_mprotect')).toEqual(expected);
    expect(parseSyscallQuery('__x64_sys_mprotect')).toEqual(expected);
    expect(parseSyscallQuery('mprotect')).toEqual(expected);
    expect(parseSyscallQuery('  mprotect(2) ')).toEqual(expected);
    expect(parseSyscallQuery('__NR_mprotect')).toEqual(expected);
    expect(parseSyscallQuery('__sys_x86_mprotect')).toEqual(expected);
  });
  it('reads a number, or a number and a name', () => {
    expect(parseSyscallQuery('10')).toEqual({ name: null, number: 10 });
    expect(parseSyscallQuery('mprotect 10')).toEqual({ name: 'mprotect', number: 10 });
    expect(parseSyscallQuery('')).toEqual({ name: null, number: null });
    expect(parseSyscallQuery('<script>')).toEqual({ name: null, number: null });
  });
  it('never throws on any input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (q) => {
        const r = parseSyscallQuery(q);
        expect(r.name === null || /^[A-Za-z0-9_]+$/.test(r.name)).toBe(true);
        expect(r.number === null || Number.isInteger(r.number)).toBe(true);
        syscallNameOf(q);
      }),
    );
  });
});
