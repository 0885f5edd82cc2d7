/**
 * Writing what a thread says (lib/analyse.ts) and reading back what the cross-thread pass
 * needs. Every table written here is derived: a thread's rows are replaced whenever the
 * thread changes, keyed so that ids in URLs (series, fixups, breakages) stay stable.
 */
import type { JSONValue, Sql, TransactionSql } from 'postgres';
import type { ThreadAnalysis } from '../analyse.ts';
import type { Mail } from '../mail/types.ts';

type Tx = TransactionSql | Sql;

const json = (tx: Tx, v: unknown) => tx.json(v as JSONValue);

interface MessageRow {
  message_id: string;
  subject: string;
  from_name: string;
  from_email: string;
  date: Date | null;
  in_reply_to: string | null;
  references: string[];
  body: string;
  attachments: Mail['attachments'];
  headers: Record<string, string>;
  thread_id: string;
}

export function rowToMail(r: Omit<MessageRow, 'thread_id'>): Mail {
  return {
    messageId: r.message_id,
    subject: r.subject,
    from: { name: r.from_name, email: r.from_email },
    date: r.date,
    inReplyTo: r.in_reply_to,
    references: r.references,
    body: r.body,
    attachments: r.attachments,
    headers: r.headers,
    flags: [],
  };
}

/** The canonical messages of the given threads, grouped by thread. */
export async function loadThreads(sql: Sql, threadIds: number[]): Promise<Map<number, Mail[]>> {
  const rows = await sql<MessageRow[]>`
    select message_id, subject, from_name, from_email, date, in_reply_to, "references", body, attachments, headers, thread_id
    from messages where thread_id = any(${threadIds}) and canonical order by sort_date, raw_id`;
  const out = new Map<number, Mail[]>(threadIds.map((t) => [t, []]));
  for (const r of rows) out.get(Number(r.thread_id))?.push(rowToMail(r));
  return out;
}

/** Messages by Message-ID (canonical copies). */
export async function loadMails(sql: Sql, messageIds: string[]): Promise<Map<string, Mail>> {
  if (messageIds.length === 0) return new Map();
  const rows = await sql<MessageRow[]>`
    select message_id, subject, from_name, from_email, date, in_reply_to, "references", body, attachments, headers, thread_id
    from messages where message_id = any(${messageIds}) and canonical`;
  return new Map(rows.map((r) => [r.message_id, rowToMail(r)]));
}

