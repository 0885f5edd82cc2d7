/**
 * Reading timelines: the facts lib/timeline.ts orders into a series' timeline, set-based for
 * many series at once, and the feed of everything that changed since a moment (by arrival
 * of the mail, and the time of maintainers' actions).
 */
import type { Sql } from 'postgres';
import type { Address } from '../../mail/types.ts';
import {
  actionText,
  breakageEvents,
  buildTimeline,
  sortEvents,
  type ActionFact,
  type BreakageFact,
  type FixupFact,
  type MailRef,
  type TimelineEvent,
  type TimelineFacts,
  type TimelineRef,
} from '../../timeline.ts';
import { actionsOn, actionsSince, type ManualAction } from '../actions.ts';
import type { ReviewFacts } from '../schema.ts';
import { groupBy } from '../../group.ts';

interface SeriesFactRow {
  id: number;
  key: string;
  version: number;
  total: number;
  title: string;
  status: string;
  review_facts: ReviewFacts;
}

async function mailRefs(sql: Sql, ids: string[]): Promise<Map<string, MailRef>> {
  const unique = [...new Set(ids.filter(Boolean))];
  if (unique.length === 0) return new Map();
  const rows = await sql<{ message_id: string; sort_date: Date; from_name: string; from_email: string }[]>`
    select distinct on (message_id) message_id, sort_date, from_name, from_email from messages
    where message_id = any(${unique}) and canonical order by message_id, raw_id`;
  return new Map(rows.map((r) => [r.message_id, { messageId: r.message_id, date: r.sort_date, by: { name: r.from_name, email: r.from_email } }]));
}

const ref = (refs: Map<string, MailRef>, id: string, fallback?: { date: Date | null; by: Address | null }): MailRef =>
  refs.get(id) ?? { messageId: id, date: fallback?.date ?? null, by: fallback?.by ?? null };

/** Every version of each series (previous and later), by following the links both ways; cycles cut by depth. */
async function chains(sql: Sql, ids: number[]) {
  return sql<{ origin: number; id: number; version: number; key: string }[]>`
    with recursive back(origin, id, prev, depth) as (
      select id, id, previous_version_id, 0 from series where id = any(${ids})
      union all
      select b.origin, s.id, s.previous_version_id, b.depth + 1 from series s join back b on s.id = b.prev where b.depth < 100
    ), fwd(origin, id, next, depth) as (
      select id, id, next_version_id, 0 from series where id = any(${ids})
      union all
      select f.origin, s.id, s.next_version_id, f.depth + 1 from series s join fwd f on s.id = f.next where f.depth < 100
    )
    select distinct c.origin, s.id, s.version, s.key
    from (select origin, id from back union select origin, id from fwd) c join series s on s.id = c.id`;
}

async function breakageFacts(sql: Sql, breakageIds: number[]): Promise<BreakageFact[]> {
  if (breakageIds.length === 0) return [];
  const [bs, reports, claims, verdicts] = await Promise.all([
    sql<{ id: number; signature: string; message: string; status: string }[]>`select id, signature, message, status from breakages where id = any(${breakageIds})`,
    sql<{ breakage_id: number; message_id: string; date: Date | null; reporter_name: string; reporter_email: string }[]>`
      select br.breakage_id, r.message_id, r.date, r.reporter_name, r.reporter_email
      from breakage_reports br join build_reports r on r.id = br.report_id where br.breakage_id = any(${breakageIds}) order by r.date nulls last, r.id`,
    sql<{ breakage_id: number; message_id: string; via: string; fixup_key: string | null }[]>`
      select distinct br.breakage_id, c.message_id, c.via, c.fixup_key
      from breakage_reports br join build_reports r on r.id = br.report_id join fix_claims c on c.report_message_id = r.message_id
      where br.breakage_id = any(${breakageIds})`,
    sql<{ breakage_id: number; message_id: string; kind: 'pre-existing' | 'invalid'; ref: string | null; quote: string; date: Date | null; author_name: string }[]>`
      select distinct br.breakage_id, v.message_id, v.kind, v.ref, v.quote, v.date, v.author_name
      from breakage_reports br join build_reports r on r.id = br.report_id join build_verdicts v on v.report_message_id = r.message_id
      where br.breakage_id = any(${breakageIds})`,
  ]);
  const refs = await mailRefs(sql, [...claims.map((c) => c.message_id), ...verdicts.map((v) => v.message_id)]);
  const reportsOf = groupBy(reports, (r) => r.breakage_id);
  const claimsOf = groupBy(claims, (c) => c.breakage_id);
  const verdictsOf = groupBy(verdicts, (v) => v.breakage_id);
  return bs.map((b) => ({
    id: b.id,
    signature: b.signature,
    title: b.message,
    status: b.status,
    reports: (reportsOf.get(b.id) ?? []).map((r) => ({ messageId: r.message_id, date: r.date, by: { name: r.reporter_name, email: r.reporter_email } })),
    fixes: (claimsOf.get(b.id) ?? []).map((c) => ({ ...ref(refs, c.message_id), via: c.via, fixupKey: c.fixup_key })),
    verdicts: (verdictsOf.get(b.id) ?? []).map((v) => ({ ...ref(refs, v.message_id, { date: v.date, by: { name: v.author_name, email: '' } }), kind: v.kind, ref: v.ref, quote: v.quote })),
  }));
}

