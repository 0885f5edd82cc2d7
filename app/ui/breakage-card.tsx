/** One build breakage: what failed where, its status and why, who reported it, and what it is linked to. */
import Link from 'next/link';
import type { BreakageRecord } from '../../lib/db/queries/breakages.ts';
import { BreakageStatusBadge } from './badges.tsx';
import { linkClass } from './controls.tsx';
import { breakageHref, dateTime, displayName, messageHref, plural, seriesHref } from './format.ts';

/** The most telling words to search for similar failures: the file, else the symbol, else the message. */
/** Later reports listed by name; past this many only counted. */
const MAX_REPORTS = 4;

export function similarQuery(b: Pick<BreakageRecord, 'file' | 'symbol' | 'message'>): string {
  return b.file ?? b.symbol ?? b.message.slice(0, 80);
}

export function breakageLocation(b: Pick<BreakageRecord, 'file' | 'line'>): string | null {
  return b.file ? `${b.file}${b.line ? `:${b.line}` : ''}` : null;
}

export function BreakageCard({ b, inSeries, fixupHref, headingLevel = 3 }: { b: BreakageRecord; inSeries?: number; fixupHref?: (id: number) => string; headingLevel?: 2 | 3 }) {
  const H = headingLevel === 2 ? 'h2' : 'h3';
  const location = breakageLocation(b);
  const patches = inSeries ? b.patches.filter((p) => p.seriesId === inSeries) : b.patches;
  const later = b.reports.filter((r) => r.messageId !== b.firstReport.messageId);
  const env = [b.arch && `ARCH=${b.arch}`, b.config, b.compiler].filter(Boolean).join(' · ');
  return (
    <article className="min-w-0 rounded border border-zinc-200 p-2.5 text-sm dark:border-zinc-800" aria-labelledby={`breakage-${b.id}`}>
      <header className="flex flex-wrap items-baseline gap-x-2 gap-y-1">
        <BreakageStatusBadge status={b.status} />
        <H id={`breakage-${b.id}`} className="min-w-0 font-mono text-[13px] font-medium break-words">
          <Link prefetch={false} href={breakageHref(b.id)} className="hover:underline">
            {b.message}
          </Link>
        </H>
      </header>
      <dl className="mt-1 grid grid-cols-[max-content_minmax(0,1fr)] gap-x-3 [overflow-wrap:anywhere] gap-y-0.5 text-xs text-zinc-600 dark:text-zinc-400">
        {location ? (
          <>
            <dt>where</dt>
            <dd className="font-mono break-all">{location}</dd>
          </>
        ) : null}
        <dt>kind</dt>
        <dd>
          {b.kind}
          {env ? ` · ${env}` : ''}
        </dd>
        <dt>reported</dt>
        <dd>
          <Link prefetch={false} className={linkClass} href={messageHref(b.firstReport.messageId)}>
            {displayName(b.firstReport.author)}, {dateTime(b.firstReport.date)}
          </Link>
          {later.slice(0, MAX_REPORTS).map((r) => (
            <span key={r.messageId}>
              {', again by '}
              <Link prefetch={false} className={linkClass} href={messageHref(r.messageId)}>
                {displayName(r.author)}, {dateTime(r.date)}
              </Link>
            </span>
          ))}
          {later.length > MAX_REPORTS ? ` and ${plural(later.length - MAX_REPORTS, 'more report')}` : ''}
        </dd>
        {patches.length ? (
          <>
            <dt>caused by</dt>
            <dd>
              {patches.map((p, i) => (
                <span key={`${p.seriesId}-${p.number}`}>
                  {i ? ', ' : ''}
                  <Link prefetch={false} className={linkClass} href={inSeries ? `#patch-${p.number}` : `${seriesHref(p.seriesId)}#patch-${p.number}`}>
                    patch {p.number}
                  </Link>
                </span>
              ))}
            </dd>
          </>
        ) : null}
        {!inSeries && b.series.length ? (
          <>
            <dt>series</dt>
            <dd>
              {b.series.map((s, i) => (
                <span key={s.id}>
                  {i ? ', ' : ''}
                  <Link prefetch={false} className={linkClass} href={seriesHref(s.id)}>
                    v{s.version} {s.title}
                  </Link>
                </span>
              ))}
            </dd>
          </>
        ) : null}
        {b.fixups.length ? (
          <>
            <dt>fix</dt>
            <dd>
              {b.fixups.map((id, i) => (
                <span key={id}>
                  {i ? ', ' : ''}
                  <Link prefetch={false} className={linkClass} href={fixupHref ? fixupHref(id) : `/fixups?state=#fixup-${id}`}>
                    fixup #{id}
                  </Link>
                </span>
              ))}
            </dd>
          </>
        ) : null}
        {b.baseline ? null : (
          <>
            <dt>status</dt>
            <dd>{b.statusReason}</dd>
          </>
        )}
      </dl>
      {b.baseline ? (
        <blockquote className="mt-1.5 border-l-2 border-zinc-300 pl-2 text-xs text-zinc-700 dark:border-zinc-600 dark:text-zinc-300">
          <span className="font-medium">Baseline{b.baseline.ref ? ` ${b.baseline.ref}` : ''}:</span> “{b.baseline.quote}”
          {b.baselineMessageId ? (
            <>
              {' '}
              <Link prefetch={false} className={linkClass} href={messageHref(b.baselineMessageId)}>
                (message)
              </Link>
            </>
          ) : null}
        </blockquote>
      ) : null}
      <p className="mt-1.5 text-xs">
        <Link prefetch={false} className={linkClass} href={`/breakages?q=${encodeURIComponent(similarQuery(b))}`}>
          Search similar failures
        </Link>
      </p>
    </article>
  );
}
