/**
 * What became of a fixup. Derived states, checked in this order:
 *
 * - applied: a commit notice (tip-bot, "applied, thanks" notice parsed upstream) whose
 *   title equals the fixup's subject (case and spacing ignored). The fix went in as its
 *   own commit.
 * - folded: a later version of the target patch contains the fixup's change: more than
 *   half of the fixup's non-trivial '+' lines are '+' lines of the later patch in the
 *   same file, and (nearly) none of its '-' lines is still added by the later patch — a
 *   '-' line that removed something the original patch added must be gone. A fixup that
 *   only removes lines counts as folded when the later patch touches its files and no
 *   longer adds any of them. Lines are compared with whitespace collapsed, so mailer
 *   whitespace damage does not matter; trivial lines ("}", blank) are ignored.
 * - superseded: a later fixup by the same author touching at least one of the same files
 *   that says it replaces this one ("v2 of the fixup", "updated fixup", "ignore my
 *   previous patch"), carries the identical subject, or is the identical change.
 * - pending: none of the above.
 *
 * `dropped` is never derived: only a maintainer sets it by hand.
 */
import { changedLines, parseDiff, type FileDiff } from '../diff.ts';
import type { FixupDraft } from './extract.ts';

export type FixupStateName = 'pending' | 'folded' | 'applied' | 'superseded';

export interface LaterVersion {
  version: number;
  messageId: string;
  diff: FileDiff[];
}

export interface CommitNotice {
  title: string;
  commit: string | null;
}

export interface FixupStateInput {
  fixup: FixupDraft;
  laterVersionsOfTarget: LaterVersion[];
  commitNotices: CommitNotice[];
  /** Same thread, later, same files. */
  laterFixups: FixupDraft[];
}

export interface FixupState {
  state: FixupStateName;
  reason: string;
  by?: string;
}

const MIN_LINE = 3;

function norm(line: string): string {
  return line.replace(/\s+/g, ' ').trim();
}

function nonTrivial(lines: string[]): string[] {
  return lines.map(norm).filter((l) => l.length >= MIN_LINE);
}

function titleKey(s: string): string {
  return s.replace(/\s+/g, ' ').trim().toLowerCase();
}

interface FoldCheck {
  folded: boolean;
  added: number;
  matched: number;
  removed: number;
  stillAdded: number;
}

function foldCheck(fixupFiles: FileDiff[], later: FileDiff[]): FoldCheck {
  const fix = changedLines(fixupFiles);
  const laterLines = changedLines(later);
  let added = 0;
  let matched = 0;
  let removed = 0;
  let stillAdded = 0;
  let touchesAll = true;
  for (const [path, change] of fix) {
    const other = laterLines.get(path);
    if (!other) touchesAll = false;
    const laterAdded = new Set(nonTrivial(other?.added ?? []));
    for (const l of nonTrivial(change.added)) {
      added++;
      if (laterAdded.has(l)) matched++;
    }
    for (const l of nonTrivial(change.removed)) {
      removed++;
      if (laterAdded.has(l)) stillAdded++;
    }
  }
  // Tolerate a minority of removed lines that the later patch adds again elsewhere (common lines like "return 0;").
  const removedGone = removed === 0 || stillAdded * 2 < removed;
  let folded: boolean;
  if (added > 0) folded = matched * 2 > added && removedGone;
  else folded = removed > 0 && touchesAll && stillAdded === 0;
  return { folded, added, matched, removed, stillAdded };
}

const REPLACES =
  /\b(?:v\d+|version\s+\d+|new(?:er)?\s+version|updated|revised|respun|corrected|fixed|better|improved|replacement|amended)\s+(?:\w+\s+){0,3}?(?:of\s+(?:the|my|this)\s+)?(?:fixup|fix-up|fix|patch|diff|version)\b|\b(?:replaces?|supersedes?|instead\s+of)\s+(?:the|my)\s+(?:previous|earlier|last|first|other|old)\b|\bignore\s+(?:the|my)\s+(?:previous|earlier|last|first|other|old)\b|\b(?:v\d+|version\s+\d+)\s+of\s+(?:the|my|this)\s+(?:fixup|fix-up|fix|patch|diff)\b/i;

function saysReplaces(f: FixupDraft): string | null {
  for (const text of [f.subject ?? '', f.preamble, f.description]) {
    const m = REPLACES.exec(text.slice(0, 10_000));
    if (m) return m[0];
  }
  return null;
}

export function fixupState(input: FixupStateInput): FixupState {
  const { fixup } = input;

  if (fixup.subject) {
    const key = titleKey(fixup.subject);
    const notice = input.commitNotices.find((n) => titleKey(n.title) === key);
    if (notice) {
      return {
        state: 'applied',
        reason: `applied: a commit notice announces "${notice.title}"${notice.commit ? ` as ${notice.commit}` : ''}`,
        by: notice.commit ?? notice.title,
      };
    }
  }

  const fixupFiles = parseDiff(fixup.diff);
  for (const later of [...input.laterVersionsOfTarget].sort((a, b) => a.version - b.version)) {
    const c = foldCheck(fixupFiles, later.diff);
    if (!c.folded) continue;
    const what = c.added > 0 ? `${c.matched} of the ${c.added} lines the fixup adds` : `none of the ${c.removed} lines the fixup removes`;
    const removedNote = c.added > 0 && c.removed > 0 ? `, and ${c.removed - c.stillAdded} of the ${c.removed} lines it removes are no longer added` : '';
    return { state: 'folded', reason: `folded: v${later.version} of the target patch contains ${what}${removedNote}`, by: later.messageId };
  }

  const email = fixup.author.email.toLowerCase();
  const files = new Set(fixup.files);
  for (const later of input.laterFixups) {
    if (later.messageId === fixup.messageId && later.index === fixup.index) continue;
    if (later.author.email.toLowerCase() !== email || !later.files.some((f) => files.has(f))) continue;
    let why: string | null = null;
    if (later.patchId === fixup.patchId) why = 'the same change was posted again';
    else if (fixup.subject && later.subject && titleKey(later.subject) === titleKey(fixup.subject)) why = `a later fixup has the same subject "${later.subject}"`;
    else {
      const words = saysReplaces(later);
      if (words) why = `a later fixup says "${words}"`;
    }
    if (why) return { state: 'superseded', reason: `superseded: ${why}`, by: later.messageId };
  }

  return { state: 'pending', reason: 'pending: no later version contains it, no commit notice names it, and no later fixup replaces it' };
}
