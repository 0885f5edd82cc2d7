/**
 * What a patch does to syscall tables: rows added, removed, or given another entry point.
 * Each side of a file's hunks is parsed as a table fragment and the rows are compared by
 * identity (number, ABI, name), so column realignment is no change and a renumbered row
 * is one removal plus one addition.
 */
import type { FileDiff } from '../diff.ts';
import { parseRows, tablePathKind, type SyscallChange, type SyscallRow, type TableFormat } from './table.ts';
import { groupBy } from '../group.ts';

export type { SyscallChange } from './table.ts';

/** A change relative to one parent of a merge resolution (`diff --cc`), parent counted from 1. */
export interface CombinedSyscallChange extends SyscallChange {
  parent: number;
}

const keyOf = (r: SyscallRow) => `${r.number}\t${r.abi}\t${r.name}`;
const RANK = { removed: 0, changed: 1, added: 2 } as const;

function change(table: string, kind: SyscallChange['kind'], old: SyscallRow | null, now: SyscallRow | null): SyscallChange {
  const r = (now ?? old)!;
  return {
    table,
    number: r.number,
    abi: r.abi,
    name: r.name,
    oldEntry: old?.entry ?? null,
    newEntry: now?.entry ?? null,
    oldCompat: old?.compat ?? null,
    newCompat: now?.compat ?? null,
    oldQualifier: old?.qualifier ?? null,
    newQualifier: now?.qualifier ?? null,
    kind,
  };
}

/** The changes between two row lists of one table, ordered by number. */
export function diffTableRows(table: string, oldRows: SyscallRow[], newRows: SyscallRow[]): SyscallChange[] {
  const olds = groupBy(oldRows, keyOf);
  const out: SyscallChange[] = [];
  for (const r of newRows) {
    const old = olds.get(keyOf(r))?.shift();
    if (!old) out.push(change(table, 'added', null, r));
    else if (old.entry !== r.entry || old.compat !== r.compat || old.qualifier !== r.qualifier) out.push(change(table, 'changed', old, r));
  }
  for (const rest of olds.values()) for (const r of rest) out.push(change(table, 'removed', r, null));
  // Stable: rows of one number keep their ABI order from the table.
  return out.sort((a, b) => a.number - b.number || RANK[a.kind] - RANK[b.kind]);
}

/** For each table file in the diff, its added, removed and changed rows. */
export function syscallChangesFromDiff(files: FileDiff[]): SyscallChange[] {
  const out: SyscallChange[] = [];
  for (const f of files) {
    if (f.binary) continue;
    const format = tablePathKind(f.path);
    if (!format) continue;
    const oldLines: string[] = [];
    const newLines: string[] = [];
    for (const h of f.hunks) {
      for (const l of h.lines) {
        const c = l[0];
        if (c === ' ' || c === '-') oldLines.push(l.slice(1));
        if (c === ' ' || c === '+') newLines.push(l.slice(1));
      }
    }
    for (const c of diffTableRows(f.path, parseRows(oldLines.join('\n'), format).rows, parseRows(newLines.join('\n'), format).rows)) out.push(c);
  }
  return out;
}

interface CombinedFile {
  path: string;
  parents: string[][];
  result: string[];
}

const CC_HEADER = /^diff --(?:cc|combined) (.{1,500})$/;
const CC_HUNK = /^(@{3,10}) (.{1,300}?) @{3,10}/;

/** One hunk of a combined diff starting at lines[i]; appends to file; returns the index after it. */
function readCombinedHunk(lines: string[], i: number, file: CombinedFile): number {
  const m = CC_HUNK.exec(lines[i]);
  if (!m) return i + 1;
  const n = m[1].length - 1;
  const ranges = m[2].split(' ');
  if (ranges.length !== n + 1) return i + 1;
  const count = (r: string) => {
    const parts = /^[-+]\d+(?:,(\d+))?$/.exec(r);
    return parts ? (parts[1] === undefined ? 1 : Number(parts[1])) : -1;
  };
  const left = ranges.map(count);
  if (left.some((c) => c < 0)) return i + 1;
  while (file.parents.length < n) file.parents.push([]);
  let j = i + 1;
  while (j < lines.length && left.some((c) => c > 0)) {
    const l = lines[j];
    if (l.startsWith('\\')) {
      j++;
      continue;
    }
    // Mailers strip the trailing spaces of an empty context line.
    const prefix = l === '' ? ' '.repeat(n) : l.slice(0, n);
    if (prefix.length < n || !/^[ +-]+$/.test(prefix)) break;
    const content = l.slice(n);
    const removed = prefix.includes('-');
    for (let p = 0; p < n; p++) {
      if (prefix[p] === '-' || (!removed && prefix[p] === ' ')) {
        file.parents[p].push(content);
        left[p]--;
      }
    }
    if (!removed) {
      file.result.push(content);
      left[n]--;
    }
    j++;
  }
  return j;
}

/**
 * Table changes in the combined diffs (`diff --cc`, `@@@` hunks) that show a merge
 * resolution, as linux-next's "manual merge" mails do: for each parent, how the resolved
 * table differs from that parent's table. Other text is skipped.
 */
export function syscallChangesFromCombinedDiff(text: string): CombinedSyscallChange[] {
  const lines = text.split('\n');
  const files: CombinedFile[] = [];
  let current: CombinedFile | null = null;
  for (let i = 0; i < lines.length; ) {
    const header = CC_HEADER.exec(lines[i]);
    if (header) {
      current = { path: header[1].trim(), parents: [], result: [] };
      files.push(current);
      i++;
      continue;
    }
    if (current && lines[i].startsWith('@@@')) {
      i = readCombinedHunk(lines, i, current);
      continue;
    }
    if (current && !/^(index |mode |new file|deleted file|--- |\+\+\+ )/.test(lines[i])) current = null;
    i++;
  }
  const out: CombinedSyscallChange[] = [];
  for (const f of files) {
    const format: TableFormat | null = tablePathKind(f.path);
    if (!format) continue;
    const result = parseRows(f.result.join('\n'), format).rows;
    f.parents.forEach((lines, p) => {
      for (const c of diffTableRows(f.path, parseRows(lines.join('\n'), format).rows, result)) out.push(Object.assign(c, { parent: p + 1 }));
    });
  }
  return out;
}
