/**
 * What one thread says, computed from its messages alone: series, trailers, inline fixups
 * and their targets, build reports and what replies say about them, commit notices,
 * syscall-table changes and the links around them. Pure: the pipeline stores the result,
 * and the cross-thread facts (versions, applied marks, breakage grouping, status) are
 * decided afterwards over the stored results.
 */
import { createHash } from 'node:crypto';
import type { FileDiff } from './diff.ts';
import { ownText } from './mail/quote.ts';
import type { Address, Mail } from './mail/types.ts';
import { parseSubject } from './subject.ts';
import { ancestorsOf, parentOf } from './threading.ts';
import { assembleSeries, isPatchMail, patchFiles, type SeriesDraft } from './series.ts';
import { collectSeriesTrailers, trailersGivenIn, type GivenTrailer } from './trailers.ts';
import { parseCommitNotice, type CommitNotice } from './applied.ts';
import { extractFixups, targetFixup, type FixupDraft, type FixupTarget, type SeriesPatchRef } from './fixups/index.ts';
import { detectInvalid, detectPreExisting, extractBuildReport, fixClaims, primaryError, type BuildReport, type FixClaim } from './buildlog/index.ts';
import { linkToSyscallChanges, syscallChangesFromDiff, syscallMentions, type SyscallChange } from './syscalls/index.ts';
import { detectObjection, detectWithdrawal } from './status.ts';

export interface AnalysedSeries {
  draft: SeriesDraft;
  trailers: Map<number, GivenTrailer[]>;
  diffs: Map<number, FileDiff[]>;
  syscallChanges: (SyscallChange & { patchNumber: number; messageId: string; date: Date | null; localId: string })[];
  replyCount: number;
  nacks: { by: Address; messageId: string }[];
  objections: { by: Address; messageId: string; quote: string }[];
  withdrawn: { messageId: string; quote: string } | null;
}

export interface AnalysedFixup {
  key: string;
  draft: FixupDraft;
  seriesKey: string | null;
  target: FixupTarget;
  syscallLinks: { localId: string; reason: string }[];
}

export interface AnalysedReport {
  messageId: string;
  report: BuildReport;
  date: Date | null;
  inReplyTo: string | null;
  seriesKey: string | null;
  patchNumber: number | null;
  primarySignature: string | null;
  syscallLinks: { localId: string; reason: string }[];
}

export interface AnalysedVerdict {
  messageId: string;
  kind: 'pre-existing' | 'invalid';
  ref: string | null;
  refs: string[];
  quote: string;
  /** The report the statement is about: the nearest report among the message's ancestors. */
  reportMessageId: string;
  author: Address;
  date: Date | null;
}

export interface ThreadAnalysis {
  series: AnalysedSeries[];
  fixups: AnalysedFixup[];
  reports: AnalysedReport[];
  verdicts: AnalysedVerdict[];
  notices: (CommitNotice & { messageId: string; date: Date | null })[];
  claims: (FixClaim & { messageId: string; fixupKey: string | null })[];
  /** Messages (not patches, fixups or reports) that name a changed syscall, table or build step. */
  messageLinks: { messageId: string; localId: string; reason: string }[];
}

function threadInput(m: Mail) {
  return { messageId: m.messageId, inReplyTo: m.inReplyTo, references: m.references, subject: m.subject, date: m.date };
}

const fixupKey = (f: FixupDraft) => `${f.messageId}#${f.index}`;

/**
 * A key short enough for a btree index (PostgreSQL refuses entries over 2704 bytes): hostile
 * mail can carry a megabyte-long error line. Long keys keep their start and gain a hash, so
 * two different long keys stay different.
 */
