/**
 * An mbox that `git am` applies: the series' patches with the trailers reviewers gave added to
 * each commit message (as b4 am does), and optionally each inline fixup as a "fixup!" commit right
 * after its target so that `git rebase -i --autosquash` folds it in.
 */
import { findDiffs } from './diff.ts';
import { parseMail } from './mail/parse.ts';
import type { Address, Mail } from './mail/types.ts';
import { formatTrailer, isPersonKind, scanTrailers, type GivenTrailer, type TrailerKind } from './trailers.ts';

export interface AmPatch {
  number: number;
  /** The patch mail as sent, or already parsed. */
  raw: Buffer | string | Mail;
  trailers: GivenTrailer[];
}

export interface AmFixup {
  targetNumber: number;
  subject: string;
  author: Address;
  date: Date | null;
  description: string;
  /** A unified diff that applies on top of the target patch. */
  diff: string;
}

export interface SeriesMboxInput {
  patches: AmPatch[];
  fixups: AmFixup[];
  fixupMode: 'autosquash' | 'none';
  /** Target titles by patch number, for the "fixup! <title>" subjects; [PATCH] tags are stripped. Falls back to the patch's subject. */
  targetSubjects: Map<number, string>;
}

/**
 * The commit title `git am` makes of a subject: "Re:"/"Fwd:" markers and leading [...] groups
 * removed (as mailinfo's cleanup_subject), whitespace collapsed. "fixup! <this>" must match it.
 */
export function gitAmTitle(subject: string): string {
  let s = subject.replace(/\s+/g, ' ').trim();
  for (let i = 0; i < 50; i++) {
    const before = s;
    s = s.replace(/^(?:re|fwd?)\s*:\s*/i, '');
    if (s.startsWith('[')) {
      const close = s.indexOf(']');
      if (close > 0) s = s.slice(close + 1);
    }
    s = s.replace(/^[\s:]+/, '');
    if (s === before) break;
  }
  return s;
}

/** git am refuses a commit without an author; a mail without a usable From gets this one. */
const UNKNOWN_AUTHOR: Address = { name: 'Unknown Author', email: 'unknown@patchloom.invalid' };

/** The From_ line every message starts with (what git format-patch and b4 write). */
export const MBOX_FROM_LINE = 'From git@z Thu Jan  1 00:00:00 1970';

const TRAILER_LIKE = /^[A-Za-z][A-Za-z0-9-]{0,40}:\s*\S/;

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 126) return false;
  return true;
}

