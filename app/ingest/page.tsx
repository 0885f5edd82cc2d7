import Link from 'next/link';
import { fileSources, importRuns, mailboxSources, storeCounts } from '../../lib/db/queries/ingest.ts';
import { flaggedMessages } from '../../lib/db/queries/messages.ts';
import { sql } from '../lib/database.ts';
import { Badge } from '../ui/badges.tsx';
import { linkClass, SectionHeading } from '../ui/controls.tsx';
import { NoMail } from '../ui/empty.tsx';
import { bytes, dateTime, messageHref, rawHref } from '../ui/format.ts';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Ingest' };

const RUN_TONE = { running: 'info', done: 'good', failed: 'bad' } as const;

function Stat({ label, value }: { label: string; value: number }) {
  return (
    <div className="rounded border border-zinc-200 px-3 py-1.5 dark:border-zinc-800">
      <dt className="text-xs text-zinc-500 dark:text-zinc-400">{label}</dt>
      <dd className="text-lg font-semibold tabular-nums">{value.toLocaleString('en')}</dd>
    </div>
  );
}

export default async function IngestPage() {
  const db = await sql();
  const [counts, runs, mailboxes, files, flagged] = await Promise.all([storeCounts(db), importRuns(db), mailboxSources(db), fileSources(db), flaggedMessages(db)]);
  const running = runs.some((r) => r.state === 'running');
  if (counts.rawMessages === 0 && runs.length === 0) return <NoMail />;

  return (
    <div className="space-y-5">
      {/* While something imports, the page refreshes itself (a meta refresh: no script needed). */}
      {running ? <meta httpEquiv="refresh" content="5" /> : null}
      <h1 className="text-base font-semibold">Ingest</h1>
      <dl className="grid grid-cols-2 gap-2 sm:grid-cols-4 lg:grid-cols-7">
        <Stat label="messages stored" value={counts.rawMessages} />
        <Stat label="parsed" value={counts.parsed} />
        <Stat label="flagged" value={counts.flagged} />
        <Stat label="threads" value={counts.threads} />
        <Stat label="series" value={counts.series} />
        <Stat label="fixups" value={counts.fixups} />
        <Stat label="breakages" value={counts.breakages} />
      </dl>

      <section aria-labelledby="runs">
        <SectionHeading id="runs" count={runs.length}>
          Import and sync runs
        </SectionHeading>
        <div className="overflow-x-auto">
          <table className="w-full border-collapse text-sm">
            <thead className="border-b border-zinc-200 text-left text-xs text-zinc-500 dark:border-zinc-800 dark:text-zinc-400">
              <tr>
                <th scope="col" className="px-2 py-1 font-medium">State</th>
                <th scope="col" className="px-2 py-1 font-medium">Kind</th>
                <th scope="col" className="px-2 py-1 font-medium">Source</th>
                <th scope="col" className="px-2 py-1 font-medium">Started</th>
                <th scope="col" className="px-2 py-1 font-medium">Progress</th>
                <th scope="col" className="px-2 py-1 text-right font-medium">Messages</th>
                <th scope="col" className="px-2 py-1 text-right font-medium">New</th>
                <th scope="col" className="px-2 py-1 text-right font-medium">Dupes</th>
                <th scope="col" className="px-2 py-1 text-right font-medium">Flagged</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800/70">
              {runs.map((r) => (
                <tr key={r.id} className="align-top">
                  <td className="px-2 py-1">
                    <Badge tone={RUN_TONE[r.state as keyof typeof RUN_TONE] ?? 'neutral'}>{r.state}</Badge>
                  </td>
                  <td className="px-2 py-1">{r.kind}</td>
                  <td className="max-w-md px-2 py-1 font-mono text-xs break-all">
                    {r.source}
                    {r.error ? <div className="font-sans text-red-700 dark:text-red-400">{r.error}</div> : null}
                  </td>
                  <td className="px-2 py-1 whitespace-nowrap text-zinc-500 tabular-nums">{dateTime(r.startedAt)}</td>
                  <td className="min-w-40 px-2 py-1 text-xs">
                    {r.progress !== null ? (
                      <div className="flex items-center gap-2">
                        <progress className="h-2 w-24 accent-sky-700" max={1} value={r.progress} aria-label={`run ${r.id} progress`} />
                        <span className="tabular-nums">
                          {bytes(r.doneBytes)} / {bytes(r.totalBytes ?? 0)}
                        </span>
                      </div>
                    ) : (
                      <span className="text-zinc-500">{r.state === 'running' ? `${bytes(r.doneBytes)} so far` : r.finishedAt ? `finished ${dateTime(r.finishedAt)}` : ''}</span>
                    )}
                  </td>
                  <td className="px-2 py-1 text-right tabular-nums">{r.messages}</td>
                  <td className="px-2 py-1 text-right tabular-nums">{r.added}</td>
                  <td className="px-2 py-1 text-right tabular-nums">{r.duplicates}</td>
                  <td className="px-2 py-1 text-right tabular-nums">{r.flagged ? <span className="text-amber-700 dark:text-amber-400">{r.flagged}</span> : 0}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby="sources" className="grid gap-4 lg:grid-cols-2">
        <div>
          <SectionHeading id="sources" count={mailboxes.length}>
            IMAP mailboxes
          </SectionHeading>
          {mailboxes.length ? (
            <ul className="text-sm">
              {mailboxes.map((m) => (
                <li key={`${m.account}/${m.mailbox}`}>
                  <span className="font-medium">{m.account}</span> / {m.mailbox} — {m.messages.toLocaleString('en')} messages, UID {m.lastUid} (UIDVALIDITY {m.uidValidity}), synced {dateTime(m.updatedAt)}
                </li>
              ))}
            </ul>
          ) : (
            <p className="text-sm text-zinc-500">
              No IMAP mailbox synced yet. Set <code>PATCHLOOM_IMAP_HOST</code>, <code>_USER</code>, <code>_PASSWORD</code> and <code>_MAILBOXES</code> (or an <code>imap</code> section in{' '}
              <code>patchloom.config.json</code>) and run <code>npx patchloom sync</code>.
            </p>
          )}
        </div>
        <div>
          <SectionHeading count={files.length}>Imported files</SectionHeading>
          {files.length ? (
            <ul className="text-sm">
              {files.map((f) => (
                <li key={f.source} className="break-all">
                  <span className="font-mono text-xs">{f.source}</span> — {f.added.toLocaleString('en')} new in {f.runs} run{f.runs === 1 ? '' : 's'}, last {dateTime(f.lastRunAt)} ({f.lastState})
                </li>
              ))}
            </ul>
          ) : (
            <p className="text-sm text-zinc-500">
              No files imported yet: <code>npx patchloom import &lt;mbox or maildir&gt;</code>.
            </p>
          )}
        </div>
      </section>

      <section aria-labelledby="flagged">
        <SectionHeading id="flagged" count={flagged.length}>
          Flagged messages
        </SectionHeading>
        {flagged.length ? (
          <ul className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800/70">
            {flagged.map((m) => (
              <li key={m.rawId} className="py-1">
                <div className="flex flex-wrap items-baseline gap-x-2">
                  <Badge tone="warn">{m.parseStatus}</Badge>
                  {m.parseStatus === 'unparsed' ? (
                    <span className="min-w-0 break-all">{m.subject || `<${m.messageId}>`}</span>
                  ) : (
                    <Link prefetch={false} className="min-w-0 break-all hover:underline" href={messageHref(m.messageId)}>
                      {m.subject || `<${m.messageId}>`}
                    </Link>
                  )}
                  <a className={`${linkClass} text-xs`} href={`${rawHref(m.messageId)}?raw=${m.rawId}`}>
                    raw
                  </a>
                  <span className="text-xs text-zinc-500">{dateTime(m.receivedAt)}</span>
                </div>
                <ul className="ml-1 text-xs text-zinc-600 dark:text-zinc-400">
                  {m.flags.map((f, i) => (
                    <li key={i}>
                      <span className="font-medium">{f.kind}</span>: {f.reason}
                    </li>
                  ))}
                  {m.source ? <li className="font-mono break-all text-zinc-400">{m.source}</li> : null}
                </ul>
              </li>
            ))}
          </ul>
        ) : (
          <p className="text-sm text-zinc-500">No flagged messages: every stored message parsed cleanly.</p>
        )}
      </section>
    </div>
  );
}
