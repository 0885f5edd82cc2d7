import { notFound } from 'next/navigation';
import { messageById } from '../../../lib/db/queries/messages.ts';
import { sql } from '../../lib/database.ts';
import { messageIdParam } from '../../lib/http.ts';
import { dateTime, displayName } from '../../ui/format.ts';

export const dynamic = 'force-dynamic';

export default async function MessagePage({ params }: { params: Promise<{ id: string }> }) {
  const id = messageIdParam((await params).id);
  const m = await messageById(await sql(), id);
  if (!m) notFound();
  return (
    <article className="space-y-3">
      <header className="space-y-0.5 text-sm">
        <h1 className="text-base font-semibold">{m.subject || '(no subject)'}</h1>
        <p>
          <span className="text-zinc-500">From:</span> {displayName(m.from)} &lt;{m.from.email}&gt;
        </p>
        <p>
          <span className="text-zinc-500">Date:</span> {dateTime(m.date)}
        </p>
        <p className="break-all">
          <span className="text-zinc-500">Message-ID:</span> &lt;{m.messageId}&gt;{' '}
          <a className="text-sky-700 hover:underline dark:text-sky-400" href={`/api/messages/${encodeURIComponent(m.messageId)}/raw`} download>
            raw
          </a>
        </p>
        {m.flags.length ? (
          <ul className="rounded bg-amber-50 p-2 text-amber-900 dark:bg-amber-950 dark:text-amber-100">
            {m.flags.map((f, i) => (
              <li key={i}>
                <strong>{f.kind}</strong>: {f.reason}
              </li>
            ))}
          </ul>
        ) : null}
      </header>
      <pre className="mail-text overflow-x-auto whitespace-pre font-mono text-[13px] leading-snug">{m.body}</pre>
      {m.attachments.length ? (
        <ul className="text-sm text-zinc-600 dark:text-zinc-400">
          {m.attachments.map((a, i) => (
            <li key={i}>
              {a.filename ?? '(unnamed)'} · {a.contentType} · {a.size} bytes
            </li>
          ))}
        </ul>
      ) : null}
    </article>
  );
}
