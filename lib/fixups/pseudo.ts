/**
 * The in-body headers of an inline patch (`From:`, `Date:`, `Subject:` after a scissors
 * line or a row of dashes, as `git am` reads them), addresses, and trailers.
 */
import type { Address } from '../mail/types.ts';

export interface PseudoHeaders {
  from: Address | null;
  date: Date | null;
  /** Unfolded, still with its [PATCH] tag. */
  subject: string | null;
  /** Index of the first header line (after a `From <sha> Mon Sep 17 ...` line, if any). */
  start: number;
  /** Index one past the block, past the blank line that ends it. */
  end: number;
}

/** Header names git format-patch and mailers put in an in-body block. Any other name ends the block. */
const KNOWN = new Set([
  'from', 'date', 'subject', 'to', 'cc', 'message-id', 'mime-version', 'content-type',
  'content-transfer-encoding', 'in-reply-to', 'references', 'reply-to', 'sender',
]);
const HEADER = /^([A-Za-z][A-Za-z0-9-]{0,40}):[ \t]?(.*)$/;
/** The first line of `git format-patch` output. */
export const FORMAT_PATCH_FROM = /^From [0-9a-f]{40} Mon Sep 17 00:00:00 2001\s*$/;
const MAX_HEADER_LINE = 2000;
const MAX_HEADER_LINES = 40;

function headerName(line: string): string | null {
  if (line.length > MAX_HEADER_LINE) return null;
  const m = HEADER.exec(line);
  return m ? m[1].toLowerCase() : null;
}

/** True when the line starts a From:/Date:/Subject: header (the only names that can open a block). */
export function opensHeaderBlock(line: string): boolean {
  const name = headerName(line);
  return name === 'from' || name === 'date' || name === 'subject' || FORMAT_PATCH_FROM.test(line);
}

/**
 * Read an in-body header block starting at `start` (blank lines first are skipped), not
 * past `limit`. `own[i]` says whether line i is the author's own text; a quoted line
 * ends the block. Returns null when no From:, Date: or Subject: header opens there.
 */
export function readPseudoHeaders(lines: string[], start: number, limit: number, own?: ArrayLike<number>): PseudoHeaders | null {
  let i = start;
  while (i < limit && lines[i].trim() === '' && (!own || own[i])) i++;
  if (i < limit && FORMAT_PATCH_FROM.test(lines[i])) i++;
  const first = i;
  const values = new Map<string, string>();
  let current: string | null = null;
  let count = 0;
  while (i < limit && count < MAX_HEADER_LINES && (!own || own[i])) {
    const line = lines[i];
    if (current && /^[ \t]+\S/.test(line) && line.length <= MAX_HEADER_LINE) {
      values.set(current, `${values.get(current) ?? ''} ${line.trim()}`);
      i++;
      count++;
      continue;
    }
    const name = headerName(line);
    if (!name || !KNOWN.has(name)) break;
    if (count === 0 && name !== 'from' && name !== 'date' && name !== 'subject') return null;
    const m = HEADER.exec(line);
    if (!values.has(name)) values.set(name, (m?.[2] ?? '').trim());
    current = name;
    i++;
    count++;
  }
  if (count === 0) return null;
  const from = values.has('from') ? parseAddress(values.get('from') ?? '') : null;
  const rawDate = values.get('date');
  const date = rawDate ? parseDate(rawDate) : null;
  const subject = values.has('subject') ? (values.get('subject') ?? '').replace(/\s+/g, ' ').trim() : null;
  if (!from && !subject && !date) return null;
  if (i < limit && lines[i].trim() === '') i++;
  return { from, date, subject, start: first, end: i };
}

function parseDate(s: string): Date | null {
  const d = new Date(s.slice(0, 200));
  if (Number.isNaN(d.getTime())) return null;
  const y = d.getUTCFullYear();
  return y >= 1900 && y <= 9999 ? d : null;
}

/** "Name <email>", "\"Last, First\" <email>" or a bare address; null without an address. */
export function parseAddress(value: string): Address | null {
  const s = value.slice(0, 1000).trim();
  const bracket = /<([^<>\s@]{1,200}@[^<>\s]{1,200})>/.exec(s);
  if (bracket) {
    const name = s.slice(0, bracket.index).trim().replace(/^"(.*)"$/, '$1').replace(/\\(.)/g, '$1').trim();
    return { name, email: bracket[1].toLowerCase() };
  }
  const bare = /[^\s<>"(),;:]{1,200}@[^\s<>"(),;:]{1,200}/.exec(s);
  if (!bare) return null;
  const rest = s.replace(bare[0], '').replace(/[()"]/g, '').trim();
  return { name: rest, email: bare[0].toLowerCase() };
}

export interface Trailer {
  kind: string;
  name: string;
  email: string;
}

const TRAILER = /^([A-Za-z-]{1,60}-by|Fixes|Closes|Link): (.*)$/i;
const MAX_TRAILER_LINE = 1000;

/** A trailer line (Signed-off-by, Reported-by, Fixes, Closes, Link), parsed simply; null for any other line. */
export function parseTrailer(line: string): Trailer | null {
  if (line.length > MAX_TRAILER_LINE) return null;
  const m = TRAILER.exec(line.trim());
  if (!m) return null;
  const kind = m[1];
  const value = m[2].trim();
  if (/-by$/i.test(kind)) {
    const addr = parseAddress(value);
    return addr ? { kind, name: addr.name, email: addr.email } : { kind, name: value, email: '' };
  }
  return { kind, name: value, email: '' };
}

/** The subject of a `Fixes: <sha> ("subject")` value, or null. */
export function fixesSubject(value: string): string | null {
  const m = /^[0-9a-f]{6,40}\s*\(\s*["“](.{1,300})["”]\s*\)\s*$/i.exec(value.trim().slice(0, 400));
  return m ? m[1].trim() : null;
}