function label(kind: 'fixup' | 'breakage', text: string | null): string {
  const t = (text ?? '').replace(/\s+/g, ' ').trim();
  const short = t.length > 70 ? `${t.slice(0, 69)}…` : t;
  return short ? `${kind} "${short}"` : kind;
}

/** The facts of each series' timeline. */
export async function timelineFacts(sql: Sql, seriesIds: number[]): Promise<Map<number, TimelineFacts>> {
  const ids = [...new Set(seriesIds)];
  if (ids.length === 0) return new Map();
  const series = await sql<SeriesFactRow[]>`select id, key, version, total, title, status, review_facts from series where id = any(${ids})`;
  if (series.length === 0) return new Map();
  // A few waits instead of one per query: each stage asks only for what the one before made known.
  const [chain, trailers, fixups, links, applied, linkActions] = await Promise.all([
    chains(sql, ids),
    sql<{ series_id: number; kind: string; name: string; email: string; patch_number: number; message_id: string; carried_from: string | null }[]>`
      select series_id, kind, name, email, patch_number, message_id, carried_from from trailers where series_id = any(${ids}) order by id`,
    sql<{ id: number; key: string; series_id: number; subject: string | null; message_id: string; date: Date | null; author_name: string; author_email: string; target_number: number | null; state: string }[]>`
      select id, key, series_id, subject, message_id, date, author_name, author_email, target_number, state from fixups where series_id = any(${ids}) order by date nulls last, id`,
    sql<{ series_id: number; breakage_id: number }[]>`select distinct series_id, breakage_id from breakage_links where series_id = any(${ids})`,
    sql<{ series_id: number; applied_message_id: string; applied_commit: string | null; applied_branch: string | null; numbers: number[] }[]>`
      select series_id, applied_message_id, min(applied_commit) as applied_commit, min(applied_branch) as applied_branch, array_agg(number order by number) as numbers
      from patches where series_id = any(${ids}) and applied_message_id is not null group by series_id, applied_message_id`,
    // Links and unlinks made by hand show on the series too, even once the link is gone.
    sql<{ id: string; at: Date; actor: string; target_key: string; action: 'link' | 'unlink'; value: Record<string, unknown>; note: string; message: string | null; bid: number | null }[]>`
      select a.id, a.at, a.actor, a.target_key, a.action, a.value, a.note, b.message, b.id as bid
      from manual_actions a left join breakages b on b.signature = a.target_key
      where a.target_kind = 'breakage' and a.action in ('link', 'unlink') and a.value->>'seriesKey' = any(${series.map((s) => s.key)}) order by a.at, a.id`,
  ]);
  const chainIds = [...new Set(chain.map((c) => c.id))];
  const [laterPatches, noticeRows, breakages] = await Promise.all([
    // Patches of every version in the chains (the series' own among them).
    sql<{ series_id: number; number: number; message_id: string }[]>`
      select series_id, number, message_id from patches where series_id = any(${chainIds})`,
    fixups.some((f) => f.state === 'applied' && f.subject)
      ? sql<{ message_id: string; title: string; commit: string | null; date: Date | null; author_name: string | null; author_email: string | null }[]>`
          select message_id, title, commit, date, author_name, author_email from commit_notices
          where lower(title) = any(${fixups.filter((f) => f.subject).map((f) => (f.subject as string).toLowerCase())})`
      : Promise.resolve([]),
    breakageFacts(sql, [...new Set(links.map((l) => l.breakage_id))]),
  ]);
  const review = (s: SeriesFactRow) => [
    ...s.review_facts.nacks.map((n) => ({ kind: 'nack' as const, messageId: n.messageId, by: n.by, quote: null })),
    ...s.review_facts.objections.map((o) => ({ kind: 'objection' as const, messageId: o.messageId, by: o.by, quote: o.quote })),
    ...(s.review_facts.withdrawn ? [{ kind: 'withdrawn' as const, messageId: s.review_facts.withdrawn.messageId, by: null, quote: s.review_facts.withdrawn.quote }] : []),
  ];
  const [actions, refs] = await Promise.all([
    actionsOn(sql, [
      ...series.map((s) => ({ kind: 'series' as const, key: s.key })),
      ...fixups.map((f) => ({ kind: 'fixup' as const, key: f.key })),
      ...breakages.map((b) => ({ kind: 'breakage' as const, key: b.signature })),
    ]),
    mailRefs(sql, [
      ...series.map((s) => s.key),
      ...chain.map((c) => c.key),
      ...trailers.map((t) => t.message_id),
      ...series.flatMap((s) => review(s).map((r) => r.messageId)),
      ...fixups.map((f) => f.message_id),
      ...laterPatches.map((p) => p.message_id),
      ...applied.map((a) => a.applied_message_id),
    ]),
  ]);
  const fixupByKey = new Map(fixups.map((f) => [f.key, f]));
  const versionOf = new Map(chain.map((c) => [c.id, c.version]));
  // The first series a patch Message-ID is found in, as a search of the list would give.
  const seriesOfPatch = new Map<string, number>();
  for (const p of laterPatches) if (!seriesOfPatch.has(p.message_id)) seriesOfPatch.set(p.message_id, p.series_id);
  const versionOfPatch = (messageId: string) => {
    const seriesId = seriesOfPatch.get(messageId);
    return seriesId === undefined ? undefined : versionOf.get(seriesId);
  };
  const breakageBySig = new Map(breakages.map((b) => [b.signature, b]));
  const breakageById = new Map(breakages.map((b) => [b.id, b]));
  // Grouped once, so many series (the feed) cost one pass, not one filter per series.
  const chainOf = groupBy(chain, (c) => c.origin);
  const fixupsOf = groupBy(fixups, (f) => f.series_id);
  const linksOf = groupBy(links, (l) => l.series_id);
  const trailersOf = groupBy(trailers, (t) => t.series_id);
  const appliedOf = groupBy(applied, (a) => a.series_id);
  const patchesOf = groupBy(laterPatches, (p) => p.series_id);

  const out = new Map<number, TimelineFacts>();
  for (const s of series) {
    const myChain = chainOf.get(s.id) ?? [];
    const later = myChain.filter((c) => c.version > s.version).sort((a, b) => a.version - b.version);
    const myFixups: FixupFact[] = (fixupsOf.get(s.id) ?? [])
      .map((f) => {
        const foldedIn = f.target_number === null ? undefined : later.map((c) => ({ c, p: (patchesOf.get(c.id) ?? []).find((p) => p.number === f.target_number) })).find((x) => x.p);
        const notice = f.subject ? noticeRows.find((n) => n.title.toLowerCase() === (f.subject as string).toLowerCase()) : undefined;
        return {
          id: f.id,
          key: f.key,
          subject: f.subject,
          posted: ref(refs, f.message_id, { date: f.date, by: { name: f.author_name, email: f.author_email } }),
          targetPatch: f.target_number,
          state: f.state,
          folded: foldedIn?.p ? { ...ref(refs, foldedIn.p.message_id), version: foldedIn.c.version } : null,
          applied: notice ? { messageId: notice.message_id, date: notice.date, by: notice.author_email ? { name: notice.author_name ?? '', email: notice.author_email } : null, commit: notice.commit } : null,
        };
      });
    const myBreakages = (linksOf.get(s.id) ?? []).map((l) => breakageById.get(l.breakage_id)).filter((b): b is BreakageFact => !!b);
    const myActions: ActionFact[] = actions.flatMap((a) => {
      if (a.targetKind === 'series') return a.targetKey === s.key ? [toActionFact(a, 'series', null)] : [];
      if (a.targetKind === 'fixup') {
        const f = fixupByKey.get(a.targetKey);
        return f && f.series_id === s.id ? [toActionFact(a, label('fixup', f.subject), { kind: 'fixup', id: f.id })] : [];
      }
      const b = breakageBySig.get(a.targetKey);
      return b && myBreakages.includes(b) ? [toActionFact(a, label('breakage', b.title), { kind: 'breakage', id: b.id })] : [];
    });
    out.set(s.id, {
      series: { id: s.id, version: s.version, total: s.total, title: s.title, posted: refs.get(s.key) ?? null },
      versions: myChain.filter((c) => c.id !== s.id).map((c) => ({ id: c.id, version: c.version, posted: refs.get(c.key) ?? null })),
      trailers: (trailersOf.get(s.id) ?? []).map((t) => ({
          kind: t.kind,
          name: t.name,
          email: t.email,
          patchNumber: t.patch_number,
          messageId: t.message_id,
          date: refs.get(t.message_id)?.date ?? null,
          carriedFromVersion: t.carried_from === null ? null : (versionOfPatch(t.carried_from) ?? 0),
        })),
      review: review(s).map((r) => ({ ...ref(refs, r.messageId), by: r.by ?? refs.get(r.messageId)?.by ?? null, kind: r.kind, quote: r.quote })),
      fixups: myFixups,
      breakages: myBreakages,
      applied: (appliedOf.get(s.id) ?? []).map((a) => ({ ...ref(refs, a.applied_message_id), commit: a.applied_commit, branch: a.applied_branch, patchNumbers: a.numbers })),
      actions: myActions,
      ownMessageIds: [s.key, ...(patchesOf.get(s.id) ?? []).map((p) => p.message_id)],
    });
  }
  for (const s of series) {
    const facts = out.get(s.id) as TimelineFacts;
    for (const a of linkActions) {
      if (a.value.seriesKey !== s.key || facts.actions.some((x) => x.id === Number(a.id))) continue;
      facts.actions.push({
        id: Number(a.id),
        at: a.at,
        actor: a.actor,
        targetKind: 'breakage',
        action: a.action,
        value: a.value,
        note: a.note,
        targetLabel: label('breakage', a.message),
        ref: a.bid ? { kind: 'breakage', id: a.bid } : null,
      });
    }
  }
  return out;
}

