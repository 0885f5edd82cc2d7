/**
 * Finding inline fixup patches in a reply: a diff in the author's own text (never in
 * `>` quoted text), after a scissors line, a row of dashes with From:/Date:/Subject:,
 * an in-body Subject: block, "I have applied the following patch", or bare; in a
 * patch attachment; or a whole `fixup! <subject>` message. The diff is kept byte-exact.
 */
import { filesTouched, findDiffs, patchId, type DiffBlock, type FileDiff } from '../diff.ts';
import { isQuotedLine, ownLines } from '../mail/quote.ts';
import type { Address, Mail, MailAttachment } from '../mail/types.ts';
import { findExplicitTargets, targetsFromFixesTrailers, type ExplicitTarget } from './explicit.ts';
import { FORMAT_PATCH_FROM, opensHeaderBlock, parseTrailer, readPseudoHeaders, type PseudoHeaders, type Trailer } from './pseudo.ts';
import { isScissorsLine } from './scissors.ts';
import { parseSubject, type SubjectInfo } from '../subject.ts';

export type FixupForm = 'scissors' | 'dashes-headers' | 'subject-block' | 'bare' | 'applied-following' | 'attachment' | 'fixup-subject';

export type FixupTrailer = Trailer;

export interface FixupDraft {
  messageId: string;
  form: FixupForm;
  /** From the in-body Subject: (or the message's own [PATCH] subject), stripped of [PATCH]. */
  subject: string | null;
  /** Text between the in-body headers and the diff, without trailers and the `---` diffstat. */
  description: string;
  /** In-body From: wins over the mail's From:. */
  author: Address;
  /** In-body Date: wins over the mail's Date:. */
  date: Date | null;
  trailers: FixupTrailer[];
  files: string[];
  /** The diff exactly as sent: `git apply --check` accepts it against the right preimage. */
  diff: string;
  patchId: string;
  explicitTargets: ExplicitTarget[];
  /** 0-based: the nth fixup in the message. */
  index: number;
  /** The reply's own words before the fixup ("Fixup patch below; could be folded with patch 8/8"), for the UI and for supersede checks. */
  preamble: string;
}

export interface ExtractOptions {
  /** The caller's verdict that the message is a patch submission; when absent the subject decides. */
  isPatchSubmission?: boolean;
}

const MAX_DESCRIPTION = 20_000;
const MAX_PREAMBLE = 4_000;
const MAX_PREAMBLE_LINES = 80;
const MAX_DESCRIPTION_LINES = 1_000;
const MAX_SCAN_LINE = 2_000;
/** More inline patches than this in one message is a patch bomb or an archive, not review. */
const MAX_FIXUPS = 100;
/** Stephen Rothwell's linux-next wording: "I have applied the following patch for today", "I also needed this merge fix patch". */
const APPLIED_FOLLOWING =
  /\b(?:I\s+(?:have\s+|also\s+|just\s+){0,3}(?:applied|needed|added)|I've\s+(?:also\s+)?(?:applied|needed|added)|I\s+am\s+applying|applying)\s+(?:the\s+following|this)\s+(?:(?:merge\s+)?fix(?:\s*-?up)?(?:\s+patch)?|patch|commit)\b/i;
const APPLIED_HINT = /appl|needed|added/i;
const OUTLOOK_CUT = /^\s*-{3,}\s*Original Message\s*-{3,}\s*$/i;
const OUTLOOK_RULE = /^_{20,}\s*$/;
const DASHES = /^-{2,}\s*$/;
const DIFFSTAT_CUT = /^---\s*$/;
const INLINE_PATCH_TITLE = /^\[[^\]\n]{0,100}PATCH[^\]\n]{0,100}\]\s*(\S.*)$/i;
const PATCH_ATTACHMENT_TYPES = new Set(['text/x-patch', 'text/x-diff', 'application/x-patch', 'application/x-diff', 'text/x-diff-patch']);

