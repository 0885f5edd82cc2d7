/**
 * A thread in reading order, indented by reply depth (not nested elements, so a reply chain
 * thousands deep renders flat). With bodies, each message shows its own text, quotes folded.
 */
import Link from 'next/link';
import type { FlatThreadEntry } from '../../lib/db/queries/threads.ts';
import { dateTime, displayName, messageHref, rawHref } from './format.ts';
import { MailText } from './mail-text.tsx';

/** Past this depth, indentation stops growing: the line would otherwise leave the screen. */
const MAX_INDENT = 12;

export function ThreadView({
  entries,
  current,
  bodies,
  notes,
  truncated = false,
}: {
  entries: FlatThreadEntry[];
  current?: string;
  /** Message bodies to show inline, by Message-ID; others are one line. */
  bodies?: Map<string, string>;
  /** A short note beside some messages ("patch 3/8, shown above"). */
  notes?: Map<string, string>;
  /** The thread was cut to its first messages. */
  truncated?: boolean;
}) {
  return (
    <>
      <ol className="space-y-0.5 text-sm" aria-label="Thread">
        {entries.map((e, i) => {
          const indent = Math.min(e.depth, MAX_INDENT);
          const body = bodies?.get(e.messageId);
          const isCurrent = e.messageId === current;
          return (
            <li key={`${e.messageId}-${i}`} style={{ marginLeft: `${indent * 0.9}rem` }} className="border-l border-zinc-200 pl-2 dark:border-zinc-800">
              {e.placeholder ? (
                <p className="text-xs text-zinc-400 italic">
                  missing message &lt;{e.messageId}&gt;
                </p>
              ) : (
                <div className={isCurrent ? 'rounded bg-sky-50 dark:bg-sky-950/50' : ''}>
                  <p className="flex flex-wrap items-baseline gap-x-2">
                    {isCurrent ? (
                      <span aria-current="page" className="font-medium">
                        {e.subject || '(no subject)'}
                      </span>
                    ) : (
                      <Link prefetch={false} href={messageHref(e.messageId)} className="min-w-0 hover:underline">
                        {e.subject || '(no subject)'}
                      </Link>
                    )}
                    <span className="text-xs text-zinc-500 dark:text-zinc-400">
                      {displayName(e.from)} · {dateTime(e.date)}
                    </span>
                    {notes?.get(e.messageId) ? <span className="text-xs text-zinc-400">{notes.get(e.messageId)}</span> : null}
                  </p>
                  {body !== undefined ? (
                    <div className="mt-0.5 mb-2">
                      <MailText text={body} rawHref={rawHref(e.messageId)} />
                    </div>
                  ) : null}
                </div>
              )}
            </li>
          );
        })}
      </ol>
      {truncated ? <p className="mt-1 text-xs text-zinc-500">Only the first {entries.length} messages of this thread are shown; GET /api/messages/…/thread has the whole tree.</p> : null}
    </>
  );
}
