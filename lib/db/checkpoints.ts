/**
 * IMAP sync bookkeeping in PostgreSQL: the checkpoint of each (account, mailbox), and the
 * session advisory lock that lets only one worker at a time sync a mailbox.
 */
import postgres, { type Sql } from 'postgres';

export interface StoredCheckpoint {
  account: string;
  mailbox: string;
  uidValidity: string;
  lastUid: number;
}

export async function loadCheckpoint(sql: Sql, account: string, mailbox: string): Promise<{ uidValidity: string; lastUid: number } | null> {
  const [row] = await sql<{ uid_validity: string; last_uid: string }[]>`
    select uid_validity, last_uid from imap_checkpoints where account = ${account} and mailbox = ${mailbox}`;
  return row ? { uidValidity: row.uid_validity, lastUid: Number(row.last_uid) } : null;
}

/**
 * Records that every UID up to lastUid is stored. Within one UIDVALIDITY the checkpoint never
 * moves back, so a worker that lost its lock without noticing can not undo a newer one's progress;
 * a different UIDVALIDITY replaces the checkpoint (the mailbox was recreated).
 */
export async function saveCheckpoint(sql: Sql, cp: StoredCheckpoint): Promise<void> {
  await sql`
    insert into imap_checkpoints (account, mailbox, uid_validity, last_uid, updated_at)
    values (${cp.account}, ${cp.mailbox}, ${cp.uidValidity}, ${cp.lastUid}, now())
    on conflict (account, mailbox) do update set
      last_uid = case when imap_checkpoints.uid_validity = excluded.uid_validity
                      then greatest(imap_checkpoints.last_uid, excluded.last_uid)
                      else excluded.last_uid end,
      uid_validity = excluded.uid_validity,
      updated_at = now()`;
}

export async function listCheckpoints(sql: Sql): Promise<(StoredCheckpoint & { updatedAt: Date })[]> {
  const rows = await sql<{ account: string; mailbox: string; uid_validity: string; last_uid: string; updated_at: Date }[]>`
    select account, mailbox, uid_validity, last_uid, updated_at from imap_checkpoints order by account, mailbox`;
  return rows.map((r) => ({ account: r.account, mailbox: r.mailbox, uidValidity: r.uid_validity, lastUid: Number(r.last_uid), updatedAt: r.updated_at }));
}

/**
 * The first key of the two-key advisory lock space: mailbox locks can not collide with the
 * single-key locks of migrations and thread assignment (lib/db/client.ts, lib/db/store.ts).
 */
export const MAILBOX_LOCK_SPACE = 7_243_913;

export interface MailboxLock {
  /** Whether this session still holds the lock (false once its connection was lost). */
  held(): Promise<boolean>;
  /** Unlocks and gives the connection back. Never throws. */
  release(): Promise<void>;
}

const lockName = (account: string, mailbox: string) => `${account}/${mailbox}`;

/** A lock query that gets no answer (a connection dead without a reset) counts as failed. */
const LOCK_QUERY_TIMEOUT_MS = 10_000;

async function withTimeout<T>(query: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      query,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no answer from PostgreSQL')), LOCK_QUERY_TIMEOUT_MS))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Takes the session advisory lock of (account, mailbox) on a connection of its own, kept open for
 * as long as the lock is held, or returns null when another session holds it.
 *
 * A dedicated one-connection client rather than `sql.reserve()`: postgres.js puts a reserved
 * connection that has failed back into the pool's open queue on release(), where later queries
 * wait on it forever; a client of its own is simply ended, and after a reconnect held() finds the
 * new backend without the lock.
 */
export async function tryLockMailbox(url: string, account: string, mailbox: string): Promise<MailboxLock | null> {
  const name = lockName(account, mailbox);
  // max_lifetime off: postgres.js would otherwise recycle the connection (and drop the lock) after 30-60 min.
  const conn = postgres(url, { max: 1, max_lifetime: null, onnotice: () => {}, connection: { application_name: 'patchloom-sync-lock' } });
  const close = () => conn.end({ timeout: 2 }).catch(() => {});
  let locked = false;
  try {
    const [row] = await withTimeout(conn<{ locked: boolean }[]>`select pg_try_advisory_lock(${MAILBOX_LOCK_SPACE}, hashtext(${name})) as locked`);
    locked = row.locked;
  } finally {
    if (!locked) await close();
  }
  if (!locked) return null;
  let released = false;
  return {
    async held() {
      if (released) return false;
      try {
        const [row] = await withTimeout(
          conn<{ held: boolean }[]>`
            select exists (
              select 1 from pg_locks
              where locktype = 'advisory' and pid = pg_backend_pid() and granted
                and classid = ${MAILBOX_LOCK_SPACE}::oid and objid = hashtext(${name})::oid and objsubid = 2
            ) as held`,
        );
        return row.held;
      } catch {
        return false;
      }
    },
    async release() {
      if (released) return;
      released = true;
      try {
        await withTimeout(conn`select pg_advisory_unlock(${MAILBOX_LOCK_SPACE}, hashtext(${name}))`);
      } catch {
        // The connection is gone, and the lock with it.
      } finally {
        await close();
      }
    },
  };
}
