/**
 * Mail text cut into what the page draws: each line classified (own text, quote, diff header,
 * hunk, added, removed, context), quoted runs marked for folding, and equal lines grouped.
 * Pure, so it is tested without a browser.
 */
import { findDiffs } from '../../lib/diff.ts';
import { isQuotedLine } from '../../lib/mail/quote.ts';

export type LineKind = 'text' | 'quote' | 'meta' | 'hunk' | 'add' | 'del' | 'ctx';

export interface Line {
  text: string;
  kind: LineKind;
}

/** Past this many lines a message is cut; the raw download has the rest. */
export const MAX_RENDERED_LINES = 6000;
/** Quoted runs shorter than this stay visible (dimmed): folding two lines hides more than it saves. */
const FOLD_AT = 4;

/** Each line's kind: inside a diff (found exactly, by hunk counts) by its first characters; outside, quote or text. */
export function classify(lines: string[]): Line[] {
  const kinds: LineKind[] = lines.map((l) => (isQuotedLine(l) ? 'quote' : 'text'));
  for (const block of findDiffs(lines)) {
    for (let i = block.startLine; i < block.endLine; i++) {
      const l = lines[i];
      if (l.startsWith('diff ') || l.startsWith('index ') || l.startsWith('new file mode') || l.startsWith('deleted file mode') || l.startsWith('similarity index') || l.startsWith('rename ')) kinds[i] = 'meta';
      else if (l.startsWith('--- ') && lines[i + 1]?.startsWith('+++ ')) kinds[i] = 'meta';
      else if (l.startsWith('+++ ') && kinds[i - 1] === 'meta') kinds[i] = 'meta';
      else if (l.startsWith('@@')) kinds[i] = 'hunk';
      else if (l.startsWith('+')) kinds[i] = 'add';
      else if (l.startsWith('-')) kinds[i] = 'del';
      else kinds[i] = 'ctx';
    }
  }
  return lines.map((text, i) => ({ text, kind: kinds[i] }));
}

/** Quoted runs of FOLD_AT lines or more (blank lines inside them included) become folded blocks. */
function blocks(lines: Line[], fold: boolean): { folded: boolean; lines: Line[] }[] {
  const out: { folded: boolean; lines: Line[] }[] = [];
  let i = 0;
  while (i < lines.length) {
    let j = i;
    if (fold && lines[i].kind === 'quote') {
      while (j < lines.length && (lines[j].kind === 'quote' || (lines[j].text.trim() === '' && lines[j + 1]?.kind === 'quote'))) j++;
      if (j - i >= FOLD_AT) {
        out.push({ folded: true, lines: lines.slice(i, j) });
        i = j;
        continue;
      }
    }
    const last = out.at(-1);
    if (last && !last.folded) last.lines.push(lines[i]);
    else out.push({ folded: false, lines: [lines[i]] });
    i++;
  }
  return out;
}

/** Consecutive lines of one kind share an element: a long diff stays a few hundred nodes, not one per line. */
function runs(lines: Line[]): Run[] {
  const out: Run[] = [];
  for (const l of lines) {
    const last = out.at(-1);
    if (last && last.kind === l.kind) last.text += `\n${l.text}`;
    else out.push({ kind: l.kind, text: l.text });
  }
  return out;
}

export interface Run {
  kind: LineKind;
  /** The lines of the run joined with "\n". */
  text: string;
}

export interface MailBlock {
  /** A quoted run long enough to fold. */
  folded: boolean;
  lines: number;
  runs: Run[];
}

/** The blocks of a message body; past MAX_RENDERED_LINES it is cut and `cutLines` says how many lines were left out. */
export function mailBlocks(text: string, fold = true): { blocks: MailBlock[]; cutLines: number } {
  const all = text.replace(/\r\n?/g, '\n').replace(/\n+$/, '').split('\n');
  const cutLines = Math.max(0, all.length - MAX_RENDERED_LINES);
  const lines = classify(cutLines ? all.slice(0, MAX_RENDERED_LINES) : all);
  return { blocks: blocks(lines, fold).map((b) => ({ folded: b.folded, lines: b.lines.length, runs: runs(b.lines) })), cutLines };
}
