/**
 * Queries of the cross-thread pass: version chains, carried-over trailers, applied marks,
 * breakage grouping and links, fixup states and series status. Small, set-based, and
 * scoped to the series and signatures an import touched.
 */
import type { JSONValue, Sql } from 'postgres';
import type { ReviewFacts } from './schema.ts';
import { groupBy } from '../group.ts';
import { TITLE_ONLY_MAX_GAP_DAYS } from '../versions.ts';

export interface SeriesRow {
  id: number;
  key: string;
  thread_id: string;
  title: string;
  version: number;
  version_label: string;
  total: number;
  resend: boolean;
  is_pull_request: boolean;
  author_name: string;
  author_email: string;
  date: Date | null;
  cover_message_id: string | null;
  change_id: string | null;
  in_reply_to: string | null;
  message_ids: string[];
  reply_count: number;
  previous_version_id: number | null;
  next_version_id: number | null;
  superseded_by_id: number | null;
  review_facts: ReviewFacts;
}

export async function seriesByIds(sql: Sql, ids: number[]): Promise<SeriesRow[]> {
  return sql<SeriesRow[]>`select * from series where id = any(${ids})`;
}

/**
 * Series that could be other versions of the given ones: the same change-id or title, threaded
 * into them or linked from their cover letters, sharing a patch title, or the same author's
 * postings around them within the gap that lib/versions.ts accepts on weaker evidence; then
 * the stored version chains of all of those, so relinking part of a chain never cuts it. Each
 * arm is an index lookup, and none grows with the archive: the arms by author and by title
 * keep the nearest postings in time.
 */
/**
 * Of an author's postings (on each side in time), and of those a title matches, the nearest in
 * time: a maintainer posts hundreds of series a year, and a common title ("Add the foo syscall",
 * "[GIT PULL] drm fixes") matches hundreds over the years.
 */
const NEAREST_BY_AUTHOR = 6;
const NEAREST = 8;

export async function versionCandidates(sql: Sql, ids: number[], linkedIds: string[]): Promise<SeriesRow[]> {
  const window = `${TITLE_ONLY_MAX_GAP_DAYS} days`;
  return sql<SeriesRow[]>`
    with recursive a as (select * from series where id = any(${ids})),
    near as (
      select x.id from a cross join lateral (
        select s.id from series s where s.author_email = a.author_email and s.date <= a.date and s.date >= a.date - ${window}::interval
        order by s.date desc limit ${NEAREST_BY_AUTHOR}) x
      union select x.id from a cross join lateral (
        select s.id from series s where s.author_email = a.author_email and s.date > a.date and s.date <= a.date + ${window}::interval
        order by s.date limit ${NEAREST_BY_AUTHOR}) x
      union select s.id from a join series s on s.change_id = a.change_id
      union select x.id from a cross join lateral (
        select s.id from series s where lower(s.title) = lower(a.title)
        order by abs(extract(epoch from s.date - a.date)) nulls last limit ${NEAREST}) x
      union select s.id from a join series s on s.message_ids @> array[a.in_reply_to] where a.in_reply_to is not null
      union select s.id from a join series s on s.in_reply_to = any(a.message_ids)
      union select s.id from series s where s.message_ids && ${linkedIds}::text[]
      union select x.series_id from patches p cross join lateral (
        select q.series_id from patches q where q.title = p.title
        order by abs(extract(epoch from q.date - p.date)) nulls last limit ${NEAREST}) x
      where p.series_id = any(${ids}) and not p.placeholder
    ),
    chain(id) as (
      select id from near
      union select v.id from chain c join series s on s.id = c.id
        cross join lateral (values (s.previous_version_id), (s.next_version_id), (s.superseded_by_id)) v(id)
        where v.id is not null
    )
    select s.* from series s where s.id in (select id from chain)`;
}

export async function messageBodies(sql: Sql, messageIds: string[]): Promise<Map<string, string>> {
  if (messageIds.length === 0) return new Map();
  const rows = await sql<{ message_id: string; body: string }[]>`select message_id, body from messages where message_id = any(${messageIds}) and canonical`;
  return new Map(rows.map((r) => [r.message_id, r.body]));
}

