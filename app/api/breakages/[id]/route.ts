import { breakageById, breakageView } from '../../../../lib/db/queries/breakages.ts';
import { positiveInt } from '../../../../lib/db/queries/params.ts';
import { handle, jsonError } from '../../../lib/http.ts';
import { sql } from '../../../lib/database.ts';

export const dynamic = 'force-dynamic';
export { POST } from './actions.ts';

export async function GET(_req: Request, ctx: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const id = positiveInt((await ctx.params).id, 'breakage id');
    if (!id.ok) return jsonError(400, id.error, id.hint);
    const b = await breakageById(await sql(), id.value);
    if (!b) return jsonError(404, `no breakage with id ${id.value}`, 'Search breakages with GET /api/breakages?q=...');
    return Response.json(breakageView(b));
  });
}
