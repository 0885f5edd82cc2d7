import { searchSyscallChanges, syscallQueryFromParams } from '../../../lib/db/queries/syscalls.ts';
import { handle, jsonError } from '../../lib/http.ts';
import { sql } from '../../lib/database.ts';

export const dynamic = 'force-dynamic';

export async function GET(req: Request) {
  return handle(async () => {
    const q = syscallQueryFromParams(new URL(req.url).searchParams);
    if (!q.ok) return jsonError(400, q.error, q.hint);
    return Response.json({ changes: await searchSyscallChanges(await sql(), q.value) });
  });
}