export interface PatchRow {
  series_id: number;
  number: number;
  message_id: string;
  title: string;
  author_name: string;
  author_email: string;
  patch_id: string;
  date: Date | null;
  placeholder: boolean;
}

export async function patchesOfSeries(sql: Sql, ids: number[]): Promise<PatchRow[]> {
  return sql<PatchRow[]>`
    select series_id, number, message_id, title, author_name, author_email, patch_id, date, placeholder from patches where series_id = any(${ids}) order by series_id, number`;
}

export async function setVersionLinks(sql: Sql, rows: { id: number; previous: number | null; next: number | null; supersededBy: number | null; evidence: string[] | null }[]) {
  if (rows.length === 0) return;
  await sql`
    update series s set previous_version_id = v.previous, next_version_id = v.next, superseded_by_id = v.superseded,
      version_evidence = v.evidence::jsonb
    from (select unnest(${rows.map((r) => r.id)}::int[]) as id, unnest(${rows.map((r) => r.previous)}::int[]) as previous,
                 unnest(${rows.map((r) => r.next)}::int[]) as next, unnest(${rows.map((r) => r.supersededBy)}::int[]) as superseded,
                 unnest(${rows.map((r) => (r.evidence ? JSON.stringify(r.evidence) : null))}::text[]) as evidence) v
    where s.id = v.id
      -- Unchanged rows are not rewritten: each derive sets the links of every candidate.
      and (s.previous_version_id, s.next_version_id, s.superseded_by_id, s.version_evidence)
          is distinct from (v.previous, v.next, v.superseded, v.evidence::jsonb)`;
}

const CARRIED_KINDS = ['Reviewed-by', 'Acked-by', 'Tested-by'];

/** Trailers given on the previous version carry over to patches whose change is identical (same patch id). */
export async function carryTrailers(sql: Sql, seriesIdsOldestFirst: number[]) {
  for (const id of seriesIdsOldestFirst) {
    await sql`delete from trailers where series_id = ${id} and carried_from is not null`;
    await sql`
      insert into trailers (series_id, patch_number, kind, name, email, message_id, carried_from, value)
      select distinct on (p.number, t.kind, t.email) s.id, p.number, t.kind, t.name, t.email, t.message_id, coalesce(t.carried_from, pp.message_id), t.value
      from series s
      join patches p on p.series_id = s.id and p.patch_id <> ''
      join patches pp on pp.series_id = s.previous_version_id and pp.number = p.number and pp.patch_id = p.patch_id
      join trailers t on t.series_id = pp.series_id and t.patch_number = pp.number and t.kind = any(${CARRIED_KINDS})
      where s.id = ${id}
        and not exists (select 1 from trailers x where x.series_id = s.id and x.patch_number = p.number and x.kind = t.kind and lower(x.email) = lower(t.email))`;
  }
}

export interface NoticeRow {
  message_id: string;
  kind: string;
  commit: string | null;
  branch: string | null;
  tree: string | null;
  title: string;
  links: string[];
  in_reply_to: string | null;
  author_name: string | null;
  author_email: string | null;
  date: Date | null;
}

export async function noticesOfThreads(sql: Sql, threadIds: number[]): Promise<NoticeRow[]> {
  return sql<NoticeRow[]>`select * from commit_notices where thread_id = any(${threadIds})`;
}

/** Series that the given notices may name: by Link:, by In-Reply-To, or by title. */
export async function seriesNamedByNotices(sql: Sql, notices: NoticeRow[]): Promise<number[]> {
  if (notices.length === 0) return [];
  const ids = [...new Set(notices.flatMap((n) => [...n.links, ...(n.in_reply_to ? [n.in_reply_to] : [])]))];
  const titles = [...new Set(notices.map((n) => n.title.toLowerCase()))];
  // A link to a patch we never received still names its series through the cover's Message-ID scheme.
  const siblings = [...new Set(ids.map((id) => /^(.+?)-\d{1,4}-/.exec(id)?.[1]).filter((p): p is string => !!p))].map((p) => p.replace(/[\\%_]/g, '\\$&') + '-%');
  const rows = await sql<{ series_id: number }[]>`
    select series_id from patches where message_id = any(${ids}) or lower(title) = any(${titles})
    union select id from series where cover_message_id = any(${ids})
    union select id from series where cover_message_id like any(${siblings})`;
  return [...new Set(rows.map((r) => r.series_id))];
}

