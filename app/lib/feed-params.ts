/** The `since` parameter of the event feed: an ISO 8601 date-time (or date); absent means from the beginning. */
export type SinceParam = { ok: true; value: Date | null } | { ok: false; error: string; hint: string };

const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

export function sinceParam(params: URLSearchParams): SinceParam {
  const raw = params.get('since')?.trim() ?? '';
  if (raw === '') return { ok: true, value: null };
  const d = ISO.test(raw) ? new Date(raw) : new Date(NaN);
  if (Number.isNaN(d.getTime())) {
    return { ok: false, error: `invalid since "${raw.slice(0, 60)}"`, hint: 'Use an ISO 8601 time such as 2018-04-09T10:00:00Z (the "next" of the previous answer).' };
  }
  return { ok: true, value: d };
}
