/** Reading inline fixups: the fixup list, a series' fixups, and their text for the pages. */
import type { Fragment, Sql } from 'postgres';
import { allOf } from './fragments.ts';
import type { Address } from '../../mail/types.ts';
import { containsPattern, enumParam, ok, parseAll, positiveIntParam, textParam, type Parsed } from './params.ts';
import type { SeriesRef } from './series.ts';

export const FIXUP_STATES = ['pending', 'folded', 'applied', 'superseded', 'dropped'] as const;
export type FixupStateFilter = (typeof FIXUP_STATES)[number];

/** A list never returns more than this many fixups. */
export const FIXUP_LIMIT = 500;

export interface FixupFilter {
  state: FixupStateFilter | null;
  q: string | null;
  series: number | null;
}

export function fixupFilterFromParams(params: URLSearchParams): Parsed<FixupFilter> {
  const p = parseAll({ state: enumParam(params, 'state', FIXUP_STATES), q: textParam(params, 'q'), series: positiveIntParam(params, 'series') });
  return p.ok ? ok(p.value) : p;
}

/** A fixup as the API shows it. */
export interface FixupView {
  id: number;
  messageId: string;
  subject: string | null;
  author: Address;
  date: string | null;
  files: string[];
  series: SeriesRef | null;
  targetPatch: { number: number; messageId: string | null } | null;
  targetReason: string;
  candidates: { number: number; messageId: string; score: number; why: string[] }[];
  state: string;
  form: string;
  syscallChanges: number[];
}

/** What the pages show besides: the fixup's text and why it is in its state. */
export interface FixupText {
  /** The reply's own words before the fixup ("could be folded with patch 8/8"). */
  preamble: string;
  description: string;
  diff: string;
  stateReason: string;
}

interface FixupRow {
  id: number;
  message_id: string;
  subject: string | null;
  author_name: string;
  author_email: string;
  date: Date | null;
  files: string[];
  series_id: number | null;
  series_title: string | null;
  series_version: number | null;
  target_number: number | null;
  target_message_id: string | null;
  target_reason: string;
  candidates: FixupView['candidates'];
  state: string;
  form: string;
  syscall_changes: number[];
}

function toView(r: FixupRow): FixupView {
  return {
    id: r.id,
    messageId: r.message_id,
    subject: r.subject,
    author: { name: r.author_name, email: r.author_email },
    date: r.date ? r.date.toISOString() : null,
    files: r.files,
    series: r.series_id !== null && r.series_title !== null ? { id: r.series_id, title: r.series_title, version: r.series_version ?? 1 } : null,
    targetPatch: r.target_number !== null ? { number: r.target_number, messageId: r.target_message_id } : null,
    targetReason: r.target_reason,
    candidates: r.candidates,
    state: r.state,
    form: r.form,
    syscallChanges: r.syscall_changes,
  };
}

async function selectFixups(sql: Sql, where: Fragment, limit = FIXUP_LIMIT): Promise<FixupView[]> {
  const rows = await sql<FixupRow[]>`
    select f.id, f.message_id, f.subject, f.author_name, f.author_email, f.date, f.files, f.series_id,
           s.title as series_title, s.version as series_version, f.target_number, f.target_message_id, f.target_reason,
           f.candidates, f.state, f.form,
           array(select distinct l.change_id from syscall_links l
                 where l.target_kind = 'fixup' and l.target_id = f.key order by l.change_id) as syscall_changes
    from fixups f left join series s on s.id = f.series_id
    where ${where}
    order by f.date desc nulls last, f.id desc
    limit ${limit}`;
  return rows.map(toView);
}

export async function listFixups(sql: Sql, f: FixupFilter): Promise<FixupView[]> {
  const conditions: Fragment[] = [];
  if (f.state) conditions.push(sql`f.state = ${f.state}`);
  if (f.series) conditions.push(sql`f.series_id = ${f.series}`);
  if (f.q) {
    const pat = containsPattern(f.q);
    conditions.push(sql`(f.subject ilike ${pat} or f.description ilike ${pat} or f.author_name ilike ${pat} or f.author_email ilike ${pat}
      or array_to_string(f.files, ' ') ilike ${pat} or s.title ilike ${pat})`);
  }
  return selectFixups(sql, allOf(sql, conditions));
}

/** A series' fixups, in the order they were posted. */
export async function fixupsOfSeries(sql: Sql, seriesId: number): Promise<FixupView[]> {
  const rows = await selectFixups(sql, sql`f.series_id = ${seriesId}`);
  return rows.reverse();
}

export async function fixupById(sql: Sql, id: number): Promise<FixupView | null> {
  const [row] = await selectFixups(sql, sql`f.id = ${id}`, 1);
  return row ?? null;
}

/** The description, diff and state reason of some fixups, by id. */
export async function fixupTexts(sql: Sql, ids: number[]): Promise<Map<number, FixupText>> {
  if (ids.length === 0) return new Map();
  const rows = await sql<{ id: number; preamble: string; description: string; diff: string; state_reason: string }[]>`
    select id, preamble, description, diff, state_reason from fixups where id = any(${ids}::int[])`;
  return new Map(rows.map((r) => [r.id, { preamble: r.preamble, description: r.description, diff: r.diff, stateReason: r.state_reason }]));
}
