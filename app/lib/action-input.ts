/**
 * Validating the bodies of maintainer actions. JSON and form posts arrive as the same
 * object (form fields are strings), so numbers may come as digit strings. Unknown fields
 * are refused: a typo ("stauts") must not silently do nothing. `"auto"` clears a manual
 * setting and lets the derived value show again.
 */
import { BREAKAGE_STATUS_VALUES, FIXUP_STATE_VALUES, SERIES_STATUS_VALUES, type ManualFixupState } from '../../lib/db/actions.ts';
import type { BreakageStatusValue } from '../../lib/buildlog/index.ts';
import type { SeriesStatus } from '../../lib/status.ts';

export const MAX_NOTE_LENGTH = 2000;
export const AUTO = 'auto';

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string; hint?: string };

type Body = Record<string, unknown>;

function unknownFields(body: Body, allowed: string[]): string | null {
  const extra = Object.keys(body).filter((k) => !allowed.includes(k));
  return extra.length ? `unknown field${extra.length > 1 ? 's' : ''} ${extra.map((k) => `"${k.slice(0, 40)}"`).join(', ')}; allowed: ${allowed.join(', ')}` : null;
}

function note(body: Body): Checked<string> {
  const n = body.note;
  if (n === undefined || n === null) return { ok: true, value: '' };
  if (typeof n !== 'string') return { ok: false, error: '"note" must be a string' };
  if (n.length > MAX_NOTE_LENGTH) return { ok: false, error: `"note" may have at most ${MAX_NOTE_LENGTH} characters` };
  return { ok: true, value: n.trim() };
}

function choice<T extends string>(body: Body, field: string, allowed: readonly T[]): Checked<T | null | undefined> {
  const v = body[field];
  if (v === undefined) return { ok: true, value: undefined };
  if (v === AUTO || v === null) return { ok: true, value: null };
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return { ok: true, value: v as T };
  return { ok: false, error: `"${field}" must be one of ${[...allowed, AUTO].map((x) => `"${x}"`).join(', ')}`, hint: `"${AUTO}" clears a manual setting.` };
}

/** A positive integer, from a number or a digit string. */
function positive(body: Body, field: string, max = 2_147_483_647): Checked<number | undefined> {
  const v = body[field];
  if (v === undefined) return { ok: true, value: undefined };
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,10}$/.test(v.trim()) ? Number(v.trim()) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > max) return { ok: false, error: `"${field}" must be a positive integer${max < 2_147_483_647 ? ` up to ${max}` : ''}` };
  return { ok: true, value: n };
}

export interface SeriesStatusInput {
  /** null: back to the derived status. */
  status: SeriesStatus | null;
  note: string;
}

export function seriesStatusInput(body: Body): Checked<SeriesStatusInput> {
  const extra = unknownFields(body, ['status', 'note']);
  if (extra) return { ok: false, error: extra };
  const status = choice(body, 'status', SERIES_STATUS_VALUES);
  if (!status.ok) return status;
  if (status.value === undefined) return { ok: false, error: '"status" is required', hint: `One of ${SERIES_STATUS_VALUES.join(', ')}, or "${AUTO}".` };
  const n = note(body);
  if (!n.ok) return n;
  return { ok: true, value: { status: status.value, note: n.value } };
}

export interface FixupInput {
  /** undefined: unchanged; null: back to the derived state. */
  state: ManualFixupState | null | undefined;
  /** undefined: unchanged; null: back to the derived target. */
  targetPatch: number | null | undefined;
  note: string;
}

export function fixupInput(body: Body, total: number | null): Checked<FixupInput> {
  const extra = unknownFields(body, ['state', 'targetPatch', 'note']);
  if (extra) return { ok: false, error: extra };
  const state = choice(body, 'state', FIXUP_STATE_VALUES);
  if (!state.ok) return state;
  let targetPatch: number | null | undefined;
  if (body.targetPatch === AUTO || body.targetPatch === null) targetPatch = null;
  else {
    if (body.targetPatch !== undefined && total === null) return { ok: false, error: 'this fixup belongs to no series, so it has no patch to target' };
    const t = positive(body, 'targetPatch', total ?? undefined);
    if (!t.ok) return t;
    targetPatch = t.value;
  }
  if (state.value === undefined && targetPatch === undefined) return { ok: false, error: 'nothing to change', hint: 'Send "state" and/or "targetPatch".' };
  const n = note(body);
  if (!n.ok) return n;
  return { ok: true, value: { state: state.value, targetPatch, note: n.value } };
}

export interface BreakageInput {
  status: BreakageStatusValue | null | undefined;
  linkSeriesId: number | undefined;
  unlinkSeriesId: number | undefined;
  note: string;
}

export function breakageInput(body: Body): Checked<BreakageInput> {
  const extra = unknownFields(body, ['status', 'note', 'seriesId', 'unlinkSeriesId']);
  if (extra) return { ok: false, error: extra };
  const status = choice(body, 'status', BREAKAGE_STATUS_VALUES);
  if (!status.ok) return status;
  const link = positive(body, 'seriesId');
  if (!link.ok) return link;
  const unlink = positive(body, 'unlinkSeriesId');
  if (!unlink.ok) return unlink;
  if (link.value !== undefined && link.value === unlink.value) return { ok: false, error: '"seriesId" and "unlinkSeriesId" name the same series' };
  const n = note(body);
  if (!n.ok) return n;
  if (status.value === undefined && link.value === undefined && unlink.value === undefined) {
    return { ok: false, error: 'nothing to change', hint: 'Send "status", "seriesId" (link) or "unlinkSeriesId"; a "note" goes with one of them.' };
  }
  return { ok: true, value: { status: status.value, linkSeriesId: link.value, unlinkSeriesId: unlink.value, note: n.value } };
}
