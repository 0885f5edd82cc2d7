/**
 * Reading build breakages: ranked search (full text plus trigram, so an error message, a symbol,
 * a file path or a phrase all find it), one breakage, and a series' breakages.
 */
import type { Fragment, Sql } from 'postgres';
import type { Address } from '../../mail/types.ts';
import type { BreakageStatusValue } from '../../buildlog/index.ts';
import { allOf } from './fragments.ts';
import { groupBy } from '../../group.ts';
import { containsPattern, enumParam, ok, parseAll, positiveIntParam, textParam, type Parsed } from './params.ts';
import type { SeriesRef } from './series.ts';

export const BREAKAGE_STATUSES = ['open', 'fix-proposed', 'fixed', 'pre-existing', 'invalid'] as const satisfies readonly BreakageStatusValue[];

/** A series page lists at most this many of its breakages. */
export const BREAKAGE_LIMIT = 200;

/** A search answers this many breakages a page. */
export const BREAKAGE_PAGE_SIZE = 50;

export interface BreakageFilter {
  q: string | null;
  status: BreakageStatusValue | null;
  arch: string | null;
  file: string | null;
  series: number | null;
  page: number;
}

export const NO_BREAKAGE_FILTER: BreakageFilter = { q: null, status: null, arch: null, file: null, series: null, page: 1 };

