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
