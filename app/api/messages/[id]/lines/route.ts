/**
 * A message's text as the pages draw it (app/ui/mail-lines.ts): the series page loads reply
 * and patch bodies through this only when a reader opens one, instead of rendering them all.
 */
import { boolParam } from '../../../../../lib/db/queries/params.ts';
import { messageBodies } from '../../../../../lib/db/queries/threads.ts';
import { mailBlocks } from '../../../../ui/mail-lines.ts';
import { handle, jsonError, messageIdParam } from '../../../../lib/http.ts';
import { sql } from '../../../../lib/database.ts';

export const dynamic = 'force-dynamic';

export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const fold = boolParam(new URL(req.url).searchParams, 'fold');
    if (!fold.ok) return jsonError(400, fold.error, fold.hint);
    const id = messageIdParam((await ctx.params).id);
    const body = (await messageBodies(await sql(), [id])).get(id);
    if (body === undefined) return jsonError(404, `no message with Message-ID <${id}>`, 'Pass the Message-ID without angle brackets, URL-encoded.');
    return Response.json({ messageId: id, ...mailBlocks(body, fold.value ?? true) });
  });
}
