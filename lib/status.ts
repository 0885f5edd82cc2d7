/**
 * The series status lifecycle: which single status a series shows, derived from facts found in
 * mail (trailers, NAKs, breakages, fixups, commit notices, newer versions) and a maintainer's
 * manual decision, with the reasons that led there.
 */
import type { Address } from './mail/types.ts';

/** Every status, in lifecycle order (the order a status sort uses). */
export const SERIES_STATUSES = [
  'new',
  'under-review',
  'changes-requested',
  'fixups-pending',
  'reviewed',
  'partially-applied',
  'applied',
  'superseded',
  'rejected',
  'withdrawn',
] as const;

export type SeriesStatus = (typeof SERIES_STATUSES)[number];

export interface StatusReason {
  text: string;
  messageId?: string;
  seriesId?: string | number;
}

export interface StatusFacts {
  replyCount: number;
  nacks: { by: Address; messageId: string }[];
  /** "needs work", "please fix" from a reviewer (see detectObjection). */
  objections: { by: Address; messageId: string; quote: string }[];
  openBreakages: { title: string; id?: number }[];
  pendingFixups: { subject: string; id?: number }[];
  patchCount: number;
  /** Patches with a Reviewed-by or Acked-by (cover-letter trailers count for all). */
  reviewedPatchNumbers: number[];
  appliedPatchNumbers: number[];
  supersededBy: { seriesId: string | number; version: number } | null;
  withdrawn: { messageId: string; quote: string } | null;
  manual: { status: SeriesStatus; at: Date; by: string; note: string } | null;
  /** When the newest of the facts above arrived; a manual status set before it is overridden. */
  newestFactAt: Date | null;
}

export interface DerivedStatus {
  status: SeriesStatus;
  reasons: StatusReason[];
}

export interface PrecedenceRow {
  /** 'manual' is the maintainer's own choice of any status. */
  status: SeriesStatus | 'manual';
  when: string;
  rationale: string;
}

/** The rules, highest first: the first that holds decides the status. Rendered in the README. */
export const STATUS_PRECEDENCE: readonly PrecedenceRow[] = [
  {
    status: 'manual',
    when: 'a maintainer set the status and no fact arrived after that',
    rationale: 'The maintainer knows things the mail does not say; a newer mail reopens the question.',
  },
  {
    status: 'applied',
    when: 'every patch has a commit notice',
    rationale: 'Once all of it is in a tree, review state and newer postings no longer matter for this series.',
  },
  {
    status: 'superseded',
    when: 'a newer version of the series was posted',
    rationale: 'Reviewers should spend their time on the newest version; problems here are history.',
  },
  {
    status: 'rejected',
    when: 'someone NAKed it (Nacked-by)',
    rationale: 'A NAK blocks merging whatever else was said, until a new version answers it.',
  },
  {
    status: 'withdrawn',
    when: 'the author asked to drop it or announced a new version',
    rationale: 'The author no longer wants this version applied; a NAK is stronger because it binds the author too.',
  },
  {
    status: 'partially-applied',
    when: 'some but not all patches have commit notices',
    rationale: 'Part of it is merged: the rest needs a decision, whatever its review state.',
  },
  {
    status: 'changes-requested',
    when: 'an open build breakage or a reviewer objection',
    rationale: 'A known problem must be fixed before it can go in, even if patches carry Reviewed-by.',
  },
  {
    status: 'fixups-pending',
    when: 'inline fixups were posted and not yet folded',
    rationale: 'The fix exists; the maintainer can fold it (git am + autosquash) instead of waiting for a resend.',
  },
  {
    status: 'reviewed',
    when: 'every patch has a Reviewed-by or Acked-by',
    rationale: 'Ready for a maintainer to apply.',
  },
  {
    status: 'under-review',
    when: 'there are replies',
    rationale: 'Discussion started but nothing above holds.',
  },
  {
    status: 'new',
    when: 'nothing else',
    rationale: 'Nobody has replied yet.',
  },
];

function who(a: Address): string {
  return a.name || a.email || 'someone';
}

function inRange(nums: number[], count: number): Set<number> {
  return new Set(nums.filter((n) => Number.isInteger(n) && n >= 1 && n <= count));
}

type Rule = (f: StatusFacts) => StatusReason[] | null;

const RULES: Record<SeriesStatus, Rule> = {
  applied: (f) => {
    const applied = inRange(f.appliedPatchNumbers, f.patchCount);
    if (f.patchCount < 1 || applied.size < f.patchCount) return null;
    return [{ text: f.patchCount === 1 ? 'applied' : `all ${f.patchCount} patches applied` }];
  },
  superseded: (f) => (f.supersededBy ? [{ text: `superseded by v${f.supersededBy.version}`, seriesId: f.supersededBy.seriesId }] : null),
  rejected: (f) => (f.nacks.length ? f.nacks.map((n) => ({ text: `NAKed by ${who(n.by)}`, messageId: n.messageId })) : null),
  withdrawn: (f) => (f.withdrawn ? [{ text: `withdrawn by the author: "${f.withdrawn.quote}"`, messageId: f.withdrawn.messageId }] : null),
  'partially-applied': (f) => {
    const applied = inRange(f.appliedPatchNumbers, f.patchCount);
    if (applied.size === 0 || applied.size >= f.patchCount) return null;
    return [{ text: `${applied.size} of ${f.patchCount} patches applied` }];
  },
  'changes-requested': (f) => {
    if (!f.openBreakages.length && !f.objections.length) return null;
    return [
      ...f.openBreakages.map((b) => ({ text: `open breakage: ${b.title}` })),
      ...f.objections.map((o) => ({ text: `${who(o.by)} asked for changes: "${o.quote}"`, messageId: o.messageId })),
    ];
  },
  'fixups-pending': (f) => (f.pendingFixups.length ? f.pendingFixups.map((x) => ({ text: `fixup pending: ${x.subject}` })) : null),
  reviewed: (f) => {
    const reviewed = inRange(f.reviewedPatchNumbers, f.patchCount);
    if (f.patchCount < 1 || reviewed.size < f.patchCount) return null;
    return [{ text: f.patchCount === 1 ? 'reviewed' : `all ${f.patchCount} patches reviewed or acked` }];
  },
  'under-review': (f) => {
    if (f.replyCount < 1) return null;
    const reasons: StatusReason[] = [{ text: f.replyCount === 1 ? '1 reply' : `${f.replyCount} replies` }];
    const reviewed = inRange(f.reviewedPatchNumbers, f.patchCount);
    if (reviewed.size) reasons.push({ text: `${reviewed.size} of ${f.patchCount} patches reviewed or acked` });
    return reasons;
  },
  new: () => [{ text: 'no replies yet' }],
};