function toActionFact(a: ManualAction, targetLabel: string, r: TimelineRef | null): ActionFact {
  return { id: a.id, at: a.at, actor: a.actor, targetKind: a.targetKind, action: a.action, value: a.value, note: a.note, targetLabel, ref: r };
}

export interface SeriesTimeline {
  series: { id: number; title: string; version: number; status: string };
  events: TimelineEvent[];
}

export async function seriesTimeline(sql: Sql, id: number): Promise<SeriesTimeline | null> {
  const [s] = await sql<{ id: number; title: string; version: number; status: string }[]>`select id, title, version, status from series where id = ${id}`;
  if (!s) return null;
  const facts = (await timelineFacts(sql, [id])).get(id);
  return { series: s, events: facts ? buildTimeline(facts) : [] };
}

// ---------------------------------------------------------------- the feed

export interface FeedSubject {
  kind: 'series' | 'breakage' | 'fixup';
  id: number;
  title: string;
  status: string;
}

export interface FeedEvent extends TimelineEvent {
  /** Unique in the feed and stable across reindex. */
  feedId: string;
  /** When Patchloom learnt of it: the mail's arrival, or the maintainer's action. */
  arrivedAt: string;
  subject: FeedSubject | null;
}

export interface Feed {
  since: string;
  /** Pass this as `since` to continue; events are ordered by arrivedAt. */
  next: string;
  /** true when more events wait after `next`. */
  more: boolean;
  events: FeedEvent[];
}