export function breakageFilterFromParams(params: URLSearchParams): Parsed<BreakageFilter> {
  const p = parseAll({
    q: textParam(params, 'q'),
    status: enumParam(params, 'status', BREAKAGE_STATUSES),
    arch: textParam(params, 'arch', 64),
    file: textParam(params, 'file'),
    series: positiveIntParam(params, 'series'),
    page: positiveIntParam(params, 'page', 10_000),
  });
  return p.ok ? ok({ ...p.value, page: p.value.page ?? 1 }) : p;
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

/**
 * The rows for some hits (ids with their rank, in order), with their first reporter; then the
 * rest in one query each. `linksOf` keeps only the links to that series (its page needs no more).
 */
async function selectBreakages(sql: Sql, hits: Fragment, opts: { linksOf?: number } = {}): Promise<BreakageRecord[]> {
  const rows = await sql<BreakageRow[]>`
    select b.id, b.signature, b.kind, b.message, b.file, b.line, b.symbol, b.error_text, b.arch, b.config, b.compiler,
           b.status, b.status_reason, b.baseline, b.first_report_message_id, b.first_report_date,
           coalesce(fr.reporter_name, fm.from_name) as first_name, coalesce(fr.reporter_email, fm.from_email) as first_email
    from (${hits}) h join breakages b on b.id = h.id
    left join lateral (select reporter_name, reporter_email from build_reports r where r.message_id = b.first_report_message_id limit 1) fr on true
    left join lateral (select from_name, from_email from messages m where m.message_id = b.first_report_message_id order by m.canonical desc limit 1) fm on true
    order by h.rank desc, b.first_report_date desc nulls last, b.id desc`;
  return hydrate(sql, rows, opts.linksOf);
}

/** Reports, series, patches, fixups and syscall changes of the breakages, in one query each. */
async function hydrate(sql: Sql, rows: BreakageRow[], linksOf?: number): Promise<BreakageRecord[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const onlySeries = linksOf === undefined ? sql`true` : sql`series_id = ${linksOf}`;
  const [reports, links, linked, fixups, changes] = await Promise.all([
    sql<{ breakage_id: number; message_id: string; reporter_name: string; reporter_email: string; date: Date | null }[]>`
      select br.breakage_id, r.message_id, r.reporter_name, r.reporter_email, r.date
      from breakage_reports br join build_reports r on r.id = br.report_id
      where br.breakage_id = any(${ids}::int[]) order by r.date nulls last, r.id`,
    // A failure naming a common file is linked to many series: the links come from an index
    // alone (breakage_links_by_breakage), and each series' title once, below, not once per link.
    sql<{ breakage_id: number; series_id: number; patch_number: number | null }[]>`
      select distinct breakage_id, series_id, patch_number from breakage_links
      where breakage_id = any(${ids}::int[]) and ${onlySeries} order by series_id, patch_number nulls first`,
    sql<SeriesRef[]>`
      select id, title, version from series
      where id in (select series_id from breakage_links where breakage_id = any(${ids}::int[]) and ${onlySeries})`,
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
  // Grouped once: a filter per row would be rows × links.
  const reportsOf = groupBy(reports, (x) => x.breakage_id);
  const linksOfBreakage = groupBy(links, (l) => l.breakage_id);
  const fixupsOf = groupBy(fixups, (f) => f.breakage_id);
  const changesOf = groupBy(changes, (c) => c.breakage_id);
  const seriesById = new Map(linked.map((s) => [s.id, { id: s.id, title: s.title, version: s.version }]));
  return rows.map((r) => {
    const myReports = (reportsOf.get(r.id) ?? []).map((x) => ({ messageId: x.message_id, author: { name: x.reporter_name, email: x.reporter_email }, date: iso(x.date) }));
    // (A link whose series went between the two reads is dropped, as a join would.)
    const myLinks = (linksOfBreakage.get(r.id) ?? []).filter((l) => seriesById.has(l.series_id));
    const series = new Map<number, SeriesRef>();
    for (const l of myLinks) if (!series.has(l.series_id)) series.set(l.series_id, seriesById.get(l.series_id) as SeriesRef);
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
      fixups: (fixupsOf.get(r.id) ?? []).map((f) => f.fixup_id),
      syscallChanges: (changesOf.get(r.id) ?? []).map((c) => c.change_id),
      symbol: r.symbol,
      errorText: r.error_text,
      statusReason: r.status_reason,
      baselineMessageId: r.baseline?.messageId ?? null,
    };
  });
}

/**
 * Ranking computes text rank and trigram similarity row by row, and a short word such as "no"
 * or "function" matches nearly every failure. So a search ranks, of each way it can match (a
 * word, a substring of the message, of the file path, of the error text), the newest
 * SEARCH_POOL_PER_ARM matches: every match of a narrow search, the recent ones of a broad one.
 */
export const SEARCH_POOL_PER_ARM = 100;

const newestFirst = (sql: Sql) => sql`b.first_report_date desc nulls last, b.id desc`;

/**
 * Search: websearch_to_tsquery over the generated tsvector (never throws on odd syntax; a query
 * without words matches nothing through it), or a literal substring of the message, file or error
 * text (trigram indexes). Ranked by text rank plus trigram similarity; newest first without a
 * query. One page of BREAKAGE_PAGE_SIZE, and whether another follows.
 */
export async function searchBreakages(sql: Sql, f: BreakageFilter): Promise<{ breakages: BreakageRecord[]; more: boolean }> {
  const conditions: Fragment[] = [];
  if (f.status) conditions.push(sql`b.status = ${f.status}`);
  if (f.arch) conditions.push(sql`lower(b.arch) = lower(${f.arch})`);
  if (f.file) conditions.push(sql`b.file ilike ${containsPattern(f.file)}`);
  if (f.series) conditions.push(sql`b.id in (select l.breakage_id from breakage_links l where l.series_id = ${f.series})`);
  const where = allOf(sql, conditions);
  // One more than a page: whether another page follows.
  const window = sql`limit ${BREAKAGE_PAGE_SIZE + 1} offset ${(f.page - 1) * BREAKAGE_PAGE_SIZE}`;
  let hits: Fragment;
  if (!f.q) {
    hits = sql`select b.id, 0::float8 as rank from breakages b where ${where} order by ${newestFirst(sql)} ${window}`;
  } else {
    const pat = containsPattern(f.q);
    const tsq = sql`websearch_to_tsquery('simple', ${f.q})`;
    // Each arm has a GIN index to find few matches, and walks breakages_recent when there are many.
    const arm = (match: Fragment) => sql`(select b.id from breakages b where ${where} and ${match} order by ${newestFirst(sql)} limit ${SEARCH_POOL_PER_ARM})`;
    const pool = [arm(sql`b.message ilike ${pat}`), arm(sql`b.file ilike ${pat}`), arm(sql`b.error_text ilike ${pat}`)].reduce(
      (acc, a) => sql`${acc} union ${a}`,
      arm(sql`b.search @@ ${tsq}`),
    );
    const rank = sql`(ts_rank(b.search, ${tsq})
      + greatest(similarity(b.message, ${f.q}), similarity(coalesce(b.file, ''), ${f.q}))
      + case when b.message ilike ${pat} or b.file ilike ${pat} or b.symbol ilike ${pat} then 0.5 else 0 end)`;
    // (No similarity over the whole error text: on a long log it costs more than everything else together.)
    const ranked = await customPlanned(
      sql,
      sql`select b.id, ${rank} as rank from breakages b where b.id in (${pool})
          order by rank desc, ${newestFirst(sql)} ${window}`,
    );
    hits = sql`select h.id, h.rank from unnest(${ranked.map((r) => r.id)}::int[], ${ranked.map((r) => r.rank)}::float8[]) as h(id, rank)`;
  }
  const rows = await selectBreakages(sql, hits);
  return { breakages: rows.slice(0, BREAKAGE_PAGE_SIZE), more: rows.length > BREAKAGE_PAGE_SIZE };
}

/**
 * A search query planned for its own parameters every time. A prepared statement switches to
 * a generic plan after five runs, and the generic plan of a substring search assumes a few
 * matches: for a word that matches most failures it is ten times slower than the plan for it.
 */
async function customPlanned(sql: Sql, query: Fragment): Promise<{ id: number; rank: number }[]> {
  const [, rows] = await sql.begin('read only', (tx) => [tx`set local plan_cache_mode = force_custom_plan`, tx<{ id: number; rank: number }[]>`${query}`]);
  return rows;
}

export async function breakageById(sql: Sql, id: number): Promise<BreakageRecord | null> {
  const [row] = await selectBreakages(sql, sql`select ${id}::int as id, 0::float8 as rank`);
  return row ?? null;
}

/**
 * The breakages linked to a series, oldest report first. With `onlyThisSeries`, each keeps only
 * its links to this series (what the series page shows); the API lists all of them.
 */
export async function breakagesOfSeries(sql: Sql, seriesId: number, opts: { onlyThisSeries?: boolean } = {}): Promise<BreakageRecord[]> {
  const rows = await selectBreakages(
    sql,
    sql`select b.id, 0::float8 as rank from breakages b
        where b.id in (select l.breakage_id from breakage_links l where l.series_id = ${seriesId})
        order by ${newestFirst(sql)} limit ${BREAKAGE_LIMIT}`,
    opts.onlyThisSeries ? { linksOf: seriesId } : {},
  );
  return rows.reverse();
}

/** The architectures breakages were seen on, for the filter menu. */
export async function breakageArches(sql: Sql): Promise<string[]> {
  const rows = await sql<{ arch: string }[]>`select distinct arch from breakages where arch is not null order by arch limit 100`;
  return rows.map((r) => r.arch);
}
