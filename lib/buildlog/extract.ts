/**
 * Finding build errors in log text, line by line: gcc/clang diagnostics with their context
 * (include chain, "In function", notes, source and caret lines), make, the linker, modpost,
 * Kconfig, sparse and objtool. Every pattern is anchored and linear; over-long lines are skipped.
 */
import type { BuildError, BuildErrorKind } from './types.ts';
import { firstQuoted, isTempPath, normalizePath, normalizeQuotes } from './normalize.ts';
import { errorSignature } from './signature.ts';

/** One line of a log; isNew when the kernel test robot marked it with `>>`. */
export interface LogLine {
  text: string;
  isNew: boolean;
}

export interface ScanResult {
  errors: BuildError[];
  /** Index (in the lines scanned) of the line of each error. */
  lineOfError: number[];
}

/** No diagnostic is this long; longer lines (command lines, binary junk) are not looked at. */
const MAX_LINE = 4096;
/** A report with more errors than this is cut: the first ones are the causes. */
const MAX_ERRORS = 2000;
const MAX_CONTEXT_LINES = 14;
const MAX_TEXT = 8192;

const DIAG = /^([^\s:]+):(\d+):(?:(\d+):)? ?(.*)$/;
const INCLUDED = /^In file included from \S/;
const INCLUDED_MORE = /^\s+from \S+[,:]$/;
const IN_FUNCTION = /^(\S+): (?:In (?:function|member function|static function|constructor|destructor|instantiation)\b.*|At top level):$/;
const LD_IN_FUNCTION = /^(\S+?): [Ii]n function [`'\u2018](.*)['\u2019]:$/;
const LD_TOOL = /^(?:\S{0,120}\/)?(?:[\w.+-]+-)?ld(?:\.bfd|\.gold|\.lld)?$/;
const MAKE = /^(?:\S{0,120}\/)?g?make(?:\[\d+\])?: (.*)$/;
const DRIVER = /^(cc1|cc1plus|cc|gcc|g\+\+|clang|clang\+\+|clang-\d+|gcc-\d+|(?:[\w.+-]+-)?(?:gcc|as)(?:-\d+)?): (error|fatal error|sorry, unimplemented|warning): (.*)$/;
const MODPOST = /^(ERROR|FATAL): (?:modpost: )?(.*)$/;
const OBJTOOL = /^(\S+): (warning|error): objtool: (.*)$/;
const GCC9_SOURCE = /^\s*(?:\d+\s+)?\|/;
const CARET = /^\s*[~^][~^ ]*$/;
const FIXIT = /^\s+[\w.]+\s*$/;
const MAKEFILE = /(?:^|\/)(?:Makefile(?:\.[\w-]+)?|Kbuild(?:\.[\w-]+)?|[\w-]+\.mk|GNUmakefile)$/;
const KCONFIG_FILE = /(?:^|\/)Kconfig(?:\.[\w-]+)?$/;

interface Draft {
  kind: BuildErrorKind;
  file: string | null;
  line: number | null;
  column: number | null;
  message: string;
  symbol: string | null;
  isNew: boolean;
  text: string[];
  lineIndex: number;
}

function cleanFile(raw: string | null): string | null {
  if (raw === null) return null;
  const p = raw.trim();
  if (p === '' || isTempPath(p)) return null;
  return normalizePath(p);
}

function toNumber(s: string | undefined): number | null {
  if (s === undefined) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

/** "foo: No such file or directory" names foo; otherwise the first quoted item. */
function symbolOf(message: string): string | null {
  const nofile = /^(\S+): No such file or directory$/.exec(message);
  if (nofile) return nofile[1];
  return firstQuoted(message);
}

function stem(p: string): string {
  const base = p.slice(p.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** A line that only finishes the previous diagnostic, broken by a mailer: "‘struct ucontext’" or "[-Werror=...]". */
function isContinuation(s: string, message: string): boolean {
  if (s.length > 160) return false;
  if (/^\[-W[\w=,+-]+\]$/.test(s)) return true;
  if (!/^['\u2018\u2019`"\u00e2]/.test(s) || /[;{}=]/.test(s)) return false;
  return !/['\u2019\]\u00e2]$/.test(message.trimEnd()) || /^\[/.test(s);
}

/** Location of a linker message: "obj.o:src.c:(.text+0x12)", "src.c:(.text+0x12)" or "path/src.c:775". */
function linkerLocation(loc: string, ldObject: string | null): { file: string | null; line: number | null } {
  const parts = loc.split(':').filter((p) => p !== '' && !p.startsWith('('));
  let object: string | null = null;
  let source: string | null = null;
  let line: number | null = null;
  for (const p of parts) {
    if (/^\d+$/.test(p)) line = Number(p);
    else if (/\.(o|a|ko)$|^vmlinux/.test(p) && !isTempPath(p)) object ??= p;
    else if (!isTempPath(p)) source ??= p;
  }
  if (object) return { file: cleanFile(object), line };
  if (ldObject && (source === null || stem(source) === stem(ldObject))) return { file: cleanFile(ldObject), line };
  return { file: cleanFile(source), line };
}

/** What the scan carries from line to line. */
interface ScanState {
  readonly lines: LogLine[];
  readonly drafts: Draft[];
  /** Include chain, "In function", "Assembler messages" lines waiting for their diagnostic. */
  pending: string[];
  /** The object named by the linker's last "in function" line. */
  ldObject: string | null;
  /** The draft that following source/caret/note lines belong to. */
  open: Draft | null;
  openLines: number;
  afterCaret: boolean;
  justDiagnosed: boolean;
}

function run(st: ScanState): void {
  const n = st.lines.length;
  for (let i = 0; i < n && st.drafts.length < MAX_ERRORS; i++) {
    const raw = st.lines[i].text;
    if (raw.length > MAX_LINE) {
      reset(st);
      continue;
    }
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (absorb(st, line, i)) continue;
    classify(st, line, i);
  }
}

function reset(st: ScanState): void {
  st.pending = [];
  st.open = null;
  st.justDiagnosed = false;
}

function add(st: ScanState, d: Omit<Draft, 'text' | 'lineIndex' | 'isNew'>, line: string, i: number, opts: { withPending?: boolean } = {}): Draft {
  const text = opts.withPending === false ? [line] : [...st.pending, line];
  st.pending = [];
  const draft: Draft = { ...d, isNew: st.lines[i].isNew, text, lineIndex: i };
  st.drafts.push(draft);
  st.open = draft;
  st.openLines = 0;
  st.afterCaret = false;
  st.justDiagnosed = true;
  return draft;
}

function append(st: ScanState, line: string): void {
  if (!st.open) return;
  if (st.open.text.reduce((a, t) => a + t.length + 1, 0) + line.length < MAX_TEXT) st.open.text.push(line);
  st.openLines++;
}

/** Context lines that belong to the previous diagnostic. */
function absorb(st: ScanState, line: string, i: number): boolean {
  const open = st.open;
  if (!open || st.openLines >= MAX_CONTEXT_LINES) return false;
  const s = line.trim();
  if (s === '') return false;
  const next = i + 1 < st.lines.length ? st.lines[i + 1].text : '';
  if (st.justDiagnosed && isContinuation(s, open.message) && !CARET.test(next)) {
    open.message = `${open.message} ${normalizeQuotes(s)}`;
    if (open.symbol === null) open.symbol = symbolOf(open.message);
    append(st, line);
    return true;
  }
  st.justDiagnosed = false;
  if (GCC9_SOURCE.test(line) || CARET.test(line)) {
    st.afterCaret = CARET.test(line) || /\|\s*[~^]/.test(line);
    append(st, line);
    return true;
  }
  if (st.afterCaret && FIXIT.test(line)) {
    st.afterCaret = false;
    append(st, line);
    return true;
  }
  if (next.length < MAX_LINE && CARET.test(next) && !DIAG.test(s)) {
    append(st, line);
    return true;
  }
  if (/^\S*ld\S*: .*more undefined references to /.test(s) || /^[^\s:]+:.*more undefined references to /.test(s)) {
    append(st, line);
    return true;
  }
  if (/^cc1\w*: (?:some|all) warnings being treated as errors$/.test(s) || /^\d+ (?:warnings?|errors?)( and \d+ errors?)? generated\.$/.test(s)) {
    append(st, line);
    return true;
  }
  if (s.startsWith('>>> ')) {
    // ld.lld: ">>> referenced by foo.c" / ">>>               drivers/foo.o:(bar)"
    if (open.file === null) {
      const obj = /^>>>\s+(\S+\.o):/.exec(s);
      if (obj) open.file = cleanFile(obj[1]);
    }
    append(st, line);
    return true;
  }
  return false;
}

function classify(st: ScanState, line: string, i: number): void {
  const s = line.trim();
  st.afterCaret = false;
  if (s === '') {
    st.pending = [];
    st.open = null;
    return;
  }
  if (!s.includes(':') && !s.includes('recipe for target') && !s.startsWith('***')) {
    st.open = null;
    st.pending = [];
    return;
  }
  if (INCLUDED.test(s)) {
    st.pending = [line];
    st.open = null;
    return;
  }
  if (st.pending.length > 0 && INCLUDED_MORE.test(line)) {
    st.pending.push(line);
    return;
  }
  if (s.endsWith(': Assembler messages:')) {
    st.pending = [line];
    st.open = null;
    return;
  }
  const inFunction = IN_FUNCTION.exec(s);
  if (inFunction && !/[`]/.test(s)) {
    if (/\.(o|a)$/.test(inFunction[1])) st.ldObject = isTempPath(inFunction[1]) ? null : inFunction[1];
    else {
      st.pending.push(line);
      st.open = null;
      return;
    }
  }
  if (classifyMake(st, s, line, i)) return;
  if (classifyModpost(st, s, line, i)) return;
  if (classifyLinker(st, s, line, i)) return;
  if (classifyDriver(st, s, line, i)) return;
  if (classifyObjtool(st, s, line, i)) return;
  if (classifyDiagnostic(st, s, line, i, false)) return;
  if (classifyKconfig(st, s, line, i)) return;
  if (classifyScript(st, s, line, i)) return;
  st.open = null;
  st.pending = [];
}

function classifyMake(st: ScanState, s: string, line: string, i: number): boolean {
  const recipe = /^(?:([^\s:]+):(\d+): )?recipe for target '([^']+)' failed$/.exec(normalizeQuotes(s));
  if (recipe) {
    add(st, { kind: 'make-error', file: cleanFile(recipe[1] ?? null), line: toNumber(recipe[2]), column: null, message: `recipe for target '${recipe[3]}' failed`, symbol: recipe[3] }, line, i, { withPending: false });
    return true;
  }
  const m = MAKE.exec(s);
  if (!m) return false;
  const rest = normalizeQuotes(m[1]);
  const noRule = /^\*\*\* No rule to make target '([^']+)'(?:, needed by '([^']+)')?/.exec(rest);
  if (noRule) {
    const target = noRule[1];
    const message = noRule[2] ? `No rule to make target '${target}', needed by '${noRule[2]}'` : `No rule to make target '${target}'`;
    add(st, { kind: 'make-no-rule', file: /[/.]/.test(target) ? cleanFile(target) : null, line: null, column: null, message, symbol: target }, line, i, { withPending: false });
    return true;
  }
  const failed = /^\*\*\* \[([^\]]+)\] (Error \d+|[A-Z][\w ]{0,40})/.exec(rest);
  if (failed) {
    const inner = /^([^\s:]+):(\d+): (.+)$/.exec(failed[1]);
    const target = inner ? inner[3] : failed[1];
    const status = failed[2].trim();
    const prev = st.open ?? st.drafts[st.drafts.length - 1];
    // Old make: "Makefile.build:324: recipe for target 'x' failed" then "*** [x] Error 1" is one failure.
    if (prev && prev.kind === 'make-error' && prev.symbol === target && prev.message.startsWith('recipe for target') && i - prev.lineIndex <= 2) {
      prev.message = `[${target}] ${status}`;
      prev.text.push(line);
      st.open = prev;
      return true;
    }
    add(st, { kind: 'make-error', file: inner ? cleanFile(inner[1]) : null, line: inner ? toNumber(inner[2]) : null, column: null, message: `[${target}] ${status}`, symbol: target }, line, i, { withPending: false });
    return true;
  }
  if (/^\*\*\* Waiting for unfinished jobs/.test(rest) || /^Target '.*' not remade because of errors/.test(rest) || /^Failed to remake makefile/.test(rest)) {
    if (st.open && (st.open.kind === 'make-error' || st.open.kind === 'make-no-rule')) append(st, line);
    return true;
  }
  if (rest.startsWith('*** ')) {
    const message = rest.slice(4).replace(/\.?\s+Stop\.$/, '').trim();
    add(st, { kind: 'make-error', file: null, line: null, column: null, message, symbol: null }, line, i, { withPending: false });
    return true;
  }
  return true; // other make chatter: Entering/Leaving directory, jobserver warnings
}

function classifyModpost(st: ScanState, s: string, line: string, i: number): boolean {
  const m = MODPOST.exec(s);
  if (!m) return false;
  const msg = m[2];
  const undefinedSym = /^"([^"]+)" \[([^\]]+)\] undefined!$/.exec(msg);
  if (!s.includes('modpost:') && !undefinedSym) return false;
  let symbol: string | null = null;
  let file: string | null = null;
  if (undefinedSym) {
    symbol = undefinedSym[1];
    file = cleanFile(undefinedSym[2]);
  } else {
    const ns = /^module (\S+) uses symbol (\S+) from namespace/.exec(msg);
    if (ns) {
      file = ns[1];
      symbol = ns[2];
    } else symbol = firstQuoted(normalizeQuotes(msg));
  }
  add(st, { kind: 'modpost', file, line: null, column: null, message: normalizeQuotes(msg), symbol }, line, i, { withPending: false });
  return true;
}

function classifyLinker(st: ScanState, s: string, line: string, i: number): boolean {
  if (s.startsWith('collect2: ')) {
    if (/ld returned \d+ exit status/.test(s)) {
      add(st, { kind: 'linker-error', file: null, line: null, column: null, message: s.replace(/^collect2: (?:error: )?/, ''), symbol: null }, line, i, { withPending: false });
    }
    return true;
  }
  if (/^clang(?:-\d+)?: error: linker command failed/.test(s)) {
    add(st, { kind: 'linker-error', file: null, line: null, column: null, message: s.replace(/^clang(?:-\d+)?: error: /, ''), symbol: null }, line, i, { withPending: false });
    return true;
  }
  let rest = s;
  let viaLd = false;
  const colon = s.indexOf(': ');
  if (colon > 0 && colon < 200 && LD_TOOL.test(s.slice(0, colon))) {
    rest = s.slice(colon + 2);
    viaLd = true;
  }
  const inFn = LD_IN_FUNCTION.exec(rest);
  if (inFn && (viaLd || /`/.test(rest) || /\.(o|a)$/.test(inFn[1]))) {
    const obj = inFn[1].split(':')[0];
    st.ldObject = isTempPath(obj) ? null : obj;
    st.pending = [line];
    st.open = null;
    return true;
  }
  const undef = rest.indexOf('undefined reference to ');
  if (undef >= 0) {
    const loc = rest.slice(0, undef).replace(/:\s*$/, '');
    const { file, line: ln } = linkerLocation(loc, st.ldObject);
    const after = normalizeQuotes(rest.slice(undef));
    const symbol = firstQuoted(after);
    if (/^more undefined references/.test(rest.slice(Math.max(0, undef - 5)))) return true;
    add(st, { kind: 'linker-undefined', file, line: ln, column: null, message: symbol ? `undefined reference to '${symbol}'` : after, symbol }, line, i);
    return true;
  }
  const multi = rest.indexOf('multiple definition of ');
  if (multi >= 0) {
    const loc = rest.slice(0, multi).replace(/:\s*$/, '');
    const { file, line: ln } = linkerLocation(loc, st.ldObject);
    const after = normalizeQuotes(rest.slice(multi)).split(';')[0];
    const symbol = firstQuoted(after);
    add(st, { kind: 'linker-error', file, line: ln, column: null, message: after, symbol }, line, i);
    return true;
  }
  if (!viaLd) return false;
  const lld = /^error: undefined symbol: (.+)$/.exec(rest);
  if (lld) {
    add(st, { kind: 'linker-undefined', file: null, line: null, column: null, message: `undefined reference to '${lld[1]}'`, symbol: lld[1] }, line, i);
    return true;
  }
  if (/^warning: |: warning: /.test(rest)) return true;
  if (DIAG.test(rest)) return classifyDiagnostic(st, rest, line, i, true);
  const message = normalizeQuotes(rest.replace(/^error: /, ''));
  add(st, { kind: 'linker-error', file: null, line: null, column: null, message, symbol: firstQuoted(message) }, line, i);
  return true;
}

function classifyDriver(st: ScanState, s: string, line: string, i: number): boolean {
  const m = DRIVER.exec(s);
  if (!m) return false;
  const level = m[2];
  const message = normalizeQuotes(level === 'sorry, unimplemented' ? `sorry, unimplemented: ${m[3]}` : m[3]);
  const kind: BuildErrorKind = level === 'warning' ? 'compiler-warning' : level === 'fatal error' ? 'fatal-error' : 'compiler-error';
  add(st, { kind, file: null, line: null, column: null, message, symbol: symbolOf(message) }, line, i, { withPending: false });
  return true;
}

function classifyObjtool(st: ScanState, s: string, line: string, i: number): boolean {
  const m = OBJTOOL.exec(s);
  if (!m) return false;
  const message = normalizeQuotes(m[3]);
  const fn = /^([\w.]+)\(\)/.exec(message);
  add(st, { kind: 'objtool', file: cleanFile(m[1]), line: null, column: null, message, symbol: fn ? fn[1] : firstQuoted(message) }, line, i, { withPending: false });
  return true;
}

function classifyDiagnostic(st: ScanState, s: string, line: string, i: number, viaLd: boolean): boolean {
  const m = DIAG.exec(s);
  if (!m) return false;
  const rawFile = m[1];
  const ln = toNumber(m[2]);
  const col = toNumber(m[3]);
  let rest = m[4];
  const makefile = MAKEFILE.test(rawFile);
  const kconfigFile = KCONFIG_FILE.test(rawFile);
  let sparse = false;
  while (rest.startsWith('sparse: ')) {
    sparse = true;
    rest = rest.slice(8);
  }
  // A line number in gcc's temporary assembler file points nowhere a reader can look.
  const base = isTempPath(rawFile) ? { file: null, line: null, column: null } : { file: cleanFile(rawFile), line: ln, column: col };
  const level = /^(fatal error|internal compiler error|error|warning|note|Error|Warning): ?(.*)$/.exec(rest);
  if (sparse) {
    const message = normalizeQuotes(level && /^(error|warning)$/.test(level[1]) ? level[2] : rest);
    add(st, { kind: 'sparse', ...base, message, symbol: symbolOf(message) }, line, i);
    return true;
  }
  if (level) {
    const what = level[1];
    const message = normalizeQuotes(what === 'internal compiler error' ? rest : level[2]);
    if (what === 'note') {
      if (st.open && !makefile) {
        st.pending = [];
        append(st, line);
        st.justDiagnosed = false;
      }
      return true;
    }
    if (what === 'Warning' || (what === 'warning' && makefile)) return true;
    if (kconfigFile) {
      add(st, { kind: 'kconfig', ...base, message, symbol: symbolOf(message) }, line, i);
      return true;
    }
    if (/undefined reference to /.test(message)) {
      const symbol = firstQuoted(message);
      add(st, { kind: 'linker-undefined', ...base, message: symbol ? `undefined reference to '${symbol}'` : message, symbol }, line, i);
      return true;
    }
    const kind: BuildErrorKind = what === 'fatal error' ? 'fatal-error' : what === 'warning' ? 'compiler-warning' : 'compiler-error';
    add(st, { kind, ...base, message, symbol: symbolOf(message) }, line, i);
    return true;
  }
  const msg = normalizeQuotes(rest);
  if (/^undefined reference to /.test(msg)) {
    const symbol = firstQuoted(msg);
    add(st, { kind: 'linker-undefined', ...base, message: symbol ? `undefined reference to '${symbol}'` : msg, symbol }, line, i);
    return true;
  }
  if (/^multiple definition of /.test(msg)) {
    const message = msg.split(';')[0];
    add(st, { kind: 'linker-error', ...base, message, symbol: firstQuoted(message) }, line, i);
    return true;
  }
  if (viaLd) return false;
  if (makefile) {
    const recipe = /^recipe for target '([^']+)' failed$/.exec(msg);
    if (recipe) {
      add(st, { kind: 'make-error', ...base, column: null, message: msg, symbol: recipe[1] }, line, i, { withPending: false });
      return true;
    }
    const missing = /^(\S+): No such file or directory$/.exec(msg);
    if (missing || msg.startsWith('*** ')) {
      const message = msg.replace(/^\*\*\* /, '').replace(/\.?\s+Stop\.$/, '');
      add(st, { kind: 'make-error', ...base, column: null, message, symbol: missing ? missing[1] : null }, line, i, { withPending: false });
      return true;
    }
    return false;
  }
  if (kconfigFile) {
    add(st, { kind: 'kconfig', ...base, message: msg, symbol: symbolOf(msg) }, line, i, { withPending: false });
    return true;
  }
  return false;
}

