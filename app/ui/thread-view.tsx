/**
 * A thread in reading order, indented by reply depth (not nested elements, so a reply chain
 * thousands deep renders flat). Each message is one line; the expandable ones load their
 * text (quotes folded) when opened, so a long thread costs the page only its headers.
 */
import Link from 'next/link';
import type { FlatThreadEntry } from '../../lib/db/queries/threads.ts';
import { dateTime, displayName, messageHref } from './format.ts';
import { LazyMailText } from './lazy-mail-text.tsx';

/** Past this depth, indentation stops growing: the line would otherwise leave the screen. */
const MAX_INDENT = 12;

/** Subject (a link unless it is the page's own message), sender, date, and a note. */
function EntryLine({ e, current, note }: { e: FlatThreadEntry; current: boolean; note?: string }) {
  return (
    <>
      {current ? (
        <span aria-current="page" className="font-medium">
          {e.subject || '(no subject)'}
        </span>
      ) : (
        <Link prefetch={false} href={messageHref(e.messageId)} className="min-w-0 hover:underline">
          {e.subject || '(no subject)'}
        </Link>
      )}{' '}
      <span className="text-xs text-zinc-500 dark:text-zinc-400">
        {displayName(e.from)} · {dateTime(e.date)}
      </span>
      {note ? <span className="text-xs text-zinc-400"> {note}</span> : null}
    </>
  );
}

export function ThreadView({
  entries,
  current,
  expandable,
  notes,
  truncated = false,
}: {
  entries: FlatThreadEntry[];
  current?: string;
  /** Messages whose text can be opened in place (loaded on demand), by Message-ID. */
  expandable?: Set<string>;
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
          const isCurrent = e.messageId === current;
          return (
            <li key={`${e.messageId}-${i}`} style={{ marginLeft: `${indent * 0.9}rem` }} className="border-l border-zinc-200 pl-2 dark:border-zinc-800">
              {e.placeholder ? (
                <p className="text-xs text-zinc-400 italic">
                  missing message &lt;{e.messageId}&gt;
                </p>
              ) : (
                <div className={isCurrent ? 'rounded bg-sky-50 dark:bg-sky-950/50' : ''}>
                  {expandable?.has(e.messageId) ? (
                    // The line itself opens the text; its subject still links the message page.
                    <LazyMailText messageId={e.messageId} summary={<EntryLine e={e} current={false} note={notes?.get(e.messageId)} />} summaryClassName="cursor-pointer marker:text-zinc-400" />
                  ) : (
                    <p className="flex flex-wrap items-baseline gap-x-2">
                      <EntryLine e={e} current={isCurrent} note={notes?.get(e.messageId)} />
                    </p>
                  )}
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
