/** The logged-in maintainer of the page being rendered, from the session cookie, or null. */
import { cookies } from 'next/headers';
import { SESSION_COOKIE } from '../../lib/auth.ts';
import { sessionActor } from '../../lib/db/accounts.ts';
import { sql } from './database.ts';

export interface PageSession {
  user: string;
  /** The hidden _csrf field of every form. */
  csrf: string;
}

export async function pageSession(): Promise<PageSession | null> {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!token) return null;
  const actor = await sessionActor(await sql(), token);
  return actor && actor.csrfSecret ? { user: actor.user.name, csrf: actor.csrfSecret } : null;
}
