/**
 * The many symbol names of one system call. A table row says `__x64_sys_mprotect`, a
 * backtrace says `__se_sys_mprotect`, a reviewer says `sys_mprotect`, the 2018 series said
 * `__sys_x86_mprotect`: all of them are the syscall "mprotect", and a maintainer searching
 * for one must find the others.
 */

/**
 * Prefixes the kernel has put before a syscall's name, longest first so that the most
 * specific one wins. Stripping exactly one prefix keeps names like `sys_sync_file_range2` intact.
 */
const PREFIXES = [
  '__x32_compat_sys_', // x86 x32 ABI wrappers (4.17..5.6 tables)
  '__ia32_compat_sys_', // x86 ia32 emulation wrappers for compat_sys_*
  '__arm64_compat_sys_',
  '__riscv_compat_sys_',
  '__s390_compat_sys_',
  '__se_compat_sys_', // SYSCALL_DEFINE's sign-extending stage
  '__do_compat_sys_', // SYSCALL_DEFINE's body
  '__x64_sys_', // x86-64 pt_regs wrappers (4.17+)
  '__ia32_sys_',
  '__arm64_sys_',
  '__riscv_sys_',
  '__s390x_sys_',
  '__s390_sys_',
  '__sys_x86_', // the April 2018 pt_regs series, patch 8/8
  '__se_sys_',
  '__do_sys_',
  'sys32_x32_', // old x32 helpers such as sys32_x32_rt_sigreturn
  'compat_sys_',
  'sys32_',
  'ksys_', // in-kernel callers of a syscall's body
  'SYSC_', // pre-4.17 SYSCALL_DEFINE body
  'SyS_', // pre-4.17 SYSCALL_DEFINE wrapper
  'sys_',
] as const;

/**
 * Words that carry a syscall prefix but are no syscall: the "not implemented" stubs
 * (sys_ni_syscall, sys_ni_posix_timers) stand for a hole; the others name the table or a type.
 */
const NOT_A_NAME = /^(?:ni_\w*|call_table\w*|call_ptr_t)$/;

const DEFINE = /^(?:COMPAT_)?SYSCALL_DEFINE[0-6]?\s*\(\s*([A-Za-z_][A-Za-z0-9_]*)/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The syscall a symbol belongs to: `__x64_sys_mprotect`, `__sys_x86_mprotect`,
 * `SYSCALL_DEFINE3(mprotect, ...)` all give "mprotect". A trailing `+0x1a/0x30` or
 * `.cfi_jt` (backtraces, clang) is ignored. `sys_ni_syscall` and words without a syscall
 * prefix give null.
 */
export function syscallNameOf(symbol: string): string | null {
  const s = symbol.trim().slice(0, 300);
  const def = DEFINE.exec(s);
  if (def) return def[1];
  const ident = s.split(/[+.\s/]/, 1)[0];
  if (!IDENT.test(ident)) return null;
  for (const prefix of PREFIXES) {
    if (!ident.startsWith(prefix)) continue;
    const name = ident.slice(prefix.length);
    if (name === '' || NOT_A_NAME.test(name)) return null;
    return name;
  }
  return null;
}

/** Every symbol that `syscallNameOf` maps back to `name`, most common first. */
export function symbolVariants(name: string): string[] {
  const order = [
    'sys_',
    '__x64_sys_',
    '__ia32_sys_',
    'compat_sys_',
    '__x32_compat_sys_',
    '__ia32_compat_sys_',
    '__se_sys_',
    '__do_sys_',
    'ksys_',
    '__sys_x86_',
    '__arm64_sys_',
    '__arm64_compat_sys_',
    '__riscv_sys_',
    '__riscv_compat_sys_',
    '__s390x_sys_',
    '__s390_sys_',
    '__s390_compat_sys_',
    '__se_compat_sys_',
    '__do_compat_sys_',
    'SyS_',
    'SYSC_',
  ];
  return order.map((p) => p + name);
}

export interface SyscallQuery {
  name: string | null;
  number: number | null;
}

/**
 * What the search box asks for: a syscall number ("10"), a name ("mprotect", "mprotect(2)",
 * "__NR_mprotect") or any symbol of it ("__x64_sys_mprotect"). All spellings of one syscall
 * give the same name.
 */
export function parseSyscallQuery(q: string): SyscallQuery {
  let name: string | null = null;
  let number: number | null = null;
  for (const raw of q.slice(0, 300).split(/[\s,]+/)) {
    const word = raw.replace(/\(\d*\)$/, '');
    if (word === '') continue;
    if (/^\d{1,6}$/.test(word)) {
      number ??= Number(word);
      continue;
    }
    if (name !== null) continue;
    const nr = /^__NR(?:3264)?_([A-Za-z0-9_]+)$/.exec(word);
    if (nr) name = nr[1];
    else if (IDENT.test(word) || DEFINE.test(word)) name = syscallNameOf(word) ?? (IDENT.test(word) ? word.toLowerCase() : null);
  }
  return { name, number };
}
