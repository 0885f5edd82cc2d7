import { threadTreeJson, threadTreeOf } from '../../../../../lib/db/queries/threads.ts';
import { handle, jsonError, messageIdParam } from '../../../../lib/http.ts';
import { sql } from '../../../../lib/database.ts';

export const dynamic = 'force-dynamic';

export async function GET(_req: Request, ctx: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const id = messageIdParam((await ctx.params).id);
    const tree = await threadTreeOf(await sql(), id);
    if (!tree) return jsonError(404, `no message with Message-ID <${id}>`, 'Pass the Message-ID without angle brackets, URL-encoded.');
    return new Response(threadTreeJson(tree), { headers: { 'content-type': 'application/json' } });
  });
}
