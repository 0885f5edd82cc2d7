/**
 * Series assembly: which messages are patches, and how covers, patches and their replies
 * group into one posting of a series.
 *
 * Where Patchloom decides differently from patchwork or b4, and why:
 * - A new version threaded into the old thread (to its cover or to a patch) is always its own
 *   series. patchwork's reference lookup means to skip series of another version, but its
 *   date check can never be true (`start > date > end`), so it joins them (bug #127).
 *   Here a patch joins a series only when author, version and total agree and its number is free.
 * - A patch without a version label may join a series of another version only when it replies
 *   directly to that series' cover or a patch of it ("[PATCH net-next v3 0/4]" with bare
 *   "[PATCH 1/4]" patches, patchwork's base-different-versions): deeper threading is not enough.
 * - Unthreaded patches (no In-Reply-To, no References) are grouped by author, version and total
 *   within one hour of the series' first message, nearest first; patchwork uses 20 minutes, which
 *   splits slow sends of long series. A patch that names a parent we do not have is not grouped
 *   this way: its headers say it belongs elsewhere (file_getattr v5's stray 5/7).
 * - A second posting of the same version is a draft of its own flagged `resend` (subject RESEND,
 *   or same author/version/total with the same title, a shared patch title or the same b4
 *   Message-ID stem, and no patch whose content changed). patchwork keeps such postings as
 *   unrelated series; an unlabeled posting whose content changed is not a resend but a new
 *   revision (versions.ts links it).
 * - Partial rerolls: "[PATCH v5.1 10/12]", or a lone "[PATCH v3 2/2]" sent in reply to v2's 2/2
 *   (b4's partial-reroll sample), form their own draft whose patches carry `partialRerollOf`.
 *   b4 merges the untouched patches of the older version into the newer one; here the older
 *   draft is left whole and versions.ts records the reroll without superseding it.
 * - "Naked" cover letters (no [PATCH 0/N] prefix) are covers when their author's first patch
 *   replies to them within the hour, as b4's naked-cover samples expect; patchwork ignores them.
 *   An unnumbered "[PATCH]" joins a cover only as the single patch of a one-patch series.
 * - A diff-carrying message without a PATCH/RFC prefix (tip-bot notifications, reports with an
 *   inline fix) starts a series only when it is unthreaded and is not a report carrying an
 *   embedded patch, or when its author posts it into their own series (patchwork's
 *   bugs-unnumbered). Otherwise it counts as a reply: fixups and applied-notices are handled
 *   by other modules. patchwork makes every such message a patch.
 * - Subjects with a "[tree:branch n/N]" prefix (kernel test robot reports) are not patches.
 * - Pull requests are their own kind of draft (`isPullRequest`), even when they carry a diff;
 *   patchwork stores them as patches with a pull URL.
 */
import { filesTouched, findDiffs, patchId, type FileDiff } from './diff.ts';
import { ownText } from './mail/quote.ts';
import type { Address, Mail } from './mail/types.ts';
import { normalizeTitle, parseSubject, type SubjectInfo } from './subject.ts';
import { ancestorsOf, parentOf, subjectThreadKey } from './threading.ts';

export interface SeriesPatch {
  number: number;
  messageId: string;
  subject: string;
  title: string;
  author: Address;
  date: Date | null;
  files: string[];
  /** lib/diff.ts patchId of the diff; "" when the diff could not be parsed. */
  patchId: string;
  /** This patch replaces the same-numbered patch of that (older) version. */
  partialRerollOf?: number;
}

export interface SeriesDraft {
  /** Stable: the cover's Message-ID, else patch 1's (or the first patch's). */
  key: string;
  title: string;
  version: number;
  versionLabel: string;
  total: number;
  rfc: boolean;
  resend: boolean;
  isPullRequest: boolean;
  author: Address;
  date: Date | null;
  coverMessageId: string | null;
  patches: SeriesPatch[];
  received: number[];
  missing: number[];
  /** Every message of the series, replies included, by date. */
  messageIds: string[];
  /** b4's change-id: trailer (cover, or the patch of a cover-less series). */
  changeId: string | null;
  /** What the cover (or first patch) replies to: often a previous version's message. */
  inReplyTo: string | null;
}

