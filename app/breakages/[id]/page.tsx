import Link from 'next/link';
import { notFound } from 'next/navigation';
import { breakageById } from '../../../lib/db/queries/breakages.ts';
import { positiveInt } from '../../../lib/db/queries/params.ts';
import { sql } from '../../lib/database.ts';
import { BreakageCard } from '../../ui/breakage-card.tsx';
import { linkClass, SectionHeading } from '../../ui/controls.tsx';
import { dateTime, displayName, messageHref } from '../../ui/format.ts';
import { MailText } from '../../ui/mail-text.tsx';
import { BreakageActionForm } from '../../ui/actions/breakage-form.tsx';

export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ id: string }> };

async function load(raw: string) {
  const id = positiveInt(raw, 'breakage id');
  return id.ok ? breakageById(await sql(), id.value) : null;
}

export async function generateMetadata({ params }: Props) {
  const b = await load((await params).id);
  return { title: b ? b.message.slice(0, 80) : 'Breakage' };
}

export default async function BreakagePage({ params }: Props) {
  const b = await load((await params).id);
  if (!b) notFound();
  return (
    <article className="space-y-4">
      <p className="text-sm">
        <Link prefetch={false} className={linkClass} href="/breakages">
          ← All breakages
        </Link>
      </p>
      <BreakageCard b={b} headingLevel={2} />
      <BreakageActionForm breakageId={b.id} status={b.status} series={b.series} back={`/breakages/${b.id}`} />
      <section aria-labelledby="log">
        <SectionHeading id="log">Build log</SectionHeading>
        <MailText text={b.errorText} fold={false} />
      </section>
      <section aria-labelledby="reports">
        <SectionHeading id="reports" count={b.reports.length}>
          Reports
        </SectionHeading>
        <ul className="text-sm">
          {b.reports.map((r) => (
            <li key={r.messageId}>
              <Link prefetch={false} className={linkClass} href={messageHref(r.messageId)}>
                {displayName(r.author)}
              </Link>{' '}
              <span className="text-zinc-500">{dateTime(r.date)}</span>
            </li>
          ))}
        </ul>
      </section>
      {b.syscallChanges.length ? (
        <p className="text-sm">
          Linked to {b.syscallChanges.length} syscall-table change{b.syscallChanges.length === 1 ? '' : 's'}:{' '}
          {b.series.map((s) => (
            <Link prefetch={false} key={s.id} className={linkClass} href={`/series/${s.id}#syscalls`}>
              v{s.version} {s.title}
            </Link>
          ))}
        </p>
      ) : null}
      <p className="text-xs text-zinc-500">
        Signature <code className="break-all">{b.signature}</code> ·{' '}
        <a className={linkClass} href={`/api/breakages/${b.id}`}>
          JSON
        </a>
      </p>
    </article>
  );
}
