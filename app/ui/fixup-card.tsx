/** One inline fixup: what it changes, which patch it belongs to and why, and its state. */
import Link from 'next/link';
import type { FixupText, FixupView } from '../../lib/db/queries/fixups.ts';
import { FixupStateBadge } from './badges.tsx';
import { linkClass } from './controls.tsx';
import { dateTime, displayName, messageHref, seriesHref } from './format.ts';
import { MailText } from './mail-text.tsx';

/** `total` (the series' patch count) makes the target read "patch 8/8". */
export function FixupCard({ f, text, inSeries, total, headingLevel = 3 }: { f: FixupView; text?: FixupText; inSeries?: boolean; total?: number; headingLevel?: 2 | 3 }) {
  const H = headingLevel === 2 ? 'h2' : 'h3';
  const patchHref = (n: number) => (inSeries || !f.series ? `#patch-${n}` : `${seriesHref(f.series.id)}#patch-${n}`);
  return (
    <article id={`fixup-${f.id}`} className="min-w-0 scroll-mt-4 rounded border border-zinc-200 p-2.5 text-sm dark:border-zinc-800" aria-labelledby={`fixup-title-${f.id}`}>
      <header className="flex flex-wrap items-baseline gap-x-2 gap-y-1">
        <FixupStateBadge state={f.state} />
        <H id={`fixup-title-${f.id}`} className="min-w-0 font-medium break-words">
          {f.subject ?? '(untitled fixup)'}
        </H>
      </header>
      <p className="mt-0.5 text-xs text-zinc-600 dark:text-zinc-400">
        <Link prefetch={false} className={linkClass} href={messageHref(f.messageId)}>
          {displayName(f.author)}, {dateTime(f.date)}
        </Link>{' '}
        · {f.form} · <span className="font-mono">{f.files.join(', ')}</span>
      </p>
      <p className="mt-1">
        {f.targetPatch ? (
          <>
            {f.state === 'pending' ? 'Fold into' : 'Target:'}{' '}
            <Link prefetch={false} className="font-semibold text-sky-700 hover:underline dark:text-sky-400" href={patchHref(f.targetPatch.number)}>
              patch {f.targetPatch.number}
              {total ? `/${total}` : ''}
            </Link>
            {!inSeries && f.series ? (
              <>
                {' '}of{' '}
                <Link prefetch={false} className={linkClass} href={seriesHref(f.series.id)}>
                  v{f.series.version} {f.series.title}
                </Link>
              </>
            ) : null}
            <span className="text-zinc-600 dark:text-zinc-400"> — {f.targetReason}</span>
          </>
        ) : (
          <span className="text-amber-800 dark:text-amber-300">Target unknown — {f.targetReason}</span>
        )}
      </p>
      {!f.targetPatch && f.candidates.length ? (
        <ul className="mt-0.5 text-xs text-zinc-600 dark:text-zinc-400">
          {f.candidates.slice(0, 5).map((c) => (
            <li key={c.number}>
              candidate{' '}
              <Link prefetch={false} className={linkClass} href={patchHref(c.number)}>
                patch {c.number}
              </Link>{' '}
              (score {c.score}): {c.why.join('; ')}
            </li>
          ))}
        </ul>
      ) : null}
      {text?.stateReason ? <p className="mt-0.5 text-xs text-zinc-600 dark:text-zinc-400">{text.stateReason}</p> : null}
      {text?.preamble ? (
        <blockquote className="mt-1.5 border-l-2 border-zinc-300 pl-2 text-xs whitespace-pre-wrap text-zinc-700 dark:border-zinc-600 dark:text-zinc-300">{text.preamble}</blockquote>
      ) : null}
      {text ? (
        <details className="mt-1.5">
          <summary className="cursor-pointer text-xs text-zinc-600 select-none hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100">Diff</summary>
          <MailText text={text.diff} fold={false} />
        </details>
      ) : null}
    </article>
  );
}