/** Texts past this size are only searched in their first part: no real patch mail is larger. */
const MAX_SCAN = 8 << 20;
/** Unthreaded patches join a series started at most this long before or after them. */
export const UNTHREADED_WINDOW_MS = 60 * 60 * 1000;
/** Enumerating missing patches stops here; a "1/99999" subject must not allocate much. */
const MAX_TOTAL_ENUMERATED = 1000;

const PATCH_CONTENT_TYPES = /^(text\/x-(patch|diff)|application\/(x-)?(patch|diff))/i;

function scanText(text: string): string {
  return text.length > MAX_SCAN ? text.slice(0, MAX_SCAN) : text;
}

/**
 * The author's own text, as far as patch and pull-request detection need it: separating quoted
 * lines is the costly step on big bodies, so a body that has no diff header and no request-pull
 * wording anywhere gives "" at once (own text is a subset of the body's lines).
 */
function ownTextOf(mail: Mail): string {
  const body = scanText(mail.body);
  if (!/^(?:diff --git |--- |Index: )/m.test(body) && !/following changes since commit/i.test(body)) return '';
  // Without a single quoted line the whole body is the author's (attribution lines cannot be diffs).
  if (!/^[ \t]{0,3}>/m.test(body)) return body;
  return ownText(body);
}

/** git request-pull's wording, in the author's own text. */
export function hasPullRequestText(text: string): boolean {
  const lower = (text.length > 1 << 20 ? text.slice(0, 1 << 20) : text).toLowerCase();
  const since = lower.indexOf('the following changes since commit');
  if (since < 0) return false;
  return lower.indexOf('git repository at', since) >= 0;
}

/** A pull request: [GIT PULL]-style subject, or git request-pull text, and not a reply. */
export function isPullRequestMail(mail: Mail, info: SubjectInfo = parseSubject(mail.subject), own?: string): boolean {
  if (info.isReply || info.isForward) return false;
  return info.isPullRequest || hasPullRequestText(own ?? ownTextOf(mail));
}

/**
 * A git header ("diff --git a/x b/x" then ---/+++) or a ---/+++/@@ triple whose hunks lib/diff.ts
 * cannot count (b4's samples use "@@@", some mailers mangle hunk headers).
 */
function looksLikePatch(text: string): boolean {
  return mangledPatchFiles(text).length > 0;
}