/** Which lines of the body the author wrote: not `>` quoted, not an attribution, not below an Outlook "Original Message" line. */
function ownMask(body: string, lines: string[]): Uint8Array {
  const own = new Uint8Array(lines.length);
  for (const l of ownLines(body)) own[l.index] = 1;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].length > 200) continue;
    // Outlook quotes without '>': everything below its separator is the message replied to.
    if (OUTLOOK_CUT.test(lines[i]) || (OUTLOOK_RULE.test(lines[i]) && /^From:\s/.test(lines[i + 1] ?? ''))) {
      own.fill(0, i);
      break;
    }
  }
  return own;
}

function isPullRequest(mail: Mail, subject: SubjectInfo): boolean {
  if (subject.isReply) return false;
  if (subject.isPullRequest) return true;
  const head = mail.body.slice(0, 20_000);
  return head.includes('are available in the Git repository at') || head.includes('are available in the git repository at');
}

/**
 * tip-bot, git-commits and Andrew Morton's mm-commits notifications carry the committed
 * diff (mm-commits even with a dashes + From:/Subject: block); they are evidence of
 * `applied`, never fixups.
 */
function isCommitNotice(mail: Mail, subject: SubjectInfo): boolean {
  if (subject.isReply) return false;
  if (subject.prefixes.some((t) => /^(tip:|tip-bot|git commit\b|merged\b)/i.test(t))) return true;
  if (/\.patch (?:added to|removed from) /i.test(subject.title)) return true;
  const head = mail.body.slice(0, 4000);
  if (/^The patch titled\s*$/m.test(head) && /has been (?:added to|removed from) the -mm /.test(head)) return true;
  return /^Commit-ID:\s+[0-9a-f]{7,40}\s*$/m.test(head) && /^Gitweb:\s/m.test(head);
}

/**
 * Without the caller's verdict: a [PATCH] subject that is not a reply is a submission,
 * except a [PATCH] without N/M sent in reply to a message it quotes (Ingo's
 * "[PATCH] x86/entry: Fix SYS_NI() build failure" answering patch 4/18).
 */
function looksLikeSubmission(mail: Mail, subject: SubjectInfo, lines: string[], blocks: DiffBlock[]): boolean {
  if (subject.isReply || !subject.isPatch) return false;
  if (mail.inReplyTo && subject.number === null) {
    const until = blocks.length ? blocks[0].startLine : lines.length;
    for (let i = 0; i < until; i++) if (isQuotedLine(lines[i])) return false;
  }
  return true;
}

interface Group {
  start: number;
  end: number;
  blocks: DiffBlock[];
}

/** Diff blocks separated only by blank lines are one patch. */
function groupBlocks(blocks: DiffBlock[], lines: string[]): Group[] {
  const groups: Group[] = [];
  for (const b of blocks) {
    const last = groups.at(-1);
    if (last) {
      let blank = true;
      for (let i = last.end; i < b.startLine && blank; i++) if (lines[i].trim() !== '') blank = false;
      if (blank) {
        last.end = b.endLine;
        last.blocks.push(b);
        continue;
      }
    }
    groups.push({ start: b.startLine, end: b.endLine, blocks: [b] });
  }
  return groups;
}

function exactText(lines: string[], g: Group): string {
  return g.blocks.length === 1 ? g.blocks[0].text : lines.slice(g.start, g.end).join('\n') + '\n';
}

interface Described {
  form: FixupForm;
  headers: PseudoHeaders | null;
  subject: string | null;
  /** First line of the description. */
  descStart: number;
  /** One past the last line of preamble: the marker line (or, for "applied the following", the line after the phrase). */
  preambleEnd: number;
}

/** Own lines of [from, to), at most `maxLines` of them: the first ones, or the last ones when `fromEnd`. */
function ownSlice(lines: string[], own: Uint8Array, from: number, to: number, maxLines = MAX_DESCRIPTION_LINES, fromEnd = false): string[] {
  const out: string[] = [];
  if (fromEnd) {
    for (let i = to - 1; i >= from && out.length < maxLines; i--) if (own[i]) out.push(lines[i]);
    return out.reverse();
  }
  for (let i = from; i < to && out.length < maxLines; i++) if (own[i]) out.push(lines[i]);
  return out;
}