function classifyKconfig(st: ScanState, s: string, line: string, i: number): boolean {
  const q = normalizeQuotes(s);
  const noDefault = /^\*\*\* Can't find default configuration '([^']+)'!?$/.exec(q);
  if (noDefault) {
    add(st, { kind: 'kconfig', file: cleanFile(noDefault[1]), line: null, column: null, message: `Can't find default configuration '${noDefault[1]}'`, symbol: noDefault[1] }, line, i, { withPending: false });
    return true;
  }
  if (/^\*\*\* The present kernel configuration has modules disabled\.?$/.test(q)) {
    add(st, { kind: 'kconfig', file: null, line: null, column: null, message: 'The present kernel configuration has modules disabled', symbol: null }, line, i, { withPending: false });
    return true;
  }
  return false;
}

/**
 * A build script's bare "error: <path>: <message>" (the syscall table checker, for one). git's own
 * "error: <path>: patch does not apply" and friends are about applying a patch, not building it.
 */
function classifyScript(st: ScanState, s: string, line: string, i: number): boolean {
  const m = /^error: ([^\s:]+\/[^\s:]+): (.+)$/.exec(s);
  if (!m || /patch does not apply|does not exist in index|already exists in (?:the )?working directory|does not match index|No such file or directory/.test(m[2])) return false;
  const message = normalizeQuotes(m[2]);
  add(st, { kind: 'make-error', file: cleanFile(m[1]), line: null, column: null, message, symbol: firstQuoted(message) }, line, i, { withPending: false });
  return true;
}

function finish(st: ScanState): ScanResult {
  const errors: BuildError[] = [];
  const lineOfError: number[] = [];
  for (const d of st.drafts) {
    const e: Omit<BuildError, 'signature'> = {
      kind: d.kind,
      file: d.file,
      line: d.line,
      column: d.column,
      message: d.message.replace(/\s+/g, ' ').trim(),
      symbol: d.symbol,
      isNew: d.isNew,
      text: d.text.join('\n'),
    };
    errors.push({ ...e, signature: errorSignature(e) });
    lineOfError.push(d.lineIndex);
  }
  return { errors, lineOfError };
}

/** Scan prepared log lines (see lines.ts for mail bodies). */
export function scanLog(lines: LogLine[]): ScanResult {
  const st: ScanState = { lines, drafts: [], pending: [], ldObject: null, open: null, openLines: 0, afterCaret: false, justDiagnosed: false };
  run(st);
  return finish(st);
}

/** Every build error in a raw log (a CI log, an attachment), in order. */
export function extractBuildErrors(text: string): BuildError[] {
  if (typeof text !== 'string' || text === '') return [];
  return scanLog(text.split('\n').map((t) => ({ text: t, isNew: false }))).errors;
}
