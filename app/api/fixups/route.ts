import { fixupFilterFromParams, listFixups } from '../../../lib/db/queries/fixups.ts';
import { handle, jsonError } from '../../lib/http.ts';
import { sql } from '../../lib/database.ts';

export const dynamic = 'force-dynamic';

export async function GET(req: Request) {
  return handle(async () => {
    const filter = fixupFilterFromParams(new URL(req.url).searchParams);
    if (!filter.ok) return jsonError(400, filter.error, filter.hint);
    return Response.json({ fixups: await listFixups(await sql(), filter.value) });
  });
}