/** Notices that may concern the given series, including those naming sibling Message-IDs of their covers (patches not received). */
export async function noticesForSeriesOrCovers(sql: Sql, seriesIds: number[]): Promise<NoticeRow[]> {
  const direct = await noticesForSeries(sql, seriesIds);
  const covers = await sql<{ cover_message_id: string }[]>`select cover_message_id from series where id = any(${seriesIds}) and cover_message_id is not null`;
  const prefixes = covers.map((c) => /^(.+?)-\d{1,4}-/.exec(c.cover_message_id)?.[1]).filter((p): p is string => !!p);
  if (prefixes.length === 0) return direct;
  const siblings = await sql<NoticeRow[]>`
    select n.* from commit_notices n, unnest(n.links) as l(id)
    where l.id like any(${prefixes.map((p) => p.replace(/[\\%_]/g, '\\$&') + '-%')})`;
  const seen = new Set(direct.map((n) => n.message_id));
  return [...direct, ...siblings.filter((n) => !seen.has(n.message_id) && (seen.add(n.message_id), true))];
}

/** Notices that may concern the given series. */
export async function noticesForSeries(sql: Sql, seriesIds: number[]): Promise<NoticeRow[]> {
  return sql<NoticeRow[]>`
    with p as (select message_id, lower(title) as title from patches where series_id = any(${seriesIds})
               union select cover_message_id, null from series where id = any(${seriesIds}) and cover_message_id is not null)
    select n.* from commit_notices n where n.message_id in (
      select message_id from commit_notices where links && (select array_agg(message_id) from p)
      union select message_id from commit_notices where in_reply_to in (select message_id from p)
      union select message_id from commit_notices where lower(title) in (select title from p where title is not null))`;
}

/** Patches known only from a commit notice that names them (see lib/applied.ts patchNumberOfMessageId). */
export async function setPlaceholderPatches(sql: Sql, seriesIds: number[], rows: { seriesId: number; number: number; messageId: string; title: string; authorName: string; authorEmail: string }[]) {
  await sql`delete from patches where series_id = any(${seriesIds}) and placeholder`;
  if (rows.length === 0) return;
  await sql`insert into patches ${sql(
    rows.map((r) => ({
      series_id: r.seriesId,
      number: r.number,
      message_id: r.messageId,
      subject: r.title,
      title: r.title,
      author_name: r.authorName,
      author_email: r.authorEmail,
      date: null,
      files: [],
      diffstat: sql.json([]),
      patch_id: '',
      placeholder: true,
    })),
  )}`;
}

export async function setApplied(sql: Sql, seriesIds: number[], marks: { seriesId: number; number: number; commit: string | null; branch: string | null; messageId: string }[]) {
  await sql`update patches set applied_commit = null, applied_branch = null, applied_message_id = null where series_id = any(${seriesIds}) and applied_message_id is not null`;
  if (marks.length === 0) return;
  await sql`
    update patches p set applied_commit = v.commit, applied_branch = v.branch, applied_message_id = v.message_id
    from (select unnest(${marks.map((m) => m.seriesId)}::int[]) as series_id, unnest(${marks.map((m) => m.number)}::int[]) as number,
                 unnest(${marks.map((m) => m.commit)}::text[]) as commit, unnest(${marks.map((m) => m.branch)}::text[]) as branch,
                 unnest(${marks.map((m) => m.messageId)}::text[]) as message_id) v
    where p.series_id = v.series_id and p.number = v.number`;
}

export interface FixupRow {
  id: number;
  key: string;
  message_id: string;
  thread_id: string;
  series_id: number | null;
  form: string;
  subject: string | null;
  description: string;
  author_name: string;
  author_email: string;
  date: Date | null;
  files: string[];
  diff: string;
  patch_id: string;
  trailers: { kind: string; name: string; email: string }[];
  explicit_targets: unknown[];
  target_number: number | null;
  target_message_id: string | null;
  preamble: string;
  state: string;
}

export async function fixupsOf(sql: Sql, seriesIds: number[], threadIds: number[]): Promise<FixupRow[]> {
  return sql<FixupRow[]>`select * from fixups where series_id = any(${seriesIds}) or thread_id = any(${threadIds}) order by date nulls last, id`;
}

