import { rawMessage } from '../../../../../lib/db/queries/messages.ts';
import { positiveIntParam } from '../../../../../lib/db/queries/params.ts';
import { handle, jsonError, messageIdParam, safeFilename } from '../../../../lib/http.ts';
import { sql } from '../../../../lib/database.ts';

export const dynamic = 'force-dynamic';

export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const id = messageIdParam((await ctx.params).id);
    // ?raw=<raw id> picks a conflicting copy; anything but a whole number was a 500 before.
    const variant = positiveIntParam(new URL(req.url).searchParams, 'raw');
    if (!variant.ok) return jsonError(400, variant.error, variant.hint);
    const raw = await rawMessage(await sql(), id, variant.value ?? undefined);
    if (!raw) return jsonError(404, `no message with Message-ID <${id}>`, 'Pass the Message-ID without angle brackets, URL-encoded.');
    return new Response(new Uint8Array(raw), {
      headers: {
        'content-type': 'message/rfc822',
        'content-disposition': `inline; filename="${safeFilename(id)}.eml"`,
      },
    });
  });
}
