/** Import, sync and reindex runs: their progress is visible on the ingest page while they run. */
import { hostname } from 'node:os';
import type { Sql } from 'postgres';

export interface RunCounts {
  doneBytes: number;
  messages: number;
  added: number;
  duplicates: number;
  flagged: number;
}

export async function startRun(sql: Sql, kind: 'file' | 'imap' | 'reindex', source: string, totalBytes: number | null): Promise<number> {
  const [row] = await sql<{ id: number }[]>`
    insert into import_runs (kind, source, state, total_bytes, pid, host)
    values (${kind}, ${source.slice(0, 2000)}, 'running', ${totalBytes}, ${process.pid}, ${hostname()})
    returning id`;
  return row.id;
}

/** Record progress; `derivedThrough` (see import_runs.derived_through) when a derive has caught up. */
export async function updateRun(sql: Sql, id: number, c: RunCounts, derivedThrough: Date | null = null) {
  await sql`
    update import_runs set done_bytes = ${c.doneBytes}, messages = ${c.messages}, added = ${c.added},
      duplicates = ${c.duplicates}, flagged = ${c.flagged}, updated_at = now(),
      derived_through = coalesce(${derivedThrough}, derived_through)
    where id = ${id}`;
}

export async function finishRun(sql: Sql, id: number, c: RunCounts, error: string | null) {
  await sql`
    update import_runs set done_bytes = ${c.doneBytes}, messages = ${c.messages}, added = ${c.added},
      duplicates = ${c.duplicates}, flagged = ${c.flagged}, updated_at = now(), finished_at = now(),
      state = ${error ? 'failed' : 'done'}, error = ${error}
    where id = ${id}`;
}

export interface OpenRun {
  id: number;
  kind: string;
  pid: number | null;
  /** Derived data is current for what it stored before this time (else since it started). */
  derivedThrough: Date;
}

/** Runs still marked running: live ones, and ones whose process died without finishing. */
export async function interruptedRuns(sql: Sql): Promise<OpenRun[]> {
  const rows = await sql<{ id: number; kind: string; pid: number | null; derived_through: Date }[]>`
    select id, kind, pid, coalesce(derived_through, started_at) as derived_through from import_runs
    where state = 'running' and (host is null or host = ${hostname()}) order by id`;
  return rows.map((r) => ({ id: r.id, kind: r.kind, pid: r.pid, derivedThrough: r.derived_through }));
}

export async function markInterrupted(sql: Sql, id: number, error: string) {
  await sql`update import_runs set state = 'failed', finished_at = now(), error = ${error} where id = ${id} and state = 'running'`;
}
