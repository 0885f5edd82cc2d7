/**
 * Writing what a thread says (lib/analyse.ts) and reading back what the cross-thread pass
 * needs. Every table written here is derived: a thread's rows are replaced whenever the
 * thread changes, keyed so that ids in URLs (series, fixups, breakages) stay stable.
 */
import type postgres from 'postgres';
import type { JSONValue, Sql, TransactionSql } from 'postgres';
import { indexableKey, type ThreadAnalysis } from '../analyse.ts';
import type { Mail } from '../mail/types.ts';

type Tx = TransactionSql | Sql;

/** Indexed text (titles, authors) is cut to what a btree index entry can hold; mail can be absurd. */
const clip = (s: string) => (s.length > 600 ? `${s.slice(0, 599)}…` : s);

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

/**
 * Replace the derived rows of many threads with their new analyses, in a few set-based
 * statements. Returns the ids of their series.
 */
export async function writeThreadAnalyses(tx: TransactionSql, entries: { threadId: number; analysis: ThreadAnalysis }[]): Promise<number[]> {
  const threadIds = entries.map((e) => e.threadId);
  const all = entries.flatMap((e) => e.analysis.series.map((s) => ({ threadId: e.threadId, s })));
  const seen = new Set<string>();
  const unique = all.filter(({ s }) => (seen.has(s.draft.key) ? false : (seen.add(s.draft.key), true)));
  await tx`delete from series where thread_id = any(${threadIds}) and key <> all(${[...seen]})`;
  const seriesId = new Map<string, number>();
  for (let i = 0; i < unique.length; i += 500) {
    const rows = unique.slice(i, i + 500).map(({ threadId, s }) => {
      const d = s.draft;
      return {
        key: d.key,
        thread_id: threadId,
        title: clip(d.title),
        version: d.version,
        version_label: d.versionLabel,
        total: d.total,
        rfc: d.rfc,
        resend: d.resend,
        is_pull_request: d.isPullRequest,
        author_name: clip(d.author.name),
        author_email: clip(d.author.email),
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
    });
    const ids: { id: number; key: string }[] = await tx`
      insert into series ${tx(rows)}
      on conflict (key) do update set thread_id = excluded.thread_id, title = excluded.title, version = excluded.version,
        version_label = excluded.version_label, total = excluded.total, rfc = excluded.rfc, resend = excluded.resend,
        is_pull_request = excluded.is_pull_request, author_name = excluded.author_name, author_email = excluded.author_email,
        date = excluded.date, cover_message_id = excluded.cover_message_id, received = excluded.received, missing = excluded.missing,
        change_id = excluded.change_id, in_reply_to = excluded.in_reply_to, message_ids = excluded.message_ids,
        reply_count = excluded.reply_count, review_facts = excluded.review_facts
      returning id, key`;
    for (const r of ids) seriesId.set(r.key, r.id);
  }
  const ids = [...seriesId.values()];
  if (ids.length) {
    await tx`delete from patches where series_id = any(${ids})`;
    await tx`delete from trailers where series_id = any(${ids})`;
    await tx`delete from syscall_changes where series_id = any(${ids})`;
  }
  const sid = (key: string) => seriesId.get(key) as number;
  await bulkInsert(
    tx,
    'patches',
    unique.flatMap(({ s }) =>
      s.draft.patches.map((p) => ({
        series_id: sid(s.draft.key),
        number: p.number,
        message_id: p.messageId,
        subject: p.subject,
        title: clip(p.title),
        author_name: p.author.name,
        author_email: p.author.email,
        date: p.date,
        files: p.files,
        diffstat: json(tx, (s.diffs.get(p.number) ?? []).map((f) => ({ path: f.path, added: f.added, removed: f.removed }))),
        patch_id: p.patchId,
      })),
    ),
  );
  await bulkInsert(
    tx,
    'trailers',
    unique.flatMap(({ s }) =>
      [...s.trailers].flatMap(([number, list]) =>
        list.map((t) => ({ series_id: sid(s.draft.key), patch_number: number, kind: t.kind, name: t.name, email: t.email, message_id: t.messageId, carried_from: t.carriedFrom ?? null, value: t.value })),
      ),
    ),
  );

  const changeId = new Map<string, number>();
  const changes = unique.flatMap(({ s }) => s.syscallChanges.map((c) => ({ c, seriesId: sid(s.draft.key) })));
  for (let i = 0; i < changes.length; i += 1000) {
    const slice = changes.slice(i, i + 1000);
    const inserted: { id: number }[] = await tx`
      insert into syscall_changes ${tx(
        slice.map(({ c, seriesId: id }) => ({
          series_id: id,
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
          old_qualifier: c.oldQualifier,
          new_qualifier: c.newQualifier,
          kind: c.kind,
          date: c.date,
        })),
      )} returning id`;
    // INSERT ... VALUES ... RETURNING answers in the order of the VALUES list.
    slice.forEach(({ c }, j) => changeId.set(c.localId, inserted[j].id));
  }

  await tx`delete from commit_notices where thread_id = any(${threadIds})`;
  const notices = new Map(
    entries.flatMap((e) =>
      e.analysis.notices.map((n) => [
        n.messageId,
        {
          message_id: n.messageId,
          thread_id: e.threadId,
          kind: n.kind,
          commit: n.commit,
          branch: n.branch,
          tree: n.tree,
          title: clip(n.title),
          links: n.links,
          in_reply_to: n.inReplyTo,
          author_name: n.author?.name ?? null,
          author_email: n.author?.email ?? null,
          date: n.date,
        },
      ]),
    ),
  );
  await bulkInsert(tx, 'commit_notices', [...notices.values()], 'on conflict (message_id) do nothing');

  const fixups = entries.flatMap((e) => e.analysis.fixups.map((f) => ({ threadId: e.threadId, f })));
  await tx`delete from fixups where thread_id = any(${threadIds}) and key <> all(${fixups.map((x) => x.f.key)})`;
  for (let i = 0; i < fixups.length; i += 500) {
    const rows = fixups.slice(i, i + 500).map(({ threadId, f }) => {
      const d = f.draft;
      return {
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
    });
    await tx`
      insert into fixups ${tx(rows)}
      on conflict (key) do update set message_id = excluded.message_id, thread_id = excluded.thread_id, series_id = excluded.series_id,
        form = excluded.form, subject = excluded.subject, description = excluded.description, author_name = excluded.author_name,
        author_email = excluded.author_email, date = excluded.date, files = excluded.files, diff = excluded.diff, patch_id = excluded.patch_id,
        trailers = excluded.trailers, explicit_targets = excluded.explicit_targets, target_number = excluded.target_number,
        target_message_id = excluded.target_message_id, target_reason = excluded.target_reason, target_evidence = excluded.target_evidence,
        candidates = excluded.candidates, preamble = excluded.preamble`;
  }

  await tx`delete from build_reports where thread_id = any(${threadIds})`;
  await bulkInsert(
    tx,
    'build_reports',
    entries.flatMap((e) =>
      e.analysis.reports.map((r) => ({
        message_id: r.messageId,
        thread_id: e.threadId,
        kind: r.report.kind,
        reporter_name: r.report.reportedBy.name,
        reporter_email: r.report.reportedBy.email,
        date: r.date,
        context: json(tx, r.report.context),
        patch_subject: r.report.patchSubject,
        patch_link: r.report.patchLink,
        in_reply_to: r.inReplyTo,
        errors: json(tx, r.report.errors),
        signatures: r.report.errors.map((er) => indexableKey(er.signature)),
        error_files: [...new Set(r.report.errors.flatMap((er) => (er.file ? [indexableKey(er.file)] : [])))],
        primary_signature: r.primarySignature,
        series_key: r.seriesKey,
        patch_number: r.patchNumber,
      })),
    ),
    'on conflict (message_id) do nothing',
  );
  await tx`delete from build_verdicts where thread_id = any(${threadIds})`;
  await bulkInsert(
    tx,
    'build_verdicts',
    entries.flatMap((e) =>
      e.analysis.verdicts.map((v) => ({
        message_id: v.messageId,
        thread_id: e.threadId,
        kind: v.kind,
        ref: v.ref,
        refs: v.refs,
        quote: v.quote,
        report_message_id: v.reportMessageId,
        author_name: v.author.name,
        date: v.date,
      })),
    ),
  );
  await tx`delete from fix_claims where thread_id = any(${threadIds})`;
  await bulkInsert(
    tx,
    'fix_claims',
    entries.flatMap((e) => e.analysis.claims.map((c) => ({ thread_id: e.threadId, message_id: c.messageId, fixup_key: c.fixupKey, report_message_id: c.reportMessageId, via: c.via }))),
  );

  const links = entries.flatMap(({ analysis: a }) => [
    ...a.fixups.flatMap((f) => f.syscallLinks.map((l) => ({ kind: 'fixup', target: f.key, ...l }))),
    ...a.reports.flatMap((r) => r.syscallLinks.map((l) => ({ kind: 'report', target: r.messageId, ...l }))),
    ...a.messageLinks.map((l) => ({ kind: 'message', target: l.messageId, localId: l.localId, reason: l.reason })),
  ]);
  await bulkInsert(
    tx,
    'syscall_links',
    links.filter((l) => changeId.has(l.localId)).map((l) => ({ change_id: changeId.get(l.localId) as number, target_kind: l.kind, target_id: l.target, reason: l.reason })),
  );
  return ids;
}

/** Multi-row inserts in slices, well under PostgreSQL's limit of 65535 parameters a statement. */
async function bulkInsert(tx: TransactionSql, table: string, rows: Record<string, unknown>[], conflict = '') {
  if (rows.length === 0) return;
  const perStatement = Math.max(1, Math.floor(30000 / Object.keys(rows[0]).length));
  for (let i = 0; i < rows.length; i += perStatement) {
    const slice = rows.slice(i, i + perStatement) as Record<string, postgres.SerializableParameter>[];
    await tx`insert into ${tx(table)} ${tx(slice)} ${conflict ? tx.unsafe(conflict) : tx``}`;
  }
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
