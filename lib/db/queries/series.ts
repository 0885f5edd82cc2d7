/** Reading series: the series list, one series with everything known about it, and its mbox input. */
import type { Fragment, Sql } from 'postgres';
import { allOf } from './fragments.ts';
import { groupBy } from '../../group.ts';
import type { Address } from '../../mail/types.ts';
import { SERIES_STATUSES, type SeriesStatus } from '../../status.ts';
import type { AmFixup, AmPatch, SeriesMboxInput } from '../../am.ts';
import { TRAILER_KINDS, type GivenTrailer, type TrailerKind } from '../../trailers.ts';
import { boolParam, containsPattern, enumParam, ok, parseAll, positiveIntParam, textParam, type Parsed } from './params.ts';
import { fixupsOfSeries, type FixupView } from './fixups.ts';
import { breakagesOfSeries, breakageView, type BreakageRecord, type BreakageView } from './breakages.ts';
import { syscallChangesOfSeries, type SyscallChangeView } from './syscalls.ts';

export { SERIES_STATUSES };

export const SERIES_SORTS = ['-date', 'date', 'title', '-title', 'status', '-status'] as const;
export type SeriesSort = (typeof SERIES_SORTS)[number];

export const SERIES_PAGE_SIZE = 50;

export interface SeriesFilter {
  q: string | null;
  status: SeriesStatus | null;
  author: string | null;
  page: number;
  sort: SeriesSort;
  hasOpenBreakages: boolean | null;
  hasPendingFixups: boolean | null;
}

export const DEFAULT_SERIES_FILTER: SeriesFilter = {
  q: null,
  status: null,
  author: null,
  page: 1,
  sort: '-date',
  hasOpenBreakages: null,
  hasPendingFixups: null,
};

export function seriesFilterFromParams(params: URLSearchParams): Parsed<SeriesFilter> {
  const p = parseAll({
    q: textParam(params, 'q'),
    status: enumParam(params, 'status', SERIES_STATUSES),
    author: textParam(params, 'author'),
    page: positiveIntParam(params, 'page', 100_000),
    sort: enumParam(params, 'sort', SERIES_SORTS),
    hasOpenBreakages: boolParam(params, 'hasOpenBreakages'),
    hasPendingFixups: boolParam(params, 'hasPendingFixups'),
  });
  if (!p.ok) return p;
  return ok({ ...p.value, page: p.value.page ?? 1, sort: p.value.sort ?? '-date' });
}

export interface SeriesRef {
  id: number;
  title: string;
  version: number;
}

export interface SeriesSummary extends SeriesRef {
  total: number;
  status: string;
  author: Address;
  date: string | null;
  coverMessageId: string | null;
  received: number[];
  missing: number[];
  openBreakages: number;
  pendingFixups: number;
}

export interface TrailerView {
  kind: string;
  name: string;
  email: string;
  messageId: string;
  carriedFrom: string | null;
  value: string;
}

export interface PatchView {
  number: number;
  messageId: string;
  subject: string;
  author: Address;
  date: string | null;
  files: string[];
  diffstat: { path: string; added: number; removed: number }[];
  trailers: TrailerView[];
  applied: { commit: string | null; branch: string | null; messageId: string | null } | null;
}

export interface StatusReasonView {
  text: string;
  messageId?: string;
  seriesId?: number | string;
}

export interface SeriesDetail extends SeriesSummary {
  patches: PatchView[];
  versions: { id: number; version: number; date: string | null }[];
  previousVersionId: number | null;
  nextVersionId: number | null;
  replies: number;
  statusReasons: StatusReasonView[];
  fixups: FixupView[];
  /** With the page-only fields; seriesDetailView drops them for the API. */
  breakages: BreakageRecord[];
  syscallChanges: SyscallChangeView[];
}

/** The documented API shape of a series. */
export function seriesDetailView(d: SeriesDetail): Omit<SeriesDetail, 'breakages'> & { breakages: BreakageView[] } {
  return { ...d, breakages: d.breakages.map(breakageView) };
}

