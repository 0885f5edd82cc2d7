/**
 * Maintainers' manual actions: recording them, reading the ones in force for the
 * derivation (one query per pass), and the few lookups the action routes need. Actions
 * name their target by stable key, so a reindex (which renumbers derived rows) keeps them.
 */
import type { JSONValue, Sql } from 'postgres';
import type { BreakageStatusValue } from '../buildlog/index.ts';
import { SERIES_STATUSES, type SeriesStatus } from '../status.ts';

export type TargetKind = 'series' | 'fixup' | 'breakage';
export type ActionName = 'set-status' | 'set-state' | 'set-target' | 'link' | 'unlink';
/** A fixup state a maintainer may set: the derived ones, and `dropped`, which only a maintainer sets. */
export type ManualFixupState = 'pending' | 'folded' | 'applied' | 'superseded' | 'dropped';

export const SERIES_STATUS_VALUES: readonly SeriesStatus[] = SERIES_STATUSES;
export const FIXUP_STATE_VALUES: readonly ManualFixupState[] = ['pending', 'folded', 'applied', 'superseded', 'dropped'];
export const BREAKAGE_STATUS_VALUES: readonly BreakageStatusValue[] = ['open', 'fix-proposed', 'fixed', 'pre-existing', 'invalid'];

export interface ManualAction {
  id: number;
  at: Date;
  actor: string;
  via: string;
  targetKind: TargetKind;
  targetKey: string;
  action: ActionName;
  /**
   * set-status: {status} (null: back to the derived status); set-state: {state} (null: derived);
   * set-target: {patch} (null: derived); link/unlink: {seriesKey}.
   */
  value: Record<string, unknown>;
  note: string;
}

export interface NewAction {
  actor: string;
  via: string;
  targetKind: TargetKind;
  targetKey: string;
  action: ActionName;
  value: Record<string, unknown>;
  note: string;
}

interface ActionRow {
  id: string | number;
  at: Date;
  actor: string;
  via: string;
  target_kind: TargetKind;
  target_key: string;
  action: ActionName;
  value: Record<string, unknown>;
  note: string;
}

function toAction(r: ActionRow): ManualAction {
  return { id: Number(r.id), at: r.at, actor: r.actor, via: r.via, targetKind: r.target_kind, targetKey: r.target_key, action: r.action, value: r.value, note: r.note };
}

export async function recordAction(sql: Sql, a: NewAction): Promise<ManualAction> {
  const [r] = await sql<ActionRow[]>`
    insert into manual_actions (actor, via, target_kind, target_key, action, value, note)
    values (${a.actor}, ${a.via}, ${a.targetKind}, ${a.targetKey}, ${a.action}, ${sql.json(a.value as JSONValue)}, ${a.note})
    returning *`;
  return toAction(r);
}

// ---------------------------------------------------------------- what is in force

export interface ManualBy {
  at: Date;
  by: string;
  note: string;
}

/** The latest manual decision on each target; a cleared one ("auto") is absent. */
export interface ManualState {
  seriesStatus: Map<string, ManualBy & { status: SeriesStatus }>;
  fixupState: Map<string, ManualBy & { state: ManualFixupState }>;
  fixupTarget: Map<string, ManualBy & { patch: number }>;
  breakageStatus: Map<string, ManualBy & { status: BreakageStatusValue }>;
  /** Per breakage signature: series keys linked or unlinked by hand (the latest of link/unlink per pair). */
  breakageLinks: Map<string, (ManualBy & { seriesKey: string; linked: boolean })[]>;
}

function oneOf<T extends string>(v: unknown, allowed: readonly T[]): T | null {
  return typeof v === 'string' && (allowed as readonly string[]).includes(v) ? (v as T) : null;
}