function lastQuotedBefore(own: Uint8Array, from: number, to: number): number {
  for (let i = to - 1; i >= from; i--) if (!own[i]) return i;
  return -1;
}

/** The last in-body header block in [from, to) that has a Subject:, or both From: and Date:. */
function findHeaderBlock(lines: string[], own: Uint8Array, from: number, to: number): PseudoHeaders | null {
  let found: PseudoHeaders | null = null;
  for (let i = from; i < to; i++) {
    if (!own[i] || lines[i].length > MAX_SCAN_LINE || !opensHeaderBlock(lines[i])) continue;
    const h = readPseudoHeaders(lines, i, to, own);
    if (!h) continue;
    if (h.subject !== null || (h.from && h.date)) found = h;
    i = Math.max(i, h.end - 1);
  }
  return found;
}

function describe(lines: string[], own: Uint8Array, from: number, to: number, isReply: boolean, ownPatchTitle: string | null): Described | null {
  let scissors = -1;
  let applied = -1;
  /** The last line of the "applied the following" phrase, which may wrap onto the next line. */
  let appliedEnd = -1;
  for (let i = from; i < to; i++) {
    if (!own[i] || lines[i].length > MAX_SCAN_LINE) continue;
    if (isScissorsLine(lines[i])) scissors = i;
    else if (APPLIED_HINT.test(lines[i]) || (i + 1 < to && APPLIED_HINT.test(lines[i + 1]))) {
      if (APPLIED_FOLLOWING.test(lines[i])) {
        applied = appliedEnd = i;
      } else if (i + 1 < to && own[i + 1] && lines[i + 1].length <= MAX_SCAN_LINE && APPLIED_FOLLOWING.test(`${lines[i]} ${lines[i + 1]}`)) {
        applied = i;
        appliedEnd = i + 1;
      }
    }
  }
  if (scissors >= 0) {
    const headers = readPseudoHeaders(lines, scissors + 1, to, own);
    if (headers) return { form: 'scissors', headers, subject: headers.subject, descStart: headers.end, preambleEnd: scissors };
    // Jeff Layton's form: the scissors, then "[PATCH] title" as the first line.
    let i = scissors + 1;
    while (i < to && own[i] && lines[i].trim() === '') i++;
    const title = i < to && own[i] && lines[i].length < 1000 ? INLINE_PATCH_TITLE.exec(lines[i].trim()) : null;
    if (title) return { form: 'scissors', headers: null, subject: title[1], descStart: i + 1, preambleEnd: scissors };
    return { form: 'scissors', headers: null, subject: null, descStart: scissors + 1, preambleEnd: scissors };
  }
  if (applied >= 0) {
    const headers = findHeaderBlock(lines, own, appliedEnd + 1, to);
    return { form: 'applied-following', headers, subject: headers?.subject ?? null, descStart: headers ? headers.end : appliedEnd + 1, preambleEnd: appliedEnd + 1 };
  }
  const headers = findHeaderBlock(lines, own, from, to);
  if (headers) {
    let j = headers.start - 1;
    if (j >= from && FORMAT_PATCH_FROM.test(lines[j])) j--;
    while (j >= from && own[j] && lines[j].trim() === '') j--;
    const dashes = j >= from && own[j] === 1 && DASHES.test(lines[j]);
    // Without a separator only a Subject: makes a header block an inline patch (a stray From:/Date: pair is not one).
    if (dashes || fixupSubjectText(headers.subject) !== null) {
      return { form: dashes ? 'dashes-headers' : 'subject-block', headers, subject: headers.subject, descStart: headers.end, preambleEnd: dashes ? j : headers.start };
    }
  }
  const q = lastQuotedBefore(own, from, to);
  const start = q >= 0 ? q + 1 : from;
  if (ownPatchTitle !== null) return { form: 'subject-block', headers: null, subject: ownPatchTitle, descStart: start, preambleEnd: start };
  if (isReply) return { form: 'bare', headers: null, subject: null, descStart: start, preambleEnd: start };
  return null;
}