/** The paths named by the ---/+++ headers of a diff that lib/diff.ts could not parse. */
function mangledPatchFiles(text: string): string[] {
  const lines = scanText(text).split('\n');
  const files: string[] = [];
  for (let i = 0; i + 2 < lines.length; i++) {
    if (!lines[i].startsWith('--- ') || !lines[i + 1].startsWith('+++ ')) continue;
    let gitHeader = false;
    for (let j = i - 1; j >= Math.max(0, i - 8); j--) if (lines[j].startsWith('diff --git ')) gitHeader = true;
    if (!gitHeader && !lines[i + 2].startsWith('@@')) continue;
    const path = (l: string) => l.slice(4).replace(/\t.*$/, '').trim().replace(/^[ab]\//, '');
    const name = path(lines[i + 1]) === '/dev/null' ? path(lines[i]) : path(lines[i + 1]);
    if (name && name !== '/dev/null' && !files.includes(name)) files.push(name);
  }
  return files;
}

function patchAttachments(mail: Mail): string[] {
  const out: string[] = [];
  for (const a of mail.attachments) {
    if (a.text === null) continue;
    const byType = PATCH_CONTENT_TYPES.test(a.contentType);
    const byName = !!a.filename && /\.(patch|diff)$/i.test(a.filename);
    if (byType || (byName && /^text\//i.test(a.contentType))) out.push(a.text);
  }
  return out;
}


/** The file changes a patch mail carries: its own text's diffs, else those of attached patches. */
export function patchFiles(mail: Mail): FileDiff[] {
  const files = findDiffs(ownTextOf(mail)).flatMap((b) => b.files);
  if (files.length) return files;
  return patchAttachments(mail).flatMap((t) => findDiffs(scanText(t)).flatMap((b) => b.files));
}

/**
 * A patch: the author's own text (not quoted text) carries a diff, or the subject says PATCH and
 * a patch is attached. Replies and pull requests are never patches, even with a diff.
 */
export function isPatchMail(mail: Mail): boolean {
  return patchMailFiles(mail, parseSubject(mail.subject)) !== null;
}

/** The diff of a patch mail (empty when only a mangled or attached diff was seen), or null when it is no patch. */
function patchMailFiles(mail: Mail, info: SubjectInfo, own?: string): FileDiff[] | null {
  if (info.isReply || info.isForward) return null;
  const text = own ?? ownTextOf(mail);
  if (isPullRequestMail(mail, info, text)) return null;
  const files = findDiffs(text).flatMap((b) => b.files);
  if (files.length > 0) return files;
  if (!info.isPatch) return null;
  const attached = patchAttachments(mail);
  if (attached.length > 0) return attached.flatMap((t) => findDiffs(scanText(t)).flatMap((b) => b.files));
  // b4's samples and some mailers mangle hunk headers; the headers still say "patch".
  return looksLikePatch(text) ? [] : null;
}

/** A report carrying an embedded patch ("Subject:" pseudo-header or scissors before the diff). */
function carriesEmbeddedPatch(own: string): boolean {
  const diffAt = own.search(/^(diff --git |--- \S|Index: )/m);
  const head = diffAt < 0 ? own : own.slice(0, diffAt);
  if (/^Subject:[ \t]*\S/m.test(head)) return true;
  // Scissors: "-- >8 --", "---8<---", "8<-----". Checked per line, without a backtracking regex.
  for (const line of head.split('\n')) {
    const rest = line.replace(/^[ \t-]+/, '');
    if (rest.startsWith('8<') || rest.startsWith('>8')) return true;
  }
  return false;
}

/** Keys under which an author is found: the address, and the name when it is one. */
function authorKeys(a: Address): string[] {
  const keys: string[] = [];
  const email = a.email.trim().toLowerCase();
  const name = a.name.trim().toLowerCase().replace(/\s+/g, ' ');
  if (email) keys.push(`e:${email}`);
  if (name.length > 1) keys.push(`n:${name}`);
  return keys;
}

function sameAuthor(a: Address, b: Address): boolean {
  const ea = a.email.trim().toLowerCase();
  const eb = b.email.trim().toLowerCase();
  if (ea && ea === eb) return true;
  const na = a.name.trim().toLowerCase().replace(/\s+/g, ' ');
  const nb = b.name.trim().toLowerCase().replace(/\s+/g, ' ');
  return na.length > 1 && na === nb;
}

function timeOf(d: Date | null): number {
  const t = d ? d.getTime() : NaN;
  return Number.isFinite(t) ? t : Number.POSITIVE_INFINITY;
}

/** b4's Message-IDs: "20250512-xattrat-syscall-v5-3-a88b20e37aae@kernel.org" → "xattrat-syscall". */
export function b4MessageIdStem(messageId: string): string | null {
  const m = /^\d{8}-([a-z0-9][a-z0-9._-]{0,120}?)-v\d{1,4}-\d{1,5}-[0-9a-f]{8,16}@/i.exec(messageId);
  return m ? m[1].toLowerCase() : null;
}

/** b4's "change-id: 20250114-xattrat-syscall-6a1136d2db59" trailer. */
export function findChangeId(text: string): string | null {
  const m = /^change-id:[ \t]*(\S{1,200})[ \t]*$/im.exec(scanText(text));
  return m ? m[1] : null;
}

type Kind = 'cover' | 'patch' | 'pull' | 'other';

interface Item {
  mail: Mail;
  info: SubjectInfo;
  kind: Kind;
  time: number;
  parent: string | null;
  ancestors: string[];
  files: FileDiff[];
  /** Paths of a diff lib/diff.ts could not parse (mangled hunks). */
  looseFiles: string[];
  /** The author's own text; "" for replies, which never need it. */
  own: string;
}

interface Building {
  /** The cover or pull request that opened it, if any. */
  head: Item | null;
  patches: Item[];
  numbers: Set<number>;
  author: Address;
  version: number;
  versionLabel: string;
  total: number | null;
  time: number;
}

function effectiveLabel(label: string): string {
  return label === '' ? '1' : label;
}

function compareItems(a: Item, b: Item): number {
  if (a.time !== b.time) return a.time < b.time ? -1 : 1;
  return a.mail.messageId < b.mail.messageId ? -1 : a.mail.messageId > b.mail.messageId ? 1 : 0;
}

/** Of two copies of one Message-ID, keep one chosen by content, so input order does not matter. */
function preferredMail(a: Mail, b: Mail): Mail {
  const ta = timeOf(a.date);
  const tb = timeOf(b.date);
  if (ta !== tb) return ta < tb ? a : b;
  if (a.body.length !== b.body.length) return a.body.length > b.body.length ? a : b;
  return `${a.subject}\0${a.body}` <= `${b.subject}\0${b.body}` ? a : b;
}

function classify(mail: Mail, info: SubjectInfo, own: string): { kind: Kind; files: FileDiff[]; looseFiles: string[] } {
  const none = { files: [], looseFiles: [] };
  if (info.isReply || info.isForward) return { kind: 'other', ...none };
  if (isPullRequestMail(mail, info, own)) return { kind: 'pull', ...none };
  if (info.isPatch && info.number === 0) return { kind: 'cover', ...none };
  const files = patchMailFiles(mail, info, own);
  if (files === null) return { kind: 'other', ...none };
  return { kind: 'patch', files, looseFiles: files.length ? [] : mangledPatchFiles(own) };
}

/**
 * A "naked" cover letter (b4's naked-cover-single): no [PATCH 0/N] prefix, but the first patch
 * of its author replies to it within the hour. A bug report answered by someone else's patch
 * (naked-cover-bugreport) stays a plain message.
 */
function promoteNakedCovers(items: Map<string, Item>, sorted: Item[]): void {
  for (const it of sorted) {
    if (it.kind !== 'patch' || !it.info.isPatch || it.parent === null || (it.info.number ?? 1) !== 1) continue;
    const cover = items.get(it.parent);
    if (!cover || cover.kind !== 'other') continue;
    const ci = cover.info;
    if (ci.isReply || ci.isForward || ci.isPatch || ci.isPullRequest) continue;
    if (!sameAuthor(cover.mail.from, it.mail.from) || !(Math.abs(cover.time - it.time) <= UNTHREADED_WINDOW_MS)) continue;
    cover.kind = 'cover';
    cover.info = { ...ci, number: 0, total: it.info.total ?? 1, version: it.info.version, versionLabel: it.info.versionLabel, rfc: ci.rfc || it.info.rfc };
  }
}

function newBuilding(head: Item | null, first: Item): Building {
  return {
    head,
    patches: [],
    numbers: new Set(),
    author: first.mail.from,
    version: first.info.version,
    versionLabel: first.info.versionLabel,
    total: first.info.total,
    time: first.time,
  };
}

/** Whether patch p may join series b. `direct`: p replies straight to b's head or one of its patches. */
function canJoin(b: Building, p: Item, direct: boolean, toHead: boolean): boolean {
  // An unnumbered patch is a series of its own, except straight under a one-patch cover.
  if (p.info.number === null && !(toHead && b.total === 1)) return false;
  const number = p.info.number ?? 1;
  if (b.numbers.has(number)) return false;
  if (!sameAuthor(b.author, p.mail.from)) return false;
  if (p.info.versionLabel === '') {
    if (effectiveLabel(b.versionLabel) !== '1' && !direct) return false;
  } else if (effectiveLabel(p.info.versionLabel) !== effectiveLabel(b.versionLabel)) {
    return false;
  }
  if ((p.info.total ?? 1) !== b.total && !direct) return false;
  return true;
}

/**
 * Build series drafts from the messages of one or more threads (plus, for unthreaded
 * cover-less postings, candidate mails of the same author). Order of input does not matter.
 */
export function assembleSeries(mails: Mail[]): SeriesDraft[] {
  const byId = new Map<string, Mail>();
  for (const m of mails) {
    if (!m || !m.messageId) continue;
    const prev = byId.get(m.messageId);
    byId.set(m.messageId, prev ? preferredMail(prev, m) : m);
  }

  const items = new Map<string, Item>();
  for (const mail of byId.values()) {
    const info = parseSubject(mail.subject);
    const own = info.isReply || info.isForward ? '' : ownTextOf(mail);
    const { kind, files, looseFiles } = classify(mail, info, own);
    const threadInput = { messageId: mail.messageId, inReplyTo: mail.inReplyTo, references: mail.references, subject: mail.subject, date: mail.date };
    items.set(mail.messageId, {
      mail,
      info,
      kind,
      time: timeOf(mail.date),
      parent: parentOf(threadInput),
      ancestors: ancestorsOf(threadInput),
      files,
      looseFiles,
      own,
    });
  }
  const sorted = [...items.values()].sort(compareItems);
  promoteNakedCovers(items, sorted);

  const buildings: Building[] = [];
  const seriesOf = new Map<string, Building>();
  // Series by author, for grouping unthreaded patches without scanning every series.
  const byAuthor = new Map<string, Building[]>();
  const addBuilding = (b: Building) => {
    buildings.push(b);
    for (const k of authorKeys(b.author)) {
      const list = byAuthor.get(k);
      if (list) list.push(b);
      else byAuthor.set(k, [b]);
    }
  };

  // Covers and pull requests open series of their own.
  for (const it of sorted) {
    if (it.kind !== 'cover' && it.kind !== 'pull') continue;
    const b = newBuilding(it, it);
    addBuilding(b);
    seriesOf.set(it.mail.messageId, b);
  }

  // Patches, oldest first: through their ancestors, else by markers when unthreaded.
  for (const it of sorted) {
    if (it.kind !== 'patch') continue;
    let target: Building | null = null;
    let threadedInto: Building | null = null;
    for (const a of it.ancestors) {
      const b = seriesOf.get(a);
      if (!b) continue;
      threadedInto ??= b;
      if (canJoin(b, it, a === it.parent, a === it.parent && b.head?.mail.messageId === a)) {
        target = b;
        break;
      }
    }
    if (!target && it.parent === null && it.info.number !== null) {
      let bestGap = Number.POSITIVE_INFINITY;
      const sameAuthorSeries = new Set(authorKeys(it.mail.from).flatMap((k) => byAuthor.get(k) ?? []));
      for (const b of sameAuthorSeries) {
        const gap = Math.abs(b.time - it.time);
        if (!(gap <= UNTHREADED_WINDOW_MS)) continue;
        if (b.total !== it.info.total || !canJoin(b, it, false, false)) continue;
        if (gap < bestGap) {
          bestGap = gap;
          target = b;
        }
      }
    }
    if (!target && !it.info.isPatch) {
      // A diff without a PATCH prefix: only an unthreaded standalone patch, or one its author
      // posts into their own series, is a series patch. Anything else is a reply.
      const own = threadedInto !== null && sameAuthor(threadedInto.author, it.mail.from);
      const standalone = it.parent === null && !carriesEmbeddedPatch(it.own);
      if (!own && !standalone) {
        it.kind = 'other';
        continue;
      }
    }
    if (!target) {
      target = newBuilding(null, it);
      addBuilding(target);
    }
    target.patches.push(it);
    target.numbers.add(it.info.number ?? 1);
    seriesOf.set(it.mail.messageId, target);
  }

  // Replies: to the series of the nearest known ancestor, transitively; headerless replies by subject.
  const members = new Map<Building, string[]>();
  for (const b of buildings) members.set(b, []);
  const anchorsByKey = new Map<string, Item[]>();
  for (const it of sorted) {
    if (!seriesOf.has(it.mail.messageId)) continue;
    const key = subjectThreadKey(it.mail);
    if (!key) continue;
    const list = anchorsByKey.get(key) ?? [];
    list.push(it);
    anchorsByKey.set(key, list);
  }
  const resolve = makeResolver(items, seriesOf, anchorsByKey);
  for (const it of sorted) {
    const b = seriesOf.get(it.mail.messageId) ?? resolve(it.mail.messageId);
    if (b) members.get(b)?.push(it.mail.messageId);
  }

  const drafts = buildings.map((b) => toDraft(b, members.get(b) ?? [], items));
  markPartialRerolls(drafts, buildings, items, seriesOf);
  markResends(drafts);
  return drafts.sort((a, b) => timeOf(a.date) - timeOf(b.date) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The series of a non-anchor message: its nearest known ancestor's, iteratively and memoized. */
function makeResolver(
  items: Map<string, Item>,
  seriesOf: Map<string, Building>,
  anchorsByKey: Map<string, Item[]>,
): (id: string) => Building | null {
  const memo = new Map<string, Building | null>();
  const firstAnchor = (it: Item): Building | null => {
    for (const a of it.ancestors) {
      const b = seriesOf.get(a);
      if (b) return b;
    }
    return null;
  };
  const bySubject = (it: Item): Building | null => {
    if (it.parent !== null || !it.info.isReply) return null;
    const key = subjectThreadKey(it.mail);
    const cands = key ? anchorsByKey.get(key) : undefined;
    if (!cands) return null;
    let best: Item | null = null;
    for (const c of cands) if (c.time <= it.time && (!best || c.time >= best.time)) best = c;
    best ??= cands[0];
    return seriesOf.get(best.mail.messageId) ?? null;
  };
  return (start: string) => {
    const stack: string[] = [start];
    const onStack = new Set<string>([start]);
    while (stack.length) {
      const cur = stack[stack.length - 1];
      const it = items.get(cur);
      const anchored = seriesOf.get(cur);
      if (anchored || !it) {
        memo.set(cur, anchored ?? null);
        stack.pop();
        onStack.delete(cur);
        continue;
      }
      const near = it.ancestors.find((a) => items.has(a));
      if (near !== undefined && !memo.has(near) && !onStack.has(near)) {
        stack.push(near);
        onStack.add(near);
        continue;
      }
      const viaNear = near !== undefined ? (memo.get(near) ?? null) : null;
      memo.set(cur, viaNear ?? firstAnchor(it) ?? bySubject(it));
      stack.pop();
      onStack.delete(cur);
    }
    return memo.get(start) ?? null;
  };
}

function toPatch(it: Item): SeriesPatch {
  return {
    number: it.info.number ?? 1,
    messageId: it.mail.messageId,
    subject: it.mail.subject,
    title: it.info.title,
    author: it.mail.from,
    date: it.mail.date,
    files: it.files.length ? filesTouched(it.files) : it.looseFiles,
    patchId: it.files.length ? patchId(it.files) : '',
  };
}

function toDraft(b: Building, memberIds: string[], items: Map<string, Item>): SeriesDraft {
  const patches = [...b.patches].sort((x, y) => (x.info.number ?? 1) - (y.info.number ?? 1) || compareItems(x, y));
  const head = b.head;
  const first = patches.find((p) => (p.info.number ?? 1) === 1) ?? patches[0] ?? null;
  const lead = head ?? first;
  if (!lead) throw new Error('a series without a message'); // cannot happen: every building starts from one
  const total = head?.info.total ?? b.total ?? Math.max(1, ...patches.map((p) => p.info.total ?? 1));
  const received = [...new Set(patches.map((p) => p.info.number ?? 1))].filter((n) => n > 0).sort((x, y) => x - y);
  const missing: number[] = [];
  const have = new Set(received);
  for (let n = 1; n <= Math.min(total, MAX_TOTAL_ENUMERATED); n++) if (!have.has(n)) missing.push(n);
  const ids = [...new Set(memberIds)].map((id) => items.get(id)).filter((x): x is Item => !!x).sort(compareItems);
  const all = [lead, ...patches];
  const leadThread = { messageId: lead.mail.messageId, inReplyTo: lead.mail.inReplyTo, references: lead.mail.references, subject: lead.mail.subject, date: lead.mail.date };
  return {
    key: lead.mail.messageId,
    title: lead.info.title,
    version: lead.info.versionLabel === '' && b.versionLabel !== '' ? b.version : lead.info.version,
    versionLabel: lead.info.versionLabel || b.versionLabel,
    total,
    rfc: all.some((p) => p.info.rfc),
    resend: all.some((p) => p.info.resend),
    isPullRequest: head?.kind === 'pull',
    author: lead.mail.from,
    date: lead.mail.date,
    coverMessageId: head ? head.mail.messageId : null,
    patches: patches.map(toPatch),
    received,
    missing,
    messageIds: ids.map((x) => x.mail.messageId),
    // A quoted trailer starts with ">", so the raw body answers this as well as the own text.
    changeId: findChangeId(lead.mail.body),
    inReplyTo: parentOf(leadThread),
  };
}

/**
 * A cover-less draft whose every patch replies to the same-numbered patch of an older version
 * by the same author, and which does not resend the whole series, rerolls those patches only.
 * A "v5.1" label says so outright.
 */
function markPartialRerolls(drafts: SeriesDraft[], buildings: Building[], items: Map<string, Item>, seriesOf: Map<string, Building>): void {
  for (let i = 0; i < drafts.length; i++) {
    const d = drafts[i];
    if (d.coverMessageId || d.patches.length === 0) continue;
    const minor = /^(\d+)\.\d+$/.exec(d.versionLabel);
    if (minor) {
      for (const p of d.patches) p.partialRerollOf = Number(minor[1]);
      continue;
    }
    if (d.received.length >= d.total) continue;
    let base: number | null = null;
    let all = true;
    for (const p of d.patches) {
      const parentId = items.get(p.messageId)?.parent ?? null;
      const parent = parentId ? items.get(parentId) : undefined;
      const pb = parentId ? seriesOf.get(parentId) : undefined;
      if (!parent || !pb || pb === buildings[i] || parent.kind !== 'patch' || (parent.info.number ?? 1) !== p.number) {
        all = false;
        break;
      }
      if (!sameAuthor(pb.author, p.author) || !(pb.version < d.version)) {
        all = false;
        break;
      }
      base = pb.version;
    }
    if (all && base !== null) for (const p of d.patches) p.partialRerollOf = base;
  }
}

/**
 * Later postings of the same version by the same author, with the same title, a shared patch
 * title or the same b4 Message-ID stem, whose shared patches did not change: resends.
 */
function markResends(drafts: SeriesDraft[]): void {
  const stem = (d: SeriesDraft): string | null => {
    for (const id of [d.coverMessageId, ...d.patches.map((p) => p.messageId)]) {
      const s = id ? b4MessageIdStem(id) : null;
      if (s) return s;
    }
    return null;
  };
  // Only postings of one author, version, size and kind can be resends of each other.
  const groups = new Map<string, SeriesDraft[]>();
  for (const d of drafts) {
    const who = authorKeys(d.author)[0] ?? '';
    const k = `${who}|${effectiveLabel(d.versionLabel)}|${d.total}|${d.isPullRequest}`;
    const list = groups.get(k);
    if (list) list.push(d);
    else groups.set(k, [d]);
  }
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    group.sort((a, b) => timeOf(a.date) - timeOf(b.date) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const facts = group.map((d) => ({
      title: normalizeTitle(d.title),
      patchTitles: new Map(d.patches.map((p) => [p.number, normalizeTitle(p.title)])),
      stem: stem(d),
    }));
    for (let x = 1; x < group.length; x++) {
      const later = group[x];
      if (later.resend) continue;
      const lf = facts[x];
      for (let y = 0; y < x; y++) {
        const earlier = group[y];
        const ef = facts[y];
        if (!(timeOf(earlier.date) < timeOf(later.date))) continue;
        const titleSame = ef.title === lf.title;
        // Two covers with different titles are two series, whatever their patches share.
        const bothCovers = earlier.coverMessageId !== null && later.coverMessageId !== null;
        const sharedTitle = !bothCovers && [...lf.patchTitles].some(([n, t]) => ef.patchTitles.get(n) === t);
        const sameStem = lf.stem !== null && lf.stem === ef.stem;
        if (!titleSame && !sharedTitle && !sameStem) continue;
        if (contentChanged(earlier, later)) continue;
        later.resend = true;
        break;
      }
    }
  }
}

/** Some patch present in both postings differs in content. */
export function contentChanged(a: SeriesDraft, b: SeriesDraft): boolean {
  const ids = new Map(a.patches.map((p) => [p.number, p.patchId]));
  for (const p of b.patches) {
    const other = ids.get(p.number);
    if (other !== undefined && other !== '' && p.patchId !== '' && other !== p.patchId) return true;
  }
  return false;
}
