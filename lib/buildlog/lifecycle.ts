/**
 * What happened to a breakage after it was reported, from the replies' own text and the
 * fix patches' trailers: pre-existing, invalid, a fix proposed, fixed; and one status with
 * the reason it was decided.
 */
import { findDiffs } from '../diff.ts';
import { isQuotedLine, ownText } from '../mail/quote.ts';
import type { Address, Mail } from '../mail/types.ts';
import { findCompilerMention, findDistroMention } from './context.ts';
import { scanLog } from './extract.ts';
import { isSubmission, messageIdOfLink } from './report.ts';

/** A build environment named in prose: "on Arch / gcc-7.3.1". */
export interface EnvMention {
  distro: string | null;
  compiler: 'gcc' | 'clang' | null;
  compilerVersion: string | null;
  text: string;
}

export interface PreExisting {
  /** The first baseline named (sha, tag or next-YYYYMMDD); null when only "mainline" is said. */
  ref: string | null;
  /** Every baseline named, in order. */
  refs: string[];
  /** The first sentence that says so. */
  quote: string;
  quotes: string[];
  /** Where the reply says it fails / works: "when building on Arch / gcc-7.3.1; building on Debian oldstable / gcc-4.9 works fine". */
  failsOn: EnvMention[];
  worksOn: EnvMention[];
}

const MAX_SCAN = 200_000;