function derive(f: StatusFacts): DerivedStatus {
  for (const row of STATUS_PRECEDENCE) {
    if (row.status === 'manual') continue;
    const reasons = RULES[row.status](f);
    if (reasons) return { status: row.status, reasons };
  }
  return { status: 'new', reasons: [{ text: 'no replies yet' }] };
}

/** The status a series shows, and why. */
export function deriveStatus(facts: StatusFacts): DerivedStatus {
  const m = facts.manual;
  if (!m) return derive(facts);
  const newer = facts.newestFactAt && facts.newestFactAt.getTime() > m.at.getTime();
  if (!newer) {
    return { status: m.status, reasons: [{ text: `set to ${m.status} by ${m.by}${m.note ? `: ${m.note}` : ''}` }] };
  }
  const derived = derive(facts);
  return {
    status: derived.status,
    reasons: [
      ...derived.reasons,
      { text: `manual status ${m.status} by ${m.by} overridden by newer fact (${(facts.newestFactAt as Date).toISOString()})` },
    ],
  };
}

// --- reading objections and withdrawals from a reply's own text ---------------------------

/** Lines longer than this are logs or pasted data, not a reviewer's sentence. */
const MAX_SENTENCE_LINE = 400;

const OBJECTION_PATTERNS: RegExp[] = [
  /\bneeds? (?:a bit of |some |more )?(?:work|rework|fixing)\b/i,
  /\bplease (?:fix|rework|address|resend|respin|rebase|split)\b/i,
  /\bplease send (?:a |an )?(?:v\d+|new version|updated version|new revision|respin)\b/i,
  /\b(?:this|it|the patch|the series|patch \d+(?:\/\d+)?) (?:breaks|broke) (?:the )?(?:[\w-]+ )?(?:build|boot)\b/i,
  /\b(?:does not|doesn't|fails to) (?:build|compile|boot|link)\b/i,
  /\bchanges requested\b/i,
  /\bI (?:don't|do not) think (?:this|it) is (?:correct|right)\b/i,
  /\bthis is (?:wrong|broken|incorrect)\b/i,
];
/** Negations and hedges that turn a pattern's words into the opposite ("no need to resend"). */
const OBJECTION_NEGATED = /\b(?:no need to|not needed to|don't need to|doesn't need|does not need|no longer|already fixed|without (?:any )?need)\b/i;

function sentenceLines(ownText: string): string[] {
  const out: string[] = [];
  for (const raw of ownText.split('\n')) {
    const l = raw.trim();
    if (l === '' || l.length > MAX_SENTENCE_LINE) continue;
    if (raw === '-- ') break;
    // Diff and log lines are not sentences.
    if (/^(?:[+\-@]|diff --git|index [0-9a-f]|\|)/.test(raw)) continue;
    out.push(l);
  }
  return out;
}

/** The sentence in which a reviewer asks for changes, or null. Only own text is meant to be passed. */
export function detectObjection(ownText: string): string | null {
  for (const l of sentenceLines(ownText)) {
    if (OBJECTION_NEGATED.test(l)) continue;
    if (OBJECTION_PATTERNS.some((p) => p.test(l))) return l;
  }
  return null;
}

const WITHDRAWAL_PATTERNS: RegExp[] = [
  /\bplease (?:drop|ignore|disregard|don't apply|do not apply) (?:this|my|the) (?:patch(?:set|es)?|series|version|v\d+|posting)\b/i,
  /\bplease (?:drop|ignore|disregard|don't apply|do not apply) (?:this|it)(?: one)?\s*[.!]*$/i,
  /\bself[- ]?na(?:c)?k(?:ed)?\b/i,
  /\bNA(?:C)?K(?:ed)? (?:from )?myself\b/i,
  /\b(?:I'll|I will|I'm going to|I am going to|will) (?:send|post|spin|respin)(?: out)? (?:a |an )?(?:v\d+|new version|updated version|new revision|respin|new series|new spin)\b/i,
  /\bI(?:'m| am) withdrawing (?:this|the|my)\b/i,
  /\b(?:withdraw|withdrawn|withdrawing) (?:this|the) (?:patch|series|patchset)\b/i,
];
/** Conditional offers ("if you want, I'll send a v2") are not a withdrawal. */
const CONDITIONAL = /\b(?:if|unless|whether|could|should I|shall I)\b|\?/i;

/** The author's sentence withdrawing the series, or null. Only the author can withdraw. */
export function detectWithdrawal(ownText: string, isAuthor: boolean): string | null {
  if (!isAuthor) return null;
  for (const l of sentenceLines(ownText)) {
    if (CONDITIONAL.test(l)) continue;
    if (WITHDRAWAL_PATTERNS.some((p) => p.test(l))) return l;
  }
  return null;
}
