/** One patch of a series: subject, trailers, applied mark, diffstat, and its mail text with the diff colored. */
import Link from 'next/link';
import type { PatchView as Patch } from '../../lib/db/queries/series.ts';
import { Badge } from './badges.tsx';
import { linkClass } from './controls.tsx';
import { dateTime, displayName, messageHref, rawHref } from './format.ts';
import { LazyMailText } from './lazy-mail-text.tsx';
import { MailText } from './mail-text.tsx';

function Diffstat({ rows }: { rows: Patch['diffstat'] }) {
  if (rows.length === 0) return null;
  const added = rows.reduce((n, r) => n + r.added, 0);
  const removed = rows.reduce((n, r) => n + r.removed, 0);
  return (
    <table className="mt-1 text-xs">
      <caption className="sr-only">Files changed</caption>
      <tbody className="font-mono">
        {rows.map((r) => (
          <tr key={r.path}>
            <td className="pr-3 break-all">{r.path}</td>
            <td className="pr-1 text-right text-green-700 tabular-nums dark:text-green-400">+{r.added}</td>
            <td className="text-right text-red-700 tabular-nums dark:text-red-400">−{r.removed}</td>
          </tr>
        ))}
        {rows.length > 1 ? (
          <tr className="text-zinc-500">
            <td className="pr-3">{rows.length} files</td>
            <td className="pr-1 text-right tabular-nums">+{added}</td>
            <td className="text-right tabular-nums">−{removed}</td>
          </tr>
        ) : null}
      </tbody>
    </table>
  );
}

/**
 * `body` is the patch mail's text to show (open or folded), `'lazy'` to load it only when the
 * reader opens it (long series), or undefined when the mail is not stored.
 */
export function PatchSection({ patch, total, seriesAuthorEmail, body, open, pendingFixups }: { patch: Patch; total: number; seriesAuthorEmail: string; body: string | 'lazy' | undefined; open: boolean; pendingFixups: number[] }) {
  const given = patch.trailers.filter((t) => t.kind !== 'Signed-off-by' && t.kind !== 'Cc');
  return (
    <section id={`patch-${patch.number}`} aria-labelledby={`patch-title-${patch.number}`} className="scroll-mt-4 rounded border border-zinc-200 dark:border-zinc-800">
      <header className="border-b border-zinc-200 bg-zinc-50 px-2.5 py-1.5 dark:border-zinc-800 dark:bg-zinc-900">
        <h3 id={`patch-title-${patch.number}`} className="flex flex-wrap items-baseline gap-x-2 text-sm font-medium">
          <span className="font-mono text-zinc-500 tabular-nums">
            {patch.number}/{total}
          </span>
          <Link prefetch={false} href={messageHref(patch.messageId)} className="min-w-0 hover:underline">
            {patch.subject}
          </Link>
          {patch.applied ? (
            <Badge tone="good" title={patch.applied.messageId ? `announced in <${patch.applied.messageId}>` : undefined}>
              applied{patch.applied.branch ? ` to ${patch.applied.branch}` : ''}
              {patch.applied.commit ? ` as ${patch.applied.commit.slice(0, 12)}` : ''}
            </Badge>
          ) : null}
          {pendingFixups.map((id) => (
            <a key={id} href={`#fixup-${id}`} className="text-xs text-violet-700 hover:underline dark:text-violet-400">
              fixup #{id} pending
            </a>
          ))}
        </h3>
        {patch.author.email.toLowerCase() !== seriesAuthorEmail.toLowerCase() ? (
          <p className="text-xs text-zinc-600 dark:text-zinc-400">
            {displayName(patch.author)} · {dateTime(patch.date)}
          </p>
        ) : null}
        {given.length ? (
          <ul className="mt-0.5 flex flex-wrap gap-x-3 text-xs">
            {given.map((t, i) => (
              <li key={i}>
                <span className="text-emerald-700 dark:text-emerald-400">{t.kind}:</span>{' '}
                <Link prefetch={false} className="hover:underline" href={messageHref(t.messageId)} title={t.email}>
                  {t.name || t.email}
                </Link>
                {t.carriedFrom ? <span className="text-zinc-400" title={`carried over from <${t.carriedFrom}>`}> (carried)</span> : null}
              </li>
            ))}
          </ul>
        ) : null}
        <Diffstat rows={patch.diffstat} />
      </header>
      {body === 'lazy' ? (
        <LazyMailText messageId={patch.messageId} summary="Commit message and diff" fold={false} className="px-2.5 py-1" />
      ) : body !== undefined ? (
        <details open={open} className="px-2.5 py-1">
          <summary className="cursor-pointer text-xs text-zinc-600 select-none hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100">
            Commit message and diff
          </summary>
          <MailText text={body} fold={false} rawHref={rawHref(patch.messageId)} />
        </details>
      ) : (
        <p className="px-2.5 py-1 text-xs text-zinc-500">
          The patch mail is not stored.{' '}
          <Link prefetch={false} className={linkClass} href={messageHref(patch.messageId)}>
            Message
          </Link>
        </p>
      )}
    </section>
  );
}
