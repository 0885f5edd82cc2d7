import Link from 'next/link';
import { countMessages } from '../lib/db/queries/messages.ts';
import { DEFAULT_SERIES_FILTER, listSeries, SERIES_PAGE_SIZE, SERIES_SORTS, SERIES_STATUSES, seriesFilterFromParams, type SeriesSort } from '../lib/db/queries/series.ts';
import { toSearchParams } from '../lib/db/queries/params.ts';
import { sql } from './lib/database.ts';
import { SeriesStatusBadge, VersionBadge } from './ui/badges.tsx';
import { buttonClass, Checkbox, Field, inputClass, KeyboardHint, linkClass, Pager, ParamErrorNote, primaryButtonClass, Select } from './ui/controls.tsx';
import { EmptyState, NoMail } from './ui/empty.tsx';
import { displayName, seriesHref, shortDate, withQuery } from './ui/format.ts';
import { KeyboardList } from './ui/keyboard-list.tsx';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Series' };

const SORT_LABELS: Record<SeriesSort, string> = {
  '-date': 'newest first',
  date: 'oldest first',
  title: 'title A–Z',
  '-title': 'title Z–A',
  status: 'status',
  '-status': 'status, reversed',
};

/** A column header that sorts by its column; a second click reverses. */
function SortHeader({ params, column, current, children, className = '' }: { params: URLSearchParams; column: 'date' | 'title' | 'status'; current: SeriesSort; children: React.ReactNode; className?: string }) {
  const active = current === column || current === `-${column}`;
  const next = column === 'date' ? (current === '-date' ? 'date' : '-date') : current === column ? `-${column}` : column;
  const arrow = active ? (current.startsWith('-') ? ' ↓' : ' ↑') : '';
  return (
    <th scope="col" className={`px-2 py-1 font-medium ${className}`} aria-sort={active ? (current.startsWith('-') ? 'descending' : 'ascending') : undefined}>
      <Link prefetch={false} className="hover:underline" href={withQuery('/', params, { sort: next === '-date' ? null : next, page: null })}>
        {children}
        {arrow}
      </Link>
    </th>
  );
}

