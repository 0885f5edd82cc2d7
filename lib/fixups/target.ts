/**
 * Which patch of a series a fixup belongs to. Evidence, strongest first: the reply's
 * own words ("could be folded with patch 8/8", a quoted subject, a Fixes: trailer); a
 * `fixup! <subject>` title; the patch the fixup replies to; the only patch whose files
 * (and hunks) it touches. Unknown is a valid answer: null plus ranked candidates.
 */
import { findDiffs, type FileDiff } from '../diff.ts';
import type { FixupDraft } from './extract.ts';
import { normalizeTitle, parseSubject } from '../subject.ts';

export interface SeriesPatchHunk {
  path: string;
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
}

export interface SeriesPatchRef {
  number: number;
  messageId: string;
  subject: string;
  title: string;
  files: string[];
  hunks?: SeriesPatchHunk[];
  /** The patch's parsed diff, when the caller has it: lets a fixup that rewrites lines this patch added point at it. */
  diff?: FileDiff[];
}

export interface TargetContext {
  seriesPatches: SeriesPatchRef[];
  parentMessageId: string | null;
  parentIsCover: boolean;
  /** When the reply's parent (or nearest patch ancestor) is a patch of the series. */
  parentPatchNumber: number | null;
}

export type TargetEvidence = 'explicit' | 'fixup-subject' | 'parent' | 'file-overlap' | 'none';

export interface TargetCandidate {
  number: number;
  messageId: string;
  score: number;
  why: string[];
}

export interface FixupTarget {
  number: number | null;
  messageId: string | null;
  reason: string;
  evidence: TargetEvidence;
  candidates: TargetCandidate[];
}

/** Lines of slack when comparing hunk ranges: later patches of a series shift line numbers a little. */
const HUNK_SLACK = 3;
const FILE_SCORE = 10;
const HUNK_SCORE = 5;
/** A fixup hunk that rewrites lines the patch added is the strongest overlap. */
const CONTENT_SCORE = 20;
/** Shorter lines ("}", "return 0;") say nothing about where a line came from. */
const MIN_CONTENT_LINE = 8;

interface FixupHunk extends SeriesPatchHunk {
  /** Normalized '-' lines and context lines of the hunk. */
  removed: string[];
  context: string[];
}

function normLine(l: string): string {
  return l.replace(/\s+/g, ' ').trim();
}

function fixupHunks(diff: string): FixupHunk[] {
  return findDiffs(diff).flatMap((b) =>
    b.files.flatMap((f) =>
      f.hunks.map((h) => ({
        path: f.path,
        oldStart: h.oldStart,
        oldLines: h.oldLines,
        newStart: h.newStart,
        newLines: h.newLines,
        removed: h.lines.filter((l) => l[0] === '-').map((l) => normLine(l.slice(1))).filter((l) => l.length >= MIN_CONTENT_LINE),
        context: h.lines.filter((l) => l[0] === ' ').map((l) => normLine(l.slice(1))).filter((l) => l.length >= MIN_CONTENT_LINE),
      })),
    ),
  );
}

function addedByPath(diff: FileDiff[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const f of diff) {
    const set = out.get(f.path) ?? new Set<string>();
    for (const h of f.hunks) for (const l of h.lines) if (l[0] === '+') set.add(normLine(l.slice(1)));
    out.set(f.path, set);
  }
  return out;
}

/** The hunk removes a line the patch added, or sits on at least two lines the patch added. */
function touchesAddedLines(h: FixupHunk, added: Set<string> | undefined): boolean {
  if (!added || added.size === 0) return false;
  if (h.removed.some((l) => added.has(l))) return true;
  return h.context.filter((l) => added.has(l)).length >= 2;
}

/** The fixup applies on top of the patch, so its preimage lines are the patch's postimage lines. */
function hunksOverlap(fix: SeriesPatchHunk, patch: SeriesPatchHunk): boolean {
  if (fix.path !== patch.path) return false;
  const a0 = fix.oldStart;
  const a1 = fix.oldStart + Math.max(fix.oldLines, 1) - 1;
  const b0 = patch.newStart - HUNK_SLACK;
  const b1 = patch.newStart + Math.max(patch.newLines, 1) - 1 + HUNK_SLACK;
  return a0 <= b1 && b0 <= a1;
}

function overlapCandidates(fixup: FixupDraft, patches: SeriesPatchRef[]): { all: TargetCandidate[]; overlapping: TargetCandidate[] } {
  const files = new Set(fixup.files);
  const hunks = fixupHunks(fixup.diff);
  const out: (TargetCandidate & { contentHits: number })[] = [];
  for (const p of patches) {
    const shared = p.files.filter((f) => files.has(f));
    if (shared.length === 0) continue;
    const why = shared.map((f) => `both touch ${f}`);
    let hunkHits = 0;
    for (const ph of p.hunks ?? []) {
      const hit = hunks.find((fh) => hunksOverlap(fh, ph));
      if (hit) {
        hunkHits++;
        why.push(`fixup hunk at ${hit.path}:${hit.oldStart} overlaps the patch's hunk at line ${ph.newStart}`);
      }
    }
    let contentHits = 0;
    if (p.diff) {
      const added = addedByPath(p.diff);
      for (const h of hunks) {
        if (!touchesAddedLines(h, added.get(h.path))) continue;
        contentHits++;
        why.push(`fixup hunk at ${h.path}:${h.oldStart} rewrites lines this patch added`);
      }
    }
    out.push({ number: p.number, messageId: p.messageId, score: shared.length * FILE_SCORE + hunkHits * HUNK_SCORE + contentHits * CONTENT_SCORE, contentHits, why });
  }
  out.sort((a, b) => b.score - a.score || a.number - b.number);
  // When some patches added the very lines the fixup rewrites, sharing a file is no longer evidence.
  const strong = out.filter((c) => c.contentHits > 0);
  return { all: out.map(({ contentHits: _c, ...c }) => c), overlapping: (strong.length ? strong : out).map(({ contentHits: _c, ...c }) => c) };
}

