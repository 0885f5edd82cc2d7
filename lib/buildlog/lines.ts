/**
 * The lines of a mail body that can hold a new build log: the author's own text, with the
 * kernel test robot's `>>` new-line markers and Naresh-style `| ` log prefixes undone, and
 * every diff (and inline patch after a scissors line) blanked so code never reads as a log.
 */
import { findDiffs } from '../diff.ts';
import { isQuotedLine } from '../mail/quote.ts';
import type { LogLine } from './extract.ts';

/** "All errors (new ones prefixed by >>):", "All error/warnings (new ones prefixed by >>):", "All warnings ...". */
const ROBOT_SECTION = /^All (?:errors|warnings|error\/warnings)(?: \(new ones prefixed by >>\))?:?\s*$/;
/** The signature ("-- "), the vim excerpt or the robot's footer; a bare "--" separates two configs' logs. */
const ROBOT_SECTION_END = /^(?:-- $|---\s*$|vim \+|:{6} |0-DAY |#regzbot)/;
const HUNK = /^@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@/;
const SCISSORS = /^[-\s]*(?:8<|>8|%<|>%)[-\s8<>%]*$/;

export interface MailLines {
  lines: LogLine[];
  /** The own text the lines came from, joined: for context and lifecycle phrases. */
  text: string;
}

/** Blank every line of a diff, of a patch after a scissors line, and of hunks findDiffs could not parse. */
function maskPatches(lines: LogLine[]): void {
  const texts = lines.map((l) => l.text);
  const blocks = findDiffs(texts);
  for (const b of blocks) for (let i = b.startLine; i < b.endLine; i++) lines[i].text = '';
  if (blocks.length > 0) {
    // Between a scissors line, or the pseudo-headers of an inline patch ("Subject: [PATCH] ..."),
    // and the diff after it lies the inline patch's commit message: it describes the fix.
    for (let i = 0; i < texts.length; i++) {
      const t = texts[i];
      const scissors = t.length <= 80 && SCISSORS.test(t) && t.includes('8');
      const subject = !scissors && /^Subject:\s*\[(?:[^\]]*\s)?PATCH\b/i.test(t);
      if (!scissors && !subject) continue;
      const block = blocks.find((b) => b.startLine > i);
      if (!block) break;
      let from = i;
      while (subject && from > 0 && from > i - 3 && /^(?:From|Date): /.test(texts[from - 1])) from--;
      for (let j = from; j < block.startLine; j++) lines[j].text = '';
      i = block.startLine;
    }
  }
  // Hunks mangled by a mailer (wrong line counts) escape findDiffs: blank them leniently.
  let inHunk = false;
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i].text;
    if (HUNK.test(t)) {
      inHunk = true;
      lines[i].text = '';
      continue;
    }
    if (!inHunk) continue;
    const c = t[0];
    if (c === '+' || c === '-' || c === ' ' || c === '\\' || (t === '' && i + 1 < lines.length && /^[-+ @\\]/.test(lines[i + 1].text))) {
      lines[i].text = '';
      continue;
    }
    inHunk = false;
  }
}

export function prepareMailLines(body: string): MailLines {
  const raw = body.split('\n');
  const out: LogLine[] = [];
  let robot = false;
  for (let i = 0; i < raw.length; i++) {
    let line = raw[i].endsWith('\r') ? raw[i].slice(0, -1) : raw[i];
    if (line.length > 100_000) {
      out.push({ text: line, isNew: false });
      continue;
    }
    if (!robot && ROBOT_SECTION.test(line)) {
      robot = true;
      out.push({ text: line, isNew: false });
      continue;
    }
    if (robot) {
      if (ROBOT_SECTION_END.test(line)) robot = false;
      else if (line.startsWith('>>')) {
        // The robot marks new lines with ">> " in place of its usual three-space indent.
        out.push({ text: line.slice(line[2] === ' ' ? 3 : 2), isNew: true });
        continue;
      } else if (line.startsWith('   ')) {
        out.push({ text: line.slice(3), isNew: false });
        continue;
      } else if (line === '--') {
        out.push({ text: '', isNew: false });
        continue;
      } else if (!isQuotedLine(line)) {
        out.push({ text: line, isNew: false });
        continue;
      }
    }
    if (isQuotedLine(line)) {
      out.push({ text: '', isNew: false });
      continue;
    }
    // Logs pasted with "| " in front of each line (LKFT reports) are logs all the same.
    if (line.startsWith('| ')) line = line.slice(2);
    else if (line === '|') line = '';
    // A mailer broke "path/Makefile.build:280: recipe for target ..." after the location.
    if (/^\S+:\d+:$/.test(line.trim()) && i + 1 < raw.length && /^[^\s>|]/.test(raw[i + 1]) && raw[i + 1].length < 2000) {
      out.push({ text: `${line} ${raw[i + 1].replace(/\r$/, '')}`, isNew: false });
      out.push({ text: '', isNew: false });
      i++;
      continue;
    }
    out.push({ text: line, isNew: false });
  }
  maskPatches(out);
  return { lines: out, text: out.map((l) => l.text).join('\n') };
}
