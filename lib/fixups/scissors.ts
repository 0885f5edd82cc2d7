/**
 * git's scissors line ("-- >8 --"), ported from mailinfo.c is_scissors_line so that
 * Patchloom cuts a message where `git am --scissors` would.
 */

const MAX_SCISSORS_LINE = 400;

const MARKS = />8|8<|>%|%</;

export function isScissorsLine(line: string): boolean {
  if (line.length > MAX_SCISSORS_LINE || line.length < 4 || !MARKS.test(line)) return false;
  let scissors = 0;
  let gap = 0;
  let first = -1;
  let last = -1;
  let perforation = 0;
  let inPerforation = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      if (inPerforation) {
        perforation++;
        gap++;
      }
      continue;
    }
    last = i;
    if (first < 0) first = i;
    if (c === '-') {
      inPerforation = true;
      perforation++;
      continue;
    }
    const next = line[i + 1];
    // The marks ">8", "8<", ">%" and "%<".
    if ((c === '>' && (next === '8' || next === '%')) || ((c === '8' || c === '%') && next === '<')) {
      inPerforation = true;
      perforation += 2;
      scissors += 2;
      i++;
      continue;
    }
    inPerforation = false;
  }
  const visible = first >= 0 ? last - first + 1 : 0;
  // As in git: at least 8 visible bytes, the perforation covers more than a third of
  // the line, and dashes and scissors are more than half of the perforation.
  return scissors > 0 && visible >= 8 && visible < perforation * 3 && gap * 2 < perforation;
}
