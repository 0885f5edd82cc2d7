import { seriesById, seriesDetailView, seriesIdOfMessage } from '../../../../../lib/db/queries/series.ts';
import { handle, jsonError, messageIdParam } from '../../../../lib/http.ts';
import { sql } from '../../../../lib/database.ts';

export const dynamic = 'force-dynamic';

export async function GET(_req: Request, ctx: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const messageId = messageIdParam((await ctx.params).id);
    const db = await sql();
    const id = await seriesIdOfMessage(db, messageId);
    const s = id === null ? null : await seriesById(db, id);
    if (!s) return jsonError(404, `no series contains the message <${messageId}>`, 'Pass the Message-ID without angle brackets, URL-encoded.');
    return Response.json(seriesDetailView(s));
  });
}
