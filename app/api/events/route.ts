/**
 * GET /api/events?since=<ISO time>: everything that changed after `since`, oldest first, as
 * JSON: timeline events of mail that arrived since, and maintainers' actions. Follow it by
 * passing the answer's `next` as the next `since`; `more` says whether to ask again at once.
 */
import { eventsSince } from '../../../lib/db/queries/timeline.ts';
import { sql } from '../../lib/database.ts';
import { sinceParam } from '../../lib/feed-params.ts';
import { handle, jsonError } from '../../lib/http.ts';

export const dynamic = 'force-dynamic';

export async function GET(req: Request) {
  return handle(async () => {
    const since = sinceParam(new URL(req.url).searchParams);
    if (!since.ok) return jsonError(400, since.error, since.hint);
    return Response.json(await eventsSince(await sql(), since.value ?? new Date(0)));
  });
}