/** Description lines up to the `---` before the diffstat, with trailers taken out. */
function splitDescription(lines: string[]): { description: string; trailers: Trailer[]; trailerLines: string[] } {
  const kept: string[] = [];
  const trailers: Trailer[] = [];
  const trailerLines: string[] = [];
  for (const line of lines) {
    if (DIFFSTAT_CUT.test(line)) break;
    if (FORMAT_PATCH_FROM.test(line)) continue;
    const t = parseTrailer(line);
    if (t) {
      trailers.push(t);
      trailerLines.push(line);
      continue;
    }
    kept.push(line);
  }
  while (kept.length && kept[0].trim() === '') kept.shift();
  while (kept.length && kept[kept.length - 1].trim() === '') kept.pop();
  return { description: kept.join('\n').slice(0, MAX_DESCRIPTION), trailers, trailerLines };
}

function trimText(lines: string[], max: number, keepEnd = false): string {
  const t = lines.join('\n').trim();
  return keepEnd ? t.slice(Math.max(0, t.length - max)).trim() : t.slice(0, max);
}

/** A subject without [PATCH ...] tags; a fixup!/squash! marker is kept, since it says where the fixup goes. */
export function fixupSubjectText(s: string | null): string | null {
  if (s === null) return null;
  const parsed = parseSubject(s);
  if (!parsed.title) return null;
  return parsed.isFixupBang ? `${parsed.isFixupBang}! ${parsed.title}` : parsed.title;
}

