/**
 * Splitting a reply into the author's own text and the text it quotes.
 * Reports, trailers and fixups count only in the author's own text.
 */

const ATTRIBUTION = /^(On .{3,200}wrote:|.{1,120} (wrote|writes|schrieb):)\s*$/;

/** A '>' after at most three spaces or tabs (/^[ \t]{0,3}>/, without a regex: it runs on every line). */
export function isQuotedLine(line: string): boolean {
  for (let i = 0; i < 4 && i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 62) return true; // >
    if (c !== 32 && c !== 9) return false;
  }
  return false;
}

type OwnLine = { line: string; index: number };

/**
 * Every module asks for the own text of the same few bodies (trailers, fixups, build logs,
 * objections): remember the last ones. Results are frozen, so sharing them is safe.
 */
const recent = new Map<string, readonly OwnLine[]>();
const RECENT_MAX = 256;

/** The lines the author wrote, each with its 0-based line number in the body; quoted lines and attribution lines are dropped. */
export function ownLines(body: string): readonly OwnLine[] {
  const hit = recent.get(body);
  if (hit) return hit;
  const out = Object.freeze(computeOwnLines(body).map((l) => Object.freeze(l)));
  if (recent.size >= RECENT_MAX) recent.delete(recent.keys().next().value as string);
  recent.set(body, out);
  return out;
}

function computeOwnLines(body: string): OwnLine[] {
  // Nothing quoted: every line is the author's, and no attribution line needs dropping.
  if (!body.includes('>') && !/wr[io]te|schrieb/.test(body)) return body.split('\n').map((line, index) => ({ line, index }));
  const lines = body.split('\n');
  const out: OwnLine[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (isQuotedLine(line)) continue;
    if (/wr[io]te|schrieb/.test(line) && ATTRIBUTION.test(line) && i + 1 < lines.length && (isQuotedLine(lines[i + 1]) || lines[i + 1].trim() === '')) continue;
    out.push({ line, index: i });
  }
  return out;
}

/** The author's own text with quoted lines removed (attribution lines too). */
export function ownText(body: string): string {
  return ownLines(body).map((l) => l.line).join('\n');
}

/** Text that other modules may quote from a reply: the quoted lines with one level of '>' removed. */
export function quotedText(body: string): string {
  return body
    .split('\n')
    .filter(isQuotedLine)
    .map((l) => l.replace(/^[ \t]{0,3}> ?/, ''))
    .join('\n');
}
