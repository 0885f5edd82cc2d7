/**
 * Reading build breakages: ranked search (full text plus trigram, so an error message, a symbol,
 * a file path or a phrase all find it), one breakage, and a series' breakages.
 */
import type { Fragment, Sql } from 'postgres';
import type { Address } from '../../mail/types.ts';
import type { BreakageStatusValue } from '../../buildlog/index.ts';
import { allOf } from './fragments.ts';
import { containsPattern, enumParam, ok, parseAll, positiveIntParam, textParam, type Parsed } from './params.ts';
import type { SeriesRef } from './series.ts';

export const BREAKAGE_STATUSES = ['open', 'fix-proposed', 'fixed', 'pre-existing', 'invalid'] as const satisfies readonly BreakageStatusValue[];

/** A search never returns more than this many breakages. */
export const BREAKAGE_LIMIT = 200;

export interface BreakageFilter {
  q: string | null;
  status: BreakageStatusValue | null;
  arch: string | null;
  file: string | null;
  series: number | null;
}

export function breakageFilterFromParams(params: URLSearchParams): Parsed<BreakageFilter> {
  const p = parseAll({
    q: textParam(params, 'q'),
    status: enumParam(params, 'status', BREAKAGE_STATUSES),
    arch: textParam(params, 'arch', 64),
    file: textParam(params, 'file'),
    series: positiveIntParam(params, 'series'),
  });
  return p.ok ? ok(p.value) : p;
}

export interface ReportRef {
  messageId: string;
  author: Address;
  date: string | null;
}

/** A breakage as the API shows it. */
export interface BreakageView {
  id: number;
  signature: string;
  kind: string;
  message: string;
  file: string | null;
  line: number | null;
  arch: string | null;
  config: string | null;
  compiler: string | null;
  status: string;
  baseline: { ref: string | null; quote: string } | null;
  firstReport: ReportRef;
  reports: ReportRef[];
  series: SeriesRef[];
  patches: { seriesId: number; number: number }[];
  fixups: number[];
  syscallChanges: number[];
}

/** What the breakage page shows besides the API fields. */
export interface BreakageRecord extends BreakageView {
  symbol: string | null;
  errorText: string;
  statusReason: string;
  baselineMessageId: string | null;
}