function mergeTargets(...lists: ExplicitTarget[][]): ExplicitTarget[] {
  const out: ExplicitTarget[] = [];
  const seen = new Set<string>();
  for (const list of lists) for (const t of list) {
    const key = `${t.number}/${t.total}/${t.subjectQuote?.toLowerCase() ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(t);
  }
  return out;
}

function draft(mail: Mail, form: FixupForm, fields: {
  headers: PseudoHeaders | null;
  subject: string | null;
  descLines: string[];
  preamble: string;
  files: FileDiff[];
  diff: string;
  extraTargetText: string;
}): Omit<FixupDraft, 'index'> {
  const { description, trailers, trailerLines } = splitDescription(fields.descLines);
  let explicit = findExplicitTargets(`${fields.preamble}\n\n${description}`);
  if (explicit.length === 0 && fields.extraTargetText) explicit = findExplicitTargets(fields.extraTargetText);
  return {
    messageId: mail.messageId,
    form,
    subject: fixupSubjectText(fields.subject),
    description,
    author: fields.headers?.from ?? mail.from,
    date: fields.headers?.date ?? mail.date,
    trailers,
    files: filesTouched(fields.files),
    diff: fields.diff,
    patchId: patchId(fields.files),
    explicitTargets: mergeTargets(explicit, targetsFromFixesTrailers(trailerLines)),
    preamble: fields.preamble,
  };
}

export function isPatchAttachment(a: MailAttachment): boolean {
  if (a.text === null || a.text === '') return false;
  const type = a.contentType.toLowerCase().split(';')[0].trim();
  if (PATCH_ATTACHMENT_TYPES.has(type)) return true;
  return /\.(patch|diff)$/i.test(a.filename ?? '') && (type === 'text/plain' || type === 'application/octet-stream' || type.startsWith('text/'));
}

function fromAttachment(mail: Mail, a: MailAttachment, ownProse: string): Omit<FixupDraft, 'index'> | null {
  const lines = (a.text ?? '').replace(/\r\n?/g, '\n').split('\n');
  const blocks = findDiffs(lines);
  if (blocks.length === 0) return null;
  const all = new Uint8Array(lines.length).fill(1);
  const headers = readPseudoHeaders(lines, 0, blocks[0].startLine, all);
  const descStart = headers ? headers.end : 0;
  return draft(mail, 'attachment', {
    headers,
    subject: headers?.subject ?? null,
    descLines: lines.slice(descStart, blocks[0].startLine),
    preamble: ownProse.slice(0, MAX_PREAMBLE),
    files: blocks.flatMap((b) => b.files),
    diff: blocks.map((b) => b.text).join(''),
    extraTargetText: '',
  });
}

/** Every fixup patch a message carries, in order. Never throws on hostile mail. */
export function extractFixups(mail: Mail, opts: ExtractOptions = {}): FixupDraft[] {
  const subject = parseSubject(mail.subject ?? '');
  if (isPullRequest(mail, subject) || isCommitNotice(mail, subject)) return [];
  const body = mail.body ?? '';
  const lines = body.split('\n');
  const own = ownMask(body, lines);
  const blocks = findDiffs(lines).filter((b) => {
    for (let i = b.startLine; i < b.endLine; i++) if (!own[i]) return false;
    return true;
  });
  // The words nearest the fixup matter: the end of the text before it, the start of the text after it.
  const proseBefore = (from: number, to: number) => trimText(ownSlice(lines, own, from, to, MAX_PREAMBLE_LINES, true), MAX_PREAMBLE, true);
  const proseAfter = (from: number, to: number) => trimText(ownSlice(lines, own, from, to, MAX_PREAMBLE_LINES), MAX_PREAMBLE);

  // `fixup! <subject>` / `squash! <subject>`: the whole message is one fixup, submission or not.
  if (!subject.isReply && subject.isFixupBang !== null) {
    const attachments = mail.attachments.filter(isPatchAttachment);
    const files = blocks.flatMap((b) => b.files);
    let diff = blocks.map((b) => b.text).join('');
    if (blocks.length === 0) {
      for (const a of attachments) {
        const ab = findDiffs((a.text ?? '').replace(/\r\n?/g, '\n'));
        files.push(...ab.flatMap((b) => b.files));
        diff += ab.map((b) => b.text).join('');
      }
    }
    if (!diff) return [];
    const firstDiff = blocks.length ? blocks[0].startLine : lines.length;
    const q = lastQuotedBefore(own, 0, firstDiff);
    return [{
      ...draft(mail, 'fixup-subject', {
        headers: null,
        subject: mail.subject,
        descLines: ownSlice(lines, own, q + 1, firstDiff),
        preamble: '',
        files,
        diff,
        extraTargetText: '',
      }),
      index: 0,
    }];
  }

  const submission = opts.isPatchSubmission ?? looksLikeSubmission(mail, subject, lines, blocks);
  if (submission) return [];
  // A bare diff counts only in a real reply: "Re:", or threaded under a message it quotes. A
  // non-"Re:" message that quotes nothing is a patch posted into the thread (patchwork's "orphaned patch").
  const isReply = subject.isReply || ((mail.inReplyTo !== null || mail.references.length > 0) && lines.some((l, i) => !own[i] && isQuotedLine(l)));
  const ownPatchTitle = !subject.isReply && subject.isPatch && subject.title ? subject.title : null;

  const out: Omit<FixupDraft, 'index'>[] = [];
  const groups = groupBlocks(blocks, lines);
  let prevEnd = 0;
  for (let g = 0; g < groups.length && out.length < MAX_FIXUPS; g++) {
    const group = groups[g];
    const d = describe(lines, own, prevEnd, group.start, isReply, ownPatchTitle);
    if (d) {
      const after = proseAfter(group.end, g + 1 < groups.length ? groups[g + 1].start : lines.length);
      out.push(
        draft(mail, d.form, {
          headers: d.headers,
          subject: d.subject,
          descLines: ownSlice(lines, own, d.descStart, group.start),
          preamble: proseBefore(prevEnd, d.preambleEnd),
          files: group.blocks.flatMap((b) => b.files),
          diff: exactText(lines, group),
          extraTargetText: after,
        }),
      );
    }
    prevEnd = group.end;
  }

  if (isReply) {
    const prose = proseBefore(0, lines.length);
    for (const a of mail.attachments) {
      if (out.length >= MAX_FIXUPS) break;
      if (!isPatchAttachment(a)) continue;
      const f = fromAttachment(mail, a, prose);
      if (f) out.push(f);
    }
  }
  return out.map((f, index) => ({ ...f, index }));
}