function withCandidate(candidates: TargetCandidate[], p: SeriesPatchRef, why: string, bonus: number): TargetCandidate[] {
  const rest = candidates.filter((c) => c.number !== p.number);
  const existing = candidates.find((c) => c.number === p.number);
  const chosen: TargetCandidate = existing
    ? { ...existing, score: existing.score + bonus, why: [why, ...existing.why] }
    : { number: p.number, messageId: p.messageId, score: bonus, why: [why] };
  return [chosen, ...rest];
}

/** Patches whose title matches a quoted subject: exactly, or by prefix when the quote is abbreviated ("x86/entry: Remove ..."). */
function patchesBySubject(quote: string, patches: SeriesPatchRef[]): SeriesPatchRef[] {
  const raw = quote.trim();
  const abbreviated = /(\.\.\.|…)\s*$/.test(raw);
  const q = normalizeTitle(parseSubject(raw.replace(/\s*(\.\.\.|…)\s*$/, '')).title);
  if (q.length < 3) return [];
  const titleOf = (p: SeriesPatchRef) => normalizeTitle(parseSubject(p.title || p.subject).title);
  const exact = patches.filter((p) => titleOf(p) === q);
  if (exact.length) return exact;
  if (abbreviated || q.length >= 15) return patches.filter((p) => titleOf(p).startsWith(q));
  return [];
}

function label(p: SeriesPatchRef, total: number): string {
  return `patch ${p.number}/${total} ("${p.title || p.subject}")`;
}

export function targetFixup(fixup: FixupDraft, ctx: TargetContext): FixupTarget {
  const patches = ctx.seriesPatches;
  const total = patches.reduce((m, p) => Math.max(m, p.number), 0);
  const byNumber = new Map(patches.map((p) => [p.number, p]));
  const overlap = overlapCandidates(fixup, patches);
  const candidates = overlap.all;
  const chosen = (p: SeriesPatchRef, evidence: TargetEvidence, reason: string, why: string): FixupTarget => ({
    number: p.number,
    messageId: p.messageId,
    reason,
    evidence,
    candidates: withCandidate(candidates, p, why, 100),
  });

  // 1. The reply's own words.
  for (const t of fixup.explicitTargets) {
    if (t.number !== null) {
      const p = byNumber.get(t.number);
      // "3/8" in a 14-patch series talks about another series.
      if (!p || (t.total !== null && t.total < total)) continue;
      return chosen(p, 'explicit', `explicit: '${t.phrase}'`, `the reply says "${t.phrase}"`);
    }
    if (t.subjectQuote !== null) {
      const hits = patchesBySubject(t.subjectQuote, patches);
      if (hits.length === 1) return chosen(hits[0], 'explicit', `explicit: '${t.phrase}'`, `the reply names its subject: "${t.phrase}"`);
    }
  }

  // 2. fixup! / squash! <subject>.
  const parsed = fixup.subject ? parseSubject(fixup.subject) : null;
  const squashOf = parsed?.isFixupBang ? parsed.title : null;
  if (squashOf) {
    const hits = patchesBySubject(squashOf, patches);
    if (hits.length === 1) {
      return chosen(hits[0], 'fixup-subject', `fixup-subject: '${fixup.subject}' names ${label(hits[0], total)}`, `its subject is "${fixup.subject}"`);
    }
  }

  // 3. The patch it replies to.
  if (!ctx.parentIsCover) {
    const parent =
      (ctx.parentPatchNumber !== null ? byNumber.get(ctx.parentPatchNumber) : undefined) ??
      (ctx.parentMessageId !== null ? patches.find((p) => p.messageId === ctx.parentMessageId) : undefined);
    if (parent) return chosen(parent, 'parent', `parent: the fixup is a reply to ${label(parent, total)}`, 'the fixup replies to this patch');
  }

  // 4. The only patch touching the same files (or the only one that added the lines the fixup rewrites).
  if (overlap.overlapping.length === 1) {
    const only = overlap.overlapping[0];
    const p = byNumber.get(only.number);
    if (p) {
      const files = fixup.files.filter((f) => p.files.includes(f));
      const byContent = only.why.some((w) => w.includes('rewrites lines this patch added'));
      const reason = byContent
        ? `file-overlap: only ${label(p, total)} added the lines the fixup rewrites in ${files.join(', ')}`
        : `file-overlap: only ${label(p, total)} touches ${files.join(', ')}`;
      return chosen(p, 'file-overlap', reason, 'the only patch of the series the fixup overlaps');
    }
  }
  const reason =
    overlap.overlapping.length > 1
      ? `none: patches ${overlap.overlapping.map((c) => c.number).join(', ')} overlap the fixup and the reply does not say which one it fixes`
      : 'none: no patch of the series touches the files of the fixup, and the reply does not name one';
  return { number: null, messageId: null, reason, evidence: 'none', candidates };
}