/** Messages (and actions) are read in pages of this many, cut at a time boundary. */
export const FEED_PAGE = 1000;

/**
 * Everything that changed after `since` (exclusive), oldest first: the timeline events of
 * mail that arrived since, and maintainers' actions. A page holds at most FEED_PAGE mails and
 * FEED_PAGE actions, plus any that share the last moment, so `next` never splits a moment.
 */
export async function eventsSince(sql: Sql, since: Date, page = FEED_PAGE): Promise<Feed> {
  // Times compare at millisecond precision, the precision of the `next` handed out (PostgreSQL keeps microseconds).
  const [mcut] = await sql<{ at: Date }[]>`
    select date_trunc('milliseconds', received_at) as at from raw_messages where date_trunc('milliseconds', received_at) > ${since}
    order by received_at offset ${page - 1} limit 1`;
  const [acut] = await sql<{ at: Date }[]>`
    select date_trunc('milliseconds', at) as at from manual_actions where date_trunc('milliseconds', at) > ${since} order by at offset ${page - 1} limit 1`;
  const cuts = [mcut?.at, acut?.at].filter((d): d is Date => !!d);
  const until = cuts.length ? new Date(Math.min(...cuts.map((d) => d.getTime()))) : null;
  const fresh = await sql<{ message_id: string; at: Date }[]>`
    select m.message_id, r.received_at as at from raw_messages r join messages m on m.raw_id = r.id and m.canonical
    where date_trunc('milliseconds', r.received_at) > ${since}
      and (${until}::timestamptz is null or date_trunc('milliseconds', r.received_at) <= ${until}::timestamptz)`;
  const arrived = new Map(fresh.map((f) => [f.message_id, f.at]));
  const freshIds = [...arrived.keys()];
  const actions = (await actionsSince(sql, since, page * 2)).filter((a) => !until || a.at.getTime() <= until.getTime());

  const events: FeedEvent[] = [];
  if (freshIds.length) {
    const touched = await sql<{ id: number }[]>`
      with f as (select unnest(${freshIds}::text[]) as mid)
      select id from series where key in (select mid from f) or message_ids && ${freshIds}::text[]
      union select series_id from trailers where message_id in (select mid from f)
      union select series_id from fixups where series_id is not null and message_id in (select mid from f)
      union select series_id from patches where applied_message_id in (select mid from f)
      union select s.id from series s join series n on n.id = s.next_version_id or n.id = s.previous_version_id where n.key in (select mid from f)
      union select l.series_id from breakage_links l join breakage_reports br on br.breakage_id = l.breakage_id join build_reports r on r.id = br.report_id
        where r.message_id in (select mid from f)
           or r.message_id in (select report_message_id from build_verdicts where message_id in (select mid from f))
           or r.message_id in (select report_message_id from fix_claims where message_id in (select mid from f))
      union select s.id from series s, jsonb_array_elements(s.review_facts->'nacks' || s.review_facts->'objections') x where x->>'messageId' in (select mid from f)
      union select id from series where review_facts->'withdrawn'->>'messageId' in (select mid from f)`;
    const facts = await timelineFacts(sql, touched.map((t) => t.id));
    const subjects = await sql<{ id: number; key: string; title: string; version: number; status: string }[]>`
      select id, key, title, version, status from series where id = any(${touched.map((t) => t.id)})`;
    for (const s of subjects) {
      const f = facts.get(s.id);
      if (!f) continue;
      for (const e of buildTimeline(f)) {
        const at = e.messageId && e.kind !== 'manual' ? arrived.get(e.messageId) : undefined;
        if (!at) continue;
        events.push({ ...e, feedId: `series:${s.key}|${e.id}`, arrivedAt: msIso(at), subject: { kind: 'series', id: s.id, title: `v${s.version} ${s.title}`, status: s.status } });
      }
    }
    // Build failures no series claims still changed something.
    const loose = await sql<{ id: number }[]>`
      select distinct br.breakage_id as id from breakage_reports br join build_reports r on r.id = br.report_id
      where not exists (select 1 from breakage_links l where l.breakage_id = br.breakage_id)
        and (r.message_id = any(${freshIds}::text[])
          or r.message_id in (select report_message_id from build_verdicts where message_id = any(${freshIds}::text[]))
          or r.message_id in (select report_message_id from fix_claims where message_id = any(${freshIds}::text[])))`;
    for (const b of await breakageFacts(sql, loose.map((l) => l.id))) {
      for (const e of breakageEvents(b, [])) {
        const at = e.messageId ? arrived.get(e.messageId) : undefined;
        if (!at) continue;
        events.push({ ...e, feedId: `breakage:${b.signature}|${e.id}`, arrivedAt: msIso(at), subject: { kind: 'breakage', id: b.id, title: b.title, status: b.status } });
      }
    }
  }
  events.push(...(await actionEvents(sql, actions)));
  const ordered = sortByArrival(events);
  const last = ordered.length ? ordered[ordered.length - 1].arrivedAt : null;
  const next = until ? until.toISOString() : (last ?? since.toISOString());
  return { since: since.toISOString(), next, more: until !== null, events: ordered };
}