/** Sentences of the author's own prose: quoted lines dropped, lines of a paragraph joined. */
function sentences(text: string): string[] {
  const lines = text.slice(0, MAX_SCAN).split('\n');
  // Code and help text in a diff are not the author speaking.
  for (const b of findDiffs(lines)) for (let i = b.startLine; i < b.endLine; i++) lines[i] = '';
  const own = lines.filter((l) => !isQuotedLine(l)).join('\n');
  const out: string[] = [];
  for (const para of own.split(/\n[ \t]*\n/)) {
    const flat = para.replace(/\s+/g, ' ').trim();
    if (flat === '') continue;
    for (const s of flat.split(/(?<=[.!?])\s+(?=[A-Z("'\u2018\u201c-])/)) if (s.trim()) out.push(s.trim());
  }
  return out;
}

function negatedBefore(sentence: string, index: number): boolean {
  const before = sentence.slice(Math.max(0, index - 30), index);
  return /\b(?:not|never|no longer|no)\s+(?:\w+\s+){0,2}$|n't\s+(?:\w+\s+){0,2}$/i.test(before);
}

/** Words that make a sentence about a failure; "these wrappers already exist" is not one. */
const FAILURE_WORDS = /\b(?:fail(?:s|ed|ing|ure|ures)?|broken|break(?:s|age)?|error|errors|warning|warnings|issue|problem|bug|regression|breakage)\b/i;

const PRE_EXISTING: { re: RegExp; negatable: boolean; needsFailureWord: boolean }[] = [
  { re: /\balready (?:present|there|broken|failing|fails|happening|happens|reproducible|visible|exists?|in (?:mainline|upstream|linus))\b/i, negatable: true, needsFailureWord: true },
  { re: /\b(?:also|too|as well|equally)\b[^.;]{0,40}?\b(?:exists?|happens?|fails?|failing|occurs?|present|broken|reproduces?|shows up|seen)\b[^.;]{0,30}?\b(?:for|on|with|in|at)\s+(?:plain |vanilla |current |stock |the )?(?:v\d|mainline|upstream|linus|next-\d|[0-9a-f]{7,40}\b)/i, negatable: true, needsFailureWord: false },
  { re: /\b(?:exists?|happens?|fails?|occurs?|present|broken|reproduces?)\s+(?:also |too |as well )?(?:for|on|with|in)\s+(?:plain|vanilla|stock|unpatched)\s+(?:v\d|mainline|upstream|linus|next)/i, negatable: true, needsFailureWord: false },
  { re: /\b(?:happens?|fails?|occurs?|exists?|reproduces?|is there|is present|is broken|breaks|see it|seeing it)\b[^.;]{0,30}?\bwithout (?:this|the|your|these|that|any of (?:these|the|your)) (?:series|patch(?:es|set)?|changes?|commits?)\b/i, negatable: true, needsFailureWord: false },
  { re: /\b(?:not|isn't|wasn't|aren't|weren't)\s+(?:\w+\s+)?(?:caused|introduced|triggered|related)\s+(?:by|to)\s+(?:this|the|your|these|that|my) (?:series|patch(?:es|set)?|changes?|commits?)\b/i, negatable: false, needsFailureWord: false },
  { re: /\bunrelated to (?:this|the|your|these|that) (?:series|patch(?:es|set)?|changes?)\b/i, negatable: false, needsFailureWord: false },
  { re: /\bpre-?existing\b/i, negatable: true, needsFailureWord: true },
  { re: /\b(?:has been|was|were|have been) (?:broken|failing) (?:since|before|for (?:a while|ages|some time))\b/i, negatable: true, needsFailureWord: false },
];

/** Commit ids (hex with both a digit and a letter), version tags and linux-next tags, in order. */
function refsIn(sentence: string): string[] {
  const out: string[] = [];
  const re = /\b(v\d+\.\d+(?:\.\d+)?(?:-rc\d+)?|next-\d{8}|[0-9a-f]{7,40})\b/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(sentence)) !== null) {
    const r = m[1];
    if (/^[0-9a-f]+$/.test(r) && !(/\d/.test(r) && /[a-f]/.test(r))) continue;
    if (!out.includes(r)) out.push(r);
  }
  return out;
}

const WORKS = /\b(?:works?|worked|builds?|built|compiles?|compiled|is|was)\s+(?:just\s+)?(?:fine|ok|okay|well|cleanly|successfully)\b|\bsucceed(?:s|ed)?\b|\bno (?:problems?|issues?|errors?)\b/i;

function envMentions(sentence: string): { failsOn: EnvMention[]; worksOn: EnvMention[] } {
  const failsOn: EnvMention[] = [];
  const worksOn: EnvMention[] = [];
  for (const clause of sentence.split(/[;()]|,\s*(?=(?:but|while|whereas)\b)/)) {
    const distro = findDistroMention(clause);
    const cc = findCompilerMention(clause);
    if (!distro && !cc) continue;
    const mention: EnvMention = { distro, compiler: cc?.compiler ?? null, compilerVersion: cc?.version ?? null, text: clause.trim() };
    (WORKS.test(clause) ? worksOn : failsOn).push(mention);
  }
  return { failsOn, worksOn };
}

/** "already present in mainline as of 38c23685b273", "also exists for plain v4.16", "happens without this series", "not caused by this patch", "pre-existing". */
export function detectPreExisting(ownText: string): PreExisting | null {
  if (typeof ownText !== 'string') return null;
  const quotes: string[] = [];
  for (const s of sentences(ownText)) {
    if (s.endsWith('?')) continue;
    const hit = PRE_EXISTING.some(({ re, negatable, needsFailureWord }) => {
      const m = re.exec(s);
      if (m === null || (negatable && negatedBefore(s, m.index))) return false;
      return !needsFailureWord || FAILURE_WORDS.test(s);
    });
    if (hit) quotes.push(s);
  }
  if (quotes.length === 0) return null;
  const refs = [...new Set(quotes.flatMap(refsIn))];
  const failsOn: EnvMention[] = [];
  const worksOn: EnvMention[] = [];
  for (const q of quotes) {
    const e = envMentions(q);
    failsOn.push(...e.failsOn);
    worksOn.push(...e.worksOn);
  }
  return { ref: refs[0] ?? null, refs, quote: quotes[0], quotes, failsOn, worksOn };
}

const INVALID: { re: RegExp; negatable: boolean }[] = [
  { re: /\bfalse (?:positive|alarm)\b/i, negatable: true },
  { re: /\bnot (?:a|an) (?:real |actual |kernel )?(?:bug|problem|issue|regression)\b/i, negatable: false },
  { re: /\bmy (?:own )?(?:setup|config(?:uration)?|\.config|toolchain|environment|build (?:setup|environment|tree|dir(?:ectory)?|box|machine)|tree|compiler|installation)\s+(?:was|is|had been)\s+(?:\w+\s+)?(?:broken|wrong|bad|stale|messed up|misconfigured|dirty|corrupt(?:ed)?|at fault|the problem)\b/i, negatable: false },
  { re: /\b(?:sorry|apologies)\b[^.]{0,20}\bthe noise\b/i, negatable: false },
  { re: /\bplease (?:ignore|disregard) (?:this|my|the) (?:report|mail|e-?mail|message)\b/i, negatable: false },
  { re: /\b(?:PEBKAC|user error)\b/i, negatable: true },
  { re: /\bstale (?:build(?: dir(?:ectory)?)?|objects?|\.config|config|tree|headers?)\b/i, negatable: true },
];

/** "false positive", "not a bug", "my setup was broken", "please ignore this report". */
export function detectInvalid(ownText: string): { quote: string } | null {
  if (typeof ownText !== 'string') return null;
  for (const s of sentences(ownText)) {
    // The robot's own "Unverified Error/Warning (likely false positive ...)" heading is boilerplate.
    if (s.endsWith('?') || /^Unverified Error\/Warning/.test(s)) continue;
    for (const { re, negatable } of INVALID) {
      const m = re.exec(s);
      if (m && !(negatable && negatedBefore(s, m.index))) return { quote: s };
    }
  }
  return null;
}

/** A report a fix may claim: its Message-ID, its reporter and the signatures of its errors. */
export interface KnownReport {
  messageId: string;
  reportedBy: Address;
  signatures: string[];
}

export type FixVia = 'closes' | 'link' | 'reply' | 'reported-by' | 'error-signature' | 'in-thread';

export interface FixClaim {
  reportMessageId: string;
  /** The strongest evidence. */
  via: FixVia;
  /** Every piece of evidence, strongest first: the trailer line, "in reply to", or the matching signature. */
  evidence: string[];
}

const VIA_ORDER: FixVia[] = ['closes', 'link', 'reply', 'reported-by', 'error-signature', 'in-thread'];
const TRAILER = /^\s*(?:\|\s*)?(Reported-(?:and-tested-)?by|Closes|Link):\s*(\S.{0,1000})$/i;

/**
 * Which reports a fix claims: a Closes:/Link: trailer naming the report's Message-ID, a fixup
 * posted in reply to the report, a Reported-by: of the report's author (narrowed to reports in
 * the fix's thread or with a matching error when the author reported more than one), the fix's
 * commit message quoting an error with the report's signature, or (weakest) a fixup posted
 * further down the report's thread. Only mails that carry a change (a diff, or a [PATCH]
 * submission) claim anything.
 */
export function fixClaims(mail: Mail, reports: KnownReport[]): FixClaim[] {
  const own = ownText(mail.body.length > MAX_SCAN * 10 ? mail.body.slice(0, MAX_SCAN * 10) : mail.body);
  const ownLines = own.split('\n');
  const diffs = findDiffs(ownLines);
  if (diffs.length === 0 && !isSubmission(mail)) return [];
  const claims = new Map<string, { vias: Set<FixVia>; evidence: string[] }>();
  const claim = (id: string, via: FixVia, evidence: string) => {
    const c = claims.get(id) ?? { vias: new Set<FixVia>(), evidence: [] };
    c.vias.add(via);
    if (!c.evidence.includes(evidence)) c.evidence.push(evidence);
    claims.set(id, c);
  };
  const byId = new Map(reports.map((r) => [r.messageId, r]));
  const thread = new Set([...(mail.references ?? []), ...(mail.inReplyTo ? [mail.inReplyTo] : [])]);

  // The commit message: own text outside the diffs.
  const masked = ownLines.map((l) => ({ text: l, isNew: false }));
  for (const b of diffs) for (let i = b.startLine; i < b.endLine; i++) masked[i].text = '';
  const quotedSignatures = new Set(scanLog(masked).errors.map((e) => e.signature));

  for (const line of masked) {
    if (line.text.length > 1100) continue;
    const t = TRAILER.exec(line.text);
    if (!t) continue;
    const tag = t[1].toLowerCase();
    const value = t[2].trim();
    if (tag === 'closes' || tag === 'link') {
      const id = /^<([^>]+)>$/.exec(value)?.[1] ?? messageIdOfLink(value);
      if (id && byId.has(id)) claim(id, tag === 'closes' ? 'closes' : 'link', line.text.trim());
      continue;
    }
    const email = /<([^>\s]+@[^>\s]+)>/.exec(value)?.[1]?.toLowerCase() ?? (/^\S+@\S+$/.test(value) ? value.toLowerCase() : null);
    if (!email) continue;
    const candidates = reports.filter((r) => r.reportedBy.email.toLowerCase() === email);
    let chosen = candidates.filter((r) => thread.has(r.messageId));
    if (chosen.length === 0) chosen = candidates.filter((r) => r.signatures.some((s) => quotedSignatures.has(s)));
    if (chosen.length === 0 && candidates.length === 1) chosen = candidates;
    for (const r of chosen) claim(r.messageId, 'reported-by', line.text.trim());
  }
  if (diffs.length > 0) {
    if (mail.inReplyTo && byId.has(mail.inReplyTo)) claim(mail.inReplyTo, 'reply', `fixup posted in reply to ${mail.inReplyTo}`);
    // Deeper in the report's thread ("Beata will post the real fix, meanwhile here is mine"): only
    // when the diff touches a file, or names a symbol, that the report's errors are about.
    const touched = new Set(diffs.flatMap((b) => b.files.flatMap((f) => [f.oldPath, f.newPath]).filter((p): p is string => p !== null)));
    const diffText = diffs.map((b) => b.text).join('\n');
    for (const id of mail.references ?? []) {
      const r = byId.get(id);
      if (id === mail.inReplyTo || !r) continue;
      const hit = r.signatures.find((sig) => {
        const [, file, message] = sig.split('|');
        if (file && touched.has(file)) return true;
        const sym = /'([A-Za-z_]\w{3,})'/.exec(message ?? '');
        return sym !== null && diffText.includes(sym[1]);
      });
      if (hit) claim(id, 'in-thread', `fixup posted in the thread of ${id}, touching ${hit.split('|')[1] || 'its symbol'}`);
    }
  }
  for (const r of reports) {
    const s = r.signatures.find((sig) => quotedSignatures.has(sig));
    if (s) claim(r.messageId, 'error-signature', `commit message quotes ${s}`);
  }
  return [...claims.entries()].map(([reportMessageId, c]) => {
    const vias = VIA_ORDER.filter((v) => c.vias.has(v));
    return { reportMessageId, via: vias[0], evidence: c.evidence };
  });
}

export type BreakageStatusValue = 'open' | 'fix-proposed' | 'fixed' | 'pre-existing' | 'invalid';

export interface BreakageStatusInput {
  reports: { reportId: string }[];
  fixProposedBy: { messageId: string; via: string }[];
  fixedBy: { messageId: string | null; via: string }[];
  preExisting: { ref: string | null; quote: string; messageId: string } | null;
  invalid: { quote: string; messageId: string } | null;
  /** true: a later version of the series was reported with the same failure; false: it was built without it. */
  laterVersionStillFails: boolean | null;
  manual?: { status: BreakageStatusValue; note: string; at: string | Date };
}

function clip(s: string, n = 160): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > n ? `${flat.slice(0, n - 1)}…` : flat;
}

/**
 * One status, by precedence: a maintainer's manual setting; invalid (the report was withdrawn);
 * pre-existing (not this series' breakage, whatever happened to it since); fixed by an applied
 * fix; open again when a later version still fails; fixed when a later version builds; a fix
 * proposed; otherwise open. The reason says which rule decided and on what evidence.
 */
export function breakageStatus(input: BreakageStatusInput): { status: BreakageStatusValue; reason: string } {
  const n = input.reports.length;
  const reported = n === 0 ? 'no report' : n === 1 ? `reported once (${input.reports[0].reportId})` : `reported ${n} times (first ${input.reports[0].reportId})`;
  if (input.manual) {
    const at = input.manual.at instanceof Date ? input.manual.at.toISOString() : input.manual.at;
    return { status: input.manual.status, reason: `set manually at ${at}${input.manual.note ? `: ${clip(input.manual.note)}` : ''}` };
  }
  if (input.invalid) return { status: 'invalid', reason: `declared invalid in ${input.invalid.messageId}: "${clip(input.invalid.quote)}"` };
  if (input.preExisting) {
    const ref = input.preExisting.ref ? ` (baseline ${input.preExisting.ref})` : '';
    return { status: 'pre-existing', reason: `pre-existing${ref} per ${input.preExisting.messageId}: "${clip(input.preExisting.quote)}"` };
  }
  if (input.fixedBy.length > 0) {
    const f = input.fixedBy[0];
    return { status: 'fixed', reason: `fixed${f.messageId ? ` by ${f.messageId}` : ''} (${f.via}); ${reported}` };
  }
  if (input.laterVersionStillFails === true) {
    const proposed = input.fixProposedBy.length > 0 ? `; a fix was proposed in ${input.fixProposedBy[0].messageId} but did not make it` : '';
    return { status: 'open', reason: `a later version of the series still fails${proposed}; ${reported}` };
  }
  if (input.laterVersionStillFails === false) return { status: 'fixed', reason: `a later version of the series builds without this failure; ${reported}` };
  if (input.fixProposedBy.length > 0) {
    const f = input.fixProposedBy[0];
    const more = input.fixProposedBy.length > 1 ? ` and ${input.fixProposedBy.length - 1} more` : '';
    return { status: 'fix-proposed', reason: `fix proposed in ${f.messageId} (${f.via})${more}; ${reported}` };
  }
  return { status: 'open', reason: `no fix, pre-existing or invalid verdict yet; ${reported}` };
}
