/**
 * "This patch was applied" notices: tip-bot commit mails, git commit notifications and the
 * maintainer's short "Applied, thanks" reply; and matching a notice to the patches it names.
 *
 * Recognition is conservative: a false "applied" hides a series from reviewers, a missed one only
 * leaves it open until a maintainer marks it.
 */
import { ownLines } from './mail/quote.ts';
import type { Address, Mail } from './mail/types.ts';
import { normalizeTitle, parseSubject } from './subject.ts';
import { parsePersonValue } from './trailers.ts';

export type CommitNoticeKind = 'tip-bot' | 'tip-bot2' | 'applied-reply' | 'git-commit';

export interface CommitNotice {
  kind: CommitNoticeKind;
  /** The commit id, when the notice names one. */
  commit: string | null;
  /** e.g. "x86/asm". */
  branch: string | null;
  /** e.g. "tip". */
  tree: string | null;
  /** The commit title (for a reply: the subject replied to, without Re: and [PATCH] prefixes). */
  title: string;
  /** Message-IDs named by Link: lines (lkml.kernel.org/r, lore.kernel.org, patch.msgid.link). */
  links: string[];
  /** The commit's author, when the notice says. */
  author: Address | null;
  /** Who applied it: the committer of a bot notice, the sender of an "Applied" reply. */
  committer: Address | null;
  /** The message the notice replies to: for an "Applied" reply, the patch (or the cover, meaning the whole series). */
  inReplyTo: string | null;
  /** Per-patch lines of a b4-style "Applied, thanks!" reply: "[1/2] title" + "commit: sha". */
  listed: { counter: number | null; title: string; commit: string | null }[];
}

/** How far into a body notice fields are looked for; a commit message is never longer. */
const MAX_SCAN_LINES = 3000;
/** A line longer than this is not a header line or a Link: line. */
const MAX_LINE = 1000;

const TIP_SUBJECT = /^\[([a-z][\w.-]{0,30}):\s*([^\]\s]{1,100})\]\s*(.*)$/;
const COMMIT_ID = /^Commit-ID:\s+([0-9a-f]{7,40})\s*$/;
const GIT_SHOW_COMMIT = /^commit ([0-9a-f]{40})\b/;
const COMMIT_HEADER = /^Commit:\s+([0-9a-f]{40})\s*$/;
const AUTHOR_LINE = /^Author:\s+(.+)$/;
const COMMITTER_LINE = /^Committer:\s+(.+)$/;
const NOTICE_HEADER_LINE = /^(Commit-ID|Gitweb|Author|AuthorDate|Committer|CommitterDate|CommitDate|Commit|Parent|Merge|Date):\s/;
const LINK_LINE = /^Link:\s*<?(https?:\/\/\S{1,1000}?)>?\s*$/i;
const HEX = /^[0-9a-f]{7,40}$/;

