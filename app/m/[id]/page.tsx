import Link from 'next/link';
import { notFound } from 'next/navigation';
import { messageById } from '../../../lib/db/queries/messages.ts';
import { seriesIdOfMessage, seriesRefs } from '../../../lib/db/queries/series.ts';
import { flatThread } from '../../../lib/db/queries/threads.ts';
import { sql } from '../../lib/database.ts';
import { messageIdParam } from '../../lib/http.ts';
import { buttonClass, linkClass, SectionHeading } from '../../ui/controls.tsx';
import { dateTime, displayName, rawHref, seriesHref } from '../../ui/format.ts';
import { MailText } from '../../ui/mail-text.tsx';
import { ThreadView } from '../../ui/thread-view.tsx';

export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props) {
  const m = await messageById(await sql(), messageIdParam((await params).id));
  return { title: m ? m.subject || '(no subject)' : 'Message' };
}

export default async function MessagePage({ params }: Props) {
  const id = messageIdParam((await params).id);
  const db = await sql();
  const m = await messageById(db, id);
  if (!m) notFound();
  const [{ entries: thread, truncated }, seriesId] = await Promise.all([flatThread(db, m.threadId), seriesIdOfMessage(db, m.messageId)]);
  const series = seriesId === null ? null : ((await seriesRefs(db, [seriesId])).get(seriesId) ?? null);
  const position = thread.findIndex((e) => e.messageId === m.messageId);
  const real = thread.filter((e) => !e.placeholder).length;

  return (
    <div className="grid gap-5 lg:grid-cols-[minmax(0,1fr)_minmax(16rem,22rem)]">
      <article className="min-w-0 space-y-3">
        <header className="space-y-0.5 text-sm">
          <h1 className="text-base font-semibold break-words">{m.subject || '(no subject)'}</h1>
          <p>
            <span className="text-zinc-500">From:</span> {displayName(m.from)} &lt;{m.from.email}&gt;
          </p>
          <p>
            <span className="text-zinc-500">Date:</span> {dateTime(m.date)}
          </p>
          <p className="break-all">
            <span className="text-zinc-500">Message-ID:</span> &lt;{m.messageId}&gt;
          </p>
          {m.inReplyTo ? (
            <p className="break-all">
              <span className="text-zinc-500">In reply to:</span>{' '}
              <Link prefetch={false} className={linkClass} href={`/m/${encodeURIComponent(m.inReplyTo)}`}>
                &lt;{m.inReplyTo}&gt;
              </Link>
            </p>
          ) : null}
          {series ? (
            <p>
              <span className="text-zinc-500">Series:</span>{' '}
              <Link prefetch={false} className={linkClass} href={seriesHref(series.id)}>
                v{series.version} {series.title}
              </Link>
            </p>
          ) : null}
          <div className="flex flex-wrap gap-2 pt-1">
            <a className={buttonClass} href={rawHref(m.messageId)} download>
              ⤓ Raw message
            </a>
            {m.variants.map((v) => (
              <a key={v} className={buttonClass} href={`${rawHref(m.messageId)}?raw=${v}`} download>
                ⤓ Conflicting copy {v}
              </a>
            ))}
          </div>
          {m.flags.length ? (
            <ul className="mt-1 rounded bg-amber-50 p-2 text-amber-900 dark:bg-amber-950 dark:text-amber-100">
              {m.flags.map((f, i) => (
                <li key={i}>
                  <strong>{f.kind}</strong>: {f.reason}
                </li>
              ))}
            </ul>
          ) : null}
        </header>
        <MailText text={m.body} rawHref={rawHref(m.messageId)} />
        {m.attachments.length ? (
          <ul className="text-sm text-zinc-600 dark:text-zinc-400" aria-label="Attachments">
            {m.attachments.map((a, i) => (
              <li key={i}>
                {a.filename ?? '(unnamed)'} · {a.contentType} · {a.size} bytes
              </li>
            ))}
          </ul>
        ) : null}
      </article>
      <aside aria-labelledby="thread" className="min-w-0">
        <SectionHeading id="thread" count={real}>
          Thread{position >= 0 && real > 1 ? <span className="font-normal normal-case"> · message {thread.slice(0, position + 1).filter((e) => !e.placeholder).length} of {real}</span> : null}
        </SectionHeading>
        <ThreadView entries={thread} current={m.messageId} truncated={truncated} />
      </aside>
    </div>
  );
}
