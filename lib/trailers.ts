/**
 * Commit trailers (Acked-by, Reviewed-by, Fixes, ...): reading them from mail text, and
 * collecting the ones reviewers give in replies onto the patches of a series.
 *
 * Every scan is line by line with anchored, non-nesting patterns, so a 10 MB body stays linear.
 */
import { findDiffs } from './diff.ts';
import { isScissorsLine } from './fixups/scissors.ts';
import { ownLines } from './mail/quote.ts';
import type { Address, Mail } from './mail/types.ts';

export type TrailerKind =
  | 'Acked-by'
  | 'Reviewed-by'
  | 'Tested-by'
  | 'Reported-by'
  | 'Suggested-by'
  | 'Signed-off-by'
  | 'Co-developed-by'
  | 'Nacked-by'
  | 'Fixes'
  | 'Link'
  | 'Closes'
  | 'Cc';

export const TRAILER_KINDS: readonly TrailerKind[] = [
  'Acked-by',
  'Reviewed-by',
  'Tested-by',
  'Reported-by',
  'Suggested-by',
  'Signed-off-by',
  'Co-developed-by',
  'Nacked-by',
  'Fixes',
  'Link',
  'Closes',
  'Cc',
];

/** Trailers whose value is not a person. */
const UTILITY_KINDS: ReadonlySet<TrailerKind> = new Set<TrailerKind>(['Fixes', 'Link', 'Closes']);

export function isPersonKind(kind: TrailerKind): boolean {
  return !UTILITY_KINDS.has(kind);
}

const KIND_BY_KEY: ReadonlyMap<string, TrailerKind> = new Map<string, TrailerKind>([
  ...TRAILER_KINDS.map((k): [string, TrailerKind] => [k.toLowerCase(), k]),
  // Spellings seen on the lists.
  ['naked-by', 'Nacked-by'],
  ['nak-by', 'Nacked-by'],
]);

export interface Trailer {
  kind: TrailerKind;
  /** Person trailers: the name as written (parentheses and brackets kept), '' for a bare address. '' for Fixes/Link/Closes. */
  name: string;
  /** Person trailers: the lower-cased address. '' for Fixes/Link/Closes. */
  email: string;
  /** The raw value after "Key:", trimmed. */
  value: string;
  /** 0-based line number in the text that was scanned (for trailersGivenIn: in mail.body). */
  line: number;
}

export interface TrailerScan {
  /** Trailers the text gives. */
  trailers: Trailer[];
  /**
   * Trailers the text only suggests, e.g. the kernel test robot's "kindly add following tags
   * | Reported-by: kernel test robot <lkp@intel.com>": meant for the author's fix, not given to the patch.
   */
  suggestedTrailers: Trailer[];
}

