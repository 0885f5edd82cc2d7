/**
 * Links from a message (a build failure, a fixup, a review) to the syscall-table changes
 * it is about: it names a symbol of a changed syscall, names the changed table, or names
 * a build step that reads that table (the UML build re-uses x86's tables through
 * archheaders). Each link keeps the reason it was made, to be shown beside it.
 */
import { syscallNameOf } from './names.ts';
import type { SyscallChange } from './table.ts';

export interface TableErrorMention {
  /** Repository path of the table the build rejected. */
  table: string;
  /** The error line as the build printed it. */
  text: string;
}

export interface SyscallMentions {
  symbols: { symbol: string; name: string }[];
  tables: string[];
  buildSteps: string[];
  tableErrors: TableErrorMention[];
}

const MAX_MENTIONS = 500;
const MAX_TEXT = 20_000_000;

const HINT = /sys|SyS|SYSC/g;
const DEFINE = /\b(?:COMPAT_)?SYSCALL_DEFINE[0-6]\(\s{0,8}([A-Za-z_][A-Za-z0-9_]{0,63})/g;
const TABLE_PATH =
  /\b(arch\/[A-Za-z0-9_-]{1,32}\/(?:entry\/syscalls|kernel\/syscalls|tools)\/syscall[A-Za-z0-9_]{0,32}\.tbl|scripts\/syscall\.tbl|include\/uapi\/asm-generic\/unistd\.h|arch\/arm64\/include\/asm\/unistd32\.h)\b/g;
const TABLE_NAME = /\bsyscall(?:_[A-Za-z0-9]{1,8})?\.tbl\b/g;
const TABLE_ERROR = /error: (\S{1,400}?): syscall table is not sorted or duplicates the same syscall number/g;

/** Fixed strings that show a build step reading the tables, and the step's canonical name. */
const BUILD_STEPS: [needle: string, step: string][] = [
  ['archheaders', 'archheaders'],
  ['syscalltbl.sh', 'syscalltbl.sh'],
  ['syscallhdr.sh', 'syscallhdr.sh'],
  ['is not sorted or duplicates the same syscall number', 'syscalltbl.sh'],
  ['syscalls_64.h', 'asm/syscalls_64.h'],
  ['syscalls_32.h', 'asm/syscalls_32.h'],
  ['unistd_64.h', 'unistd_64.h'],
  ['unistd_32.h', 'unistd_32.h'],
  ['unistd_x32.h', 'unistd_x32.h'],
  ['syscall_table_64.h', 'asm/syscall_table_64.h'],
  ['syscall_table_32.h', 'asm/syscall_table_32.h'],
  ['sys_call_table_64.c', 'arch/x86/um/sys_call_table_64.c'],
  ['sys_call_table_32.c', 'arch/x86/um/sys_call_table_32.c'],
  ['entry/syscall_64.c', 'arch/x86/entry/syscall_64.c'],
  ['entry/syscall_32.c', 'arch/x86/entry/syscall_32.c'],
];
/** User-mode Linux: its x86 build re-uses x86's tables through x86's archheaders. */
const UML = /\bUML\b|\barch\/um\/|\bARCH=um\b/;

/** The repository path inside an absolute or build-directory path ("/home/sfr/next/next/arch/..."). */
function repoPath(p: string): string {
  TABLE_PATH.lastIndex = 0;
  const m = TABLE_PATH.exec(p);
  TABLE_PATH.lastIndex = 0;
  return m ? m[1] : p.replace(/^.*\/(?=(?:arch|scripts|include)\/)/, '');
}

const isWord = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/**
 * Identifiers that contain "sys", "SyS" or "SYSC", found from those hints outwards so
 * that text without them costs one scan. Path components and file names
 * (arch/x86/kernel/sys_x86_64.c) are skipped.
 */
function* symbolCandidates(t: string): Generator<string> {
  let covered = 0;
  for (const m of t.matchAll(HINT)) {
    if (m.index < covered) continue;
    let start = m.index;
    while (start > covered && isWord(t.charCodeAt(start - 1)) && m.index - start <= 128) start--;
    let end = m.index + m[0].length;
    while (end < t.length && isWord(t.charCodeAt(end))) end++;
    covered = end;
    if (start > 0 && isWord(t.charCodeAt(start - 1))) continue; // longer than 128 to the left
    if (end - start > 128) continue;
    if (t[start - 1] === '/' || (t[end] === '.' && isLetter(t.charCodeAt(end + 1)))) continue;
    if (t.charCodeAt(start) >= 48 && t.charCodeAt(start) <= 57) continue;
    yield t.slice(start, end);
  }
}

/** Syscall symbols, table files and table-consuming build steps named in a text. */
export function syscallMentions(text: string): SyscallMentions {
  const t = text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text;
  const symbols = new Map<string, string>();
  for (const m of t.matchAll(DEFINE)) {
    if (symbols.size >= MAX_MENTIONS) break;
    const sym = m[0].replace(/\s+/g, '');
    symbols.set(`${sym})`, m[1]);
  }
  const rejected = new Set<string>();
  for (const tok of symbolCandidates(t)) {
    if (symbols.size >= MAX_MENTIONS) break;
    if (symbols.has(tok) || rejected.has(tok)) continue;
    const name = syscallNameOf(tok);
    if (name) symbols.set(tok, name);
    else if (rejected.size < 10_000) rejected.add(tok);
  }
  const tables = new Set<string>();
  for (const m of t.matchAll(TABLE_PATH)) {
    if (tables.size >= MAX_MENTIONS) break;
    tables.add(m[1]);
  }
  for (const m of t.matchAll(TABLE_NAME)) {
    if (tables.size >= MAX_MENTIONS) break;
    if (m.index > 0 && t[m.index - 1] === '/') continue;
    if ([...tables].some((p) => p.endsWith(`/${m[0]}`))) continue;
    tables.add(m[0]);
  }
  const buildSteps: string[] = [];
  for (const [needle, step] of BUILD_STEPS) {
    if (!buildSteps.includes(step) && t.includes(needle)) buildSteps.push(step);
  }
  if (UML.test(t)) buildSteps.push('uml');
  const tableErrors: TableErrorMention[] = [];
  for (const m of t.matchAll(TABLE_ERROR)) {
    if (tableErrors.length >= MAX_MENTIONS) break;
    const table = repoPath(m[1]);
    if (!tableErrors.some((e) => e.table === table)) tableErrors.push({ table, text: m[0] });
  }
  return { symbols: [...symbols].map(([symbol, name]) => ({ symbol, name })), tables: [...tables], buildSteps, tableErrors };
}

const X86_64 = 'arch/x86/entry/syscalls/syscall_64.tbl';
const X86_32 = 'arch/x86/entry/syscalls/syscall_32.tbl';

/**
 * Why a build step reads a table, or null when it does not. 'uml' alone is no step (a
 * UML build can fail anywhere); with `uml` set, x86's archheaders is the UML build's.
 */
export function buildStepReads(step: string, table: string, uml = false): string | null {
  const bits = table === X86_64 ? '64' : table === X86_32 ? '32' : null;
  if (bits) {
    switch (step) {
      case 'archheaders':
        return uml
          ? `the UML build (arch/um) runs x86's archheaders, which generates asm/syscalls_${bits}.h from ${table}`
          : `archheaders generates asm/syscalls_${bits}.h and unistd_${bits}.h from ${table}`;
      case 'syscalltbl.sh':
      case 'syscallhdr.sh':
        return `${step} reads ${table}`;
      case `asm/syscalls_${bits}.h`:
      case `unistd_${bits}.h`:
        return `${step} is generated from ${table}`;
      case 'unistd_x32.h':
        return bits === '64' ? `unistd_x32.h is generated from ${table}` : null;
      case `arch/x86/entry/syscall_${bits}.c`:
        return `${step} builds sys_call_table from ${table}`;
      case `arch/x86/um/sys_call_table_${bits}.c`:
        return `UML's ${step} re-uses ${table}`;
      default:
        return null;
    }
  }
  const generic = table === 'scripts/syscall.tbl' || /^arch\/arm64\/tools\/syscall_64\.tbl$/.test(table);
  if (!table.endsWith('.tbl')) return null;
  switch (step) {
    case 'syscalltbl.sh':
    case 'syscallhdr.sh':
      return `${step} reads ${table}`;
    case 'asm/syscall_table_64.h':
    case 'asm/syscall_table_32.h':
    case 'unistd_64.h':
    case 'unistd_32.h':
      return `${step} is generated from ${table}`;
    case 'archheaders':
      return generic ? null : `archheaders generates the syscall headers from ${table}`;
    default:
      return null;
  }
}

export type LinkVia = 'symbol' | 'table-error' | 'table' | 'build-step';

export interface SyscallLink {
  changeId: string;
  reason: string;
  via: LinkVia;
}

const STRENGTH: Record<LinkVia, number> = { symbol: 3, 'table-error': 2, table: 1, 'build-step': 0 };

/**
 * The syscall names a change is about: its row's name and the names of its old and new
 * entry points (row "stat" has entry sys_newstat). The key for "which series touched
 * mprotect", together with parseSyscallQuery.
 */
export function namesOfChange(c: SyscallChange): string[] {
  const names = new Set([c.name]);
  for (const s of [c.oldEntry, c.newEntry, c.oldCompat, c.newCompat]) {
    const n = s ? syscallNameOf(s) : null;
    if (n) names.add(n);
  }
  return [...names];
}

function describeChange(c: SyscallChange): string {
  const row = `${c.table} ${c.number} ${c.abi} ${c.name}`;
  if (c.kind === 'changed') return `${row}: ${c.oldEntry ?? '-'}${c.oldCompat ? ` ${c.oldCompat}` : ''} → ${c.newEntry ?? '-'}${c.newCompat ? ` ${c.newCompat}` : ''}`;
  return `${row}${c.kind === 'added' ? ` ${c.newEntry ?? ''}` : ` ${c.oldEntry ?? ''}`}`.trimEnd();
}

function what(c: SyscallChange, label: string): string {
  if (c.kind === 'changed') return `whose entry ${label} changes`;
  return `whose row ${label} ${c.kind === 'added' ? 'adds' : 'removes'}`;
}

/**
 * The changes a message is about, one link per change id (the strongest reason wins):
 * a named symbol of a changed syscall, a table error for a changed table, a named
 * changed table, or a named build step that reads a changed table. `label` (e.g.
 * "patch 8/8") is used in the reason; the id otherwise.
 */
export function linkToSyscallChanges(mention: SyscallMentions, changes: (SyscallChange & { id: string; label?: string })[]): SyscallLink[] {
  const best = new Map<string, SyscallLink>();
  const offer = (link: SyscallLink) => {
    const had = best.get(link.changeId);
    if (!had || STRENGTH[link.via] > STRENGTH[had.via]) best.set(link.changeId, link);
  };
  for (const c of changes) {
    const label = c.label ?? c.id;
    const detail = ` (${describeChange(c)})`;
    const names = new Set(namesOfChange(c));
    const sym = mention.symbols.find((s) => names.has(s.name));
    if (sym) {
      offer({ changeId: c.id, via: 'symbol', reason: `names ${sym.symbol}, ${what(c, label)}${detail}` });
      continue;
    }
    const err = mention.tableErrors.find((e) => e.table === c.table);
    if (err) {
      offer({ changeId: c.id, via: 'table-error', reason: `reports "${err.text}", and ${label} changes that table${detail}` });
      continue;
    }
    const table = mention.tables.find((t) => t === c.table || c.table.endsWith(`/${t}`));
    if (table) {
      offer({ changeId: c.id, via: 'table', reason: `names ${table}, in which ${label} changes a row${detail}` });
      continue;
    }
    const uml = mention.buildSteps.includes('uml');
    for (const step of mention.buildSteps) {
      const why = buildStepReads(step, c.table, uml);
      if (why) {
        offer({ changeId: c.id, via: 'build-step', reason: `names the build step ${step}: ${why}, in which ${label} changes a row${detail}` });
        break;
      }
    }
  }
  return [...best.values()].sort((a, b) => STRENGTH[b.via] - STRENGTH[a.via]);
}
