import Link from 'next/link';
import { recentMessages } from '../../lib/db/queries/messages.ts';
import { sql } from '../lib/database.ts';
import { NoMail } from '../ui/empty.tsx';
import { displayName, messageHref, shortDate } from '../ui/format.ts';
import { KeyboardHint } from '../ui/controls.tsx';
import { KeyboardList } from '../ui/keyboard-list.tsx';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Messages' };

export default async function MessagesPage({ searchParams }: { searchParams: Promise<{ page?: string }> }) {
  const page = Math.max(1, Number((await searchParams).page) || 1);
  const rows = await recentMessages(await sql(), 100, (page - 1) * 100);
  if (rows.length === 0 && page === 1) return <NoMail />;
  return (
    <section>
      <div className="mb-2 flex items-baseline justify-between gap-3">
        <h1 className="text-lg font-semibold">Recent messages</h1>
        <KeyboardHint />
      </div>
      <KeyboardList>
        <ul className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800">
          {rows.map((m) => (
            <li key={m.messageId} className="flex gap-3 py-1 focus-within:bg-sky-50 dark:focus-within:bg-sky-950/40">
              <span className="w-24 shrink-0 tabular-nums text-zinc-500">{shortDate(m.date)}</span>
              <Link prefetch={false} href={messageHref(m.messageId)} data-list-item className="min-w-0 flex-1 truncate hover:underline">
                {m.subject || '(no subject)'}
              </Link>
              <span className="hidden w-48 shrink-0 truncate text-zinc-600 sm:inline dark:text-zinc-400">{displayName(m.from)}</span>
              {m.flagged ? <span className="rounded bg-amber-100 px-1 text-xs text-amber-900 dark:bg-amber-900 dark:text-amber-100">flagged</span> : null}
            </li>
          ))}
        </ul>
      </KeyboardList>
      <nav className="mt-3 flex gap-3 text-sm" aria-label="Pages">
        {page > 1 ? <Link prefetch={false} href={`/messages?page=${page - 1}`}>← Newer</Link> : null}
        {rows.length === 100 ? <Link prefetch={false} href={`/messages?page=${page + 1}`}>Older →</Link> : null}
      </nav>
    </section>
  );
}