export async function noticesByTitles(sql: Sql, titles: string[]): Promise<NoticeRow[]> {
  if (titles.length === 0) return [];
  return sql<NoticeRow[]>`select * from commit_notices where lower(title) = any(${titles.map((t) => t.toLowerCase())})`;
}

export async function setFixupStates(sql: Sql, states: { id: number; state: string; reason: string }[]) {
  if (states.length === 0) return;
  await sql`
    update fixups f set state = v.state, state_reason = v.reason
    from (select unnest(${states.map((x) => x.id)}::int[]) as id, unnest(${states.map((x) => x.state)}::text[]) as state,
                 unnest(${states.map((x) => x.reason)}::text[]) as reason) v
    where f.id = v.id`;
}

export interface ReportRow {
  id: number;
  message_id: string;
  thread_id: string;
  kind: string;
  reporter_name: string;
  reporter_email: string;
  date: Date | null;
  context: Record<string, string | null>;
  patch_subject: string | null;
  patch_link: string | null;
  errors: { kind: string; file: string | null; line: number | null; message: string; symbol: string | null; text: string; signature: string }[];
  primary_signature: string | null;
  series_key: string | null;
  patch_number: number | null;
}

/**
 * Signatures whose grouping the given threads and series may change: their own reports, the
 * failures linked to them, and reports naming no series that are tied to series by file
 * within `fileLinkDays` after a patch (see regroupBreakages).
 */
export async function signaturesToRegroup(sql: Sql, threadIds: number[], seriesIds: number[], fileLinkDays: number): Promise<string[]> {
  const rows = await sql<{ s: string }[]>`
    select distinct primary_signature as s from build_reports
    where primary_signature is not null and (thread_id = any(${threadIds})
      or series_key in (select key from series where id = any(${seriesIds})))
    union select b.signature from breakages b join breakage_links l on l.breakage_id = b.id where l.series_id = any(${seriesIds})
    union select r.primary_signature from build_reports r
      where r.primary_signature is not null and r.series_key is null and r.patch_link is null and r.patch_subject is null
        and r.error_files && array(select distinct f from patches p, unnest(p.files) f where p.series_id = any(${seriesIds}))
        and r.date >= (select min(date) from patches where series_id = any(${seriesIds}))
        and r.date <= (select max(date) from patches where series_id = any(${seriesIds})) + make_interval(days => ${fileLinkDays})`;
  return rows.map((r) => r.s);
}

/** The signatures of the threads' stored reports (before they are derived again). */
export async function signaturesOfThreads(sql: Sql, threadIds: number[]): Promise<string[]> {
  const rows = await sql<{ s: string }[]>`
    select distinct primary_signature as s from build_reports where thread_id = any(${threadIds}) and primary_signature is not null`;
  return rows.map((r) => r.s);
}

export async function reportsWithSignatures(sql: Sql, signatures: string[]): Promise<ReportRow[]> {
  return sql<ReportRow[]>`select * from build_reports where primary_signature = any(${signatures}) order by date nulls last, id`;
}

export async function verdictsAbout(sql: Sql, reportMessageIds: string[]) {
  return sql<{ message_id: string; kind: string; ref: string | null; refs: string[]; quote: string; report_message_id: string; date: Date | null }[]>`
    select * from build_verdicts where report_message_id = any(${reportMessageIds}) order by date nulls last, id`;
}

export async function claimsAbout(sql: Sql, reportMessageIds: string[]) {
  return sql<{ message_id: string; fixup_key: string | null; report_message_id: string; via: string; fixup_state: string | null }[]>`
    select c.message_id, c.fixup_key, c.report_message_id, c.via, f.state as fixup_state
    from fix_claims c left join fixups f on f.key = c.fixup_key
    where c.report_message_id = any(${reportMessageIds})`;
}

/** Series ids by key, and patches by Message-ID or title (for robot "patch link:" / "patch subject:" lines). */
export async function locateReports(sql: Sql, keys: string[], patchLinks: string[], patchTitles: string[]) {
  const series = await sql<{ id: number; key: string }[]>`select id, key from series where key = any(${keys})`;
  const patches = await sql<{ series_id: number; number: number; message_id: string; title: string }[]>`
    select series_id, number, message_id, title from patches where message_id = any(${patchLinks}) or lower(title) = any(${patchTitles.map((t) => t.toLowerCase())})`;
  return { series, patches };
}