const msIso = (d: Date) => new Date(Math.floor(d.getTime())).toISOString();

function sortByArrival(events: FeedEvent[]): FeedEvent[] {
  const groups = new Map<string, FeedEvent[]>();
  for (const e of events) groups.set(e.arrivedAt, [...(groups.get(e.arrivedAt) ?? []), e]);
  return [...groups.keys()].sort().flatMap((k) => sortEvents(groups.get(k) as FeedEvent[]) as FeedEvent[]);
}

/** Actions as feed events, with what they are about (by key: the rows may have been renumbered since). */
async function actionEvents(sql: Sql, actions: ManualAction[]): Promise<FeedEvent[]> {
  if (actions.length === 0) return [];
  const keys = (k: string) => [...new Set(actions.filter((a) => a.targetKind === k).map((a) => a.targetKey))];
  const [series, fixups, breakages] = await Promise.all([
    sql<{ key: string; id: number; title: string; version: number; status: string }[]>`select key, id, title, version, status from series where key = any(${keys('series')})`,
    sql<{ key: string; id: number; subject: string | null; state: string; series_id: number | null; title: string | null; version: number | null; status: string | null }[]>`
      select f.key, f.id, f.subject, f.state, f.series_id, s.title, s.version, s.status
      from fixups f left join series s on s.id = f.series_id where f.key = any(${keys('fixup')})`,
    sql<{ signature: string; id: number; message: string; status: string }[]>`select signature, id, message, status from breakages where signature = any(${keys('breakage')})`,
  ]);
  return actions.map((a) => {
    let subject: FeedSubject | null = null;
    let targetLabel = a.targetKind as string;
    let r: TimelineRef | null = null;
    if (a.targetKind === 'series') {
      const s = series.find((x) => x.key === a.targetKey);
      if (s) subject = { kind: 'series', id: s.id, title: `v${s.version} ${s.title}`, status: s.status };
      targetLabel = 'series';
    } else if (a.targetKind === 'fixup') {
      const f = fixups.find((x) => x.key === a.targetKey);
      targetLabel = label('fixup', f?.subject ?? null);
      // A fixup is seen on its series' page: that is what the event is about.
      if (f) subject = f.series_id !== null ? { kind: 'series', id: f.series_id, title: `v${f.version} ${f.title}`, status: f.status ?? '' } : { kind: 'fixup', id: f.id, title: f.subject ?? '(untitled fixup)', status: f.state };
      if (f) r = { kind: 'fixup', id: f.id };
    } else {
      const b = breakages.find((x) => x.signature === a.targetKey);
      targetLabel = label('breakage', b?.message ?? null);
      if (b) subject = { kind: 'breakage', id: b.id, title: b.message, status: b.status };
      if (b) r = { kind: 'breakage', id: b.id };
    }
    const text = actionText({ targetKind: a.targetKind, action: a.action, value: a.value, note: a.note, targetLabel, actor: a.actor });
    return { id: `action:${a.id}`, feedId: `action:${a.id}`, at: a.at.toISOString(), arrivedAt: msIso(a.at), kind: 'manual' as const, text, messageId: null, by: a.actor, ref: r, subject };
  });
}

/** A `since` that makes eventsSince answer with the most recent page: just before the page-th newest mail or action. */
export async function recentSince(sql: Sql, page = FEED_PAGE): Promise<Date> {
  const [m] = await sql<{ at: Date }[]>`select received_at as at from raw_messages order by received_at desc offset ${page - 1} limit 1`;
  const [a] = await sql<{ at: Date }[]>`select at from manual_actions order by at desc offset ${page - 1} limit 1`;
  const latest = Math.max(m?.at.getTime() ?? 0, a?.at.getTime() ?? 0);
  // Exclusive since: step back one millisecond so that moment itself is in the page.
  return new Date(Math.max(0, latest - 1));
}
