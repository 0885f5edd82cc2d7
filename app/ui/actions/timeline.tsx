/** A series' timeline on its page: each event with its time, who, and a link to its message. Readable without login. */
import Link from 'next/link';
import { seriesTimeline } from '../../../lib/db/queries/timeline.ts';
import { sql } from '../../lib/database.ts';
import { linkClass, SectionHeading } from '../controls.tsx';
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

export async function SeriesTimeline({ seriesId }: { seriesId: number }) {
  const t = await seriesTimeline(await sql(), seriesId);
  if (!t || t.events.length === 0) return null;
  return (
    <section aria-labelledby="timeline">
      <SectionHeading id="timeline" count={t.events.length}>
        Timeline
      </SectionHeading>
      <ol className="space-y-0.5 text-sm">
        {t.events.map((e) => (
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
      <p className="mt-1 text-xs text-zinc-500">
        <a className={linkClass} href={`/api/series/${seriesId}/timeline`}>
          JSON
        </a>{' '}
        · everything that changed: <a className={linkClass} href="/api/events.atom">Atom feed</a>
      </p>
    </section>
  );
}
