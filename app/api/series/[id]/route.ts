import { seriesById, seriesDetailView } from '../../../../lib/db/queries/series.ts';
import { positiveInt } from '../../../../lib/db/queries/params.ts';
import { handle, jsonError } from '../../../lib/http.ts';
import { sql } from '../../../lib/database.ts';

export const dynamic = 'force-dynamic';

export async function GET(_req: Request, ctx: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const id = positiveInt((await ctx.params).id, 'series id');
    if (!id.ok) return jsonError(400, id.error, id.hint);
    const s = await seriesById(await sql(), id.value);
    if (!s) return jsonError(404, `no series with id ${id.value}`, 'List series with GET /api/series.');
    return Response.json(seriesDetailView(s));
  });
}
