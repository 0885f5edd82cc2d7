/**
 * Every write goes through here: read the body (JSON, or a plain HTML form), find who is
 * asking (an API token in `Authorization: Bearer`, or the session cookie), and check the
 * CSRF token of cookie sessions. Unauthenticated writes get a JSON 401, a session write
 * without the right CSRF token a JSON 403; nothing is changed in either case.
 */
import type { Sql } from 'postgres';
import { bearerToken, csrfMatches, parseCookies, safeRedirectPath, SESSION_COOKIE } from '../../lib/auth.ts';
import { sessionActor, tokenActor, type Actor } from '../../lib/db/accounts.ts';
import { jsonError } from './http.ts';

/** Bodies of actions are a few fields and a note: anything bigger is not one. */
export const MAX_BODY_BYTES = 64 * 1024;

export type Body = Record<string, unknown>;

export interface WriteRequest {
  actor: Actor;
  body: Body;
  /** A form post from a page (answer with a redirect) rather than an API call (answer with JSON). */
  form: boolean;
  /** Where a form post returns to. */
  back: string;
}

type ParsedBody = { ok: true; body: Body; form: boolean } | { ok: false; status: number; error: string; hint?: string };

function isForm(contentType: string): boolean {
  return contentType.startsWith('application/x-www-form-urlencoded') || contentType.startsWith('multipart/form-data');
}

/** The body's bytes, or null when there are more than `max` (read no further: a huge body costs nothing). */
async function cappedBytes(req: Request, max: number): Promise<Buffer | null> {
  if (!req.body) return Buffer.alloc(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function fields(entries: Iterable<[string, unknown]>): Body {
  const body: Body = {};
  for (const [k, v] of entries) if (typeof v === 'string' && v !== '' && !(k in body)) body[k] = v;
  return body;
}

/** The body as an object. Form fields are strings; an empty field counts as absent. */
export async function readBody(req: Request): Promise<ParsedBody> {
  const type = (req.headers.get('content-type') ?? '').toLowerCase();
  const tooLarge: ParsedBody = { ok: false, status: 413, error: `the body is larger than ${MAX_BODY_BYTES} bytes` };
  if (Number(req.headers.get('content-length') ?? '0') > MAX_BODY_BYTES) return tooLarge;
  const bytes = await cappedBytes(req, MAX_BODY_BYTES);
  if (!bytes) return tooLarge;
  try {
    if (type.startsWith('multipart/form-data')) {
      const fd = await new Response(new Uint8Array(bytes), { headers: { 'content-type': req.headers.get('content-type') ?? '' } }).formData();
      return { ok: true, body: fields(fd.entries()), form: true };
    }
    const text = bytes.toString('utf8');
    if (isForm(type)) return { ok: true, body: fields(new URLSearchParams(text)), form: true };
    if (text.trim() === '') return { ok: true, body: {}, form: false };
    if (type && !type.startsWith('application/json')) {
      return { ok: false, status: 415, error: `unsupported content type "${type.split(';')[0]}"`, hint: 'Send application/json, or an HTML form (application/x-www-form-urlencoded).' };
    }
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { ok: false, status: 400, error: 'the JSON body must be an object' };
    return { ok: true, body: parsed as Body, form: false };
  } catch {
    return type.startsWith('multipart/form-data')
      ? { ok: false, status: 400, error: 'the form body is malformed' }
      : { ok: false, status: 400, error: 'the body is not valid JSON', hint: 'Send a JSON object, e.g. {"status": "reviewed", "note": "..."}.' };
  }
}

/** Who asks: a bearer token (no CSRF: it carries no ambient cookie), else the session cookie. */
export async function actorOf(sql: Sql, req: Request): Promise<{ actor: Actor | null; wrongToken: boolean }> {
  const auth = req.headers.get('authorization');
  if (auth) {
    const token = bearerToken(auth);
    const actor = token ? await tokenActor(sql, token) : null;
    return { actor, wrongToken: actor === null };
  }
  const cookie = parseCookies(req.headers.get('cookie')).get(SESSION_COOKIE);
  return { actor: cookie ? await sessionActor(sql, cookie) : null, wrongToken: false };
}

const UNAUTHENTICATED = () =>
  jsonError(401, 'authentication required', 'Log in at /login, or send "Authorization: Bearer <token>" (create one with `npx patchloom token create <user>`).');

/** The authenticated, CSRF-checked write, or the response that refuses it. */
export async function authorizeWrite(sql: Sql, req: Request, fallbackBack = '/'): Promise<{ ok: true; w: WriteRequest } | { ok: false; response: Response }> {
  const body = await readBody(req);
  const { actor, wrongToken } = await actorOf(sql, req);
  if (!actor) {
    if (wrongToken) return { ok: false, response: jsonError(401, 'invalid or revoked API token', 'Create a token with `npx patchloom token create <user>`.') };
    return { ok: false, response: UNAUTHENTICATED() };
  }
  if (actor.via === 'web') {
    const given = (body.ok && typeof body.body._csrf === 'string' ? body.body._csrf : null) ?? req.headers.get('x-csrf-token');
    if (!csrfMatches(actor.csrfSecret ?? '', given)) {
      return { ok: false, response: jsonError(403, 'missing or wrong CSRF token', 'Forms carry it in the hidden _csrf field; scripts send X-CSRF-Token or use an API token instead of the cookie.') };
    }
  }
  if (!body.ok) return { ok: false, response: jsonError(body.status, body.error, body.hint) };
  const { _csrf: _c, _redirect: redirect, ...fields } = body.body;
  const back = safeRedirectPath(typeof redirect === 'string' ? redirect : null, fallbackBack);
  return { ok: true, w: { actor, body: fields, form: body.form, back } };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** A refused form post: a small page that says why and links back (forms work without JavaScript). */
export function invalid(w: Pick<WriteRequest, 'form' | 'back'>, error: string, hint?: string): Response {
  if (!w.form) return jsonError(400, error, hint);
  const html = `<!doctype html><meta charset="utf-8"><title>Not changed</title><body style="font-family:sans-serif;max-width:40rem;margin:2rem auto">
<h1>Nothing was changed</h1><p>${escapeHtml(error)}${hint ? ` — ${escapeHtml(hint)}` : ''}</p><p><a href="${escapeHtml(w.back)}">Back</a></p></body>`;
  return new Response(html, { status: 400, headers: { 'content-type': 'text/html; charset=utf-8' } });
}

/** A successful write: a form goes back to its page, an API call gets the updated object. */
export function done(w: Pick<WriteRequest, 'form' | 'back'>, object: unknown): Response {
  if (w.form) return new Response(null, { status: 303, headers: { location: w.back } });
  return Response.json(object);
}
