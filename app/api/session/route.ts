/**
 * POST /api/session {name, password, next?}: log in (JSON or the /login form). Sets the
 * session cookie (HttpOnly, SameSite=Strict, Secure over https). A form goes on to `next`;
 * JSON gets {user, csrfToken, expiresAt}. DELETE /api/session: log out.
 */
import { clearedSessionCookie, isCrossOrigin, isHttps, parseCookies, safeRedirectPath, sessionCookie, SESSION_COOKIE } from '../../../lib/auth.ts';
import { checkLogin, createSession, endSession } from '../../../lib/db/accounts.ts';
import { sql } from '../../lib/database.ts';
import { handle, jsonError } from '../../lib/http.ts';
import { readBody } from '../../lib/write-request.ts';

export const dynamic = 'force-dynamic';

const MAX_FIELD = 1024;

function secure(req: Request): boolean {
  return isHttps(req.url, req.headers.get('x-forwarded-proto'));
}

function loginAgain(next: string, error: string): Response {
  return new Response(null, { status: 303, headers: { location: `/login?error=${encodeURIComponent(error)}&next=${encodeURIComponent(next)}` } });
}

export async function POST(req: Request) {
  return handle(async () => {
    // Login CSRF: another site must not log a browser into an account of its choosing.
    if (isCrossOrigin(req.headers.get('origin'), req.url, req.headers.get('x-forwarded-host'))) return jsonError(403, 'cross-site login refused');
    const body = await readBody(req);
    if (!body.ok) return jsonError(body.status, body.error, body.hint);
    const { name, password, next } = body.body;
    const target = safeRedirectPath(typeof next === 'string' ? next : null, '/');
    if (typeof name !== 'string' || typeof password !== 'string' || name.length > MAX_FIELD || password.length > MAX_FIELD) {
      return body.form ? loginAgain(target, 'missing') : jsonError(400, '"name" and "password" are required strings');
    }
    const db = await sql();
    const user = await checkLogin(db, name, password);
    if (!user) return body.form ? loginAgain(target, 'wrong') : jsonError(401, 'wrong user name or password');
    const s = await createSession(db, user.id);
    const cookie = sessionCookie(s.token, { secure: secure(req) });
    if (body.form) return new Response(null, { status: 303, headers: { location: target, 'set-cookie': cookie } });
    return Response.json({ user: { name: user.name }, csrfToken: s.csrfSecret, expiresAt: s.expiresAt.toISOString() }, { headers: { 'set-cookie': cookie } });
  });
}

export async function DELETE(req: Request) {
  return handle(async () => {
    const token = parseCookies(req.headers.get('cookie')).get(SESSION_COOKIE);
    if (token) await endSession(await sql(), token);
    return Response.json({ loggedOut: Boolean(token) }, { headers: { 'set-cookie': clearedSessionCookie({ secure: secure(req) }) } });
  });
}
