/**
 * GET /api/events.atom[?since=]: the event feed as Atom for feed readers. Without `since`,
 * the most recent events (the newest page of mail arrivals and actions).
 */
import { createHash } from 'node:crypto';
import { eventsSince, recentSince, type FeedEvent } from '../../../lib/db/queries/timeline.ts';
import { sql } from '../../lib/database.ts';
import { sinceParam } from '../../lib/feed-params.ts';
import { handle, jsonError } from '../../lib/http.ts';

export const dynamic = 'force-dynamic';

/** Feed readers want the latest entries, not the whole history. */
const MAX_ENTRIES = 200;

function xml(s: string): string {
  // XML 1.0 cannot carry most control characters at all; mail text may contain them.
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

function link(base: string, e: FeedEvent): string {
  if (e.subject?.kind === 'series') return `${base}/series/${e.subject.id}${e.ref?.kind === 'fixup' ? `#fixup-${e.ref.id}` : ''}`;
  if (e.subject?.kind === 'fixup') return `${base}/fixups?state=`;
  if (e.subject?.kind === 'breakage') return `${base}/breakages/${e.subject.id}`;
  if (e.messageId) return `${base}/m/${encodeURIComponent(e.messageId)}`;
  return `${base}/`;
}

function entry(base: string, e: FeedEvent): string {
  const id = `urn:sha1:${createHash('sha1').update(e.feedId).digest('hex')}`;
  const title = e.subject ? `${e.subject.title}: ${e.text}` : e.text;
  const summary = [e.text, e.subject ? `now ${e.subject.status}` : '', e.messageId ? `message <${e.messageId}>` : ''].filter(Boolean).join(' · ');
  return [
    '  <entry>',
    `    <id>${id}</id>`,
    `    <title>${xml(title.slice(0, 300))}</title>`,
    `    <updated>${e.arrivedAt}</updated>`,
    ...(e.at ? [`    <published>${e.at}</published>`] : []),
    `    <author><name>${xml(e.by ?? 'patchloom')}</name></author>`,
    `    <category term="${xml(e.kind)}"/>`,
    `    <link rel="alternate" href="${xml(link(base, e))}"/>`,
    ...(e.messageId ? [`    <link rel="related" href="${xml(`${base}/m/${encodeURIComponent(e.messageId)}`)}"/>`] : []),
    `    <summary>${xml(summary)}</summary>`,
    '  </entry>',
  ].join('\n');
}

export async function GET(req: Request) {
  return handle(async () => {
    const url = new URL(req.url);
    const since = sinceParam(url.searchParams);
    if (!since.ok) return jsonError(400, since.error, since.hint);
    const db = await sql();
    const feed = await eventsSince(db, since.value ?? (await recentSince(db)));
    const entries = feed.events.slice(-MAX_ENTRIES).reverse();
    const base = url.origin;
    const updated = entries[0]?.arrivedAt ?? new Date(0).toISOString();
    const body = [
      '<?xml version="1.0" encoding="utf-8"?>',
      '<feed xmlns="http://www.w3.org/2005/Atom">',
      '  <title>Patchloom: what changed</title>',
      `  <id>${xml(`${base}/api/events.atom`)}</id>`,
      `  <updated>${updated}</updated>`,
      `  <link rel="self" href="${xml(`${base}/api/events.atom`)}"/>`,
      `  <link rel="alternate" href="${xml(`${base}/`)}"/>`,
      '  <generator>Patchloom</generator>',
      ...entries.map((e) => entry(base, e)),
      '</feed>',
      '',
    ].join('\n');
    return new Response(body, { headers: { 'content-type': 'application/atom+xml; charset=utf-8' } });
  });
}
