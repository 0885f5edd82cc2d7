import { breakageFilterFromParams, breakageView, searchBreakages } from '../../../lib/db/queries/breakages.ts';
import { handle, jsonError } from '../../lib/http.ts';
import { sql } from '../../lib/database.ts';

export const dynamic = 'force-dynamic';

export async function GET(req: Request) {
  return handle(async () => {
    const filter = breakageFilterFromParams(new URL(req.url).searchParams);
    if (!filter.ok) return jsonError(400, filter.error, filter.hint);
    const { breakages, more } = await searchBreakages(await sql(), filter.value);
    return Response.json({ breakages: breakages.map(breakageView), more });
  });
}