/** Replace a thread's derived rows with a new analysis. Returns the ids of its series. */
export async function writeThreadAnalysis(tx: TransactionSql, threadId: number, a: ThreadAnalysis): Promise<number[]> {
  const keys = a.series.map((s) => s.draft.key);
  await tx`delete from series where thread_id = ${threadId} and key <> all(${keys})`;
  const seriesId = new Map<string, number>();
  for (const s of a.series) {
    const d = s.draft;
    const row = {
      key: d.key,
      thread_id: threadId,
      title: d.title,
      version: d.version,
      version_label: d.versionLabel,
      total: d.total,
      rfc: d.rfc,
      resend: d.resend,
      is_pull_request: d.isPullRequest,
      author_name: d.author.name,
      author_email: d.author.email,
      date: d.date,
      cover_message_id: d.coverMessageId,
      received: d.received,
      missing: d.missing,
      change_id: d.changeId,
      in_reply_to: d.inReplyTo,
      message_ids: d.messageIds,
      reply_count: s.replyCount,
      review_facts: json(tx, { nacks: s.nacks, objections: s.objections, withdrawn: s.withdrawn }),
    };
    const [{ id }]: { id: number }[] = await tx`
      insert into series ${tx(row)}
      on conflict (key) do update set thread_id = excluded.thread_id, title = excluded.title, version = excluded.version,
        version_label = excluded.version_label, total = excluded.total, rfc = excluded.rfc, resend = excluded.resend,
        is_pull_request = excluded.is_pull_request, author_name = excluded.author_name, author_email = excluded.author_email,
        date = excluded.date, cover_message_id = excluded.cover_message_id, received = excluded.received, missing = excluded.missing,
        change_id = excluded.change_id, in_reply_to = excluded.in_reply_to, message_ids = excluded.message_ids,
        reply_count = excluded.reply_count, review_facts = excluded.review_facts
      returning id`;
    seriesId.set(d.key, id);
  }
  const ids = [...seriesId.values()];
  if (ids.length) {
    await tx`delete from patches where series_id = any(${ids})`;
    await tx`delete from trailers where series_id = any(${ids})`;
    await tx`delete from syscall_changes where series_id = any(${ids})`;
  }
  const patchRows = a.series.flatMap((s) =>
    s.draft.patches.map((p) => ({
      series_id: seriesId.get(s.draft.key) as number,
      number: p.number,
      message_id: p.messageId,
      subject: p.subject,
      title: p.title,
      author_name: p.author.name,
      author_email: p.author.email,
      date: p.date,
      files: p.files,
      diffstat: json(tx, (s.diffs.get(p.number) ?? []).map((f) => ({ path: f.path, added: f.added, removed: f.removed }))),
      patch_id: p.patchId,
    })),
  );
  if (patchRows.length) await tx`insert into patches ${tx(patchRows)}`;
  const trailerRows = a.series.flatMap((s) =>
    [...s.trailers].flatMap(([number, list]) =>
      list.map((t) => ({ series_id: seriesId.get(s.draft.key) as number, patch_number: number, kind: t.kind, name: t.name, email: t.email, message_id: t.messageId, carried_from: t.carriedFrom ?? null })),
    ),
  );
  if (trailerRows.length) await tx`insert into trailers ${tx(trailerRows)}`;

  const changeId = new Map<string, number>();
  const changes = a.series.flatMap((s) => s.syscallChanges.map((c) => ({ c, seriesId: seriesId.get(s.draft.key) as number })));
  if (changes.length) {
    const inserted: { id: number }[] = await tx`
      insert into syscall_changes ${tx(
        changes.map(({ c, seriesId: sid }) => ({
          series_id: sid,
          patch_number: c.patchNumber,
          message_id: c.messageId,
          table_path: c.table,
          number: c.number,
          abi: c.abi,
          name: c.name,
          old_entry: c.oldEntry,
          new_entry: c.newEntry,
          old_compat: c.oldCompat,
          new_compat: c.newCompat,
          kind: c.kind,
          date: c.date,
        })),
      )} returning id`;
    // INSERT ... VALUES ... RETURNING answers in the order of the VALUES list.
    changes.forEach(({ c }, i) => changeId.set(c.localId, inserted[i].id));
  }

  await tx`delete from commit_notices where thread_id = ${threadId}`;
  if (a.notices.length) {
    await tx`
      insert into commit_notices ${tx(
        a.notices.map((n) => ({
          message_id: n.messageId,
          thread_id: threadId,
          kind: n.kind,
          commit: n.commit,
          branch: n.branch,
          tree: n.tree,
          title: n.title,
          links: n.links,
          in_reply_to: n.inReplyTo,
          author_name: n.author?.name ?? null,
          author_email: n.author?.email ?? null,
          date: n.date,
        })),
      )} on conflict (message_id) do update set thread_id = excluded.thread_id, title = excluded.title, links = excluded.links, in_reply_to = excluded.in_reply_to`;
  }

  const fixupKeys = a.fixups.map((f) => f.key);
  await tx`delete from fixups where thread_id = ${threadId} and key <> all(${fixupKeys})`;
  for (const f of a.fixups) {
    const d = f.draft;
    const row = {
      key: f.key,
      message_id: d.messageId,
      thread_id: threadId,
      series_id: f.seriesKey ? (seriesId.get(f.seriesKey) ?? null) : null,
      form: d.form,
      subject: d.subject,
      description: d.description,
      author_name: d.author.name,
      author_email: d.author.email,
      date: d.date,
      files: d.files,
      diff: d.diff,
      patch_id: d.patchId,
      trailers: json(tx, d.trailers.map((t) => ({ kind: t.kind, name: t.name, email: t.email }))),
      explicit_targets: json(tx, d.explicitTargets),
      target_number: f.target.number,
      target_message_id: f.target.messageId,
      target_reason: f.target.reason,
      target_evidence: f.target.evidence,
      candidates: json(tx, f.target.candidates),
      preamble: d.preamble,
    };
    await tx`
      insert into fixups ${tx(row)}
      on conflict (key) do update set message_id = excluded.message_id, thread_id = excluded.thread_id, series_id = excluded.series_id,
        form = excluded.form, subject = excluded.subject, description = excluded.description, author_name = excluded.author_name,
        author_email = excluded.author_email, date = excluded.date, files = excluded.files, diff = excluded.diff, patch_id = excluded.patch_id,
        trailers = excluded.trailers, explicit_targets = excluded.explicit_targets, target_number = excluded.target_number,
        target_message_id = excluded.target_message_id, target_reason = excluded.target_reason, target_evidence = excluded.target_evidence,
        candidates = excluded.candidates, preamble = excluded.preamble`;
  }

  await tx`delete from build_reports where thread_id = ${threadId}`;
  if (a.reports.length) {
    await tx`
      insert into build_reports ${tx(
        a.reports.map((r) => ({
          message_id: r.messageId,
          thread_id: threadId,
          kind: r.report.kind,
          reporter_name: r.report.reportedBy.name,
          reporter_email: r.report.reportedBy.email,
          date: r.date,
          context: json(tx, r.report.context),
          patch_subject: r.report.patchSubject,
          patch_link: r.report.patchLink,
          in_reply_to: r.inReplyTo,
          errors: json(tx, r.report.errors),
          signatures: r.report.errors.map((e) => e.signature),
          primary_signature: r.primarySignature,
          series_key: r.seriesKey,
          patch_number: r.patchNumber,
        })),
      )} on conflict (message_id) do nothing`;
  }
  await tx`delete from build_verdicts where thread_id = ${threadId}`;
  if (a.verdicts.length) {
    await tx`
      insert into build_verdicts ${tx(
        a.verdicts.map((v) => ({
          message_id: v.messageId,
          thread_id: threadId,
          kind: v.kind,
          ref: v.ref,
          refs: v.refs,
          quote: v.quote,
          report_message_id: v.reportMessageId,
          author_name: v.author.name,
          date: v.date,
        })),
      )}`;
  }
  await tx`delete from fix_claims where thread_id = ${threadId}`;
  if (a.claims.length) {
    await tx`
      insert into fix_claims ${tx(a.claims.map((c) => ({ thread_id: threadId, message_id: c.messageId, fixup_key: c.fixupKey, report_message_id: c.reportMessageId, via: c.via })))}`;
  }

  const links = [
    ...a.fixups.flatMap((f) => f.syscallLinks.map((l) => ({ kind: 'fixup', target: f.key, ...l }))),
    ...a.reports.flatMap((r) => r.syscallLinks.map((l) => ({ kind: 'report', target: r.messageId, ...l }))),
    ...a.messageLinks.map((l) => ({ kind: 'message', target: l.messageId, localId: l.localId, reason: l.reason })),
  ].filter((l) => changeId.has(l.localId));
  if (links.length) {
    await tx`
      insert into syscall_links ${tx(links.map((l) => ({ change_id: changeId.get(l.localId) as number, target_kind: l.kind, target_id: l.target, reason: l.reason })))}`;
  }
  return ids;
}

/** Remove derived rows of threads that no longer exist (merged into another). */
export async function clearThreads(tx: TransactionSql, threadIds: number[]) {
  if (threadIds.length === 0) return;
  await tx`delete from series where thread_id = any(${threadIds})`;
  await tx`delete from fixups where thread_id = any(${threadIds})`;
  await tx`delete from build_reports where thread_id = any(${threadIds})`;
  await tx`delete from build_verdicts where thread_id = any(${threadIds})`;
  await tx`delete from fix_claims where thread_id = any(${threadIds})`;
  await tx`delete from commit_notices where thread_id = any(${threadIds})`;
}
