/**
 * Syscall tables as the kernel's build reads them: `.tbl` files (x86, the other
 * architectures, the 2024 generic scripts/syscall.tbl) and the older
 * include/uapi/asm-generic/unistd.h macro list. Validation follows
 * scripts/syscalltbl.sh: within the rows one build selects by ABI, numbers must strictly
 * increase, or the build stops with "syscall table is not sorted or duplicates the same
 * syscall number".
 */

export interface SyscallRow {
  number: number;
  abi: string;
  name: string;
  /** Native entry point without a `/ptregs` qualifier; null when the row has none (a reserved number). */
  entry: string | null;
  /** Compat entry point (5th column; `-` means none). */
  compat: string | null;
  /** `ptregs` from the pre-2018 `sys_execve/ptregs`, or `noreturn` from the 6th column. */
  qualifier: string | null;
  /** 1-based line in the parsed text; 0 for a row added by applySyscallChanges. */
  line: number;
}

export type TableFormat = 'tbl' | 'unistd';

export type TableProblemKind = 'malformed' | 'duplicate' | 'unsorted' | 'hole' | 'unknown-abi' | 'conflict';

export interface TableProblem {
  kind: TableProblemKind;
  line: number | null;
  number: number | null;
  /** The ABI selection (as passed to syscalltbl.sh --abis) in which the problem shows. */
  abis: string[];
  message: string;
  /** The line the kernel build would print for this problem, when it stops the build. */
  kernelError: string | null;
}

export interface SyscallTable {
  path: string | null;
  format: TableFormat;
  rows: SyscallRow[];
  problems: TableProblem[];
}

const MAX_PROBLEMS = 200;
const MAX_LINE = 4096;
const MAX_DEPTH = 16;

const TBL_PATH = [
  /^arch\/[\w-]+\/entry\/syscalls\/[\w.-]+\.tbl$/,
  /^arch\/[\w-]+\/kernel\/syscalls\/[\w.-]+\.tbl$/,
  /^arch\/[\w-]+\/tools\/syscall[\w.-]*\.tbl$/,
  /^scripts\/syscall\.tbl$/,
];
// arm64's compat list uses the asm-generic macros, so it parses like unistd.h.
const UNISTD_PATH = /^(include\/uapi\/asm-generic\/unistd\.h|arch\/arm64\/include\/asm\/unistd32\.h)$/;

/** Which parser a repository path needs, or null when it is not a syscall table. */
export function tablePathKind(path: string): TableFormat | null {
  const p = path.replace(/^(?:\.\/|[ab]\/)/, '');
  if (TBL_PATH.some((re) => re.test(p))) return 'tbl';
  if (UNISTD_PATH.test(p)) return 'unistd';
  return null;
}

interface Parsed {
  rows: SyscallRow[];
  problems: TableProblem[];
}

function problem(kind: TableProblemKind, line: number | null, number: number | null, message: string, abis: string[] = [], kernelError: string | null = null): TableProblem {
  return { kind, line, number, abis, message, kernelError };
}

const NUMBER = /^(?:\d{1,9}|0[xX][0-9a-fA-F]{1,8})$/;
const FIELD_SEPARATOR = /\s+/;

/** A symbol column: `-` is none, `sys_execve/ptregs` carries the old qualifier. */
function symbolOf(field: string | undefined): string | null {
  if (field === undefined || field === '-') return null;
  const slash = field.indexOf('/');
  return slash < 0 ? field : field.slice(0, slash) || null;
}

function qualifierOf(field: string | undefined): string | null {
  if (field === undefined) return null;
  const slash = field.indexOf('/');
  return slash < 0 ? null : field.slice(slash + 1) || null;
}

