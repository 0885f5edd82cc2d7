import Link from 'next/link';
import { FIXUP_LIMIT, FIXUP_STATES, fixupFilterFromParams, fixupTexts, listFixups, type FixupView } from '../../lib/db/queries/fixups.ts';
import { toSearchParams } from '../../lib/db/queries/params.ts';
import { seriesTotals } from '../../lib/db/queries/series.ts';
import { sql } from '../lib/database.ts';
import { buttonClass, Field, inputClass, linkClass, ParamErrorNote, primaryButtonClass, Select } from '../ui/controls.tsx';
import { EmptyState } from '../ui/empty.tsx';
import { FixupCard } from '../ui/fixup-card.tsx';
import { FixupActionForm } from '../ui/actions/fixup-form.tsx';
import { plural, seriesHref } from '../ui/format.ts';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Fixups' };

interface Group {
  key: string;
  series: FixupView['series'];
  fixups: FixupView[];
}

function bySeries(fixups: FixupView[]): Group[] {
  const groups = new Map<string, Group>();
  for (const f of fixups) {
    const key = f.series ? String(f.series.id) : 'none';
    const g = groups.get(key) ?? { key, series: f.series, fixups: [] };
    g.fixups.push(f);
    groups.set(key, g);
  }
  return [...groups.values()];
}

export default async function FixupsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = toSearchParams(await searchParams);
  // Without a state in the URL the page shows what still needs doing; "any state" is an explicit empty choice.
  if (!params.has('state')) params.set('state', 'pending');
  const parsed = fixupFilterFromParams(params);
  const db = await sql();
  const fixups = parsed.ok ? await listFixups(db, parsed.value) : [];
  const [texts, totals] = await Promise.all([
    fixupTexts(
      db,
      fixups.map((f) => f.id),
    ),
    seriesTotals(db, [...new Set(fixups.flatMap((f) => (f.series ? [f.series.id] : [])))]),
  ]);
  const filter = parsed.ok ? parsed.value : { state: null, q: null, series: null };
  const groups = bySeries(fixups);

  return (
    <section className="space-y-3">
      <form method="get" action="/fixups" role="search" aria-label="Filter fixups" className="flex flex-wrap items-end gap-2">
        <Field label="Search subject, author, file" htmlFor="q" className="min-w-56 flex-1">
          <input id="q" name="q" type="search" defaultValue={filter.q ?? ''} className={inputClass} />
        </Field>
        <Field label="State" htmlFor="state" className="w-40">
          <Select id="state" name="state" value={filter.state} options={FIXUP_STATES} allLabel="any state" />
        </Field>
        {filter.series ? <input type="hidden" name="series" value={filter.series} /> : null}
        <button type="submit" className={primaryButtonClass}>
          Filter
        </button>
        <Link prefetch={false} href="/fixups" className={buttonClass}>
          Reset
        </Link>
      </form>
      {!parsed.ok ? <ParamErrorNote error={parsed} /> : null}
      <h1 className="text-base font-semibold">
        {filter.state === 'pending' ? 'Pending fixups' : filter.state ? `Fixups: ${filter.state}` : 'All fixups'}{' '}
        <span className="font-normal tabular-nums text-zinc-500">{fixups.length}</span>
        {fixups.length === FIXUP_LIMIT ? <span className="text-xs font-normal text-zinc-500"> (the first {FIXUP_LIMIT}; narrow the search)</span> : null}
      </h1>
      {parsed.ok && fixups.length === 0 ? (
        <EmptyState title={filter.state === 'pending' && !filter.q ? 'No pending fixups' : 'No fixups match'}>
          Inline fixup patches posted in replies (“could be folded with patch 8/8”) appear here until a later version folds them in or they are applied.
        </EmptyState>
      ) : null}
      {groups.map((g) => (
        <section key={g.key} aria-labelledby={`group-${g.key}`} className="space-y-2">
          <h2 id={`group-${g.key}`} className="border-b border-zinc-200 pb-0.5 text-sm font-semibold dark:border-zinc-800">
            {g.series ? (
              <Link prefetch={false} className="hover:underline" href={seriesHref(g.series.id)}>
                <span className="font-mono text-xs font-normal text-zinc-500">v{g.series.version}</span> {g.series.title}
              </Link>
            ) : (
              'Not in a known series'
            )}{' '}
            <span className="text-xs font-normal text-zinc-500">{plural(g.fixups.length, 'fixup')}</span>
          </h2>
          <div className="grid gap-2 lg:grid-cols-2">
            {g.fixups.map((f) => (
              <div key={f.id} className="space-y-1">
                <FixupCard f={f} text={texts.get(f.id)} total={f.series ? totals.get(f.series.id) : undefined} />
                <FixupActionForm fixupId={f.id} state={f.state} targetPatch={f.targetPatch?.number ?? null} total={f.series ? (totals.get(f.series.id) ?? null) : null} back={`/fixups?${params.toString()}`} />
              </div>
            ))}
          </div>
        </section>
      ))}
      <p className="text-xs text-zinc-500">
        The same list as JSON: <a className={linkClass} href={`/api/fixups?${params.toString()}`}>/api/fixups</a>
      </p>
    </section>
  );
}