/** Reduce the latest actions per target (and per linked series) to the decisions in force. */
export function manualStateOf(latest: ManualAction[]): ManualState {
  const state: ManualState = { seriesStatus: new Map(), fixupState: new Map(), fixupTarget: new Map(), breakageStatus: new Map(), breakageLinks: new Map() };
  for (const a of latest) {
    const by: ManualBy = { at: a.at, by: a.actor, note: a.note };
    if (a.targetKind === 'series' && a.action === 'set-status') {
      const status = oneOf(a.value.status, SERIES_STATUS_VALUES);
      if (status) state.seriesStatus.set(a.targetKey, { ...by, status });
    } else if (a.targetKind === 'fixup' && a.action === 'set-state') {
      const s = oneOf(a.value.state, FIXUP_STATE_VALUES);
      if (s) state.fixupState.set(a.targetKey, { ...by, state: s });
    } else if (a.targetKind === 'fixup' && a.action === 'set-target') {
      const patch = a.value.patch;
      if (typeof patch === 'number' && Number.isInteger(patch) && patch > 0) state.fixupTarget.set(a.targetKey, { ...by, patch });
    } else if (a.targetKind === 'breakage' && a.action === 'set-status') {
      const status = oneOf(a.value.status, BREAKAGE_STATUS_VALUES);
      if (status) state.breakageStatus.set(a.targetKey, { ...by, status });
    } else if (a.targetKind === 'breakage' && (a.action === 'link' || a.action === 'unlink') && typeof a.value.seriesKey === 'string') {
      const list = state.breakageLinks.get(a.targetKey) ?? [];
      list.push({ ...by, seriesKey: a.value.seriesKey, linked: a.action === 'link' });
      state.breakageLinks.set(a.targetKey, list);
    }
  }
  return state;
}

/**
 * The decisions in force, in one query: the newest action per target and kind (link and
 * unlink count as one kind per linked series). Manual actions are few (people make them),
 * so a pass reads them all rather than guessing which targets it will reach.
 */
export async function loadManualState(sql: Sql): Promise<ManualState> {
  const rows = await sql<ActionRow[]>`
    select distinct on (target_kind, target_key, g, sk) id, at, actor, via, target_kind, target_key, action, value, note
    from (select *, case when action in ('link', 'unlink') then 'link' else action end as g, coalesce(value->>'seriesKey', '') as sk from manual_actions) a
    order by target_kind, target_key, g, sk, at desc, id desc`;
  return manualStateOf(rows.map(toAction));
}

/** Breakage signatures linked by hand to any of the given series: a reindex regroups them when the series reappears. */
export function linkedSignatures(state: ManualState, seriesKeys: Set<string>): string[] {
  const out: string[] = [];
  for (const [signature, links] of state.breakageLinks) if (links.some((l) => seriesKeys.has(l.seriesKey))) out.push(signature);
  return out;
}

/**
 * When the newest fact about each series arrived, and in which message: its cover and
 * patches; the replies that gave it a fact (trailer, fixup, build report, verdict, fix,
 * NAK, objection, withdrawal); the commit notices that applied its patches; the cover and
 * patches of a newer version. A reply that says nothing the status rules read ("thanks!")
 * is no fact. Arrival time, not the Date header, is what compares with the moment a
 * maintainer acted: mail imported from an archive is years "older" than any click.
 */
export async function factArrivals(sql: Sql, seriesIds: number[]): Promise<Map<number, { at: Date; messageId: string }>> {
  if (seriesIds.length === 0) return new Map();
  const rows = await sql<{ id: number; at: Date; message_id: string }[]>`
    with s as (select * from series where id = any(${seriesIds})),
    linked as (
      select l.series_id, r.message_id from breakage_links l
      join breakage_reports br on br.breakage_id = l.breakage_id join build_reports r on r.id = br.report_id
      where l.series_id = any(${seriesIds})
      union select s.id, r.message_id from s join build_reports r on r.series_key = s.key
    ),
    facts as (
      select s.id, s.key as mid from s
      union all select series_id, message_id from patches where series_id = any(${seriesIds})
      union all select series_id, message_id from trailers where series_id = any(${seriesIds}) and carried_from is null
      union all select series_id, message_id from fixups where series_id = any(${seriesIds})
      union all select series_id, message_id from linked
      union all select l.series_id, v.message_id from linked l join build_verdicts v on v.report_message_id = l.message_id
      union all select l.series_id, c.message_id from linked l join fix_claims c on c.report_message_id = l.message_id
      union all select series_id, applied_message_id from patches where series_id = any(${seriesIds}) and applied_message_id is not null
      union all select s.id, x->>'messageId' from s, jsonb_array_elements(s.review_facts->'nacks') x
      union all select s.id, x->>'messageId' from s, jsonb_array_elements(s.review_facts->'objections') x
      union all select s.id, s.review_facts->'withdrawn'->>'messageId' from s where jsonb_typeof(s.review_facts->'withdrawn') = 'object'
      union all select s.id, n.key from s join series n on n.id = s.superseded_by_id or n.id = s.next_version_id
      union all select s.id, p.message_id from s join patches p on p.series_id = s.superseded_by_id or p.series_id = s.next_version_id
    )
    select distinct on (f.id) f.id, r.received_at as at, f.mid as message_id
    from facts f join messages m on m.message_id = f.mid and m.canonical join raw_messages r on r.id = m.raw_id
    order by f.id, r.received_at desc, m.raw_id desc`;
  return new Map(rows.map((r) => [r.id, { at: r.at, messageId: r.message_id }]));
}

