/** Shared formatting for pages: dates, names, Message-ID links. */

export function shortDate(iso: string | null): string {
  if (!iso) return '—';
  return iso.slice(0, 10);
}

export function dateTime(iso: string | null): string {
  if (!iso) return '—';
  return iso.slice(0, 16).replace('T', ' ');
}

export function messageHref(messageId: string): string {
  return `/m/${encodeURIComponent(messageId)}`;
}

export function displayName(a: { name: string; email: string }): string {
  return a.name || a.email || 'unknown';
}

export function seriesHref(id: number): string {
  return `/series/${id}`;
}

export function breakageHref(id: number): string {
  return `/breakages/${id}`;
}

export function rawHref(messageId: string): string {
  return `/api/messages/${encodeURIComponent(messageId)}/raw`;
}

/** A URL with some query parameters replaced; null or empty removes one. */
export function withQuery(path: string, current: URLSearchParams, changes: Record<string, string | number | null>): string {
  const next = new URLSearchParams(current);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === '') next.delete(k);
    else next.set(k, String(v));
  }
  const qs = next.toString();
  return qs ? `${path}?${qs}` : path;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1048576) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1073741824) return `${(n / 1048576).toFixed(1)} MB`;
  return `${(n / 1073741824).toFixed(2)} GB`;
}
