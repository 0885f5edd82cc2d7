/** "Log in", or who is logged in with a logout button (a CSRF-protected form). For the page header. */
import Link from 'next/link';
import { pageSession } from '../../lib/session.ts';
import { FormSecrets } from './hidden.tsx';

export async function AccountLinks() {
  const session = await pageSession();
  if (!session) {
    return (
      <Link href="/login" className="text-zinc-600 hover:text-zinc-950 dark:text-zinc-400 dark:hover:text-white">
        Log in
      </Link>
    );
  }
  return (
    <form method="post" action="/api/session/logout" className="flex items-center gap-2 text-zinc-600 dark:text-zinc-400">
      <FormSecrets csrf={session.csrf} back="/" />
      <span>{session.user}</span>
      <button type="submit" className="hover:text-zinc-950 hover:underline dark:hover:text-white">
        Log out
      </button>
    </form>
  );
}
