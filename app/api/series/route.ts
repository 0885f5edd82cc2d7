import { listSeries, seriesFilterFromParams } from '../../../lib/db/queries/series.ts';
import { handle, jsonError } from '../../lib/http.ts';
import { sql } from '../../lib/database.ts';

export const dynamic = 'force-dynamic';

export async function GET(req: Request) {
  return handle(async () => {
    const filter = seriesFilterFromParams(new URL(req.url).searchParams);
    if (!filter.ok) return jsonError(400, filter.error, filter.hint);
    return Response.json(await listSeries(await sql(), filter.value));
  });
}
