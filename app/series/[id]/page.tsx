import Link from 'next/link';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { fixupTexts } from '../../../lib/db/queries/fixups.ts';
import { positiveInt } from '../../../lib/db/queries/params.ts';
import { seriesWithThread } from '../../../lib/db/queries/series.ts';
import { flatThread, messageBodies, storedMessageIds } from '../../../lib/db/queries/threads.ts';
import { sql } from '../../lib/database.ts';
import { SeriesStatusBadge } from '../../ui/badges.tsx';
import { BreakageCard } from '../../ui/breakage-card.tsx';
import { buttonClass, linkClass, SectionHeading } from '../../ui/controls.tsx';
import { FixupCard } from '../../ui/fixup-card.tsx';
import { dateTime, displayName, messageHref, plural, rawHref, seriesHref } from '../../ui/format.ts';
import { MailText } from '../../ui/mail-text.tsx';
import { PatchSection } from '../../ui/patch-view.tsx';
import { SyscallChangeTable } from '../../ui/syscall-table.tsx';
import { ThreadView } from '../../ui/thread-view.tsx';
import { BreakageActionForm } from '../../ui/actions/breakage-form.tsx';
import { FixupActionForm } from '../../ui/actions/fixup-form.tsx';
import { SeriesStatusForm } from '../../ui/actions/series-status-form.tsx';
import { SeriesTimeline } from '../../ui/actions/timeline.tsx';

export const dynamic = 'force-dynamic';

/**
 * The page sends what a maintainer reads first (summary, patches with trailers, fixups,
 * failures) and loads the rest when opened: replies in the thread, the timeline, and patch
 * texts past a budget. Patches are shown open, with their text, in a series of up to
 * OPEN_PATCHES patches, until their texts add up to INLINE_PATCH_TEXT characters.
 */
const OPEN_PATCHES = 12;
const INLINE_PATCH_TEXT = 24_000;
/** Breakage cards shown; the rest are one link away (the breakage search filtered to the series). */
const SHOWN_BREAKAGES = 10;

type Props = { params: Promise<{ id: string }> };

/** One load per request: the metadata and the page share it (React's request cache). */
const load = cache(async (rawId: string) => {
  const id = positiveInt(rawId, 'series id');
  if (!id.ok) return null;
  const db = await sql();
  const found = await seriesWithThread(db, id.value, { breakageLinksOfThisSeriesOnly: true });
  if (!found) return null;
  const { series: s, threadId } = found;
  const open = s.patches.length <= OPEN_PATCHES;
  const patchIds = s.patches.map((p) => p.messageId);
  const [{ entries, truncated }, bodies, stored, texts] = await Promise.all([
    flatThread(db, threadId),
    messageBodies(db, [...(s.coverMessageId ? [s.coverMessageId] : []), ...(open ? patchIds : [])]),
    storedMessageIds(db, patchIds),
    fixupTexts(
      db,
      s.fixups.map((f) => f.id),
    ),
  ]);
  // Texts shown inline, in patch order, within the budget; the others load when opened.
  const inline = new Set<string>();
  let budget = INLINE_PATCH_TEXT;
  for (const id of open ? patchIds : []) {
    const text = bodies.get(id);
    if (text === undefined) continue; // not stored: nothing to show or load
    if (text.length > budget) break;
    budget -= text.length;
    inline.add(id);
  }
  const patchBody = (messageId: string): string | 'lazy' | undefined =>
    inline.has(messageId) ? bodies.get(messageId) : stored.has(messageId) ? 'lazy' : undefined;
  return { s, entries, truncated, bodies, texts, open, patchBody };
});

export async function generateMetadata({ params }: Props) {
  const data = await load((await params).id);
  return { title: data ? `v${data.s.version} ${data.s.title}` : 'Series' };
}

