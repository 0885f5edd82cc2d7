/** POST /api/session/logout: the logout button's form (CSRF-checked like every form), back to the front page. */
import { clearedSessionCookie, isHttps, parseCookies, SESSION_COOKIE } from '../../../../lib/auth.ts';
import { endSession } from '../../../../lib/db/accounts.ts';
import { sql } from '../../../lib/database.ts';
import { handle } from '../../../lib/http.ts';
import { authorizeWrite } from '../../../lib/write-request.ts';

export const dynamic = 'force-dynamic';

export async function POST(req: Request) {
  return handle(async () => {
    const db = await sql();
    const auth = await authorizeWrite(db, req, '/');
    if (!auth.ok) return auth.response;
    const token = parseCookies(req.headers.get('cookie')).get(SESSION_COOKIE);
    if (token) await endSession(db, token);
    const cookie = clearedSessionCookie({ secure: isHttps(req.url, req.headers.get('x-forwarded-proto')) });
    if (auth.w.form) return new Response(null, { status: 303, headers: { location: auth.w.back, 'set-cookie': cookie } });
    return Response.json({ loggedOut: true }, { headers: { 'set-cookie': cookie } });
  });
}