/** Rows of a `.tbl` text: `<number> <abi> <name> [<entry> [<compat> [noreturn]]]`, `#` comments. */
function parseTblRows(text: string): Parsed {
  const rows: SyscallRow[] = [];
  const problems: TableProblem[] = [];
  const note = (line: number, msg: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(problem('malformed', line, null, msg));
  };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let l = lines[i];
    const hash = l.indexOf('#');
    if (hash >= 0) l = l.slice(0, hash);
    // Like the kernel's grep, only lines that start with a digit are rows.
    const first = l.trimStart();
    const c0 = first.charCodeAt(0);
    if (!(c0 >= 48 && c0 <= 57)) continue;
    if (l.length > MAX_LINE) {
      note(i + 1, `line ${i + 1} is ${l.length} characters long: not a table row`);
      continue;
    }
    const f = first.trimEnd().split(FIELD_SEPARATOR);
    if (!NUMBER.test(f[0]) || f.length < 3) {
      note(i + 1, `line ${i + 1} "${first.trim().slice(0, 80)}" is not "<number> <abi> <name> [<entry point> [<compat entry point>]]"`);
      continue;
    }
    if (first !== l) note(i + 1, `line ${i + 1} starts with white space: scripts/syscalltbl.sh would skip it`);
    if (f.length > 6 || (f.length === 6 && f[5] !== 'noreturn')) note(i + 1, `line ${i + 1} has unexpected extra columns: ${f.slice(5).join(' ')}`);
    rows.push({
      number: Number(f[0]),
      abi: f[1],
      name: f[2],
      entry: symbolOf(f[3]),
      compat: symbolOf(f[4]),
      qualifier: qualifierOf(f[3]) ?? qualifierOf(f[4]) ?? (f[5] === 'noreturn' ? 'noreturn' : null),
      line: i + 1,
    });
  }
  return { rows, problems };
}

/** The ABI label of one preprocessor condition of unistd.h: '32', '64', or the condition itself. */
function conditionLabel(directive: string, expr: string): string {
  const e = expr.replace(/\s+/g, ' ').trim();
  if (directive === 'ifdef') return e;
  if (directive === 'ifndef') return `!${e}`;
  if (/^(?:defined ?\(? ?__SYSCALL_COMPAT ?\)? ?\|\| ?)?__BITS_PER_LONG ?== ?32$/.test(e) || /^__BITS_PER_LONG ?!= ?64$/.test(e)) return '32';
  if (/^__BITS_PER_LONG ?(?:== ?64|!= ?32)(?: ?&& ?!defined ?\(? ?__SYSCALL_COMPAT ?\)?)?$/.test(e)) return '64';
  return e;
}

function negate(label: string): string {
  if (label === '32') return '64';
  if (label === '64') return '32';
  return label.startsWith('!') ? label.slice(1) : `!${label}`;
}

interface Frame {
  label: string | null;
}

const CALL = /^(__SYSCALL|__SC_COMP_3264|__SC_COMP|__SC_3264)\s*\(([^()]*)\)/;
const DEFINE_NR = /^#\s*define\s+__NR(3264)?_(\w+)\s+(\S+)/;
/** `#define`s that count syscalls or mark a range rather than number one syscall. */
const NOT_ROWS = new Set(['syscalls', 'arch_specific_syscall', 'compat_syscalls']);

/**
 * Rows of asm-generic/unistd.h: `#define __NR_x N` + `__SYSCALL(__NR_x, sys_x)`,
 * `__SC_COMP(__NR_x, sys_x, compat_sys_x)`, and `__SC_3264`/`__SC_COMP_3264` which give a
 * '32' and a '64' row. Rows under other preprocessor conditions carry the condition as
 * their ABI (e.g. "__ARCH_WANT_SYNC_FILE_RANGE2"), as scripts/syscall.tbl later made them
 * ABIs of their own. A `#define` whose `__SYSCALL` lies outside the text (a diff hunk)
 * still gives a row, with no entry point.
 */
