/** Reading the ingest bookkeeping: what is stored, where it came from, and the import/sync runs. */
import type { Sql } from 'postgres';

export interface StoreCounts {
  rawMessages: number;
  parsed: number;
  /** Stored but flagged (conflicting copies, no Message-ID, …) or not parsed at all. */
  flagged: number;
  threads: number;
  series: number;
  fixups: number;
  breakages: number;
}

export interface ImportRunView {
  id: number;
  kind: string;
  source: string;
  state: string;
  startedAt: string;
  updatedAt: string;
  finishedAt: string | null;
  totalBytes: number | null;
  doneBytes: number;
  messages: number;
  added: number;
  duplicates: number;
  flagged: number;
  error: string | null;
  /** doneBytes / totalBytes, 0..1, when the size is known. */
  progress: number | null;
}

export interface MailboxSource {
  account: string;
  mailbox: string;
  uidValidity: string;
  lastUid: number;
  updatedAt: string;
  messages: number;
}

export interface FileSource {
  source: string;
  runs: number;
  lastRunAt: string;
  lastState: string;
  added: number;
}

export async function storeCounts(sql: Sql): Promise<StoreCounts> {
  const [r] = await sql<{ raw: string; parsed: string; flagged: string; threads: string; series: string; fixups: string; breakages: string }[]>`
    select (select count(*) from raw_messages) as raw,
           (select count(*) from raw_messages where parse_status = 'parsed') as parsed,
           (select count(*) from raw_messages where parse_status <> 'parsed') as flagged,
           (select count(distinct thread_id) from messages) as threads,
           (select count(*) from series) as series,
           (select count(*) from fixups) as fixups,
           (select count(*) from breakages) as breakages`;
  return {
    rawMessages: Number(r.raw),
    parsed: Number(r.parsed),
    flagged: Number(r.flagged),
    threads: Number(r.threads),
    series: Number(r.series),
    fixups: Number(r.fixups),
    breakages: Number(r.breakages),
  };
}

/** Runs newest first; running ones first of all, so their progress is on top. */
export async function importRuns(sql: Sql, limit = 30): Promise<ImportRunView[]> {
  const rows = await sql<
    {
      id: number;
      kind: string;
      source: string;
      state: string;
      started_at: Date;
      updated_at: Date;
      finished_at: Date | null;
      total_bytes: string | null;
      done_bytes: string;
      messages: number;
      added: number;
      duplicates: number;
      flagged: number;
      error: string | null;
    }[]
  >`
    select id, kind, source, state, started_at, updated_at, finished_at, total_bytes, done_bytes, messages, added, duplicates, flagged, error
    from import_runs order by (state = 'running') desc, started_at desc, id desc limit ${limit}`;
  return rows.map((r) => {
    const total = r.total_bytes === null ? null : Number(r.total_bytes);
    const done = Number(r.done_bytes);
    return {
      id: r.id,
      kind: r.kind,
      source: r.source,
      state: r.state,
      startedAt: r.started_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
      finishedAt: r.finished_at ? r.finished_at.toISOString() : null,
      totalBytes: total,
      doneBytes: done,
      messages: r.messages,
      added: r.added,
      duplicates: r.duplicates,
      flagged: r.flagged,
      error: r.error,
      progress: total ? Math.min(1, done / total) : null,
    };
  });
}

/** IMAP mailboxes with their checkpoints and how many stored messages came from each. */
export async function mailboxSources(sql: Sql): Promise<MailboxSource[]> {
  const rows = await sql<{ account: string; mailbox: string; uid_validity: string; last_uid: string; updated_at: Date; messages: string }[]>`
    select c.account, c.mailbox, c.uid_validity, c.last_uid, c.updated_at,
      (select count(*) from message_sources s where s.kind = 'imap' and s.account = c.account and s.mailbox = c.mailbox) as messages
    from imap_checkpoints c order by c.account, c.mailbox`;
  return rows.map((r) => ({
    account: r.account,
    mailbox: r.mailbox,
    uidValidity: r.uid_validity,
    lastUid: Number(r.last_uid),
    updatedAt: r.updated_at.toISOString(),
    messages: Number(r.messages),
  }));
}

/** File imports grouped by what was imported (the paths given to `patchloom import`). */
export async function fileSources(sql: Sql, limit = 50): Promise<FileSource[]> {
  const rows = await sql<{ source: string; runs: string; last_run_at: Date; last_state: string; added: string }[]>`
    select source, count(*) as runs, max(started_at) as last_run_at,
      (array_agg(state order by started_at desc))[1] as last_state, sum(added) as added
    from import_runs where kind = 'file' group by source order by max(started_at) desc limit ${limit}`;
  return rows.map((r) => ({ source: r.source, runs: Number(r.runs), lastRunAt: r.last_run_at.toISOString(), lastState: r.last_state, added: Number(r.added) }));
}
