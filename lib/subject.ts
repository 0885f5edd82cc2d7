/**
 * Reading a mail Subject the way list readers do: reply/forward markers, the
 * bracketed prefixes ([PATCH net-next v3 02/14], [Buildroot], [GIT PULL]) and
 * the title that is left. Tolerant of every spelling seen on real lists; never throws.
 */

export interface SubjectInfo {
  isReply: boolean;
  isForward: boolean;
  /** Raw contents of every leading [..] group, in order. */
  prefixes: string[];
  /** The major version; 1 when no version marker is present. */
  version: number;
  /** The version as written without the "v" ("3", "5.1"); "" when absent. */
  versionLabel: string;
  /** n of n/N; 0 for a cover letter. */
  number: number | null;
  total: number | null;
  rfc: boolean;
  resend: boolean;
  /** Prefix words that are not PATCH/RFC/RESEND/version/number (net-next, -next, 5.10), and whole list tags (Buildroot, dpdk-dev). */
  tags: string[];
  /** A PATCH or RFC prefix, or an n/N marker (patchwork-mangled "[net,v2,1/2]"), is present. */
  isPatch: boolean;
  isPullRequest: boolean;
  isFixupBang: 'fixup' | 'squash' | null;
  /** Subject without reply markers, bracketed prefixes and fixup!/squash!, whitespace-normalized. */
  title: string;
}

/** Subjects longer than this are cut before parsing: no real subject is longer, and hostile ones must stay cheap. */
const MAX_SUBJECT = 4096;
const MAX_PREFIX = 300;
const MAX_NUMBER = 100_000;

const REPLY = /^(?:re|aw|sv|vs|antw|odp|rif|res|回复|回覆|答复)(?:\[\d{1,4}\]|\^\d{1,4})?\s{0,3}[:：]\s*/i;
const FORWARD = /^(?:fwd?|wg|tr|转发|轉寄)(?:\[\d{1,4}\])?\s{0,3}[:：]\s*/i;
const BRACKET = new RegExp(`^\\[([^\\]]{0,${MAX_PREFIX}})\\]\\s*`);

const VERSION = /^v(\d{1,6})(?:\.(\d{1,4}))?$/i;
const NUMBER = /^(\d{1,6})\/(\d{1,6})$/;
const PATCH_GLUED = /^patch(?:es)?(?:v(\d{1,6})(?:\.(\d{1,4}))?|(\d{1,6})\/(\d{1,6}))$/i;
const RFC_GLUED = /^rfc-?v(\d{1,6})(?:\.(\d{1,4}))?$/i;
const PULL_WORDS = new Set(['pull', 'pull-request', 'pullrequest', 'gitpull', 'git-pull']);