interface BreakageRow {
  id: number;
  signature: string;
  kind: string;
  message: string;
  file: string | null;
  line: number | null;
  symbol: string | null;
  error_text: string;
  arch: string | null;
  config: string | null;
  compiler: string | null;
  status: string;
  status_reason: string;
  baseline: { ref: string | null; quote: string; messageId?: string } | null;
  first_report_message_id: string;
  first_report_date: Date | null;
  first_name: string | null;
  first_email: string | null;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** Just the documented API fields of a record. */
export function breakageView(b: BreakageRecord): BreakageView {
  const { symbol: _s, errorText: _t, statusReason: _r, baselineMessageId: _m, ...view } = b;
  return view;
}

async function selectBreakages(sql: Sql, where: Fragment, rank: Fragment, limit: number): Promise<BreakageRecord[]> {
  // Rank and cut first; look up the first reporter only for the rows that are shown.
  const rows = await sql<BreakageRow[]>`
    with hits as (
      select b.*, ${rank} as rank from breakages b
      where ${where}
      order by rank desc, b.first_report_date desc nulls last, b.id desc
      limit ${limit})
    select b.id, b.signature, b.kind, b.message, b.file, b.line, b.symbol, b.error_text, b.arch, b.config, b.compiler,
           b.status, b.status_reason, b.baseline, b.first_report_message_id, b.first_report_date,
           coalesce(fr.reporter_name, fm.from_name) as first_name, coalesce(fr.reporter_email, fm.from_email) as first_email
    from hits b
    left join lateral (select reporter_name, reporter_email from build_reports r where r.message_id = b.first_report_message_id limit 1) fr on true
    left join lateral (select from_name, from_email from messages m where m.message_id = b.first_report_message_id order by m.canonical desc limit 1) fm on true
    order by b.rank desc, b.first_report_date desc nulls last, b.id desc`;
  return hydrate(sql, rows);
}

/** Reports, series, patches, fixups and syscall changes of the breakages, in one query each. */
async function hydrate(sql: Sql, rows: BreakageRow[]): Promise<BreakageRecord[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [reports, links, fixups, changes] = await Promise.all([
    sql<{ breakage_id: number; message_id: string; reporter_name: string; reporter_email: string; date: Date | null }[]>`
      select br.breakage_id, r.message_id, r.reporter_name, r.reporter_email, r.date
      from breakage_reports br join build_reports r on r.id = br.report_id
      where br.breakage_id = any(${ids}::int[]) order by r.date nulls last, r.id`,
    sql<{ breakage_id: number; series_id: number; title: string; version: number; patch_number: number | null }[]>`
      select distinct l.breakage_id, l.series_id, s.title, s.version, l.patch_number
      from breakage_links l join series s on s.id = l.series_id
      where l.breakage_id = any(${ids}::int[]) order by l.series_id, l.patch_number nulls first`,
    // The fixups a reply claims fix one of the breakage's reports (fix_claims, written by derive).
    sql<{ breakage_id: number; fixup_id: number }[]>`
      select distinct br.breakage_id, f.id as fixup_id
      from breakage_reports br join build_reports r on r.id = br.report_id
      join fix_claims c on c.report_message_id = r.message_id
      join fixups f on f.key = c.fixup_key
      where br.breakage_id = any(${ids}::int[]) order by f.id`,
    // Syscall-table changes linked from one of its reports.
    sql<{ breakage_id: number; change_id: number }[]>`
      select distinct br.breakage_id, l.change_id
      from breakage_reports br join build_reports r on r.id = br.report_id
      join syscall_links l on l.target_kind = 'report' and l.target_id = r.message_id
      where br.breakage_id = any(${ids}::int[]) order by l.change_id`,
  ]);
  return rows.map((r) => {
    const myReports = reports.filter((x) => x.breakage_id === r.id).map((x) => ({ messageId: x.message_id, author: { name: x.reporter_name, email: x.reporter_email }, date: iso(x.date) }));
    const myLinks = links.filter((l) => l.breakage_id === r.id);
    const series = new Map<number, SeriesRef>();
    for (const l of myLinks) if (!series.has(l.series_id)) series.set(l.series_id, { id: l.series_id, title: l.title, version: l.version });
    return {
      id: r.id,
      signature: r.signature,
      kind: r.kind,
      message: r.message,
      file: r.file,
      line: r.line,
      arch: r.arch,
      config: r.config,
      compiler: r.compiler,
      status: r.status,
      baseline: r.baseline ? { ref: r.baseline.ref, quote: r.baseline.quote } : null,
      firstReport: { messageId: r.first_report_message_id, author: { name: r.first_name ?? '', email: r.first_email ?? '' }, date: iso(r.first_report_date) },
      reports: myReports,
      series: [...series.values()],
      patches: myLinks.filter((l) => l.patch_number !== null).map((l) => ({ seriesId: l.series_id, number: l.patch_number as number })),
      fixups: fixups.filter((f) => f.breakage_id === r.id).map((f) => f.fixup_id),
      syscallChanges: changes.filter((c) => c.breakage_id === r.id).map((c) => c.change_id),
      symbol: r.symbol,
      errorText: r.error_text,
      statusReason: r.status_reason,
      baselineMessageId: r.baseline?.messageId ?? null,
    };
  });
}

/**
 * Search: websearch_to_tsquery over the generated tsvector (never throws on odd syntax; a query
 * without words matches nothing through it), or a literal substring of the message, file or error
 * text (trigram indexes). Ranked by text rank plus trigram similarity.
 */
export async function searchBreakages(sql: Sql, f: BreakageFilter, limit = BREAKAGE_LIMIT): Promise<BreakageRecord[]> {
  const conditions: Fragment[] = [];
  let rank = sql`0::float8`;
  if (f.q) {
    const pat = containsPattern(f.q);
    const tsq = sql`websearch_to_tsquery('simple', ${f.q})`;
    // Every arm has a GIN index (the symbol is in the tsvector and, in practice, in the message), so this stays a bitmap OR.
    conditions.push(sql`(b.search @@ ${tsq} or b.message ilike ${pat} or b.file ilike ${pat} or b.error_text ilike ${pat})`);
    rank = sql`(ts_rank(b.search, ${tsq})
      + greatest(similarity(b.message, ${f.q}), similarity(coalesce(b.file, ''), ${f.q}))
      + case when b.message ilike ${pat} or b.file ilike ${pat} or b.symbol ilike ${pat} then 0.5 else 0 end)`;
    // (No similarity over the whole error text: on a long log it costs more than everything else together.)
  }
  if (f.status) conditions.push(sql`b.status = ${f.status}`);
  if (f.arch) conditions.push(sql`lower(b.arch) = lower(${f.arch})`);
  if (f.file) conditions.push(sql`b.file ilike ${containsPattern(f.file)}`);
  if (f.series) conditions.push(sql`exists (select 1 from breakage_links l where l.breakage_id = b.id and l.series_id = ${f.series})`);
  return selectBreakages(sql, allOf(sql, conditions), rank, limit);
}

export async function breakageById(sql: Sql, id: number): Promise<BreakageRecord | null> {
  const [row] = await selectBreakages(sql, sql`b.id = ${id}`, sql`0::float8`, 1);
  return row ?? null;
}

/** The breakages linked to a series, oldest report first. */
export async function breakagesOfSeries(sql: Sql, seriesId: number): Promise<BreakageRecord[]> {
  const rows = await selectBreakages(sql, sql`exists (select 1 from breakage_links l where l.breakage_id = b.id and l.series_id = ${seriesId})`, sql`0::float8`, BREAKAGE_LIMIT);
  return rows.reverse();
}

/** The architectures breakages were seen on, for the filter menu. */
export async function breakageArches(sql: Sql): Promise<string[]> {
  const rows = await sql<{ arch: string }[]>`select distinct arch from breakages where arch is not null order by arch limit 100`;
  return rows.map((r) => r.arch);
}
