import Link from 'next/link';
import { BREAKAGE_PAGE_SIZE, BREAKAGE_STATUSES, breakageArches, breakageFilterFromParams, NO_BREAKAGE_FILTER, searchBreakages } from '../../lib/db/queries/breakages.ts';
import { toSearchParams } from '../../lib/db/queries/params.ts';
import { seriesRefs } from '../../lib/db/queries/series.ts';
import { sql } from '../lib/database.ts';
import { BreakageStatusBadge } from '../ui/badges.tsx';
import { breakageLocation } from '../ui/breakage-card.tsx';
import { buttonClass, Field, inputClass, KeyboardHint, linkClass, ParamErrorNote, PrevNext, primaryButtonClass, Select } from '../ui/controls.tsx';
import { EmptyState } from '../ui/empty.tsx';
import { breakageHref, dateTime, displayName, seriesHref, withQuery } from '../ui/format.ts';
import { KeyboardList } from '../ui/keyboard-list.tsx';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Breakages' };

/** A failure in a common file may be linked to a hundred series: the list names a few, its page all. */
const MAX_SERIES_SHOWN = 3;

export default async function BreakagesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = toSearchParams(await searchParams);
  const parsed = breakageFilterFromParams(params);
  const db = await sql();
  const filter = parsed.ok ? parsed.value : NO_BREAKAGE_FILTER;
  const [{ breakages: results, more }, arches, seriesFilter] = await Promise.all([
    parsed.ok ? searchBreakages(db, parsed.value) : Promise.resolve({ breakages: [], more: false }),
    breakageArches(db),
    filter.series ? seriesRefs(db, [filter.series]).then((m) => m.get(filter.series as number) ?? null) : Promise.resolve(null),
  ]);
  const filtering = filter.q !== null || filter.status !== null || filter.arch !== null || filter.file !== null || filter.series !== null;

  return (
    <section className="space-y-3">
      <form method="get" action="/breakages" role="search" aria-label="Search breakages" className="grid grid-cols-2 items-end gap-2 sm:grid-cols-4 lg:grid-cols-[minmax(16rem,2fr)_minmax(8rem,1fr)_minmax(8rem,1fr)_minmax(10rem,1.5fr)_auto]">
        <Field label="Search error, symbol, file" htmlFor="q" className="col-span-2 sm:col-span-4 lg:col-span-1">
          <input id="q" name="q" type="search" defaultValue={filter.q ?? ''} placeholder='archheaders, "incomplete type", __udivdi3' className={inputClass} />
        </Field>
        <Field label="Status" htmlFor="status">
          <Select id="status" name="status" value={filter.status} options={BREAKAGE_STATUSES} allLabel="any status" />
        </Field>
        <Field label="Architecture" htmlFor="arch">
          <Select id="arch" name="arch" value={filter.arch} options={filter.arch && !arches.includes(filter.arch) ? [...arches, filter.arch] : arches} allLabel="any arch" />
        </Field>
        <Field label="File" htmlFor="file" className="col-span-2 sm:col-span-2 lg:col-span-1">
          <input id="file" name="file" defaultValue={filter.file ?? ''} placeholder="arch/um/" className={inputClass} />
        </Field>
        <div className="col-span-2 flex gap-2 sm:col-span-2 lg:col-span-1">
          {filter.series ? <input type="hidden" name="series" value={filter.series} /> : null}
          <button type="submit" className={primaryButtonClass}>
            Search
          </button>
          {filtering ? (
            <Link prefetch={false} href="/breakages" className={buttonClass}>
              Reset
            </Link>
          ) : null}
        </div>
      </form>
      {!parsed.ok ? <ParamErrorNote error={parsed} /> : null}
      {filter.series ? (
        <p className="text-sm">
          In series{' '}
          <Link prefetch={false} className={linkClass} href={seriesHref(filter.series)}>
            {seriesFilter ? `v${seriesFilter.version} ${seriesFilter.title}` : `#${filter.series}`}
          </Link>{' '}
          ·{' '}
          <Link prefetch={false} className={linkClass} href={withQuery('/breakages', params, { series: null })}>
            all series
          </Link>
        </p>
      ) : null}
      <div className="flex items-baseline justify-between gap-3">
        <h1 className="text-base font-semibold">
          Breakages{' '}
          <span className="font-normal tabular-nums text-zinc-500">
            {filter.page > 1 || more ? `${(filter.page - 1) * BREAKAGE_PAGE_SIZE + 1}–${(filter.page - 1) * BREAKAGE_PAGE_SIZE + results.length}` : results.length}
          </span>
        </h1>
        <KeyboardHint />
      </div>
      {parsed.ok && results.length === 0 ? (
        filtering ? (
          <EmptyState title="No breakage matches">
            Search words from the compiler or linker message (<code>incomplete type</code>), a symbol (<code>__udivdi3</code>), a make target (<code>archheaders</code>) or a path (
            <code>arch/um/os-Linux/signal.c</code>).
          </EmptyState>
        ) : (
          <EmptyState title="No build failures found yet">
            Build failures appear when replies carry build logs (kernel test robot reports, “this breaks the build:” followed by the log).
          </EmptyState>
        )
      ) : null}
      {results.length ? (
        <KeyboardList>
          <ul className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800/70">
            {results.map((b) => {
              const location = breakageLocation(b);
              return (
                <li key={b.id} className="py-1.5 focus-within:bg-sky-50 dark:focus-within:bg-sky-950/40">
                  <div className="flex flex-wrap items-baseline gap-x-2 gap-y-0.5">
                    <BreakageStatusBadge status={b.status} />
                    <Link prefetch={false} href={breakageHref(b.id)} data-list-item className="min-w-0 font-mono text-[13px] break-words hover:underline">
                      {b.message}
                    </Link>
                  </div>
                  <p className="mt-0.5 flex flex-wrap gap-x-3 text-xs text-zinc-600 dark:text-zinc-400">
                    {location ? <span className="font-mono break-all">{location}</span> : null}
                    <span>{b.kind}</span>
                    {b.arch ? <span>ARCH={b.arch}</span> : null}
                    {b.compiler ? <span>{b.compiler}</span> : null}
                    <span>
                      {displayName(b.firstReport.author)}, {dateTime(b.firstReport.date)}
                      {b.reports.length > 1 ? ` (+${b.reports.length - 1})` : ''}
                    </span>
                    {b.series.slice(0, MAX_SERIES_SHOWN).map((s) => (
                      <Link prefetch={false} key={s.id} className={linkClass} href={seriesHref(s.id)}>
                        v{s.version} {s.title}
                      </Link>
                    ))}
                    {b.series.length > MAX_SERIES_SHOWN ? (
                      <Link prefetch={false} className={linkClass} href={breakageHref(b.id)}>
                        and {b.series.length - MAX_SERIES_SHOWN} more series
                      </Link>
                    ) : null}
                  </p>
                </li>
              );
            })}
          </ul>
        </KeyboardList>
      ) : null}
      <PrevNext page={filter.page} more={more} href={(page) => withQuery('/breakages', params, { page: page === 1 ? null : page })} />
    </section>
  );
}
