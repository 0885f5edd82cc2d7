import { toSearchParams } from '../../lib/db/queries/params.ts';
import { SYSCALL_LIMIT, searchSyscallChanges, syscallQueryFromParams, understoodQuery } from '../../lib/db/queries/syscalls.ts';
import { sql } from '../lib/database.ts';
import { Field, inputClass, ParamErrorNote, primaryButtonClass } from '../ui/controls.tsx';
import { EmptyState } from '../ui/empty.tsx';
import { SyscallChangeTable } from '../ui/syscall-table.tsx';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Syscalls' };

export default async function SyscallsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = toSearchParams(await searchParams);
  const parsed = syscallQueryFromParams(params);
  const q = parsed.ok ? parsed.value : null;
  const changes = parsed.ok ? await searchSyscallChanges(await sql(), q) : [];
  const understood = q ? understoodQuery(q) : null;

  return (
    <section className="space-y-3">
      <form method="get" action="/syscalls" role="search" aria-label="Search syscall changes" className="flex flex-wrap items-end gap-2">
        <Field label="Syscall name, number or symbol" htmlFor="q" className="min-w-64 flex-1">
          <input id="q" name="q" type="search" defaultValue={q ?? ''} placeholder="mprotect, 10, __x64_sys_mprotect" className={inputClass} />
        </Field>
        <button type="submit" className={primaryButtonClass}>
          Search
        </button>
      </form>
      {!parsed.ok ? <ParamErrorNote error={parsed} /> : null}
      <h1 className="text-base font-semibold">
        {q ? 'Changes to ' : 'Recent syscall-table changes'}
        {understood?.name ? <code>{understood.name}</code> : null}
        {understood?.name && understood.number !== null ? ' · ' : null}
        {understood?.number !== null && understood?.number !== undefined ? <span>number {understood.number}</span> : null}{' '}
        <span className="font-normal tabular-nums text-zinc-500">{changes.length}</span>
        {changes.length === SYSCALL_LIMIT ? <span className="text-xs font-normal text-zinc-500"> (the newest {SYSCALL_LIMIT})</span> : null}
      </h1>
      {parsed.ok && changes.length === 0 ? (
        q && understood && understood.name === null && understood.number === null ? (
          <EmptyState title={`“${q}” names no syscall`}>Search a name (mprotect), a number (10) or a symbol of it (sys_mprotect, __x64_sys_mprotect, __sys_x86_mprotect).</EmptyState>
        ) : (
          <EmptyState title={q ? 'No patch changed this syscall' : 'No syscall-table changes yet'}>
            Rows appear when a patch changes a syscall table (<code>syscall_64.tbl</code>, <code>unistd.h</code>).
          </EmptyState>
        )
      ) : null}
      {changes.length ? <SyscallChangeTable changes={changes} showSeries caption="Syscall-table changes, newest first" /> : null}
    </section>
  );
}