/** Patches that change any of the given files (for tying a report that names no series to the series that touched its file). */
export async function patchesTouching(sql: Sql, files: string[]) {
  if (files.length === 0) return [];
  return sql<{ series_id: number; number: number; file: string; date: Date | null }[]>`
    select p.series_id, p.number, f as file, p.date from patches p, unnest(p.files) as f
    where p.files && ${files}::text[] and f = any(${files}) and not p.placeholder`;
}

export interface BreakageWrite {
  signature: string;
  kind: string;
  message: string;
  file: string | null;
  line: number | null;
  symbol: string | null;
  errorText: string;
  arch: string | null;
  config: string | null;
  compiler: string | null;
  status: string;
  statusReason: string;
  baseline: { ref: string | null; refs: string[]; quote: string; messageId: string } | null;
  firstReportMessageId: string;
  firstReportDate: Date | null;
  reportIds: number[];
  links: { seriesId: number; patchNumber: number | null; via: string }[];
}

export async function writeBreakages(sql: Sql, signatures: string[], writes: BreakageWrite[]) {
  const live = new Set(writes.map((w) => w.signature));
  const gone = signatures.filter((s) => !live.has(s));
  if (gone.length) await sql`delete from breakages where signature = any(${gone})`;
  if (writes.length === 0) return;
  const rows = writes.map((w) => ({
    signature: w.signature,
    kind: w.kind,
    message: w.message,
    file: w.file,
    line: w.line,
    symbol: w.symbol,
    error_text: w.errorText,
    arch: w.arch,
    config: w.config,
    compiler: w.compiler,
    status: w.status,
    status_reason: w.statusReason,
    baseline: w.baseline ? sql.json(w.baseline as unknown as JSONValue) : null,
    first_report_message_id: w.firstReportMessageId,
    first_report_date: w.firstReportDate,
  }));
  const idOf = new Map<string, number>();
  for (let i = 0; i < rows.length; i += 1000) {
    const ids: { id: number; signature: string }[] = await sql`
      insert into breakages ${sql(rows.slice(i, i + 1000))}
      on conflict (signature) do update set kind = excluded.kind, message = excluded.message, file = excluded.file, line = excluded.line,
        symbol = excluded.symbol, error_text = excluded.error_text, arch = excluded.arch, config = excluded.config, compiler = excluded.compiler,
        status = excluded.status, status_reason = excluded.status_reason, baseline = excluded.baseline,
        first_report_message_id = excluded.first_report_message_id, first_report_date = excluded.first_report_date
      -- An unchanged failure is not rewritten: its search and trigram indexes are costly to update.
      where (breakages.kind, breakages.message, breakages.file, breakages.line, breakages.symbol, breakages.error_text, breakages.arch,
             breakages.config, breakages.compiler, breakages.status, breakages.status_reason, breakages.baseline,
             breakages.first_report_message_id, breakages.first_report_date)
        is distinct from (excluded.kind, excluded.message, excluded.file, excluded.line, excluded.symbol, excluded.error_text, excluded.arch,
             excluded.config, excluded.compiler, excluded.status, excluded.status_reason, excluded.baseline,
             excluded.first_report_message_id, excluded.first_report_date)
      returning id, signature`;
    for (const r of ids) idOf.set(r.signature, r.id);
  }
  const unchanged = writes.map((w) => w.signature).filter((sig) => !idOf.has(sig));
  if (unchanged.length) {
    for (const r of await sql<{ id: number; signature: string }[]>`select id, signature from breakages where signature = any(${unchanged})`) idOf.set(r.signature, r.id);
  }
  const ids = [...idOf.values()];
  await sql`delete from breakage_reports where breakage_id = any(${ids})`;
  await sql`delete from breakage_links where breakage_id = any(${ids})`;
  const reports = writes.flatMap((w) => w.reportIds.map((r) => ({ breakage_id: idOf.get(w.signature) as number, report_id: r })));
  for (let i = 0; i < reports.length; i += 10000) await sql`insert into breakage_reports ${sql(reports.slice(i, i + 10000))} on conflict do nothing`;
  const links = writes.flatMap((w) => w.links.map((l) => ({ breakage_id: idOf.get(w.signature) as number, series_id: l.seriesId, patch_number: l.patchNumber, via: l.via })));
  for (let i = 0; i < links.length; i += 5000) await sql`insert into breakage_links ${sql(links.slice(i, i + 5000))}`;
}

