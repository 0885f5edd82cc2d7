/** GET /api/series/{id}/timeline: what happened to the series, in order, each event linking its message. */
import { positiveInt } from '../../../../../lib/db/queries/params.ts';
import { seriesTimeline } from '../../../../../lib/db/queries/timeline.ts';
import { sql } from '../../../../lib/database.ts';
import { handle, jsonError } from '../../../../lib/http.ts';

export const dynamic = 'force-dynamic';

export async function GET(_req: Request, ctx: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const id = positiveInt((await ctx.params).id, 'series id');
    if (!id.ok) return jsonError(400, id.error, id.hint);
    const t = await seriesTimeline(await sql(), id.value);
    if (!t) return jsonError(404, `no series with id ${id.value}`, 'List series with GET /api/series.');
    return Response.json(t);
  });
}