export function indexableKey(key: string): string {
  if (key.length <= 600) return key;
  return `${key.slice(0, 500)}…#${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}

export function analyseThread(mails: Mail[]): ThreadAnalysis {
  const byId = new Map(mails.map((m) => [m.messageId, m]));
  // A commit notice (tip-bot, a git commit mail) carries a diff but is not a posting.
  const noticeOf = new Map(mails.flatMap((m) => {
    const n = parseCommitNotice(m);
    return n ? [[m.messageId, n] as const] : [];
  }));
  const isBotNotice = (id: string) => {
    const kind = noticeOf.get(id)?.kind;
    return kind === 'tip-bot' || kind === 'tip-bot2' || kind === 'git-commit';
  };
  const drafts = assembleSeries(mails).filter(
    (d) => (!d.isPullRequest || d.patches.length > 0 || d.coverMessageId) && !(d.patches.length > 0 && d.patches.every((p) => isBotNotice(p.messageId))),
  );

  // Where each message sits: its series, and the patch it answers (nearest patch ancestor).
  const seriesOfMessage = new Map<string, SeriesDraft>();
  const patchOfMessage = new Map<string, { draft: SeriesDraft; number: number }>();
  for (const d of drafts) {
    for (const id of d.messageIds) if (!seriesOfMessage.has(id)) seriesOfMessage.set(id, d);
    for (const p of d.patches) patchOfMessage.set(p.messageId, { draft: d, number: p.number });
  }
  const isSeriesPatch = (id: string) => patchOfMessage.has(id);
  const nearestPatch = (m: Mail) => {
    for (const a of ancestorsOf(threadInput(m))) {
      const p = patchOfMessage.get(a);
      if (p) return p;
    }
    return null;
  };

  // Series: diffs, trailers, syscall changes, review facts.
  const series: AnalysedSeries[] = drafts.map((draft) => {
    const diffs = new Map<number, FileDiff[]>();
    const syscallChanges: AnalysedSeries['syscallChanges'] = [];
    for (const p of draft.patches) {
      const mail = byId.get(p.messageId);
      if (!mail) continue;
      const files = patchFiles(mail);
      diffs.set(p.number, files);
      syscallChangesFromDiff(files).forEach((c, i) =>
        syscallChanges.push({ ...c, patchNumber: p.number, messageId: p.messageId, date: p.date, localId: `${p.messageId}#${i}` }),
      );
    }
    const members = draft.messageIds.map((id) => byId.get(id)).filter((m): m is Mail => !!m);
    const trailers = collectSeriesTrailers({
      patches: draft.patches.map((p) => ({ number: p.number, messageId: p.messageId, patchId: p.patchId })),
      coverMessageId: draft.coverMessageId,
      messages: members.map((m) => ({
        messageId: m.messageId,
        parentId: parentOf(threadInput(m)),
        from: m.from,
        ownTrailers: trailersGivenIn(m).trailers,
        isPatch: isSeriesPatch(m.messageId) ? false : isPatchMail(m) && !parseSubject(m.subject).isReply,
      })),
    });
    const replies = members.filter((m) => m.messageId !== draft.coverMessageId && !isSeriesPatch(m.messageId));
    const nacks: AnalysedSeries['nacks'] = [];
    const objections: AnalysedSeries['objections'] = [];
    let withdrawn: AnalysedSeries['withdrawn'] = null;
    const authorEmail = draft.author.email.toLowerCase();
    for (const m of replies) {
      const own = ownText(m.body);
      for (const t of trailersGivenIn(m).trailers) if (t.kind === 'Nacked-by') nacks.push({ by: { name: t.name, email: t.email }, messageId: m.messageId });
      const isAuthor = m.from.email.toLowerCase() === authorEmail;
      if (!isAuthor) {
        const quote = detectObjection(own);
        if (quote) objections.push({ by: m.from, messageId: m.messageId, quote });
      } else {
        const quote = detectWithdrawal(own, true);
        if (quote && !withdrawn) withdrawn = { messageId: m.messageId, quote };
      }
    }
    return { draft, trailers, diffs, syscallChanges, replyCount: replies.length, nacks, objections, withdrawn };
  });
  const analysedOf = new Map(series.map((s) => [s.draft.key, s]));
  const changesOf = (draft: SeriesDraft | null | undefined) =>
    draft ? (analysedOf.get(draft.key)?.syscallChanges ?? []).map((c) => ({ ...c, id: c.localId, label: `patch ${c.patchNumber}/${draft.total}` })) : [];

  // Build reports and what replies say about them.
  const reports: AnalysedReport[] = [];
  const verdicts: AnalysedVerdict[] = [];
  const notices: ThreadAnalysis['notices'] = [];
  for (const m of mails) {
    const notice = noticeOf.get(m.messageId);
    if (notice) notices.push({ ...notice, messageId: m.messageId, date: m.date });
    if (isSeriesPatch(m.messageId)) continue;
    const report = extractBuildReport(m);
    if (report && report.errors.length) {
      const patch = nearestPatch(m);
      const draft = patch?.draft ?? seriesOfMessage.get(m.messageId) ?? null;
      const primary = primaryError(report.errors);
      const text = report.errors.map((e) => e.text).join('\n');
      reports.push({
        messageId: m.messageId,
        report,
        date: m.date,
        inReplyTo: parentOf(threadInput(m)),
        seriesKey: draft?.key ?? null,
        patchNumber: patch?.number ?? null,
        primarySignature: primary ? indexableKey(primary.signature) : null,
        syscallLinks: linkToSyscallChanges(syscallMentions(text), changesOf(draft)).map((l) => ({ localId: l.changeId, reason: l.reason })),
      });
    }
  }
  // Statements about a failure, tied to the nearest report they answer.
  const reportIds = new Set(reports.map((r) => r.messageId));
  // "This breaks the build" is a breakage, tracked as one; it is not also an objection.
  for (const s of series) s.objections = s.objections.filter((o) => !reportIds.has(o.messageId));
  for (const m of mails) {
    if (isSeriesPatch(m.messageId) || reportIds.has(m.messageId)) continue;
    const about = ancestorsOf(threadInput(m)).find((a) => reportIds.has(a));
    if (!about) continue;
    const own = ownText(m.body);
    const pre = detectPreExisting(own);
    if (pre) verdicts.push({ messageId: m.messageId, kind: 'pre-existing', ref: pre.ref, refs: pre.refs, quote: pre.quote, reportMessageId: about, author: m.from, date: m.date });
    const invalid = detectInvalid(own);
    if (invalid) verdicts.push({ messageId: m.messageId, kind: 'invalid', ref: null, refs: [], quote: invalid.quote, reportMessageId: about, author: m.from, date: m.date });
  }

  // Inline fixups: found in replies, targeted within the series they answer.
  const fixups: AnalysedFixup[] = [];
  for (const m of mails) {
    if (isSeriesPatch(m.messageId)) continue;
    const found = extractFixups(m, { isPatchSubmission: false });
    if (found.length === 0) continue;
    const patch = nearestPatch(m);
    const draft = patch?.draft ?? seriesOfMessage.get(m.messageId) ?? null;
    const analysed = draft ? analysedOf.get(draft.key) : undefined;
    const parentId = parentOf(threadInput(m));
    const seriesPatches: SeriesPatchRef[] = (draft?.patches ?? []).map((p) => ({
      number: p.number,
      messageId: p.messageId,
      subject: p.subject,
      title: p.title,
      files: p.files,
      diff: analysed?.diffs.get(p.number),
    }));
    for (const f of found) {
      const target = targetFixup(f, {
        seriesPatches,
        parentMessageId: parentId,
        parentIsCover: !!draft?.coverMessageId && parentId === draft.coverMessageId,
        parentPatchNumber: patch?.number ?? null,
      });
      const mention = syscallMentions(`${f.subject ?? ''}\n${f.description}\n${f.diff}`);
      fixups.push({
        key: fixupKey(f),
        draft: f,
        seriesKey: draft?.key ?? null,
        target,
        syscallLinks: linkToSyscallChanges(mention, changesOf(draft)).map((l) => ({ localId: l.changeId, reason: l.reason })),
      });
    }
  }

  // Fixes that claim reported failures: Closes:/Reported-by:, or a fixup in reply to the report.
  const claims: ThreadAnalysis['claims'] = [];
  if (reports.length) {
    const known = reports.map((r) => ({ messageId: r.messageId, reportedBy: r.report.reportedBy, signatures: r.report.errors.map((e) => e.signature) }));
    const fixMessages = new Set([...fixups.map((f) => f.draft.messageId), ...mails.filter((m) => isPatchMail(m)).map((m) => m.messageId)]);
    for (const id of fixMessages) {
      const m = byId.get(id);
      if (!m) continue;
      const key = fixups.find((f) => f.draft.messageId === id)?.key ?? null;
      for (const c of fixClaims(m, known)) claims.push({ ...c, messageId: id, fixupKey: key });
    }
  }

  // Other messages that name a changed syscall, a changed table or a build step reading one.
  const messageLinks: ThreadAnalysis['messageLinks'] = [];
  const covered = new Set([...fixups.map((f) => f.draft.messageId), ...reports.map((r) => r.messageId)]);
  for (const m of mails) {
    if (isSeriesPatch(m.messageId) || covered.has(m.messageId)) continue;
    const draft = seriesOfMessage.get(m.messageId);
    const changes = changesOf(draft);
    if (changes.length === 0) continue;
    for (const l of linkToSyscallChanges(syscallMentions(ownText(m.body)), changes)) messageLinks.push({ messageId: m.messageId, localId: l.changeId, reason: l.reason });
  }

  return { series, fixups, reports, verdicts, notices, claims, messageLinks };
}