function parseUnistdRows(text: string): Parsed {
  const problems: TableProblem[] = [];
  const numbers = new Map<string, { number: number; line: number; abi: string; used: boolean }>();
  const aliases = new Map<string, { '32'?: string; '64'?: string }>();
  const calls: { macro: string; args: string[]; line: number; abi: string }[] = [];
  // Conditions nested deeper than MAX_DEPTH are counted, not kept: hostile text must not
  // make every row carry thousands of them.
  const stack: Frame[] = [];
  let overflow = 0;
  let abi: string | null = 'common'; // null: recompute after the stack changed
  const abiHere = (): string => {
    if (abi === null) {
      const labels = stack.map((f) => f.label).filter((l): l is string => l !== null);
      abi = labels.length === 0 ? 'common' : labels.join(' && ');
    }
    return abi;
  };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let l = lines[i];
    // Macro calls and defines continue over lines ending in a backslash.
    if (l.endsWith('\\')) {
      const parts = [l.slice(0, -1)];
      let length = l.length;
      while (i + 1 < lines.length && length < MAX_LINE) {
        const next = lines[++i];
        length += next.length + 1;
        if (!next.endsWith('\\')) {
          parts.push(next);
          break;
        }
        parts.push(next.slice(0, -1));
      }
      l = parts.join(' ');
    }
    const t = l.trim();
    if (t.length > MAX_LINE) continue;
    if (t.startsWith('#')) {
      const d = /^#\s*(\w+)\s*(.*)$/.exec(t);
      if (!d) continue;
      const [, directive, rest] = d;
      if (directive !== 'define') abi = null;
      if (directive === 'if' || directive === 'ifdef' || directive === 'ifndef') {
        if (stack.length < MAX_DEPTH) stack.push({ label: conditionLabel(directive, rest) });
        else overflow++;
      } else if (overflow > 0 && (directive === 'endif' || directive === 'else' || directive === 'elif')) {
        if (directive === 'endif') overflow--;
      } else if (directive === 'else' && stack.length) {
        const top = stack[stack.length - 1];
        if (top.label !== null) top.label = negate(top.label);
      } else if (directive === 'elif' && stack.length) stack[stack.length - 1].label = conditionLabel('if', rest);
      else if (directive === 'endif') stack.pop();
      else if (directive === 'define') {
        const top = stack[stack.length - 1];
        // An include guard or "#ifndef __SYSCALL" selects nothing.
        const defined = /^(\w+)/.exec(rest)?.[1];
        if (top && defined && top.label === `!${defined}`) {
          top.label = null;
          abi = null;
        }
        const m = DEFINE_NR.exec(t);
        if (!m) continue;
        const [, is3264, name, value] = m;
        const key = (is3264 ? '3264_' : '_') + name;
        if (/^\d{1,9}$/.test(value)) {
          if (!NOT_ROWS.has(name)) numbers.set(key, { number: Number(value), line: start + 1, abi: abiHere(), used: false });
        } else {
          const target = /^__NR3264_(\w+)$/.exec(value);
          const bits = stack.map((f) => f.label).find((lbl) => lbl === '32' || lbl === '64') as '32' | '64' | undefined;
          if (target && bits) aliases.set(target[1], { ...aliases.get(target[1]), [bits]: name });
        }
      }
      continue;
    }
    const c = CALL.exec(t);
    if (c) calls.push({ macro: c[1], args: c[2].split(',').map((a) => a.trim()), line: start + 1, abi: abiHere() });
  }

  const rows: SyscallRow[] = [];
  for (const call of calls) {
    const nr = /^__NR(3264)?_(\w+)$/.exec(call.args[0] ?? '');
    if (!nr) continue;
    const def = numbers.get((nr[1] ? '3264_' : '_') + nr[2]);
    if (!def) continue;
    def.used = true;
    const name = nr[2];
    const [, a1, a2, a3] = call.args;
    const row = (abi: string, rowName: string, entry: string | undefined, compat: string | undefined): SyscallRow => ({
      number: def.number,
      abi,
      name: rowName,
      entry: entry || null,
      compat: compat || null,
      qualifier: null,
      line: call.line,
    });
    if (call.macro === '__SYSCALL') rows.push(row(call.abi, nr[1] ? (aliases.get(name)?.['64'] ?? name) : name, a1, undefined));
    else if (call.macro === '__SC_COMP') rows.push(row(call.abi, name, a1, a2));
    else {
      // __SC_3264 / __SC_COMP_3264: one row per word size, named by the aliases at the end of unistd.h.
      const abi32 = call.abi === 'common' ? '32' : `${call.abi} && 32`;
      const abi64 = call.abi === 'common' ? '64' : `${call.abi} && 64`;
      const alias = nr[1] ? aliases.get(name) : undefined;
      rows.push(row(abi32, alias?.['32'] ?? name, a1, call.macro === '__SC_COMP_3264' ? a3 : undefined));
      rows.push(row(abi64, alias?.['64'] ?? name, a2, undefined));
    }
  }
  for (const [key, def] of numbers) {
    if (def.used) continue;
    const name = key.startsWith('3264_') ? key.slice(5) : key.slice(1);
    rows.push({ number: def.number, abi: def.abi, name, entry: null, compat: null, qualifier: null, line: def.line });
  }
  rows.sort((a, b) => a.line - b.line);
  return { rows, problems };
}

/** Rows of a table text in the given format, without validation (diff hunks are fragments). */
export function parseRows(text: string, format: TableFormat): Parsed {
  return format === 'unistd' ? parseUnistdRows(text) : parseTblRows(text);
}

