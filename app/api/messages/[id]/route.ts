import { messageById } from '../../../../lib/db/queries/messages.ts';
import { handle, jsonError, messageIdParam } from '../../../lib/http.ts';
import { sql } from '../../../lib/database.ts';

export const dynamic = 'force-dynamic';

export async function GET(_req: Request, ctx: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const id = messageIdParam((await ctx.params).id);
    const m = await messageById(await sql(), id);
    if (!m) return jsonError(404, `no message with Message-ID <${id}>`, 'Pass the Message-ID without angle brackets, URL-encoded.');
    const { rawId: _raw, threadId: _thread, receivedAt: _received, variants: _variants, ...view } = m;
    return Response.json(view);
  });
}
