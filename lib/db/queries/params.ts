/**
 * Reading list filters from a query string, shared by the JSON API (which answers a bad value
 * with a 400) and the pages (which show the same message beside the form). Pure: no I/O.
 */

export interface ParamError {
  error: string;
  hint?: string;
}

export type Parsed<T> = { ok: true; value: T } | ({ ok: false } & ParamError);

/** Search text longer than this is refused: nobody types it, and it costs the database. */
export const MAX_QUERY_LENGTH = 300;

export function ok<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

export function fail<T>(error: string, hint?: string): Parsed<T> {
  return hint ? { ok: false, error, hint } : { ok: false, error };
}

/** A page's searchParams (Next passes a record) as URLSearchParams; repeated keys keep every value. */
export function toSearchParams(record: Record<string, string | string[] | undefined>): URLSearchParams {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(record)) {
    if (Array.isArray(v)) for (const one of v) out.append(k, one);
    else if (v !== undefined) out.append(k, v);
  }
  return out;
}

/** Free text: trimmed, empty means absent, too long is an error. */
export function textParam(params: URLSearchParams, name: string, max = MAX_QUERY_LENGTH): Parsed<string | null> {
  const raw = params.get(name);
  if (raw === null) return ok(null);
  const v = raw.trim();
  if (v === '') return ok(null);
  if (v.length > max) return fail(`${name} is too long (${v.length} characters)`, `Use at most ${max} characters.`);
  // PostgreSQL text cannot hold NUL: sent on, it was a 500.
  if (v.includes('\u0000')) return fail(`${name} contains a NUL character`, 'Remove control characters from the value.');
  return ok(v);
}

/** One of a fixed set of words; empty means absent. */
export function enumParam<T extends string>(params: URLSearchParams, name: string, allowed: readonly T[]): Parsed<T | null> {
  const raw = params.get(name)?.trim() ?? '';
  if (raw === '') return ok(null);
  if ((allowed as readonly string[]).includes(raw)) return ok(raw as T);
  return fail(`invalid ${name} "${raw.slice(0, 60)}"`, `Use one of: ${allowed.join(', ')}.`);
}

const TRUE = ['1', 'true', 'yes', 'on'];
const FALSE = ['0', 'false', 'no', 'off'];

/** true / false (also 1/0, yes/no, on/off as an HTML checkbox sends); empty means absent. */
export function boolParam(params: URLSearchParams, name: string): Parsed<boolean | null> {
  const raw = params.get(name)?.trim().toLowerCase() ?? '';
  if (raw === '') return ok(null);
  if (TRUE.includes(raw)) return ok(true);
  if (FALSE.includes(raw)) return ok(false);
  return fail(`invalid ${name} "${raw.slice(0, 60)}"`, `Use true or false.`);
}

/** A positive integer up to max; empty means absent. */
export function positiveIntParam(params: URLSearchParams, name: string, max = 2_147_483_647): Parsed<number | null> {
  const raw = params.get(name)?.trim() ?? '';
  if (raw === '') return ok(null);
  return positiveInt(raw, name, max);
}

export function positiveInt(raw: string, name: string, max = 2_147_483_647): Parsed<number> {
  if (!/^\d{1,10}$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    return fail(`invalid ${name} "${raw.slice(0, 60)}"`, `${name} must be a whole number from 1 to ${max}.`);
  }
  return ok(Number(raw));
}

/** The pattern for `ILIKE` that finds text containing `s` literally (%, _ and \ escaped; quotes of a phrase dropped). */
export function containsPattern(s: string): string {
  return `%${s.replace(/"/g, '').trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

type ValueOf<P> = P extends { ok: true; value: infer V } ? V : never;

/** Several parses as one: every value, or the first error. */
export function parseAll<T extends Record<string, Parsed<unknown>>>(parts: T): Parsed<{ [K in keyof T]: ValueOf<T[K]> }> {
  const out: Record<string, unknown> = {};
  for (const [k, p] of Object.entries(parts)) {
    if (!p.ok) return p.hint ? fail(p.error, p.hint) : fail(p.error);
    out[k] = p.value;
  }
  return ok(out as { [K in keyof T]: ValueOf<T[K]> });
}