/** Values longer than this are prose that happens to contain a colon, not trailers. */
const MAX_VALUE_LENGTH = 400;
const KEY_LINE = /^([A-Za-z][A-Za-z-]{1,30}):[ \t]*(\S.*)$/;
const EMAIL = /^[^\s@<>"(),;]+@[^\s@<>"(),;]+\.[^\s@<>"(),;]+$/;
const FIXES_VALUE = /^(?:commit\s+)?[0-9a-f]{7,40}\b/i;

/** Name and address of a person trailer value ("Name <a@b>", "a@b", "\"Last, First\" <a@b> # note"), or null. */
export function parsePersonValue(value: string): Address | null {
  const lt = value.indexOf('<');
  if (lt >= 0) {
    // Up to the next '<' or '>': "a@b<mailto:a@b>>" (HTML mailers) reads as a@b.
    let end = lt + 1;
    while (end < value.length && value[end] !== '>' && value[end] !== '<') end++;
    const email = value.slice(lt + 1, end).trim().replace(/^mailto:/i, '');
    if (!EMAIL.test(email)) return null;
    return { name: cleanName(value.slice(0, lt)), email: email.toLowerCase() };
  }
  // No angle brackets: a bare address, possibly after a name.
  const words = value.replace(/\s+#.*$/, '').split(/\s+/);
  for (let i = 0; i < words.length; i++) {
    const w = words[i].replace(/^[("']+|[)"',;.]+$/g, '');
    if (EMAIL.test(w)) return { name: cleanName(words.slice(0, i).join(' ')), email: w.toLowerCase() };
  }
  return null;
}

function cleanName(raw: string): string {
  let name = raw.trim().replace(/\s+/g, ' ');
  if (name.length >= 2 && name.startsWith('"') && name.endsWith('"')) name = name.slice(1, -1).replace(/\\"/g, '"');
  return name;
}

/** One line as a trailer (kind, name, email, value), or null. Keys must start in column 0. */
export function parseTrailerLine(line: string): Omit<Trailer, 'line'> | null {
  if (line.length > MAX_VALUE_LENGTH + 40) return null;
  const m = KEY_LINE.exec(line.trimEnd());
  if (!m) return null;
  const kind = KIND_BY_KEY.get(m[1].toLowerCase());
  if (!kind) return null;
  const value = m[2].trim();
  if (value.length > MAX_VALUE_LENGTH) return null;
  if (kind === 'Fixes') return FIXES_VALUE.test(value) ? { kind, name: '', email: '', value } : null;
  if (kind === 'Link' || kind === 'Closes') return value.includes('://') ? { kind, name: '', email: '', value } : null;
  const person = parsePersonValue(value);
  if (!person) return null;
  return { kind, name: person.name, email: person.email, value };
}

/** The canonical one-line form used when writing trailers into a commit message. */
export function formatTrailer(t: { kind: TrailerKind; name: string; email: string; value: string }): string {
  if (!isPersonKind(t.kind) || !t.email) return `${t.kind}: ${t.value}`;
  return t.name ? `${t.kind}: ${t.name} <${t.email}>` : `${t.kind}: ${t.email}`;
}

// --- scanning text ----------------------------------------------------------------------

export interface ExtractOptions {
  /**
   * Reply rules: besides diffs, skip everything after a scissors line or an in-body patch
   * ("From <sha> Mon Sep 17..." or From:/Subject: pseudo-headers), and the trailer paragraph
   * that heads an inline diff (it signs the fixup, not the patch replied to).
   * Without it (patch rules), scanning stops at the "---" that separates a commit message from its diff.
   */
  reply?: boolean;
}

interface NumberedLine {
  line: string;
  index: number;
}

const FORMAT_PATCH_FROM = /^From [0-9a-f]{40} Mon Sep 17 00:00:00 2001$/;
const PSEUDO_FROM = /^From:\s*\S.*@/;
const PSEUDO_HEADER = /^(Subject|Date):\s*\S/;
const DIFFSTAT_LINE = /^ (?:\S.{0,200} \| +(?:\d+|Bin\b)|\d+ files? changed|create mode|delete mode|rename |mode change )/;
const SUGGESTION_INTRO = /\b(?:kindly )?add (?:the )?following tags?\b/i;

function isPatchSeparator(line: string): boolean {
  return line.trimEnd() === '---';
}

function isInBodyPatchStart(lines: readonly NumberedLine[], i: number): boolean {
  const l = lines[i].line;
  if (FORMAT_PATCH_FROM.test(l)) return true;
  if (!PSEUDO_FROM.test(l)) return false;
  for (let j = i + 1; j < Math.min(lines.length, i + 3); j++) if (PSEUDO_HEADER.test(lines[j].line)) return true;
  return false;
}

function scanLines(lines: readonly NumberedLine[], opts: ExtractOptions): TrailerScan {
  const reply = opts.reply === true;
  const texts = lines.map((l) => (l.line.endsWith('\r') ? l.line.slice(0, -1) : l.line));
  const blocks = findDiffs(texts);
  const skip = new Uint8Array(texts.length);
  let end = texts.length;

  for (const b of blocks) skip.fill(1, b.startLine, b.endLine);
  // The text before the first diff that follows a "---" line.
  const firstDiff = blocks.length ? blocks[0].startLine : texts.length;
  for (let i = 0; i < texts.length; i++) {
    if (texts[i] === '-- ') {
      end = Math.min(end, i);
      break;
    }
  }
  if (reply) {
    for (let i = 0; i < end; i++) {
      if (isScissorsLine(texts[i]) || isInBodyPatchStart(lines, i)) {
        end = i;
        break;
      }
    }
    // The trailer paragraph that heads each inline diff belongs to the fixup.
    let previousEnd = 0;
    for (const b of blocks) {
      markFixupHead(texts, previousEnd, b.startLine, skip);
      previousEnd = b.endLine;
    }
  } else {
    for (let i = 0; i < Math.min(end, firstDiff); i++) {
      if (isPatchSeparator(texts[i]) && blocks.some((b) => b.startLine > i)) {
        end = i;
        break;
      }
    }
  }

  const trailers: Trailer[] = [];
  const suggestedTrailers: Trailer[] = [];
  let suggesting = false;
  for (let i = 0; i < end; i++) {
    if (skip[i]) continue;
    let text = texts[i];
    if (text.trim() === '') {
      suggesting = false;
      continue;
    }
    let piped = false;
    if (text.startsWith('| ')) {
      piped = true;
      text = text.slice(2);
    }
    // A key is short: most lines are rejected here without running a pattern.
    const colon = text.indexOf(':');
    const keyLike = colon >= 2 && colon <= 32;
    let parsed = keyLike ? parseTrailerLine(text) : null;
    if (!parsed && keyLike && text.length < 300 && i + 1 < end && !skip[i + 1] && texts[i + 1].length < 300) {
      // "Signed-off-by: Long Name" + "<address>" on the next line; "Fixes: sha (\"subject" + "wrapped\")".
      const next = texts[i + 1].trim();
      const wrappedAddress = !text.includes('<') && next.startsWith('<') && next.endsWith('>') && next.includes('@');
      const wrappedFixes = /^fixes:/i.test(text) && text.lastIndexOf('(') > text.lastIndexOf(')') && next.endsWith(')');
      if (wrappedAddress || wrappedFixes) {
        parsed = parseTrailerLine(`${text.trimEnd()} ${next}`);
        if (parsed) skip[i + 1] = 1;
      }
    }
    if (!parsed) {
      if (text.length < 500 && SUGGESTION_INTRO.test(text)) suggesting = true;
      continue;
    }
    const trailer: Trailer = { kind: parsed.kind, name: parsed.name, email: parsed.email, value: parsed.value, line: lines[i].index };
    if (piped || suggesting) suggestedTrailers.push(trailer);
    else trailers.push(trailer);
  }
  return { trailers, suggestedTrailers };
}

/** How far above a diff its "---" (with notes and a diffstat between) is looked for. */
const MAX_PATCH_NOTES_LINES = 300;

/**
 * Mark the head of an inline patch as not given: the "---" above the diff with the notes and
 * diffstat after it, and the trailer lines just above that "---" (or just above the diff when
 * there is no "---").
 */
function markFixupHead(texts: string[], floor: number, diffStart: number, skip: Uint8Array): void {
  let i = diffStart - 1;
  // The "---" that ends the fixup's commit message is the one right under a trailer line; notes
  // between it and the diff may hold more "---" lines (b4's changelog).
  for (let j = diffStart - 1; j >= Math.max(floor, diffStart - MAX_PATCH_NOTES_LINES); j--) {
    if (!isPatchSeparator(texts[j])) continue;
    let above = j - 1;
    while (above >= floor && texts[above].trim() === '') above--;
    if (above >= floor && (parseTrailerLine(texts[above]) || KEY_LINE.test(texts[above]))) {
      skip.fill(1, j, diffStart);
      i = j - 1;
      break;
    }
  }
  while (i >= floor && (texts[i].trim() === '' || DIFFSTAT_LINE.test(texts[i]))) i--;
  // Trailer lines upwards; past a blank line only when the paragraph below was all trailers
  // ("Cc: ..." + blank + "Signed-off-by: ...").
  for (;;) {
    let top = i;
    while (top >= floor && texts[top].trim() !== '' && (parseTrailerLine(texts[top]) || KEY_LINE.test(texts[top]))) top--;
    if (top === i) return;
    skip.fill(1, top + 1, i + 1);
    if (top >= floor && texts[top].trim() !== '') return;
    i = top;
    while (i >= floor && texts[i].trim() === '') i--;
    if (i < floor) return;
  }
}

/** Trailers and suggestions in a text, with line numbers into it. */
export function scanTrailers(text: string, opts: ExtractOptions = {}): TrailerScan {
  return scanLines(
    text.split('\n').map((line, index) => ({ line, index })),
    opts,
  );
}

/** The trailers a text gives (see ExtractOptions for patch vs reply rules). Suggestions are left out. */
export function extractTrailers(text: string, opts: ExtractOptions = {}): Trailer[] {
  return scanTrailers(text, opts).trailers;
}

/**
 * The trailers a message gives to the message it replies to: its own (unquoted) text under
 * reply rules. A patch mail gives none this way (its own trailers head its diff); use patchTrailers.
 */
export function trailersGivenIn(mail: Mail): TrailerScan {
  const hit = givenIn.get(mail);
  if (hit) return hit;
  const scan = scanLines(ownLines(mail.body), { reply: true });
  givenIn.set(mail, scan);
  return scan;
}

/** Thread analysis asks once per series a message belongs to, and again for review facts. */
const givenIn = new WeakMap<Mail, TrailerScan>();

/** A patch mail's own trailers: those above its "---". */
export function patchTrailers(mail: Mail): Trailer[] {
  return scanTrailers(mail.body).trailers;
}

// --- collecting trailers onto a series ------------------------------------------------------

export interface GivenTrailer {
  kind: TrailerKind;
  name: string;
  email: string;
  /** The raw value, needed to write Fixes/Link/Closes. */
  value: string;
  /** The message in which the trailer was given. */
  messageId: string;
  /** Set when carried over from the previous version: that version's patch message (or the message that gave it). */
  carriedFrom?: string;
}

export interface SeriesTrailerInput {
  patches: { number: number; messageId: string; patchId: string }[];
  coverMessageId: string | null;
  messages: {
    messageId: string;
    parentId: string | null;
    from: Address;
    ownTrailers: Trailer[];
    /** The message carries a patch of its own (another version's patch, an inline fixup sent as [PATCH]): replies under it are not about this series' patches. */
    isPatch?: boolean;
  }[];
  previousVersion?: { patches: { number: number; patchId: string; messageId?: string; trailers: GivenTrailer[] }[] };
}

/** Kinds a reply can give. Cc lines in replies are addressing, not trailers (b4 drops them too). */
const GIVABLE: ReadonlySet<TrailerKind> = new Set(TRAILER_KINDS.filter((k) => k !== 'Cc'));
/** Kinds carried to an unchanged patch of the next version. A NAK is answered by the new version, so it is not carried. */
const CARRIED: ReadonlySet<TrailerKind> = new Set<TrailerKind>(['Acked-by', 'Reviewed-by', 'Tested-by', 'Reported-by', 'Suggested-by', 'Fixes', 'Link', 'Closes']);

const MAX_THREAD_DEPTH = 10_000;

/** Whether two addresses are the same person's: equal, equal without +tags, or one domain a subdomain of the other (as b4). */
export function sameEmail(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (!x || !y) return false;
  if (x === y) return true;
  const strip = (e: string) => e.replace(/\+[^@]*@/, '@');
  const sx = strip(x);
  const sy = strip(y);
  if (sx === sy) return true;
  const [lx, dx] = sx.split('@', 2);
  const [ly, dy] = sy.split('@', 2);
  if (!dx || !dy || lx !== ly) return false;
  return dx.endsWith(`.${dy}`) || dy.endsWith(`.${dx}`);
}

/**
 * Whether a person trailer was given by the sender for themselves (address or name matches).
 * "Tested-by: Someone Else" sent by another person is not collected, as b4 does by default.
 */
export function trailerMatchesSender(t: { kind: TrailerKind; name: string; email: string }, from: Address): boolean {
  if (!isPersonKind(t.kind)) return true;
  if (sameEmail(t.email, from.email)) return true;
  const tn = t.name.trim().toLowerCase();
  const fn = from.name.trim().toLowerCase();
  return tn !== '' && tn === fn;
}

function dedupeKey(t: { kind: TrailerKind; email: string; value: string }): string {
  return isPersonKind(t.kind) ? `${t.kind}\0${t.email.toLowerCase()}` : `${t.kind}\0${t.value.toLowerCase()}`;
}

/**
 * The trailers given to each patch of a series, by patch number. A reply counts for the patch
 * it is (transitively) under; replies under the cover letter count for every patch. Order per
 * patch, oldest first as in a commit's chain of custody: carried from the previous version, given
 * on the patch, given on the cover (b4's order for the last two). One per kind and person: one
 * given on this version wins over a carried one.
 */
export function collectSeriesTrailers(input: SeriesTrailerInput): Map<number, GivenTrailer[]> {
  const patchByMessage = new Map(input.patches.map((p) => [p.messageId, p.number]));
  const byId = new Map(input.messages.map((m) => [m.messageId, m]));
  const direct = new Map<number, GivenTrailer[]>();
  const onCover: GivenTrailer[] = [];

  for (const msg of input.messages) {
    // Only a reply that gives trailers needs its target: walking up for every reply of a deep chain is quadratic.
    if (patchByMessage.has(msg.messageId) || msg.messageId === input.coverMessageId || msg.isPatch || msg.ownTrailers.length === 0) continue;
    const target = replyTarget(msg.parentId, patchByMessage, input.coverMessageId, byId);
    if (target === null) continue;
    for (const t of msg.ownTrailers) {
      if (!GIVABLE.has(t.kind) || !trailerMatchesSender(t, msg.from)) continue;
      const given: GivenTrailer = { kind: t.kind, name: t.name, email: t.email, value: t.value, messageId: msg.messageId };
      if (target === 'cover') onCover.push(given);
      else {
        const list = direct.get(target) ?? [];
        list.push(given);
        direct.set(target, list);
      }
    }
  }

  const previousByPatchId = new Map<string, { messageId?: string; trailers: GivenTrailer[] }>();
  for (const p of input.previousVersion?.patches ?? []) if (!previousByPatchId.has(p.patchId)) previousByPatchId.set(p.patchId, p);

  const out = new Map<number, GivenTrailer[]>();
  for (const p of [...input.patches].sort((a, b) => a.number - b.number)) {
    const seen = new Set<string>();
    const take = (t: GivenTrailer) => {
      const key = dedupeKey(t);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    };
    // Given on this version wins a tie; carried ones still come first, as they were given first.
    const current = [...(direct.get(p.number) ?? []), ...onCover].filter(take);
    const prev = previousByPatchId.get(p.patchId);
    const carried = (prev?.trailers ?? [])
      .filter((t) => CARRIED.has(t.kind))
      .map((t) => ({ ...t, carriedFrom: t.carriedFrom ?? prev?.messageId ?? t.messageId }))
      .filter(take);
    out.set(p.number, [...carried, ...current]);
  }
  return out;
}

/** The patch number a reply is about, 'cover' for the whole series, or null when it hangs elsewhere. */
function replyTarget(
  parentId: string | null,
  patchByMessage: Map<string, number>,
  coverId: string | null,
  byId: Map<string, { parentId: string | null; isPatch?: boolean }>,
): number | 'cover' | null {
  const visited = new Set<string>();
  let id = parentId;
  for (let depth = 0; id !== null && depth < MAX_THREAD_DEPTH; depth++) {
    if (visited.has(id)) return null;
    visited.add(id);
    const n = patchByMessage.get(id);
    if (n !== undefined) return n;
    if (id === coverId) return 'cover';
    const m = byId.get(id);
    if (!m || m.isPatch) return null;
    id = m.parentId;
  }
  return null;
}