// ---------------------------------------------------------------- applying decisions the derivation writes

/** Write hand-corrected fixup targets (the per-thread pass wrote the derived ones). */
export async function applyFixupTargets(sql: Sql, rows: { id: number; patch: number; reason: string }[]) {
  for (const r of rows) {
    await sql`
      update fixups f set target_number = ${r.patch}, target_reason = ${r.reason}, target_evidence = 'manual',
        target_message_id = (select p.message_id from patches p where p.series_id = f.series_id and p.number = ${r.patch} limit 1)
      where f.id = ${r.id}`;
  }
}

// ---------------------------------------------------------------- lookups for the routes

export async function seriesKeyOf(sql: Sql, id: number): Promise<{ id: number; key: string; threadId: number } | null> {
  const [r] = await sql<{ key: string; thread_id: string }[]>`select key, thread_id from series where id = ${id}`;
  return r ? { id, key: r.key, threadId: Number(r.thread_id) } : null;
}

export async function fixupTarget(sql: Sql, id: number): Promise<{ id: number; key: string; seriesId: number | null; total: number | null; threadId: number } | null> {
  const [r] = await sql<{ key: string; series_id: number | null; total: number | null; thread_id: string }[]>`
    select f.key, f.series_id, s.total, f.thread_id from fixups f left join series s on s.id = f.series_id where f.id = ${id}`;
  return r ? { id, key: r.key, seriesId: r.series_id, total: r.total, threadId: Number(r.thread_id) } : null;
}

export async function breakageTarget(sql: Sql, id: number): Promise<{ id: number; signature: string; seriesIds: number[]; threadIds: number[] } | null> {
  const [r] = await sql<{ signature: string; series_ids: number[]; thread_ids: string[] }[]>`
    select b.signature,
      array(select distinct series_id from breakage_links where breakage_id = b.id) as series_ids,
      array(select distinct r.thread_id from breakage_reports br join build_reports r on r.id = br.report_id where br.breakage_id = b.id) as thread_ids
    from breakages b where b.id = ${id}`;
  return r ? { id, signature: r.signature, seriesIds: r.series_ids, threadIds: r.thread_ids.map(Number) } : null;
}

export async function seriesIdByKey(sql: Sql, key: string): Promise<number | null> {
  const [r] = await sql<{ id: number }[]>`select id from series where key = ${key}`;
  return r?.id ?? null;
}

// ---------------------------------------------------------------- reading actions back

/** Actions on the given targets, oldest first. */
export async function actionsOn(sql: Sql, targets: { kind: TargetKind; key: string }[]): Promise<ManualAction[]> {
  if (targets.length === 0) return [];
  const kinds = targets.map((t) => t.kind);
  const keys = targets.map((t) => t.key);
  const rows = await sql<ActionRow[]>`
    select a.* from manual_actions a join unnest(${kinds}::text[], ${keys}::text[]) as t(kind, key) on a.target_kind = t.kind and a.target_key = t.key
    order by a.at, a.id`;
  return rows.map(toAction);
}

/** Actions that link or unlink a breakage and the given series key. */
export async function linkActionsOfSeries(sql: Sql, seriesKey: string): Promise<ManualAction[]> {
  const rows = await sql<ActionRow[]>`
    select * from manual_actions where target_kind = 'breakage' and action in ('link', 'unlink') and value->>'seriesKey' = ${seriesKey} order by at, id`;
  return rows.map(toAction);
}

/** Actions after a moment (exclusive, to the millisecond), oldest first. */
export async function actionsSince(sql: Sql, since: Date, limit: number): Promise<ManualAction[]> {
  const rows = await sql<ActionRow[]>`select * from manual_actions where date_trunc('milliseconds', at) > ${since} order by at, id limit ${limit}`;
  return rows.map(toAction);
}