function formatOf(text: string, path: string | null): TableFormat {
  const byPath = path ? tablePathKind(path) : null;
  if (byPath) return byPath;
  return /^[ \t]*(?:__SYSCALL|__SC_COMP)[ \t]*\(|^#[ \t]*define[ \t]+__NR_/m.test(text.slice(0, 200_000)) ? 'unistd' : 'tbl';
}

/** Parse a syscall table; problems include malformed rows and everything validateTable finds. */
export function parseSyscallTable(text: string, path?: string): SyscallTable {
  const p = path ?? null;
  const format = formatOf(text, p);
  const { rows, problems } = parseRows(text, format);
  const table: SyscallTable = { path: p, format, rows, problems };
  return { ...table, problems: [...problems, ...validateTable(table)] };
}

// ABIs of which a build selects exactly one (with the shared ones): x86-64 vs x32,
// 32 vs 64, the MIPS ABIs, arm's oabi/eabi, powerpc's spu.
const EXCLUSIVE = new Set(['32', '64', 'x32', 'i386', 'spu', 'n32', 'n64', 'o32', 'oabi', 'eabi']);
const SHARED = new Set(['common', 'nospu']);
// ABIs of scripts/syscall.tbl (2024) that each architecture opts into.
const GENERIC_32 = ['common', '32', 'time32', 'stat64', 'renameat', 'rlimit', 'memfd_secret'];
const GENERIC_64 = ['common', '64', 'newstat', 'renameat', 'rlimit', 'memfd_secret'];
const GENERIC_MARKERS = new Set(['time32', 'stat64', 'newstat', 'renameat', 'rlimit', 'memfd_secret']);

/**
 * The ABI sets the kernel's build passes to syscalltbl.sh for a table: for x86's
 * syscall_64.tbl "common,64" and "common,x32" (x32 has its own 512+ range), for
 * syscall_32.tbl "i386", for the generic table the 32-bit and 64-bit sets plus each
 * architecture's private ABI. Unknown ABIs are returned so the caller can flag them.
 */
export function abiSelections(table: Pick<SyscallTable, 'rows' | 'format'>): { selections: string[][]; unknown: string[] } {
  const abis = [...new Set(table.rows.map((r) => r.abi))];
  if (table.format === 'unistd') {
    return { selections: [['common', '32'], ['common', '64']], unknown: [] };
  }
  if (abis.some((a) => GENERIC_MARKERS.has(a))) {
    const own = abis.filter((a) => !GENERIC_32.includes(a) && !GENERIC_64.includes(a));
    return { selections: [GENERIC_32, GENERIC_64, ...own.flatMap((a) => [[...GENERIC_32, a], [...GENERIC_64, a]])], unknown: [] };
  }
  const shared = abis.filter((a) => SHARED.has(a));
  const exclusive = abis.filter((a) => !SHARED.has(a));
  const unknown = exclusive.filter((a) => !EXCLUSIVE.has(a));
  if (exclusive.length === 0) return { selections: [shared], unknown };
  const selections = exclusive.map((x) => (x === 'spu' ? [...shared.filter((s) => s !== 'nospu'), x] : [...shared, x]));
  return { selections, unknown };
}

function rowLabel(r: SyscallRow): string {
  return `${r.number} ${r.abi} ${r.name}${r.line > 0 ? ` (line ${r.line})` : ''}`;
}

/**
 * Problems the kernel's scripts would hit or that a reviewer should see: duplicate
 * numbers and unsorted rows within one ABI selection (the build error of
 * scripts/syscalltbl.sh since 2021; older x86 scripts filled a C array by index and let
 * them pass), holes (filled with sys_ni_syscall; reported for information) and rows whose
 * ABI no selection picks up (silently dropped by the build).
 */
export function validateTable(table: Pick<SyscallTable, 'rows' | 'format' | 'path'>): TableProblem[] {
  const out: TableProblem[] = [];
  const seenProblem = new Set<string>();
  const { selections, unknown } = abiSelections(table);
  const kernelError = `error: ${table.path ?? '<table>'}: syscall table is not sorted or duplicates the same syscall number`;
  const add = (p: TableProblem) => {
    const key = `${p.kind}:${p.line}:${p.number}`;
    if (seenProblem.has(key) || out.length >= MAX_PROBLEMS) return;
    seenProblem.add(key);
    out.push(p);
  };
  for (const abi of unknown) {
    const r = table.rows.find((row) => row.abi === abi)!;
    add(problem('unknown-abi', r.line || null, r.number, `${rowLabel(r)} has ABI "${abi}", which no build selects: the row is dropped`, [abi]));
  }
  for (const sel of selections) {
    const set = new Set(sel);
    const label = sel.join(',');
    let next = 0;
    let prev: SyscallRow | null = null;
    const byNumber = new Map<number, SyscallRow>();
    for (const r of table.rows) {
      if (!set.has(r.abi)) continue;
      if (prev && r.number < next && out.length < MAX_PROBLEMS) {
        const dup = byNumber.get(r.number);
        if (dup) add(problem('duplicate', r.line || null, r.number, `${rowLabel(r)} duplicates ${rowLabel(dup)} in ABIs ${label}`, sel, kernelError));
        else add(problem('unsorted', r.line || null, r.number, `${rowLabel(r)} comes after ${rowLabel(prev)} in ABIs ${label}: the table is not sorted`, sel, kernelError));
      }
      if (!byNumber.has(r.number)) byNumber.set(r.number, r);
      next = Math.max(next, r.number + 1);
      prev = r;
    }
  }
  // A hole is a number no row of the table uses; numbers used by another ABI only
  // (x86-64's 64-bit-only calls in the x32 range) are not holes.
  const numbers = [...new Set(table.rows.map((r) => r.number))].sort((a, b) => a - b);
  let holes = 0;
  for (let i = 1; i < numbers.length && holes < 50; i++) {
    const from = numbers[i - 1] + 1;
    const to = numbers[i] - 1;
    if (from > to) continue;
    holes++;
    const range = from === to ? `number ${from} is` : `numbers ${from}-${to} are`;
    add(problem('hole', null, from, `${range} unassigned (the build fills them with sys_ni_syscall)`));
  }
  return out;
}

/** The changes that applySyscallChanges takes; syscallChangesFromDiff produces them. */
export interface SyscallChange {
  /** Path of the table file. */
  table: string;
  number: number;
  abi: string;
  name: string;
  oldEntry: string | null;
  newEntry: string | null;
  oldCompat: string | null;
  newCompat: string | null;
  oldQualifier: string | null;
  newQualifier: string | null;
  kind: 'added' | 'removed' | 'changed';
}

/** Entry and compat columns as a table row shows them. */
function columns(entry: string | null, compat: string | null): string {
  return compat ? `${entry ?? '-'} ${compat}` : (entry ?? '-');
}

function changeLabel(c: SyscallChange): string {
  return `${c.number} ${c.abi} ${c.name}`;
}

/**
 * The table after the changes, like `patch` would leave it but by row identity
 * (number, ABI, name) rather than by context lines. A change that does not fit the table
 * (a row to change or remove is missing, an added row exists, the old entry differs) is
 * applied where possible and reported as a 'conflict'. Changes for other tables are
 * ignored when the base table has a path.
 */
export function applySyscallChanges(base: SyscallTable, changes: SyscallChange[]): SyscallTable {
  const rows = base.rows.map((r) => ({ ...r }));
  const conflicts: TableProblem[] = [];
  const conflict = (c: SyscallChange, msg: string) => {
    if (conflicts.length < MAX_PROBLEMS) conflicts.push(problem('conflict', null, c.number, `${changeLabel(c)}: ${msg}`, [c.abi]));
  };
  for (const c of changes) {
    if (base.path && c.table !== base.path) continue;
    const idx = rows.findIndex((r) => r.number === c.number && r.abi === c.abi && r.name === c.name);
    if (c.kind === 'changed') {
      if (idx < 0) {
        conflict(c, 'no such row to change');
        continue;
      }
      const r = rows[idx];
      if (r.entry !== c.oldEntry || r.compat !== c.oldCompat) conflict(c, `expected ${columns(c.oldEntry, c.oldCompat)}, found ${columns(r.entry, r.compat)}`);
      rows[idx] = { ...r, entry: c.newEntry, compat: c.newCompat, qualifier: c.newQualifier };
    } else if (c.kind === 'removed') {
      if (idx < 0) conflict(c, 'no such row to remove');
      else rows.splice(idx, 1);
    } else {
      if (idx >= 0) {
        conflict(c, 'row already present');
        continue;
      }
      // After the last row (in file order) numbered at most the new one: x32 rows at the
      // end of syscall_64.tbl stay at the end.
      let at = rows.length;
      for (let i = rows.length - 1; i >= 0; i--) {
        if (rows[i].number <= c.number) {
          at = i + 1;
          break;
        }
        if (i === 0) at = 0;
      }
      rows.splice(at, 0, { number: c.number, abi: c.abi, name: c.name, entry: c.newEntry, compat: c.newCompat, qualifier: c.newQualifier, line: 0 });
    }
  }
  const table: SyscallTable = { path: base.path, format: base.format, rows, problems: [] };
  return { ...table, problems: [...conflicts, ...validateTable(table)] };
}
