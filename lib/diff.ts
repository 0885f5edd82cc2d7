/**
 * Finding unified diffs inside mail text, exactly: hunk line counts decide where a
 * diff ends, so the bytes of an inline patch can be handed to `git apply` unchanged.
 */
import { createHash } from 'node:crypto';

export interface DiffHunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** The text after the second @@ (usually a function name). */
  section: string;
  /** Hunk body lines, each starting with ' ', '-', '+' or '\'. */
  lines: string[];
}

export type FileChangeKind = 'modify' | 'add' | 'delete' | 'rename' | 'copy' | 'mode';

export interface FileDiff {
  oldPath: string | null;
  newPath: string | null;
  /** The path a reader would name: the new path, or the old one for a deletion. */
  path: string;
  kind: FileChangeKind;
  binary: boolean;
  hunks: DiffHunk[];
  added: number;
  removed: number;
}

export interface DiffBlock {
  /** 0-based index of the first line of the diff in the lines searched. */
  startLine: number;
  /** Index one past the last line. */
  endLine: number;
  /** The diff's lines joined with '\n', with a final newline. */
  text: string;
  files: FileDiff[];
}

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$/;
const GIT_HEADER = /^diff --git (?:"?a\/)?(.+?)"? (?:"?b\/)?(.+?)"?$/;
const EXTENDED =
  /^(old mode|new mode|deleted file mode|new file mode|similarity index|dissimilarity index|rename from|rename to|copy from|copy to|index [0-9a-f]+\.\.[0-9a-f]+)/;

function stripPrefix(p: string): string | null {
  const path = p.replace(/\t.*$/, '').trim().replace(/^"(.*)"$/, '$1');
  if (path === '/dev/null') return null;
  return path.replace(/^[ab]\//, '');
}

function isFileStart(lines: string[], i: number): boolean {
  const line = lines[i];
  if (line.startsWith('diff --git ')) return GIT_HEADER.test(line);
  if (line.startsWith('--- ') && i + 1 < lines.length && lines[i + 1].startsWith('+++ ')) {
    return i + 2 < lines.length && HUNK.test(lines[i + 2]);
  }
  if (line.startsWith('Index: ') && i + 1 < lines.length && /^={10,}$/.test(lines[i + 1])) return true;
  return false;
}

/** Parse one hunk starting at lines[i] (the @@ line). Returns null if the body is cut short. */
function readHunk(lines: string[], i: number): { hunk: DiffHunk; next: number } | null {
  const m = HUNK.exec(lines[i]);
  if (!m) return null;
  const hunk: DiffHunk = {
    oldStart: Number(m[1]),
    oldLines: m[2] === undefined ? 1 : Number(m[2]),
    newStart: Number(m[3]),
    newLines: m[4] === undefined ? 1 : Number(m[4]),
    section: m[5] ?? '',
    lines: [],
  };
  let oldLeft = hunk.oldLines;
  let newLeft = hunk.newLines;
  let j = i + 1;
  while (j < lines.length && (oldLeft > 0 || newLeft > 0)) {
    const l = lines[j];
    const c = l[0];
    if (c === ' ' || l === '') {
      // Mailers often strip the space of an empty context line.
      oldLeft--;
      newLeft--;
    } else if (c === '-') oldLeft--;
    else if (c === '+') newLeft--;
    else if (c === '\\') {
      /* "\ No newline at end of file" */
    } else return null;
    hunk.lines.push(l === '' ? ' ' : l);
    j++;
    if (oldLeft < 0 || newLeft < 0) return null;
  }
  if (oldLeft > 0 || newLeft > 0) return null;
  while (j < lines.length && lines[j].startsWith('\\')) hunk.lines.push(lines[j++]);
  return { hunk, next: j };
}

/** Parse one file section starting at lines[i]. */
function readFile(lines: string[], i: number): { file: FileDiff; next: number } | null {
  let oldPath: string | null = null;
  let newPath: string | null = null;
  let kind: FileChangeKind = 'modify';
  let binary = false;
  let j = i;
  const git = GIT_HEADER.exec(lines[j]);
  if (git) {
    oldPath = stripPrefix(git[1]);
    newPath = stripPrefix(git[2]);
    j++;
    while (j < lines.length && EXTENDED.test(lines[j])) {
      const l = lines[j];
      if (l.startsWith('new file mode')) kind = 'add';
      else if (l.startsWith('deleted file mode')) kind = 'delete';
      else if (l.startsWith('rename from ')) { kind = 'rename'; oldPath = l.slice(12); }
      else if (l.startsWith('rename to ')) newPath = l.slice(10);
      else if (l.startsWith('copy from ')) { kind = 'copy'; oldPath = l.slice(10); }
      else if (l.startsWith('copy to ')) newPath = l.slice(8);
      else if (l.startsWith('old mode') && kind === 'modify') kind = 'mode';
      j++;
    }
    if (j < lines.length && (lines[j].startsWith('Binary files ') || lines[j] === 'GIT binary patch')) {
      binary = true;
      if (lines[j] === 'GIT binary patch') {
        j++;
        // literal/delta blocks: base85 lines, separated by blank lines, two blocks
        let blanks = 0;
        while (j < lines.length && blanks < 2) {
          if (lines[j] === '') blanks++;
          else if (!/^(literal|delta) \d+$|^[A-Za-z][0-9A-Za-z!#$%&()*+;<=>?@^_`{|}~-]+$/.test(lines[j])) break;
          j++;
        }
      } else j++;
    }
  } else if (lines[j].startsWith('Index: ')) {
    newPath = oldPath = lines[j].slice(7).trim();
    j += 2;
    while (j < lines.length && !lines[j].startsWith('--- ') && !HUNK.test(lines[j]) && j < i + 6) j++;
  }
  if (j + 1 < lines.length && lines[j].startsWith('--- ') && lines[j + 1].startsWith('+++ ')) {
    const o = stripPrefix(lines[j].slice(4));
    const n = stripPrefix(lines[j + 1].slice(4));
    if (!git) {
      oldPath = o;
      newPath = n;
    }
    if (o === null) kind = 'add';
    if (n === null) kind = 'delete';
    j += 2;
  }
  const hunks: DiffHunk[] = [];
  while (j < lines.length && lines[j].startsWith('@@ ')) {
    const r = readHunk(lines, j);
    if (!r) break;
    hunks.push(r.hunk);
    j = r.next;
  }
  if (!git && hunks.length === 0) return null;
  if (git && hunks.length === 0 && !binary && kind === 'modify') return null;
  let added = 0;
  let removed = 0;
  for (const h of hunks) for (const l of h.lines) {
    if (l[0] === '+') added++;
    else if (l[0] === '-') removed++;
  }
  if (kind === 'delete') newPath = null;
  if (kind === 'add') oldPath = null;
  const path = newPath ?? oldPath ?? '';
  return { file: { oldPath, newPath, path, kind, binary, hunks, added, removed }, next: j };
}

/** Several modules look for the diffs of the same bodies; remember the last ones (frozen, so shared safely). */
const recent = new Map<string, DiffBlock[]>();
const RECENT_MAX = 256;

/** Every diff in the given text (or lines), in order. */
export function findDiffs(text: string | string[]): DiffBlock[] {
  if (typeof text !== 'string') return scanDiffs(text);
  const hit = recent.get(text);
  if (hit) return hit;
  // Cheap rejection: no diff can start without one of these.
  const found = text.includes('\n--- ') || text.startsWith('--- ') || text.includes('diff --git ') || text.includes('Index: ') ? scanDiffs(text.split('\n')) : [];
  const frozen = Object.freeze(found) as DiffBlock[];
  if (recent.size >= RECENT_MAX) recent.delete(recent.keys().next().value as string);
  recent.set(text, frozen);
  return frozen;
}

function scanDiffs(lines: string[]): DiffBlock[] {
  const blocks: DiffBlock[] = [];
  let i = 0;
  while (i < lines.length) {
    if (!isFileStart(lines, i)) {
      i++;
      continue;
    }
    const start = i;
    const files: FileDiff[] = [];
    while (i < lines.length && isFileStart(lines, i)) {
      const r = readFile(lines, i);
      if (!r) break;
      files.push(r.file);
      i = r.next;
    }
    if (files.length === 0) {
      i = start + 1;
      continue;
    }
    blocks.push({ startLine: start, endLine: i, text: lines.slice(start, i).join('\n') + '\n', files });
  }
  return blocks;
}

/** All file changes of a text, flattened across its diff blocks. */
export function parseDiff(text: string): FileDiff[] {
  return findDiffs(text).flatMap((b) => b.files);
}

export function filesTouched(files: FileDiff[]): string[] {
  return [...new Set(files.flatMap((f) => [f.oldPath, f.newPath].filter((p): p is string => !!p)))];
}

export interface DiffStat {
  path: string;
  added: number;
  removed: number;
}

export function diffstat(files: FileDiff[]): DiffStat[] {
  return files.map((f) => ({ path: f.path, added: f.added, removed: f.removed }));
}

/**
 * A content identity of a change, in the spirit of `git patch-id --stable`: the changed
 * lines per file with whitespace removed and line numbers ignored. Equal ids mean the
 * same change, whatever the context offsets or the commit message.
 */
export function patchId(files: FileDiff[]): string {
  const parts: string[] = [];
  for (const f of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
    parts.push(`${f.oldPath ?? '/dev/null'}\0${f.newPath ?? '/dev/null'}\0`);
    for (const hunk of f.hunks) for (const l of hunk.lines) {
      if (l[0] === '+' || l[0] === '-') parts.push(l[0] + l.slice(1).replace(/\s+/g, '') + '\n');
    }
  }
  return createHash('sha1').update(parts.join('')).digest('hex');
}

/** The added and removed lines of each file, for "does a later patch contain this change" checks. */
export function changedLines(files: FileDiff[]): Map<string, { added: string[]; removed: string[] }> {
  const out = new Map<string, { added: string[]; removed: string[] }>();
  for (const f of files) {
    const entry = out.get(f.path) ?? { added: [], removed: [] };
    for (const hunk of f.hunks) for (const l of hunk.lines) {
      if (l[0] === '+') entry.added.push(l.slice(1));
      else if (l[0] === '-') entry.removed.push(l.slice(1));
    }
    out.set(f.path, entry);
  }
  return out;
}