export async function seriesOfBreakages(sql: Sql, signatures: string[]): Promise<number[]> {
  const rows = await sql<{ series_id: number }[]>`
    select distinct l.series_id from breakage_links l join breakages b on b.id = l.breakage_id where b.signature = any(${signatures})`;
  return rows.map((r) => r.series_id);
}

export interface StatusInputs {
  series: SeriesRow;
  openBreakages: { id: number; title: string }[];
  pendingFixups: { id: number; subject: string }[];
  reviewed: number[];
  applied: number[];
  supersededByVersion: number | null;
  newestFactAt: Date | null;
}

export async function statusInputs(sql: Sql, ids: number[]): Promise<StatusInputs[]> {
  const series = await seriesByIds(sql, ids);
  const breaks = await sql<{ series_id: number; id: number; message: string }[]>`
    select distinct l.series_id, b.id, b.message from breakage_links l join breakages b on b.id = l.breakage_id
    where l.series_id = any(${ids}) and b.status = 'open'`;
  const fix = await sql<{ series_id: number; id: number; subject: string | null }[]>`
    select series_id, id, subject from fixups where series_id = any(${ids}) and state = 'pending'`;
  const reviewed = await sql<{ series_id: number; patch_number: number }[]>`
    select distinct series_id, patch_number from trailers where series_id = any(${ids}) and kind in ('Reviewed-by', 'Acked-by')`;
  const applied = await sql<{ series_id: number; number: number }[]>`
    select series_id, number from patches where series_id = any(${ids}) and applied_message_id is not null`;
  const sup = await sql<{ id: number; version: number }[]>`
    select s.id, n.version from series s join series n on n.id = s.superseded_by_id where s.id = any(${ids})`;
  const newest = await sql<{ id: number; at: Date | null }[]>`
    select s.id, max(m.sort_date) as at from series s join messages m on m.message_id = any(s.message_ids) and m.canonical where s.id = any(${ids}) group by s.id`;
  const breaksOf = groupBy(breaks, (b) => b.series_id);
  const fixOf = groupBy(fix, (f) => f.series_id);
  const reviewedOf = groupBy(reviewed, (r) => r.series_id);
  const appliedOf = groupBy(applied, (r) => r.series_id);
  const supOf = new Map(sup.map((x) => [x.id, x.version]));
  const newestOf = new Map(newest.map((x) => [x.id, x.at]));
  return series.map((s) => ({
    series: s,
    openBreakages: (breaksOf.get(s.id) ?? []).map((b) => ({ id: b.id, title: b.message })),
    pendingFixups: (fixOf.get(s.id) ?? []).map((f) => ({ id: f.id, subject: f.subject ?? '(untitled fixup)' })),
    reviewed: (reviewedOf.get(s.id) ?? []).map((r) => r.patch_number),
    applied: (appliedOf.get(s.id) ?? []).map((r) => r.number),
    supersededByVersion: supOf.get(s.id) ?? null,
    newestFactAt: newestOf.get(s.id) ?? null,
  }));
}

export async function setStatus(
  sql: Sql,
  rows: { id: number; status: string; reasons: { text: string; messageId?: string; seriesId?: string | number }[]; openBreakages: number; pendingFixups: number }[],
) {
  if (rows.length === 0) return;
  await sql`
    update series s set status = v.status, status_reasons = v.reasons::jsonb, open_breakages = v.open, pending_fixups = v.pending
    from (select unnest(${rows.map((r) => r.id)}::int[]) as id, unnest(${rows.map((r) => r.status)}::text[]) as status,
                 unnest(${rows.map((r) => JSON.stringify(r.reasons))}::text[]) as reasons, unnest(${rows.map((r) => r.openBreakages)}::int[]) as open,
                 unnest(${rows.map((r) => r.pendingFixups)}::int[]) as pending) v
    where s.id = v.id
      and (s.status, s.status_reasons, s.open_breakages, s.pending_fixups) is distinct from (v.status, v.reasons::jsonb, v.open, v.pending)`;
}