function normalizeSpace(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

interface PrefixMarks {
  patch: boolean;
  rfc: boolean;
  resend: boolean;
  pull: boolean;
  git: boolean;
  version: number | null;
  versionLabel: string;
  number: number | null;
  total: number | null;
  tags: string[];
  /** A "tree:branch" word: kernel test robot reports name commits as "[kbuild:for-next 3/5]". */
  branchRef: boolean;
}

function setVersion(marks: PrefixMarks, major: string, minor: string | undefined): void {
  const v = Number(major);
  if (v > MAX_NUMBER) return;
  marks.version = v;
  marks.versionLabel = minor === undefined ? String(v) : `${v}.${Number(minor)}`;
}

function setNumber(marks: PrefixMarks, n: string, total: string): void {
  const x = Number(n);
  const t = Number(total);
  if (t === 0 || x > MAX_NUMBER || t > MAX_NUMBER) return;
  marks.number = x;
  marks.total = t;
}

/** The words of one [..] group. Mercurial's "PATCH 1 of 3" becomes "1/3"; "RFC/PATCH" is two words. */
function prefixWords(content: string): string[] {
  const joined = content.replace(/(\d{1,6})\s+of\s+(\d{1,6})/gi, '$1/$2');
  const words: string[] = [];
  for (const w of joined.split(/[\s,;]+/)) {
    if (!w) continue;
    if (/^[a-z]+\/[a-z]+$/i.test(w)) words.push(...w.split('/'));
    else words.push(w);
  }
  return words;
}

/** Read one bracket group into the marks; returns whether it carried any patch/pull marker. */
function readPrefix(content: string, marks: PrefixMarks): boolean {
  const words = prefixWords(content);
  let known = false;
  const unknown: string[] = [];
  for (const w of words) {
    const lower = w.toLowerCase();
    let m: RegExpExecArray | null;
    if (lower === 'patch' || lower === 'patches') {
      marks.patch = true;
    } else if ((m = PATCH_GLUED.exec(w))) {
      marks.patch = true;
      if (m[1] !== undefined) setVersion(marks, m[1], m[2]);
      else setNumber(marks, m[3], m[4]);
    } else if (lower === 'rfc') {
      marks.rfc = true;
    } else if ((m = RFC_GLUED.exec(w))) {
      marks.rfc = true;
      setVersion(marks, m[1], m[2]);
    } else if (lower === 'resend' || lower === 'resent') {
      marks.resend = true;
    } else if ((m = VERSION.exec(w))) {
      setVersion(marks, m[1], m[2]);
    } else if ((m = NUMBER.exec(w))) {
      setNumber(marks, m[1], m[2]);
    } else if (PULL_WORDS.has(lower)) {
      marks.pull = true;
    } else if (lower === 'git') {
      marks.git = true;
    } else {
      if (/^[\w.+-]+:[\w./+-]+$/.test(w)) marks.branchRef = true;
      unknown.push(w);
      continue;
    }
    known = true;
  }
  if (!known) {
    const tag = normalizeSpace(content);
    if (tag) marks.tags.push(tag);
  } else {
    marks.tags.push(...unknown.filter((w) => !/^(request|for)$/i.test(w)));
  }
  return known;
}

/** The subject with leading reply/forward markers removed ("Re: Re: Fwd: x" → "x"); list tags before them are kept. */
export function stripReplyPrefixes(subject: string): string {
  let s = normalizeSpace(subject.slice(0, MAX_SUBJECT));
  for (let i = 0; i < 50; i++) {
    const m = REPLY.exec(s) ?? FORWARD.exec(s);
    if (!m) break;
    s = s.slice(m[0].length);
  }
  return s;
}

export function parseSubject(subject: string): SubjectInfo {
  let s = normalizeSpace(String(subject ?? '').slice(0, MAX_SUBJECT));
  let isReply = false;
  let isForward = false;
  const prefixes: string[] = [];
  const marks: PrefixMarks = { patch: false, rfc: false, resend: false, pull: false, git: false, version: null, versionLabel: '', number: null, total: null, tags: [], branchRef: false };
  let sawPatchPrefix = false;

  // Reply markers and bracket groups interleave: "[dpdk-dev] Re: [PATCH] x". After a patch
  // prefix only further brackets are taken, so a title such as "fw: load firmware" stays whole.
  for (let guard = 0; guard < 200; guard++) {
    if (!sawPatchPrefix) {
      const r = REPLY.exec(s);
      if (r) {
        isReply = true;
        s = s.slice(r[0].length);
        continue;
      }
      const f = FORWARD.exec(s);
      if (f) {
        isForward = true;
        s = s.slice(f[0].length);
        continue;
      }
    }
    const b = BRACKET.exec(s);
    if (!b) break;
    prefixes.push(b[1].trim());
    if (readPrefix(b[1], marks)) sawPatchPrefix = true;
    s = s.slice(b[0].length);
  }

  // "[Patch 2/2]: title" — a colon left between the prefix and the title.
  s = s.replace(/^[:\-]\s+/, '').replace(/^:/, '');

  let isFixupBang: SubjectInfo['isFixupBang'] = null;
  for (let guard = 0; guard < 20; guard++) {
    const m = /^(fixup|squash|amend)!\s*/i.exec(s);
    if (!m) break;
    // The outermost marker decides; amend! is a fixup that also rewrites the message.
    if (!isFixupBang) isFixupBang = m[1].toLowerCase() === 'squash' ? 'squash' : 'fixup';
    s = s.slice(m[0].length);
  }
  const title = normalizeSpace(s);

  let version = marks.version;
  let versionLabel = marks.versionLabel;
  if (version === null) {
    // patchwork also reads a trailing "(v3)"; David Howells writes "[ver #18]"
    const t = /(?:\(v(\d{1,6})\)|\[ver #(\d{1,6})\])\s*$/i.exec(title);
    const v = t ? Number(t[1] ?? t[2]) : NaN;
    if (v <= MAX_NUMBER) {
      version = v;
      versionLabel = String(version);
    }
  }

  const isPullRequest = marks.pull || (marks.git && !marks.patch) || (!isReply && /^please pull\b/i.test(title));
  const isPatch = marks.patch || marks.rfc || (marks.number !== null && !isPullRequest && !marks.branchRef);

  return {
    isReply,
    isForward,
    prefixes,
    version: version ?? 1,
    versionLabel,
    number: marks.number,
    total: marks.total,
    rfc: marks.rfc,
    resend: marks.resend,
    tags: marks.tags,
    isPatch,
    isPullRequest,
    isFixupBang,
    title,
  };
}

/**
 * A title reduced for comparing across versions: case, punctuation, a trailing "(v3)"
 * and RESEND markers do not count.
 */
export function normalizeTitle(title: string): string {
  return String(title ?? '')
    .slice(0, MAX_SUBJECT)
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\((?:v\d{1,6}|resend)\)|\[ver #\d{1,6}\]/g, ' ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}