/** The Message-ID a lore/lkml/msgid link points at, or null for other URLs. */
export function messageIdFromLink(url: string): string | null {
  const m = /^https?:\/\/([^/\s]+)\/(.*)$/i.exec(url.trim());
  if (!m) return null;
  const host = m[1].toLowerCase();
  const segments = m[2].split(/[?#]/)[0].split('/').filter((s) => s !== '');
  let candidate: string | undefined;
  if (host === 'lkml.kernel.org' || host === 'lore.kernel.org' || host === 'lore.gnuweeb.org') {
    // /r/<id>, /<list>/<id>/, /all/<id>/T/
    candidate = segments.length >= 2 ? segments[1] : undefined;
  } else if (host === 'patch.msgid.link' || host === 'msgid.link') {
    candidate = segments[0];
  }
  if (!candidate) return null;
  let id = candidate;
  try {
    id = decodeURIComponent(candidate);
  } catch {
    /* keep it undecoded */
  }
  id = id.replace(/^<|>$/g, '');
  return id.includes('@') && id.length <= 900 ? id : null;
}

/** The lines of the commit-message part of a bot notice: header block, title, body up to "---". */
function readCommitMail(body: string) {
  const lines = body.split('\n', MAX_SCAN_LINES);
  let commit: string | null = null;
  let author: Address | null = null;
  let committer: Address | null = null;
  let title = '';
  const links: string[] = [];
  let i = 0;
  // Skip the preamble ("The following commit has been merged into ...") to the header block.
  while (i < lines.length && !NOTICE_HEADER_LINE.test(lines[i]) && !GIT_SHOW_COMMIT.test(lines[i])) i++;
  for (; i < lines.length && lines[i].trim() !== ''; i++) {
    const l = lines[i];
    if (l.length > MAX_LINE) continue;
    const c = COMMIT_ID.exec(l) ?? COMMIT_HEADER.exec(l) ?? GIT_SHOW_COMMIT.exec(l);
    if (c && !commit) commit = c[1];
    const a = AUTHOR_LINE.exec(l);
    if (a && !author) author = parsePersonValue(a[1]);
    const k = COMMITTER_LINE.exec(l);
    if (k && !committer) committer = parsePersonValue(k[1]);
  }
  for (; i < lines.length; i++) {
    if (lines[i].trim() !== '') {
      title = lines[i].trim().slice(0, MAX_LINE);
      break;
    }
  }
  for (i++; i < lines.length; i++) {
    const l = lines[i].trim();
    if (l === '---' || l.startsWith('diff --git ')) break;
    if (l.length > MAX_LINE) continue;
    const m = LINK_LINE.exec(l);
    if (m) {
      const id = messageIdFromLink(m[1]);
      if (id && !links.includes(id)) links.push(id);
    }
  }
  return { commit, author, committer, title, links };
}

function isTipBot(from: Address): 'tip-bot' | 'tip-bot2' | null {
  const name = from.name.toLowerCase();
  if (from.email === 'tip-bot2@linutronix.de' || name.startsWith('tip-bot2 for ')) return 'tip-bot2';
  if (from.email === 'tipbot@zytor.com' || name.startsWith('tip-bot for ')) return 'tip-bot';
  return null;
}

function botNotice(mail: Mail, kind: 'tip-bot' | 'tip-bot2'): CommitNotice | null {
  const subject = TIP_SUBJECT.exec(mail.subject);
  const parsed = readCommitMail(mail.body);
  const commit = parsed.commit ?? (HEX.test(mail.headers['git-commit-id'] ?? '') ? mail.headers['git-commit-id'] : null);
  if (!subject && !commit) return null;
  let branch = subject ? subject[2] : null;
  const merged = /merged into the (\S{1,100}) branch of (\S{1,40}?):?\s*$/m.exec(mail.body.slice(0, 2000));
  if (!branch && merged) branch = merged[1];
  return {
    kind,
    commit,
    branch,
    tree: subject ? subject[1] : merged ? merged[2] : 'tip',
    title: parsed.title || (subject ? subject[3] : parseSubject(mail.subject).title),
    links: parsed.links,
    author: parsed.author,
    committer: parsed.committer,
    inReplyTo: mail.inReplyTo,
    listed: [],
  };
}

/** A mail that is a `git show`/commit-list notification: its text starts with a commit header block. */
function gitCommitNotice(mail: Mail): CommitNotice | null {
  // A reply that starts with pasted `git show` output is a report about that commit, not a notice.
  if (/^re:/i.test(mail.subject)) return null;
  const head = mail.body.slice(0, 4000).split('\n').slice(0, 12);
  const first = head.findIndex((l) => l.trim() !== '');
  if (first < 0) return null;
  const l0 = head[first];
  if (!GIT_SHOW_COMMIT.test(l0) && !COMMIT_HEADER.test(l0) && !/^Gitweb:\s/.test(l0)) return null;
  if (!head.some((l) => COMMIT_HEADER.test(l) || GIT_SHOW_COMMIT.test(l))) return null;
  if (!head.some((l) => AUTHOR_LINE.test(l))) return null;
  const parsed = readCommitMail(mail.body);
  if (!parsed.commit) return null;
  const ref = mail.headers['x-git-refname'];
  return {
    kind: 'git-commit',
    commit: parsed.commit,
    branch: ref ? ref.replace(/^refs\/heads\//, '') : null,
    tree: mail.headers['x-git-repo'] ?? null,
    title: parsed.title || parseSubject(mail.subject).title,
    links: parsed.links,
    author: parsed.author,
    committer: parsed.committer,
    inReplyTo: mail.inReplyTo,
    listed: [],
  };
}

// --- "Applied, thanks" replies ----------------------------------------------------------

/** A reply longer than this (own prose lines) is a review, not a thank-you note. */
const MAX_APPLIED_REPLY_LINES = 15;
/** b4 ty's "tree: <url>" / "branch: <name>" lines. */
const B4_TREE = /^tree:\s+(\S+)\s*$/;
const B4_BRANCH = /^branch:\s+(\S+)\s*$/;
const LEAD = String.raw`(?:(?:thanks|thank you|ok|okay|great|nice|cool|looks good|lgtm|hi all|hi)[,.!:]*\s+)?(?:(?:i've|i have|i|now)\s+)?(?:(?:the\s+|this\s+|whole\s+|entire\s+|v\d+\s+)*(?:series|patch(?:es|set)?|all(?: patches)?|both|it|this|them|these)\s+)?(?:now\s+|also\s+)?`;
const VERB = String.raw`(applied|queued(?: up)?|picked(?: up)?|pushed|merged)`;
const APPLIED_VERB = /applied|queued|picked|pushed|merged/i;
// No numbered objects ("Applied patches 1-3"): a partial take is left to a b4-style list or a human.
const OBJECT = String.raw`(?:\s+(?:this|it|the (?:whole |entire )?(?:series|patch(?:es|set)?)|them|both(?: patches)?|all(?: patches)?))?`;
const TARGET = String.raw`(?:\s+(to|in|into|for)\s+([^,!;]{1,80}?))?`;
const THANKS = String.raw`(?:[,.]?\s*(?:thanks|thank you|thx|many thanks)(?: [a-z]{1,20})?)?`;
const APPLIED_LINE = new RegExp(`^${LEAD}${VERB}${OBJECT}${TARGET}${THANKS}[.!]*(?:\\s*\\([^()]{0,80}\\))?[.!]*$`, 'i');
/** Targets that say the patch was only tried, not taken. */
const NOT_TAKEN = /\b(?:locally|local|top|test(?:ing)?|try(?:ing)?|review|my machine|my box|my laptop|and|but|fails?|breaks?|builds? fine)\b/i;
const B4_LIST_ITEM = /^\[(\d+)\/\d+\]\s+(.+)$/;
const B4_COMMIT = /^\s+(?:commit:\s*([0-9a-f]{7,40})|https?:\/\/\S+?(?:\/c\/|[?&]id=|\/commit\/)([0-9a-f]{7,40})\S*)\s*$/;

function parseTarget(target: string | undefined): { tree: string | null; branch: string | null; commit: string | null } {
  if (!target) return { tree: null, branch: null, commit: null };
  let t = target.trim();
  let commit: string | null = null;
  const as = /\s+as\s+(?:commit\s+)?([0-9a-f]{7,40})\b.*$/i.exec(t);
  if (as) {
    commit = as[1];
    t = t.slice(0, as.index);
  }
  // "x86/urgent for v6.5", "net-next for the next merge window": the release is not a tree.
  t = t.replace(/\s+for\s+.*$/i, '').replace(/^(?:the|my|our)\s+/i, '');
  const firstWord = (x: string) => x.split(/\s+/)[0] || null;
  const of = /^(\S+) branch of (?:the |my |our )?(\S+?)(?: (?:tree|repo|repository))?$/i.exec(t);
  if (of) return { tree: of[2], branch: of[1], commit };
  const colon = /^([\w.-]{1,40}):\s*(\S+)$/.exec(t);
  if (colon) return { tree: colon[1], branch: colon[2], commit };
  if (/\s+(?:tree|repo|repository)$/i.test(t)) return { tree: firstWord(t.replace(/\s+(?:tree|repo|repository)$/i, '')), branch: null, commit };
  const branchWord = /\s+branch$/i.test(t);
  t = t.replace(/\s+branch$/i, '');
  if (branchWord || t.includes('/')) return { tree: null, branch: firstWord(t), commit };
  return { tree: firstWord(t), branch: null, commit };
}

function appliedReply(mail: Mail): CommitNotice | null {
  // APPLIED_LINE needs one of its verbs: most replies have none, and need no line scan.
  if (!mail.inReplyTo || !APPLIED_VERB.test(mail.body)) return null;
  const own = ownLines(mail.body);
  const prose: string[] = [];
  const listed: CommitNotice['listed'] = [];
  let statedTree: string | null = null;
  let statedBranch: string | null = null;
  for (let i = 0; i < own.length && i < MAX_SCAN_LINES; i++) {
    const l = own[i].line.replace(/\r$/, '');
    if (l === '-- ') break;
    if (l.trim() === '') continue;
    if (l.length > MAX_LINE) return null;
    const item = B4_LIST_ITEM.exec(l.trim());
    if (item) {
      listed.push({ counter: Number(item[1]), title: item[2].trim(), commit: null });
      continue;
    }
    const c = B4_COMMIT.exec(l);
    if (c && listed.length) {
      listed[listed.length - 1].commit = c[1] ?? c[2];
      continue;
    }
    const tr = B4_TREE.exec(l);
    if (tr) {
      statedTree = tr[1];
      continue;
    }
    const br = B4_BRANCH.exec(l);
    if (br) {
      statedBranch = br[1];
      continue;
    }
    prose.push(l.trim());
    if (prose.length > MAX_APPLIED_REPLY_LINES) return null;
  }
  let match: RegExpExecArray | null = null;
  for (const line of prose) {
    match = APPLIED_LINE.exec(line);
    if (match) break;
  }
  if (!match) return null;
  const target = match[3];
  if (target && NOT_TAKEN.test(target)) return null;
  // "Queued for v6.5": a release, not where it was applied.
  const { tree, branch, commit } = parseTarget(match[2]?.toLowerCase() === 'for' ? undefined : target);
  const commits = listed.map((x) => x.commit).filter((c): c is string => c !== null);
  return {
    kind: 'applied-reply',
    commit: commits.length === 1 ? commits[0] : commit,
    branch: statedBranch ?? branch,
    tree: statedTree ?? tree,
    title: parseSubject(mail.subject).title,
    links: [],
    author: null,
    committer: mail.from.email ? mail.from : null,
    inReplyTo: mail.inReplyTo,
    listed,
  };
}

/** The commit notice a mail is, or null. Patch mails, reviews and build reports are not notices. */
export function parseCommitNotice(mail: Mail): CommitNotice | null {
  const bot = isTipBot(mail.from);
  if (bot) {
    if (/^re:/i.test(mail.subject)) return null;
    return botNotice(mail, bot);
  }
  return gitCommitNotice(mail) ?? appliedReply(mail);
}

// --- matching a notice to patches ----------------------------------------------------------

export interface NoticeCandidate {
  messageId: string;
  title: string;
  author: Address;
}

export interface NoticeMatch {
  messageId: string;
  by: 'link' | 'in-reply-to' | 'title';
}

/** A title for comparison, as the rest of Patchloom compares titles (subject.ts). */
function comparableTitle(title: string): string {
  return normalizeTitle(parseSubject(title).title);
}

/** The title without its "subsys/area:" prefix, which committers often rewrite ("x86, syscalls:" to "x86/entry:"). */
function titleSummary(title: string): string {
  const t = parseSubject(title).title;
  const i = t.lastIndexOf(': ');
  return normalizeTitle(i >= 0 ? t.slice(i + 2) : t);
}

function sameAuthor(a: Address | null, b: Address): boolean {
  if (!a) return false;
  if (a.email && b.email && a.email.toLowerCase() === b.email.toLowerCase()) return true;
  const an = a.name.trim().toLowerCase();
  return an !== '' && an === b.name.trim().toLowerCase();
}

/**
 * The candidate patches a notice is about, by the strongest evidence available: a Link: to the
 * patch's Message-ID, else the message it replies to (the cover, when given, means every
 * candidate), else the same title by the same author (a rewritten subsystem prefix is tolerated
 * when exactly one candidate fits).
 */
export function matchNoticeToPatches(
  notice: CommitNotice,
  candidates: NoticeCandidate[],
  opts: { coverMessageId?: string | null } = {},
): NoticeMatch[] {
  const links = new Set(notice.links);
  const byLink = candidates.filter((c) => links.has(c.messageId));
  if (byLink.length) return byLink.map((c) => ({ messageId: c.messageId, by: 'link' }));

  if (notice.inReplyTo) {
    const byReply = candidates.filter((c) => c.messageId === notice.inReplyTo);
    if (byReply.length) return byReply.map((c) => ({ messageId: c.messageId, by: 'in-reply-to' }));
    if (opts.coverMessageId && notice.inReplyTo === opts.coverMessageId && notice.kind === 'applied-reply') {
      // A b4-style reply lists what it took; without a list the whole series was taken.
      if (notice.listed.length === 0) return candidates.map((c) => ({ messageId: c.messageId, by: 'in-reply-to' }));
      const titles = new Set(notice.listed.map((l) => comparableTitle(l.title)));
      return candidates.filter((c) => titles.has(comparableTitle(c.title))).map((c) => ({ messageId: c.messageId, by: 'in-reply-to' }));
    }
  }

  const title = comparableTitle(notice.title);
  if (!title) return [];
  const exact = candidates.filter((c) => comparableTitle(c.title) === title);
  const byAuthor = notice.author ? exact.filter((c) => sameAuthor(notice.author, c.author)) : exact.length === 1 ? exact : [];
  if (byAuthor.length) return byAuthor.map((c) => ({ messageId: c.messageId, by: 'title' }));

  if (!notice.author) return [];
  const summary = titleSummary(notice.title);
  if (summary.length < 12) return [];
  // Same author first: it is cheap and rules out most candidates before their titles are parsed.
  const loose = candidates.filter((c) => sameAuthor(notice.author, c.author) && titleSummary(c.title) === summary);
  return loose.length === 1 ? [{ messageId: loose[0].messageId, by: 'title' }] : [];
}

/** Candidates indexed by what a notice can match them on, so many notices need not each scan every patch. */
export interface NoticeCandidateIndex {
  all: NoticeCandidate[];
  byKey: Map<string, number[]>;
}

export function indexNoticeCandidates(candidates: NoticeCandidate[]): NoticeCandidateIndex {
  const byKey = new Map<string, number[]>();
  const add = (key: string, i: number) => {
    const list = byKey.get(key);
    if (list) list.push(i);
    else byKey.set(key, [i]);
  };
  candidates.forEach((c, i) => {
    add(`id:${c.messageId}`, i);
    add(`title:${comparableTitle(c.title)}`, i);
    if (c.author.email) add(`email:${c.author.email.toLowerCase()}`, i);
    const name = c.author.name.trim().toLowerCase();
    if (name) add(`name:${name}`, i);
  });
  return { all: candidates, byKey };
}

/**
 * The candidates matchNoticeToPatches could match for this notice (by link, reply, title or
 * author), in their original order: matching against them gives the same answer as against all.
 */
export function candidatesForNotice(index: NoticeCandidateIndex, notice: CommitNotice): NoticeCandidate[] {
  const keys = [...notice.links.map((l) => `id:${l}`), `title:${comparableTitle(notice.title)}`];
  if (notice.inReplyTo) keys.push(`id:${notice.inReplyTo}`);
  if (notice.author?.email) keys.push(`email:${notice.author.email.toLowerCase()}`);
  const name = notice.author?.name.trim().toLowerCase();
  if (name) keys.push(`name:${name}`);
  const picked = new Set<number>();
  for (const k of keys) for (const i of index.byKey.get(k) ?? []) picked.add(i);
  return [...picked].sort((a, b) => a - b).map((i) => index.all[i]);
}

/**
 * The patch number a Message-ID has in a series posted by git send-email or b4, from the
 * cover letter's Message-ID: both number their messages (`<stamp>-1-<who>` for the cover of
 * git send-email, `<stamp>-0-<hash>` for b4's), so `-N-` in a sibling id names a patch even
 * when that patch never reached us. Null when the ids do not share the scheme.
 */
export function patchNumberOfMessageId(coverMessageId: string, messageId: string, total: number): number | null {
  const scheme = /^(.+?)-(\d{1,4})-([^-].*)$/;
  const c = scheme.exec(coverMessageId);
  const m = scheme.exec(messageId);
  if (!c || !m || c[1] !== m[1] || c[3] !== m[3]) return null;
  const n = Number(m[2]) - Number(c[2]);
  return n >= 1 && n <= total ? n : null;
}
