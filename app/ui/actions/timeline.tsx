'use client';
/**
 * A series' timeline on its page: each event with its time, who, and a link to its message.
 * Readable without login. It is gathered from a dozen tables, so the page sends it only when
 * the reader opens it (GET /api/series/{id}/timeline); the header's status reasons say the gist.
 */
import Link from 'next/link';
import { useState } from 'react';
import type { TimelineEvent } from '../../../lib/timeline.ts';
import { linkClass } from '../controls.tsx';
import { breakageHref, dateTime, messageHref, seriesHref } from '../format.ts';

const MARK: Record<string, string> = {
  posted: '●',
  'version-posted': '◆',
  trailer: '✓',
  nack: '✗',
  objection: '!',
  withdrawn: '↩',
  'fixup-posted': '＋',
  'fixup-folded': '⤵',
  'fixup-applied': '⤵',
  'breakage-reported': '⚠',
  'breakage-fix-proposed': '🔧',
  'breakage-fixed': '✔',
  'breakage-pre-existing': '≡',
  'breakage-invalid': '∅',
  applied: '⇒',
  manual: '✎',
};

type State = { kind: 'idle' | 'loading' } | { kind: 'error'; message: string } | { kind: 'loaded'; events: TimelineEvent[] };

export function SeriesTimeline({ seriesId }: { seriesId: number }) {
  const [state, setState] = useState<State>({ kind: 'idle' });

  async function load() {
    setState({ kind: 'loading' });
    try {
      const res = await fetch(`/api/series/${seriesId}/timeline`);
      const json = (await res.json()) as { events?: TimelineEvent[]; error?: string };
      if (!res.ok || !json.events) throw new Error(json.error ?? `HTTP ${res.status}`);
      setState({ kind: 'loaded', events: json.events });
    } catch (err) {
      setState({ kind: 'error', message: (err as Error).message });
    }
  }

  return (
    <section aria-labelledby="timeline">
      <details
        onToggle={(e) => {
          if ((e.currentTarget as HTMLDetailsElement).open && (state.kind === 'idle' || state.kind === 'error')) void load();
        }}
      >
        <summary className="cursor-pointer select-none">
          <h2 id="timeline" className="mb-1.5 inline-flex items-baseline gap-2 pb-1 text-sm font-semibold uppercase tracking-wide text-zinc-600 dark:text-zinc-400">
            Timeline
            {state.kind === 'loaded' ? <span className="font-normal tabular-nums text-zinc-400 dark:text-zinc-500">{state.events.length}</span> : null}
          </h2>
        </summary>
        {state.kind === 'loaded' ? (
          state.events.length ? (
            <ol className="space-y-0.5 text-sm">
              {state.events.map((e) => (
                <li key={e.id} className={`flex gap-2 ${e.kind === 'manual' ? 'text-amber-800 dark:text-amber-300' : ''}`}>
                  <span className="w-32 shrink-0 font-mono text-xs leading-5 text-zinc-500">{dateTime(e.at)}</span>
                  <span aria-hidden="true" className="w-4 shrink-0 text-center">
                    {MARK[e.kind] ?? '•'}
                  </span>
                  <span className="min-w-0 break-words">
                    {e.text}
                    {e.by && e.kind !== 'manual' ? <span className="text-zinc-500"> — {e.by}</span> : null}
                    {e.messageId ? (
                      <>
                        {' '}
                        <Link prefetch={false} className={linkClass} href={messageHref(e.messageId)}>
                          (message)
                        </Link>
                      </>
                    ) : null}
                    {e.ref?.kind === 'series' ? (
                      <>
                        {' '}
                        <Link prefetch={false} className={linkClass} href={seriesHref(e.ref.id)}>
                          (series)
                        </Link>
                      </>
                    ) : e.ref?.kind === 'breakage' ? (
                      <>
                        {' '}
                        <Link prefetch={false} className={linkClass} href={breakageHref(e.ref.id)}>
                          (breakage)
                        </Link>
                      </>
                    ) : null}
                  </span>
                </li>
              ))}
            </ol>
          ) : (
            <p className="text-sm text-zinc-500">Nothing happened to this series yet.</p>
          )
        ) : state.kind === 'error' ? (
          <p className="text-sm text-red-700 dark:text-red-400">Could not load the timeline ({state.message}).</p>
        ) : (
          <p className="text-sm text-zinc-500">Loading…</p>
        )}
      </details>
      <p className="mt-1 text-xs text-zinc-500">
        <a className={linkClass} href={`/api/series/${seriesId}/timeline`}>
          JSON
        </a>{' '}
        · everything that changed: <a className={linkClass} href="/api/events.atom">Atom feed</a>
      </p>
    </section>
  );
}