export default async function SeriesListPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = toSearchParams(await searchParams);
  const parsed = seriesFilterFromParams(params);
  const filter = parsed.ok ? parsed.value : DEFAULT_SERIES_FILTER;
  const db = await sql();
  const { series, total } = parsed.ok ? await listSeries(db, filter) : { series: [], total: 0 };
  const filtering = filter.q !== null || filter.status !== null || filter.author !== null || filter.hasOpenBreakages !== null || filter.hasPendingFixups !== null;

  if (parsed.ok && total === 0 && !filtering) {
    if ((await countMessages(db)) === 0) return <NoMail />;
    return (
      <EmptyState title="No patch series yet">
        Mail is stored, but none of it is a patch series (<code>[PATCH n/m]</code> subjects). Import a list archive with{' '}
        <code className="rounded bg-zinc-100 px-1 dark:bg-zinc-800">npx patchloom import &lt;mbox&gt;</code>, or browse{' '}
        <Link prefetch={false} className={linkClass} href="/messages">
          the stored messages
        </Link>
        .
      </EmptyState>
    );
  }

  return (
    <section className="space-y-3">
      <form method="get" action="/" role="search" aria-label="Filter series" className="grid grid-cols-2 items-end gap-2 sm:grid-cols-4 lg:grid-cols-[minmax(14rem,2fr)_minmax(9rem,1fr)_minmax(9rem,1fr)_minmax(9rem,1fr)_auto_auto]">
        <Field label="Search title or author" htmlFor="q" className="col-span-2 sm:col-span-4 lg:col-span-1">
          <input id="q" name="q" type="search" defaultValue={filter.q ?? ''} placeholder="pt_regs, Brodowski, …" className={inputClass} />
        </Field>
        <Field label="Status" htmlFor="status">
          <Select id="status" name="status" value={filter.status} options={SERIES_STATUSES} allLabel="any status" />
        </Field>
        <Field label="Author" htmlFor="author">
          <input id="author" name="author" defaultValue={filter.author ?? ''} placeholder="name or address" className={inputClass} />
        </Field>
        <Field label="Sort" htmlFor="sort">
          <select id="sort" name="sort" defaultValue={filter.sort} className={inputClass}>
            {SERIES_SORTS.map((s) => (
              <option key={s} value={s}>
                {SORT_LABELS[s]}
              </option>
            ))}
          </select>
        </Field>
        <div className="col-span-2 flex flex-col gap-1 sm:col-span-2 lg:col-span-1">
          <Checkbox id="hasOpenBreakages" name="hasOpenBreakages" checked={filter.hasOpenBreakages === true} label="open breakages" />
          <Checkbox id="hasPendingFixups" name="hasPendingFixups" checked={filter.hasPendingFixups === true} label="pending fixups" />
        </div>
        <div className="col-span-2 flex gap-2 sm:col-span-2 lg:col-span-1">
          <button type="submit" className={primaryButtonClass}>
            Filter
          </button>
          {filtering || filter.sort !== '-date' ? (
            <Link prefetch={false} href="/" className={buttonClass}>
              Reset
            </Link>
          ) : null}
        </div>
      </form>

      {!parsed.ok ? <ParamErrorNote error={parsed} /> : null}

      <div className="flex items-baseline justify-between gap-3">
        <h1 className="text-base font-semibold">
          Series <span className="font-normal tabular-nums text-zinc-500">{total}</span>
        </h1>
        <KeyboardHint />
      </div>

      {series.length === 0 ? (
        parsed.ok ? (
          <EmptyState title="No series match these filters">
            Loosen the search or{' '}
            <Link prefetch={false} className={linkClass} href="/">
              show all series
            </Link>
            .
          </EmptyState>
        ) : null
      ) : (
        <KeyboardList className="overflow-x-auto">
          <table className="w-full border-collapse text-sm">
            <thead className="border-b border-zinc-200 text-left text-xs text-zinc-500 dark:border-zinc-800 dark:text-zinc-400">
              <tr>
                <SortHeader params={params} column="status" current={filter.sort} className="hidden w-32 sm:table-cell">
                  Status
                </SortHeader>
                <SortHeader params={params} column="title" current={filter.sort}>
                  Series
                </SortHeader>
                <th scope="col" className="hidden px-2 py-1 font-medium md:table-cell">
                  Author
                </th>
                <SortHeader params={params} column="date" current={filter.sort} className="hidden w-24 sm:table-cell">
                  Date
                </SortHeader>
                <th scope="col" className="px-2 py-1 text-right font-medium" title="patches received / total">
                  Patches
                </th>
                <th scope="col" className="px-2 py-1 text-right font-medium" title="open breakages">
                  Breaks
                </th>
                <th scope="col" className="px-2 py-1 text-right font-medium" title="pending fixups">
                  Fixups
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800/70">
              {series.map((s) => (
                <tr key={s.id} className="align-top hover:bg-zinc-50 focus-within:bg-sky-50 dark:hover:bg-zinc-900 dark:focus-within:bg-sky-950/40">
                  <td className="hidden px-2 py-1 sm:table-cell">
                    <SeriesStatusBadge status={s.status} />
                  </td>
                  <td className="min-w-0 px-2 py-1">
                    <span className="mr-1 sm:hidden">
                      <SeriesStatusBadge status={s.status} />
                    </span>
                    <Link prefetch={false} href={seriesHref(s.id)} data-list-item className="font-medium hover:underline">
                      <VersionBadge version={s.version} /> {s.title}
                    </Link>
                    <div className="text-xs text-zinc-500 md:hidden dark:text-zinc-400">
                      {displayName(s.author)} · {shortDate(s.date)}
                    </div>
                  </td>
                  <td className="hidden max-w-56 truncate px-2 py-1 text-zinc-600 md:table-cell dark:text-zinc-400" title={s.author.email}>
                    {displayName(s.author)}
                  </td>
                  <td className="hidden whitespace-nowrap px-2 py-1 tabular-nums text-zinc-500 sm:table-cell">{shortDate(s.date)}</td>
                  <td className="whitespace-nowrap px-2 py-1 text-right tabular-nums" title={s.missing.length ? `missing: ${s.missing.join(', ')}` : 'complete'}>
                    <span className={s.missing.length ? 'text-amber-700 dark:text-amber-400' : ''}>
                      {s.received.filter((n) => n > 0).length}/{s.total}
                    </span>
                  </td>
                  <td className="px-2 py-1 text-right tabular-nums">
                    {s.openBreakages ? <span className="font-semibold text-red-700 dark:text-red-400">{s.openBreakages}</span> : <span className="text-zinc-400">0</span>}
                  </td>
                  <td className="px-2 py-1 text-right tabular-nums">
                    {s.pendingFixups ? <span className="font-semibold text-violet-700 dark:text-violet-400">{s.pendingFixups}</span> : <span className="text-zinc-400">0</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </KeyboardList>
      )}
      <Pager page={filter.page} pageSize={SERIES_PAGE_SIZE} total={total} href={(p) => withQuery('/', params, { page: p === 1 ? null : p })} />
    </section>
  );
}