export default async function SeriesPage({ params }: Props) {
  const data = await load((await params).id);
  if (!data) notFound();
  const { s, entries, truncated, bodies, texts, open, patchBody } = data;
  const received = s.received.filter((n) => n > 0).length;
  const cover = s.coverMessageId ? bodies.get(s.coverMessageId) : undefined;
  const pendingByPatch = (n: number) => s.fixups.filter((f) => f.state === 'pending' && f.targetPatch?.number === n).map((f) => f.id);
  const notes = new Map<string, string>();
  for (const p of s.patches) notes.set(p.messageId, `patch ${p.number}/${s.total}, above`);
  if (s.coverMessageId) notes.set(s.coverMessageId, 'cover letter, above');
  // Replies open in place; the cover and patches are shown above already.
  const expandable = new Set(entries.filter((e) => !e.placeholder && !notes.has(e.messageId)).map((e) => e.messageId));

  return (
    <article className="space-y-5">
      <header className="space-y-1.5">
        <h1 className="flex flex-wrap items-baseline gap-x-2 gap-y-1 text-lg font-semibold">
          <SeriesStatusBadge status={s.status} />
          <span className="font-mono text-sm font-normal text-zinc-500">v{s.version}</span>
          <span className="min-w-0 break-words">{s.title}</span>
        </h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          <span title={s.author.email}>{displayName(s.author)}</span> &lt;{s.author.email}&gt; · {dateTime(s.date)} · {received}/{s.total} patches
          {s.missing.length ? <span className="text-amber-700 dark:text-amber-400"> (missing {s.missing.join(', ')})</span> : null} · {plural(s.replies, 'reply', 'replies')}
        </p>
        {s.statusReasons.length ? (
          <ul className="text-sm text-zinc-700 dark:text-zinc-300" aria-label="Why this status">
            {s.statusReasons.map((r, i) => (
              <li key={i} className="before:mr-1 before:text-zinc-400 before:content-['•']">
                {r.text}
                {r.messageId ? (
                  <>
                    {' '}
                    <Link prefetch={false} className={linkClass} href={messageHref(r.messageId)}>
                      (message)
                    </Link>
                  </>
                ) : null}
                {r.seriesId !== undefined && Number.isInteger(Number(r.seriesId)) ? (
                  <>
                    {' '}
                    <Link prefetch={false} className={linkClass} href={seriesHref(Number(r.seriesId))}>
                      (series)
                    </Link>
                  </>
                ) : null}
              </li>
            ))}
          </ul>
        ) : null}
        {s.versions.length > 1 ? (
          <nav aria-label="Versions" className="flex flex-wrap items-center gap-1 text-sm">
            <span className="text-zinc-500">Versions:</span>
            {s.versions.map((v, i) => (
              <span key={v.id} className="inline-flex items-center gap-1">
                {i ? <span className="text-zinc-400" aria-hidden="true">→</span> : null}
                {v.id === s.id ? (
                  <span aria-current="page" className="rounded bg-zinc-200 px-1.5 font-semibold dark:bg-zinc-800">
                    v{v.version}
                  </span>
                ) : (
                  <Link prefetch={false} className={`${linkClass} px-1.5`} href={seriesHref(v.id)} title={dateTime(v.date)}>
                    v{v.version}
                  </Link>
                )}
              </span>
            ))}
          </nav>
        ) : null}
        <SeriesStatusForm seriesId={s.id} status={s.status} />
        <div className="flex flex-wrap items-center gap-2 pt-1">
          <a className={buttonClass} href={`/api/series/${s.id}/mbox?fixups=autosquash`} download>
            ⤓ mbox with fixups (autosquash)
          </a>
          <a className={buttonClass} href={`/api/series/${s.id}/mbox?fixups=none`} download>
            ⤓ mbox without fixups
          </a>
          <span className="text-xs text-zinc-500 dark:text-zinc-400">
            <code>git am</code> it; with fixups, <code>git rebase -i --autosquash</code> folds them in.
          </span>
        </div>
      </header>

      <div className="grid gap-5 lg:grid-cols-2">
        <section aria-labelledby="fixups" className="min-w-0">
          <SectionHeading id="fixups" count={s.fixups.length}>
            Inline fixups
          </SectionHeading>
          {s.fixups.length ? (
            <div className="space-y-2">
              {s.fixups.map((f) => (
                <div key={f.id} className="space-y-1">
                  <FixupCard f={f} text={texts.get(f.id)} inSeries total={s.total} />
                  <FixupActionForm fixupId={f.id} state={f.state} targetPatch={f.targetPatch?.number ?? null} total={s.total} back={`/series/${s.id}#fixup-${f.id}`} />
                </div>
              ))}
            </div>
          ) : (
            <p className="text-sm text-zinc-500">No inline fixups were posted in this thread.</p>
          )}
        </section>
        <section aria-labelledby="breakages" className="min-w-0">
          <SectionHeading id="breakages" count={s.breakages.length}>
            Breakages
          </SectionHeading>
          {s.breakages.length ? (
            <div className="space-y-2">
              {s.breakages.slice(0, SHOWN_BREAKAGES).map((b) => (
                <div key={b.id} className="space-y-1">
                  <BreakageCard b={b} inSeries={s.id} fixupHref={(id) => `#fixup-${id}`} />
                  <BreakageActionForm breakageId={b.id} status={b.status} series={b.series} back={`/series/${s.id}`} />
                </div>
              ))}
              {s.breakages.length > SHOWN_BREAKAGES ? (
                <p className="text-sm">
                  <Link prefetch={false} className={linkClass} href={`/breakages?series=${s.id}`}>
                    All {s.breakages.length} breakages of this series
                  </Link>
                </p>
              ) : null}
            </div>
          ) : (
            <p className="text-sm text-zinc-500">No build failures were reported against this series.</p>
          )}
        </section>
      </div>

      <SeriesTimeline seriesId={s.id} />

      {s.syscallChanges.length ? (
        <section aria-labelledby="syscalls">
          <SectionHeading id="syscalls" count={s.syscallChanges.length}>
            Syscall table changes
          </SectionHeading>
          {s.syscallChanges.length > 30 ? (
            <details>
              <summary className="cursor-pointer text-sm text-zinc-600 select-none dark:text-zinc-400">
                {plural(s.syscallChanges.length, 'row')} changed in {[...new Set(s.syscallChanges.map((c) => c.table))].join(', ')}
              </summary>
              <SyscallChangeTable changes={s.syscallChanges} caption="Syscall table changes" />
            </details>
          ) : (
            <SyscallChangeTable changes={s.syscallChanges} caption="Syscall table changes" />
          )}
        </section>
      ) : null}

      {s.coverMessageId ? (
        <section aria-labelledby="cover">
          <SectionHeading id="cover">
            Cover letter{' '}
            <Link prefetch={false} className={`${linkClass} text-xs font-normal normal-case`} href={messageHref(s.coverMessageId)}>
              message
            </Link>
          </SectionHeading>
          {cover !== undefined ? <MailText text={cover} rawHref={rawHref(s.coverMessageId)} /> : <p className="text-sm text-zinc-500">The cover letter is not stored.</p>}
        </section>
      ) : null}

      <section aria-labelledby="patches" className="space-y-2">
        <SectionHeading id="patches" count={s.patches.length}>
          Patches
        </SectionHeading>
        {s.patches.map((p) => (
          <PatchSection
            key={`${p.number}-${p.messageId}`}
            patch={p}
            total={s.total}
            seriesAuthorEmail={s.author.email}
            body={patchBody(p.messageId)}
            open={open}
            pendingFixups={pendingByPatch(p.number)}
          />
        ))}
      </section>

      <section aria-labelledby="thread">
        <SectionHeading id="thread" count={entries.filter((e) => !e.placeholder).length}>
          Thread
        </SectionHeading>
        {entries.length ? <ThreadView entries={entries} expandable={expandable} notes={notes} truncated={truncated} /> : <p className="text-sm text-zinc-500">No thread is stored for this series.</p>}
      </section>
    </article>
  );
}
