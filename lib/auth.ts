/**
 * Accounts without native dependencies: scrypt password hashes (node:crypto) with a random
 * salt, random session and API tokens that are stored only as SHA-256 hashes, a per-session
 * CSRF secret compared in constant time, and the small parsers the routes need (cookies,
 * Authorization headers, redirect targets). No I/O.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  r: number;
  p: number;
}

/** OWASP's scrypt minimum (N=2^17, r=8, p=1) costs 128 MiB per login; 2^15 keeps it at 32 MiB and ~50 ms. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** Refuse stored parameters beyond this: a tampered hash must not make a login allocate gigabytes. */
const MAX_N = 2 ** 20;
/** Longer passwords are refused rather than hashed (scrypt cost grows with input only slightly, but bodies are capped anyway). */
export const MAX_PASSWORD_LENGTH = 1024;
export const MIN_PASSWORD_LENGTH = 8;

function scryptAsync(password: string, salt: Buffer, keylen: number, p: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keylen, { N: p.N, r: p.r, p: p.p, maxmem: 256 * p.N * p.r + 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** `scrypt$N$r$p$<salt b64url>$<hash b64url>`: the parameters travel with the hash so they can be raised later. */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptAsync(password.normalize('NFC'), salt, KEY_BYTES, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

function parseHash(stored: string): { params: ScryptParams; salt: Buffer; key: Buffer } | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (![N, r, p].every((x) => Number.isInteger(x) && x > 0)) return null;
  if (N > MAX_N || (N & (N - 1)) !== 0 || r > 32 || p > 16) return null;
  const salt = Buffer.from(parts[4], 'base64url');
  const key = Buffer.from(parts[5], 'base64url');
  if (salt.length < 8 || key.length < 16) return null;
  return { params: { N, r, p }, salt, key };
}

/** True when the password matches the stored hash; false for a malformed hash. Constant-time comparison. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const h = parseHash(stored);
  if (!h || password.length > MAX_PASSWORD_LENGTH) return false;
  const key = await scryptAsync(password.normalize('NFC'), h.salt, h.key.length, h.params);
  return timingSafeEqual(key, h.key);
}

/** A hash to verify against when the user does not exist, so a login takes as long either way. */
export const DUMMY_PASSWORD_HASH = `scrypt$${DEFAULT_SCRYPT.N}$${DEFAULT_SCRYPT.r}$${DEFAULT_SCRYPT.p}$${'A'.repeat(22)}$${'A'.repeat(43)}`;

export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `the password needs at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `the password may have at most ${MAX_PASSWORD_LENGTH} characters`;
  return null;
}

// ---------------------------------------------------------------- names

const USER_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/i;

/** Account names: letters, digits, dot, dash, underscore; they appear in every action's "by". */
export function userNameProblem(name: string): string | null {
  return USER_NAME.test(name) ? null : 'a user name is 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit';
}

// ---------------------------------------------------------------- tokens

export type TokenKind = 'session' | 'api';
const PREFIX: Record<TokenKind, string> = { session: 'pls_', api: 'plt_' };
const TOKEN_BYTES = 32;
/** prefix + 43 base64url characters (32 random bytes). */
const TOKEN_SHAPE: Record<TokenKind, RegExp> = { session: /^pls_[A-Za-z0-9_-]{43}$/, api: /^plt_[A-Za-z0-9_-]{43}$/ };

/** A fresh random token. The prefix tells a leaked string's kind (secret scanners match `plt_`). */
export function newToken(kind: TokenKind): string {
  return PREFIX[kind] + randomBytes(TOKEN_BYTES).toString('base64url');
}

export function isTokenShaped(kind: TokenKind, s: string): boolean {
  return TOKEN_SHAPE[kind].test(s);
}

/** Tokens have 256 random bits: a fast hash is enough, and lookups stay an index probe. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function newCsrfSecret(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** Constant-time string equality (different lengths are unequal without a timing hint about content). */
export function safeEqual(a: string, b: string): boolean {
  const x = createHash('sha256').update(a, 'utf8').digest();
  const y = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(x, y) && a.length === b.length;
}

/** The CSRF check of a cookie-authenticated write: the form's (or X-CSRF-Token header's) value must equal the session's secret. */
export function csrfMatches(sessionSecret: string, given: string | null | undefined): boolean {
  if (!given || !sessionSecret) return false;
  return safeEqual(sessionSecret, given);
}

// ---------------------------------------------------------------- headers

/** The token of `Authorization: Bearer <token>`, or null when the header is absent or another scheme. */
export function bearerToken(header: string | null | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer[ \t]+([^\s]{1,512})[ \t]*$/i.exec(header.slice(0, 600));
  return m ? m[1] : null;
}

/** Cookies of a Cookie header; the first of duplicate names wins (the most specific path, per RFC 6265). */
export function parseCookies(header: string | null | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.slice(0, 16384).split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (name && !out.has(name)) out.set(name, value);
  }
  return out;
}

export const SESSION_COOKIE = 'patchloom_session';
export const SESSION_DAYS = 14;

/**
 * The Set-Cookie header of a session: HttpOnly (no script reads it), SameSite=Strict (no
 * other site's form or link sends it), Secure when served over https.
 */
export function sessionCookie(token: string, opts: { secure: boolean; maxAgeSeconds?: number }): string {
  const maxAge = opts.maxAgeSeconds ?? SESSION_DAYS * 24 * 3600;
  return [`${SESSION_COOKIE}=${token}`, 'Path=/', `Max-Age=${maxAge}`, 'HttpOnly', 'SameSite=Strict', ...(opts.secure ? ['Secure'] : [])].join('; ');
}

export function clearedSessionCookie(opts: { secure: boolean }): string {
  return sessionCookie('', { secure: opts.secure, maxAgeSeconds: 0 });
}

/** Served over https: the URL says so, or a reverse proxy in front does (X-Forwarded-Proto). */
export function isHttps(url: string, forwardedProto: string | null | undefined): boolean {
  if (forwardedProto) return forwardedProto.split(',')[0].trim().toLowerCase() === 'https';
  return url.startsWith('https:');
}

/** A same-site path to send the browser back to, or the fallback: never another origin (`//evil`, `https:`, `/\evil`). */
export function safeRedirectPath(target: string | null | undefined, fallback = '/'): string {
  if (!target || target.length > 2000) return fallback;
  if (!target.startsWith('/') || target.startsWith('//') || target.startsWith('/\\')) return fallback;
  if (/[\u0000-\u001f\\]/.test(target)) return fallback;
  return target;
}

/**
 * A cross-site request by the Origin header (browsers send it on every POST). Absent
 * Origin (curl, old clients) is not cross-site: those carry no ambient cookie to abuse.
 */
export function isCrossOrigin(origin: string | null | undefined, requestUrl: string, forwardedHost?: string | null): boolean {
  if (!origin) return false;
  if (origin === 'null') return true;
  try {
    const o = new URL(origin);
    const r = new URL(requestUrl);
    const host = forwardedHost ? forwardedHost.split(',')[0].trim() : r.host;
    return o.host !== host;
  } catch {
    return true;
  }
}