interface SeriesRow {
  id: number;
  title: string;
  version: number;
  total: number;
  status: string;
  author_name: string;
  author_email: string;
  date: Date | null;
  cover_message_id: string | null;
  received: number[];
  missing: number[];
  open_breakages: number;
  pending_fixups: number;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

function toSummary(r: SeriesRow): SeriesSummary {
  return {
    id: r.id,
    title: r.title,
    version: r.version,
    total: r.total,
    status: r.status,
    author: { name: r.author_name, email: r.author_email },
    date: iso(r.date),
    coverMessageId: r.cover_message_id,
    received: r.received,
    missing: r.missing,
    openBreakages: r.open_breakages,
    pendingFixups: r.pending_fixups,
  };
}

export async function listSeries(sql: Sql, f: SeriesFilter): Promise<{ series: SeriesSummary[]; total: number }> {
  const conditions: Fragment[] = [];
  if (f.q) {
    const pat = containsPattern(f.q);
    // Both arms have a GIN index (tsvector over title and author; trigrams over title), so they combine as a bitmap OR.
    conditions.push(sql`(s.search @@ websearch_to_tsquery('simple', ${f.q}) or s.title ilike ${pat})`);
  }
  if (f.status) conditions.push(sql`s.status = ${f.status}`);
  if (f.author) {
    const pat = containsPattern(f.author);
    conditions.push(sql`(s.author_email ilike ${pat} or s.author_name ilike ${pat})`);
  }
  if (f.hasOpenBreakages !== null) conditions.push(f.hasOpenBreakages ? sql`s.open_breakages > 0` : sql`s.open_breakages = 0`);
  if (f.hasPendingFixups !== null) conditions.push(f.hasPendingFixups ? sql`s.pending_fixups > 0` : sql`s.pending_fixups = 0`);
  const where = allOf(sql, conditions);

  const statusRank = sql`array_position(${[...SERIES_STATUSES]}::text[], s.status)`;
  const order = {
    '-date': sql`s.date desc nulls last, s.id desc`,
    date: sql`s.date asc nulls last, s.id asc`,
    title: sql`lower(s.title) asc, s.version asc, s.id asc`,
    '-title': sql`lower(s.title) desc, s.version desc, s.id desc`,
    status: sql`${statusRank} asc nulls last, s.date desc nulls last, s.id desc`,
    '-status': sql`${statusRank} desc nulls last, s.date desc nulls last, s.id desc`,
  }[f.sort];
  const offset = (f.page - 1) * SERIES_PAGE_SIZE;
  const pageIds =
    f.sort === 'status' || f.sort === '-status'
      ? statusOrderedIds(sql, where, f.sort === '-status', offset)
      : sql`select s.id from series s where ${where} order by ${order} limit ${SERIES_PAGE_SIZE} offset ${offset}`;

  // The page's ids first, from indexes alone where the filters allow (series_list holds date,
  // id, status and the two counts; series_title_sort the title order); then only those rows.
  const [rows, [count]] = await Promise.all([
    sql<SeriesRow[]>`
      select s.id, s.title, s.version, s.total, s.status, s.author_name, s.author_email, s.date, s.cover_message_id,
             s.received, s.missing, s.open_breakages, s.pending_fixups
      from (${pageIds}) page join series s on s.id = page.id
      order by ${order}`,
    sql<{ n: string }[]>`select count(*) as n from series s where ${where}`,
  ]);
  return { series: rows.map(toSummary), total: Number(count.n) };
}

/**
 * A page of ids in status order (newest first within a status): one index scan per status
 * (series_status_date), each cut at the page's end, instead of ranking every series.
 * Statuses outside the list come last either way, as `nulls last` puts them.
 */
function statusOrderedIds(sql: Sql, where: Fragment, reversed: boolean, offset: number): Fragment {
  const statuses = reversed ? [...SERIES_STATUSES].reverse() : [...SERIES_STATUSES];
  const upTo = offset + SERIES_PAGE_SIZE;
  const branch = (rank: number, cond: Fragment) =>
    sql`(select s.id, ${rank}::int as rank, s.date from series s where ${where} and ${cond}
         order by s.date desc nulls last, s.id desc limit ${upTo})`;
  const branches = [...statuses.map((st, i) => branch(i, sql`s.status = ${st}`)), branch(statuses.length, sql`s.status <> all(${[...SERIES_STATUSES]}::text[])`)];
  const union = branches.slice(1).reduce((acc, b) => sql`${acc} union all ${b}`, branches[0]);
  return sql`select u.id from (${union}) u order by u.rank, u.date desc nulls last, u.id desc limit ${SERIES_PAGE_SIZE} offset ${offset}`;
}

export async function seriesRefs(sql: Sql, ids: number[]): Promise<Map<number, SeriesRef>> {
  if (ids.length === 0) return new Map();
  const rows = await sql<SeriesRef[]>`select id, title, version from series where id = any(${ids}::int[])`;
  return new Map(rows.map((r) => [r.id, { id: r.id, title: r.title, version: r.version }]));
}

/** Patch counts of some series ("8" of "patch 8/8"), by id. */
export async function seriesTotals(sql: Sql, ids: number[]): Promise<Map<number, number>> {
  if (ids.length === 0) return new Map();
  const rows = await sql<{ id: number; total: number }[]>`select id, total from series where id = any(${ids}::int[])`;
  return new Map(rows.map((r) => [r.id, r.total]));
}

/** The series a message belongs to (as cover, patch or reply), or null. The newest wins if several claim it. */
export async function seriesIdOfMessage(sql: Sql, messageId: string): Promise<number | null> {
  const [row] = await sql<{ id: number }[]>`
    select id from series where message_ids @> array[${messageId}]::text[]
    order by date desc nulls last, id desc limit 1`;
  return row?.id ?? null;
}

/** Every version of the series, oldest first, by following previous/next links (cycles and forks cut). */
async function versionChain(sql: Sql, id: number): Promise<{ id: number; version: number; date: string | null }[]> {
  const rows = await sql<{ id: number; version: number; date: Date | null }[]>`
    with recursive back(id, prev, depth) as (
      select id, previous_version_id, 0 from series where id = ${id}
      union all
      select s.id, s.previous_version_id, b.depth + 1 from series s join back b on s.id = b.prev where b.depth < 100
    ), fwd(id, next, depth) as (
      select id, next_version_id, 0 from series where id = ${id}
      union all
      select s.id, s.next_version_id, f.depth + 1 from series s join fwd f on s.id = f.next where f.depth < 100
    ), chain as (
      select id, min(pos) as pos from (select id, -depth as pos from back union all select id, depth from fwd) c group by id
    )
    select s.id, s.version, s.date from chain c join series s on s.id = c.id order by c.pos`;
  return rows.map((r) => ({ id: r.id, version: r.version, date: iso(r.date) }));
}

async function patchesOf(sql: Sql, seriesId: number): Promise<PatchView[]> {
  const [rows, trailerRows] = await Promise.all([
    sql<
      {
        number: number;
        message_id: string;
        subject: string;
        author_name: string;
        author_email: string;
        date: Date | null;
        files: string[];
        diffstat: { path: string; added: number; removed: number }[];
        applied_commit: string | null;
        applied_branch: string | null;
        applied_message_id: string | null;
      }[]
    >`
      select number, message_id, subject, author_name, author_email, date, files, diffstat, applied_commit, applied_branch, applied_message_id
      from patches where series_id = ${seriesId} order by number, id`,
    trailersOf(sql, seriesId),
  ]);
  const byNumber = groupBy(trailerRows, (t) => t.patchNumber);
  return rows.map((r) => ({
    number: r.number,
    messageId: r.message_id,
    subject: r.subject,
    author: { name: r.author_name, email: r.author_email },
    date: iso(r.date),
    files: r.files,
    diffstat: r.diffstat,
    trailers: (byNumber.get(r.number) ?? []).map(({ patchNumber: _n, ...t }) => t),
    applied:
      r.applied_commit || r.applied_message_id ? { commit: r.applied_commit, branch: r.applied_branch, messageId: r.applied_message_id } : null,
  }));
}

async function trailersOf(sql: Sql, seriesId: number): Promise<(TrailerView & { patchNumber: number })[]> {
  const rows = await sql<{ patch_number: number; kind: string; name: string; email: string; message_id: string; carried_from: string | null; value: string }[]>`
    select patch_number, kind, name, email, message_id, carried_from, value from trailers where series_id = ${seriesId} order by patch_number, id`;
  return rows.map((r) => ({ patchNumber: r.patch_number, kind: r.kind, name: r.name, email: r.email, messageId: r.message_id, carriedFrom: r.carried_from, value: r.value }));
}

/**
 * A series with everything known about it, and the thread it was posted in. For the page,
 * `breakageLinksOfThisSeriesOnly` leaves out each breakage's links to other series (a failure in
 * a common file may be linked to a hundred): the page shows only this series' patches.
 */
export async function seriesWithThread(sql: Sql, id: number, opts: { breakageLinksOfThisSeriesOnly?: boolean } = {}): Promise<{ series: SeriesDetail; threadId: number } | null> {
  // Every part is keyed by the id alone, so all go out at once: one round trip of waiting, not two.
  const [[row], patches, versions, fixups, breakages, syscallChanges] = await Promise.all([
    sql<(SeriesRow & { previous_version_id: number | null; next_version_id: number | null; reply_count: number; status_reasons: StatusReasonView[]; thread_id: string })[]>`
      select id, title, version, total, status, author_name, author_email, date, cover_message_id, received, missing,
             open_breakages, pending_fixups, previous_version_id, next_version_id, reply_count, status_reasons, thread_id
      from series where id = ${id}`,
    patchesOf(sql, id),
    versionChain(sql, id),
    fixupsOfSeries(sql, id),
    breakagesOfSeries(sql, id, { onlyThisSeries: opts.breakageLinksOfThisSeriesOnly }),
    syscallChangesOfSeries(sql, id),
  ]);
  if (!row) return null;
  return {
    series: {
      ...toSummary(row),
      patches,
      versions,
      previousVersionId: row.previous_version_id,
      nextVersionId: row.next_version_id,
      replies: row.reply_count,
      statusReasons: row.status_reasons,
      fixups,
      breakages,
      syscallChanges,
    },
    threadId: Number(row.thread_id),
  };
}

export async function seriesById(sql: Sql, id: number): Promise<SeriesDetail | null> {
  return (await seriesWithThread(sql, id))?.series ?? null;
}

/** A stored trailer as lib/am.ts writes it: its value as given (older rows without one are rebuilt from name and address). */
function givenTrailer(t: TrailerView): GivenTrailer | null {
  if (!(TRAILER_KINDS as readonly string[]).includes(t.kind)) return null;
  const value = t.value || (t.email ? (t.name ? `${t.name} <${t.email}>` : t.email) : t.name);
  if (!value) return null;
  return { kind: t.kind as TrailerKind, name: t.name, email: t.email, value, messageId: t.messageId, ...(t.carriedFrom ? { carriedFrom: t.carriedFrom } : {}) };
}

/**
 * What lib/am.ts needs to write the series as an mbox: each patch's stored bytes (its canonical
 * copy), the trailers given for it, and the pending fixups that name a target patch.
 */
export async function seriesMboxInput(sql: Sql, id: number, fixupMode: 'autosquash' | 'none'): Promise<{ series: SeriesRef; input: SeriesMboxInput } | null> {
  const [s] = await sql<SeriesRef[]>`select id, title, version from series where id = ${id}`;
  if (!s) return null;
  const [patchRows, trailerRows, fixupRows] = await Promise.all([
    sql<{ number: number; message_id: string; title: string; raw: Buffer | null }[]>`
      select distinct on (p.number) p.number, p.message_id, p.title,
        (select r.raw from messages m join raw_messages r on r.id = m.raw_id
          where m.message_id = p.message_id order by m.canonical desc, m.raw_id limit 1) as raw
      from patches p where p.series_id = ${id} order by p.number, p.id`,
    trailersOf(sql, id),
    fixupMode === 'none'
      ? Promise.resolve([])
      : sql<{ target_number: number; subject: string | null; description: string; author_name: string; author_email: string; date: Date | null; diff: string }[]>`
          select target_number, subject, description, author_name, author_email, date, diff from fixups
          where series_id = ${id} and state = 'pending' and target_number is not null order by date nulls last, id`,
  ]);
  const trailersByNumber = groupBy(trailerRows, (t) => t.patchNumber);
  const patches: AmPatch[] = [];
  for (const p of patchRows) {
    if (!p.raw) continue;
    const trailers = (trailersByNumber.get(p.number) ?? []).map(givenTrailer).filter((t): t is GivenTrailer => t !== null);
    patches.push({ number: p.number, raw: p.raw, trailers });
  }
  const fixups: AmFixup[] = fixupRows.map((f) => ({
    targetNumber: f.target_number,
    subject: f.subject ?? f.description.split('\n', 1)[0] ?? 'fixup',
    author: { name: f.author_name, email: f.author_email },
    date: f.date,
    description: f.description,
    diff: f.diff,
  }));
  return {
    series: s,
    input: { patches, fixups, fixupMode, targetSubjects: new Map(patchRows.map((p) => [p.number, p.title])) },
  };
}