/** RFC 2047 encoded words for a non-ASCII header value, split on character boundaries. */
function encodeHeaderValue(value: string): string {
  const clean = value.replace(/[\r\n]+/g, ' ');
  if (isAscii(clean)) return clean;
  const words: string[] = [];
  let chunk = '';
  for (const ch of clean) {
    if (Buffer.byteLength(chunk + ch, 'utf8') > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join('\n ');
}

function formatAddress(a: Address): string {
  if (!a.name) return `<${a.email}>`;
  if (!isAscii(a.name)) return `${encodeHeaderValue(a.name)} <${a.email}>`;
  const needsQuotes = /[()<>@,;:\\".[\]]/.test(a.name);
  return needsQuotes ? `"${a.name.replace(/(["\\])/g, '\\$1')}" <${a.email}>` : `${a.name} <${a.email}>`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function rfc2822(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** mboxrd: every line that would read as a From_ line (after any '>') gets one more '>'. */
export function quoteFromLines(body: string): string {
  return body.replace(/^(>*From )/gm, '>$1');
}

function messageText(headers: [string, string][], body: string): string {
  const head = headers.map(([k, v]) => `${k}: ${v}`).join('\n');
  const text = body.endsWith('\n') ? body : `${body}\n`;
  return `${MBOX_FROM_LINE}\n${head}\n\n${quoteFromLines(text)}\n`;
}

function sameTrailer(a: { kind: TrailerKind; email: string; value: string }, b: { kind: TrailerKind; email: string; value: string }): boolean {
  if (a.kind !== b.kind) return false;
  return isPersonKind(a.kind) ? a.email.toLowerCase() === b.email.toLowerCase() : a.value.trim().toLowerCase() === b.value.trim().toLowerCase();
}

function firstDiffLine(lines: string[]): number {
  const diffs = findDiffs(lines);
  let first = diffs.length ? diffs[0].startLine : lines.length;
  // Diffs findDiffs cannot read (mangled hunks) still start where git mailinfo would see a patch.
  for (let i = 0; i < first; i++) {
    if (/^(?:diff -|Index: )/.test(lines[i]) || (lines[i].startsWith('--- ') && lines[i + 1]?.startsWith('+++ '))) {
      first = i;
      break;
    }
  }
  return first;
}

/** Where the commit message of a patch body ends: its "---", the diff, or the signature. */
export function commitMessageEnd(lines: string[]): number {
  const firstDiff = firstDiffLine(lines);
  for (let i = 0; i < firstDiff; i++) if (lines[i].trimEnd() === '---' || lines[i] === '-- ') return i;
  return firstDiff;
}

/**
 * The body with trailers appended to its trailer block (the last paragraph above the "---"),
 * skipping ones already there; if the message has no trailer block, a new paragraph is started.
 */
export function addTrailersToBody(body: string, trailers: GivenTrailer[]): string {
  if (trailers.length === 0) return body;
  const lines = body.split('\n');
  const messageEnd = commitMessageEnd(lines);
  const firstDiff = firstDiffLine(lines);
  let last = messageEnd - 1;
  while (last >= 0 && lines[last].trim() === '') last--;
  const existing = scanTrailers(lines.slice(0, messageEnd).join('\n')).trailers;
  const fresh: GivenTrailer[] = [];
  for (const t of trailers) {
    if (existing.some((e) => sameTrailer(e, t)) || fresh.some((f) => sameTrailer(f, t))) continue;
    fresh.push(t);
  }
  if (fresh.length === 0) return body;
  const rendered = fresh.map(formatTrailer);

  // Is the last paragraph a trailer block?
  let first = last;
  while (first >= 0 && lines[first].trim() !== '') first--;
  const paragraph = lines.slice(first + 1, last + 1);
  const isBlock = paragraph.length > 0 && paragraph.every((l) => TRAILER_LIKE.test(l) || /^\s*\[.*\]\s*$/.test(l) || /^\s+\S/.test(l)) && TRAILER_LIKE.test(paragraph[0]);
  const insert = isBlock || last < 0 ? rendered : ['', ...rendered];
  const out = [...lines.slice(0, last + 1), ...insert, ...lines.slice(last + 1)];
  // A message that ran straight into the diff needs a blank line before it.
  if (messageEnd === firstDiff && last + 1 === messageEnd && messageEnd < lines.length) out.splice(last + 1 + insert.length, 0, '');
  return out.join('\n');
}

async function toMail(raw: Buffer | string | Mail): Promise<Mail> {
  if (typeof raw === 'string') return parseMail(Buffer.from(raw, 'utf8'));
  if (Buffer.isBuffer(raw)) return parseMail(raw);
  return raw;
}

/** The text that carries the patch: the body, or a text attachment with the diff when the body has none. */
function patchBody(mail: Mail): string {
  if (findDiffs(mail.body).length) return mail.body;
  const att = mail.attachments.find((a) => a.text && findDiffs(a.text).length);
  return att?.text ? `${mail.body.trimEnd()}\n\n${att.text}` : mail.body;
}

/** Lines that `git mailinfo` would take as the start of the patch are indented in a fixup's description. */
function safeDescription(description: string): string {
  return description
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => (/^(---|diff -|Index: |From )/.test(l) ? `  ${l}` : l))
    .join('\n')
    .trim();
}

function fixupMessage(f: AmFixup, targetTitle: string, fallbackDate: string): string {
  const description = safeDescription(f.description);
  const diff = f.diff.endsWith('\n') ? f.diff : `${f.diff}\n`;
  // The message is dropped when the fixup is folded; it says where the change came from if it is not.
  const body = `${description || safeDescription(f.subject)}\n---\n${diff}`;
  return messageText(
    [
      ['From', formatAddress(f.author)],
      ['Date', f.date ? rfc2822(f.date) : fallbackDate],
      ['Subject', encodeHeaderValue(`fixup! ${targetTitle}`)],
      ['MIME-Version', '1.0'],
      ['Content-Type', 'text/plain; charset="utf-8"'],
      ['Content-Transfer-Encoding', '8bit'],
    ],
    body,
  );
}

/**
 * The series as an mbox for `git am`, patches in number order. Subjects keep their [PATCH vN n/N]
 * tags (git am strips them); fixups for patches not in the series are left out.
 */
export async function seriesToMbox(input: SeriesMboxInput): Promise<string> {
  const patches = [...input.patches].sort((a, b) => a.number - b.number);
  const parts: string[] = [];
  for (const p of patches) {
    const mail = await toMail(p.raw);
    // The Date as sent when it parses (git am reads the same RFC 2822 forms); the epoch otherwise.
    const date = mail.date ? mail.headers['date'] || rfc2822(mail.date) : rfc2822(new Date(0));
    const author = mail.from.email ? mail.from : UNKNOWN_AUTHOR;
    const headers: [string, string][] = [
      ['From', formatAddress(author)],
      ['Date', date],
      ['Subject', encodeHeaderValue(mail.subject)],
      ['Message-Id', `<${mail.messageId}>`],
      ['MIME-Version', '1.0'],
      ['Content-Type', 'text/plain; charset="utf-8"'],
      ['Content-Transfer-Encoding', '8bit'],
    ];
    parts.push(messageText(headers, addTrailersToBody(patchBody(mail), p.trailers)));
    if (input.fixupMode === 'autosquash') {
      const title = gitAmTitle(input.targetSubjects.get(p.number) ?? mail.subject);
      for (const f of input.fixups) if (f.targetNumber === p.number) parts.push(fixupMessage(f, title, date));
    }
  }
  return parts.join('');
}
