/**
 * Accounts, sessions and API tokens in the database. Secrets are hashed by lib/auth.ts
 * before they get here; the plain session and API tokens exist only in the caller's hands.
 */
import type { Sql } from 'postgres';
import { hashPassword, newCsrfSecret, newToken, SESSION_DAYS, tokenHash, verifyPassword, DUMMY_PASSWORD_HASH } from '../auth.ts';

export interface User {
  id: number;
  name: string;
}

/** Who made a request, and how: a browser session (CSRF applies) or an API token. */
export interface Actor {
  user: User;
  via: 'web' | 'token' | 'cli';
  /** The session's CSRF secret, for web sessions. */
  csrfSecret: string | null;
}

/** The new user, or null when the name is taken. */
export async function createUser(sql: Sql, name: string, password: string): Promise<User | null> {
  const hash = await hashPassword(password);
  const rows = await sql<User[]>`insert into users (name, password_hash) values (${name}, ${hash}) on conflict (name) do nothing returning id, name`;
  return rows[0] ?? null;
}

export async function setPassword(sql: Sql, name: string, password: string): Promise<boolean> {
  const hash = await hashPassword(password);
  const rows = await sql`update users set password_hash = ${hash} where name = ${name} returning id`;
  // A new password ends every open session.
  if (rows.length) await sql`delete from sessions where user_id = ${rows[0].id as number}`;
  return rows.length > 0;
}

export async function userByName(sql: Sql, name: string): Promise<User | null> {
  const [u] = await sql<User[]>`select id, name from users where name = ${name}`;
  return u ?? null;
}

export async function listUsers(sql: Sql): Promise<(User & { createdAt: Date })[]> {
  return sql<(User & { createdAt: Date })[]>`select id, name, created_at as "createdAt" from users order by name`;
}

/** The user when the password is right. An unknown name costs the same scrypt work as a wrong password. */
export async function checkLogin(sql: Sql, name: string, password: string): Promise<User | null> {
  const [u] = await sql<(User & { password_hash: string })[]>`select id, name, password_hash from users where name = ${name}`;
  const ok = await verifyPassword(password, u?.password_hash ?? DUMMY_PASSWORD_HASH);
  return u && ok ? { id: u.id, name: u.name } : null;
}

// ---------------------------------------------------------------- sessions

export async function createSession(sql: Sql, userId: number): Promise<{ token: string; csrfSecret: string; expiresAt: Date }> {
  const token = newToken('session');
  const csrfSecret = newCsrfSecret();
  const [r] = await sql<{ expires_at: Date }[]>`
    insert into sessions (user_id, token_hash, csrf_secret, expires_at)
    values (${userId}, ${tokenHash(token)}, ${csrfSecret}, now() + make_interval(days => ${SESSION_DAYS}))
    returning expires_at`;
  // Housekeeping on login rather than a timer: expired sessions are useless anyway.
  await sql`delete from sessions where expires_at < now()`;
  return { token, csrfSecret, expiresAt: r.expires_at };
}

export async function sessionActor(sql: Sql, token: string): Promise<Actor | null> {
  const [r] = await sql<{ id: number; name: string; csrf_secret: string }[]>`
    select u.id, u.name, s.csrf_secret from sessions s join users u on u.id = s.user_id
    where s.token_hash = ${tokenHash(token)} and s.expires_at > now()`;
  return r ? { user: { id: r.id, name: r.name }, via: 'web', csrfSecret: r.csrf_secret } : null;
}

export async function endSession(sql: Sql, token: string): Promise<void> {
  await sql`delete from sessions where token_hash = ${tokenHash(token)}`;
}

// ---------------------------------------------------------------- API tokens

/** A new API token for the user; the plain token is returned once and never stored. */
export async function createApiToken(sql: Sql, userName: string, name: string): Promise<{ token: string; id: number } | null> {
  const user = await userByName(sql, userName);
  if (!user) return null;
  const token = newToken('api');
  const [r] = await sql<{ id: number }[]>`insert into api_tokens (user_id, name, token_hash) values (${user.id}, ${name}, ${tokenHash(token)}) returning id`;
  return { token, id: r.id };
}

export async function tokenActor(sql: Sql, token: string): Promise<Actor | null> {
  const [r] = await sql<{ id: number; name: string }[]>`
    update api_tokens t set last_used_at = now() from users u
    where t.token_hash = ${tokenHash(token)} and u.id = t.user_id
    returning u.id, u.name`;
  return r ? { user: { id: r.id, name: r.name }, via: 'token', csrfSecret: null } : null;
}

export async function listApiTokens(sql: Sql, userName: string) {
  return sql<{ id: number; name: string; createdAt: Date; lastUsedAt: Date | null }[]>`
    select t.id, t.name, t.created_at as "createdAt", t.last_used_at as "lastUsedAt"
    from api_tokens t join users u on u.id = t.user_id where u.name = ${userName} order by t.id`;
}

export async function revokeApiToken(sql: Sql, userName: string, id: number): Promise<boolean> {
  const rows = await sql`delete from api_tokens t using users u where u.id = t.user_id and u.name = ${userName} and t.id = ${id} returning t.id`;
  return rows.length > 0;
}
