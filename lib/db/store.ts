/**
 * Writing raw mail and its parsed form. One call stores one batch in one transaction:
 * a crash leaves either the whole batch or none of it, and a rerun skips what is stored
 * (raw messages are unique by SHA-256, sources by their coordinates).
 */
import type { JSONValue, Sql, TransactionSql } from 'postgres';
import type { Mail, MailFlag } from '../mail/types.ts';
import { subjectThreadKey } from '../threading.ts';
import { sha256Hex } from '../mail/ids.ts';

export type SourceCoordinates =
  | { kind: 'file'; path: string; offset: number }
  | { kind: 'imap'; account: string; mailbox: string; uidValidity: string; uid: number };

export interface IncomingMessage {
  bytes: Buffer;
  sha256: string;
  source: SourceCoordinates;
  /** null when the message was stored without parsing (see flags). */
  mail: Mail;
  parsed: boolean;
}

export interface StoreResult {
  added: number;
  duplicates: number;
  flagged: number;
  /** Threads whose derived data must be recomputed (including threads merged away). */
  touchedThreads: number[];
  /** Ids of the raw messages this batch added. */
  addedRawIds: number[];
  /** The store transaction's time: every message it added was received at this time. */
  storedAt: Date;
}

/** Serialises thread assignment between concurrent writers (two IMAP workers, an import and a sync). */
const THREAD_LOCK = 7_243_912;

/** Unique keys are btree keys (at most about 2.7 kB): longer ones are keyed by their hash. */
const MAX_KEY_CHARS = 500;

function boundedKey(key: string, prefix: string): string {
  return key.length > MAX_KEY_CHARS ? `${prefix}sha256:${sha256Hex(Buffer.from(key))}` : key;
}

export function sourceKey(s: SourceCoordinates): string {
  return boundedKey(s.kind === 'file' ? `file:${s.path}:${s.offset}` : `imap:${s.account}/${s.mailbox}/${s.uidValidity}/${s.uid}`, `${s.kind}:`);
}

/** The keys that connect a message to its thread: its own id, its parents, and (only when headers give nothing) its subject. */
export function threadKeys(mail: Mail): string[] {
  const keys = [mail.messageId, ...mail.references];
  if (mail.inReplyTo) keys.push(mail.inReplyTo);
  const subject = !mail.inReplyTo && mail.references.length === 0 ? subjectThreadKey(mail) : null;
  if (subject) keys.push(`subject:${boundedKey(subject, '')}`);
  return [...new Set(keys)];
}

/** JSON for a jsonb parameter; PostgreSQL rejects NUL characters in jsonb strings. */
function jsonb(tx: TransactionSql, value: unknown) {
  const text = JSON.stringify(value);
  // Keys and values alike; an escaped backslash before "u0000" is left alone.
  const cleaned = text.includes('\\u0000') ? text.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd') : text;
  return tx.json(JSON.parse(cleaned) as JSONValue);
}

function parseStatus(m: IncomingMessage): string {
  if (!m.parsed) return 'unparsed';
  return m.mail.flags.length ? 'flagged' : 'parsed';
}

/** Union-find over the batch's keys and the threads they already belong to. */
async function assignThreads(tx: TransactionSql, mails: { rawId: number; keys: string[] }[]): Promise<{ threadOf: Map<number, number>; touched: Set<number> }> {
  await tx`select pg_advisory_xact_lock(${THREAD_LOCK})`;
  const allKeys = [...new Set(mails.flatMap((m) => m.keys))];
  const existing = new Map<string, number>();
  for (let i = 0; i < allKeys.length; i += 5000) {
    const rows = await tx<{ key: string; thread_id: string }[]>`select key, thread_id from thread_links where key = any(${allKeys.slice(i, i + 5000)})`;
    for (const r of rows) existing.set(r.key, Number(r.thread_id));
  }
  const parent = new Map<string, string>();
  const find = (k: string): string => {
    let root = k;
    while (parent.get(root) !== root) root = parent.get(root) as string;
    let cur = k;
    while (cur !== root) {
      const next = parent.get(cur) as string;
      parent.set(cur, root);
      cur = next;
    }
    return root;
  };
  const union = (a: string, b: string) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  };
  for (const k of allKeys) parent.set(k, k);
  // Existing threads are nodes too, so two keys of one stored thread stay together.
  for (const [k, t] of existing) {
    const tk = `\u0000thread:${t}`;
    if (!parent.has(tk)) parent.set(tk, tk);
    union(k, tk);
  }
  for (const m of mails) for (const k of m.keys.slice(1)) union(m.keys[0], k);

  const components = new Map<string, { keys: string[]; threads: Set<number> }>();
  for (const k of parent.keys()) {
    const r = find(k);
    const c = components.get(r) ?? { keys: [], threads: new Set<number>() };
    if (k.startsWith('\u0000thread:')) c.threads.add(Number(k.slice(8)));
    else c.keys.push(k);
    components.set(r, c);
  }
  const threadOfKey = new Map<string, number>();
  const touched = new Set<number>();
  const newLinks: { key: string; thread_id: number }[] = [];
  for (const c of components.values()) {
    let target: number;
    if (c.threads.size === 0) {
      const [{ id }] = await tx<{ id: string }[]>`select nextval('thread_id_seq') as id`;
      target = Number(id);
    } else {
      target = Math.min(...c.threads);
      const others = [...c.threads].filter((t) => t !== target);
      if (others.length) {
        await tx`update thread_links set thread_id = ${target} where thread_id = any(${others})`;
        await tx`update messages set thread_id = ${target} where thread_id = any(${others})`;
        others.forEach((t) => touched.add(t));
      }
    }
    touched.add(target);
    for (const k of c.keys) {
      threadOfKey.set(k, target);
      if (existing.get(k) === undefined) newLinks.push({ key: k, thread_id: target });
    }
  }
  for (let i = 0; i < newLinks.length; i += 5000) {
    await tx`insert into thread_links ${tx(newLinks.slice(i, i + 5000), 'key', 'thread_id')} on conflict (key) do update set thread_id = excluded.thread_id`;
  }
  const threadOf = new Map<number, number>();
  for (const m of mails) threadOf.set(m.rawId, threadOfKey.get(m.keys[0]) as number);
  return { threadOf, touched };
}

/** Store one batch of messages. Idempotent: stored bytes and known sources are skipped. */
export async function storeBatch(sql: Sql, batch: IncomingMessage[]): Promise<StoreResult> {
  if (batch.length === 0) return { added: 0, duplicates: 0, flagged: 0, touchedThreads: [], addedRawIds: [], storedAt: new Date(0) };
  return sql.begin(async (tx) => {
    const [{ now: storedAt }] = await tx<{ now: Date }[]>`select now()`;
    // Duplicates inside the batch itself: keep the first occurrence of each hash.
    const firstByHash = new Map<string, IncomingMessage>();
    for (const m of batch) if (!firstByHash.has(m.sha256)) firstByHash.set(m.sha256, m);
    const unique = [...firstByHash.values()];

    const rawRows = unique.map((m) => ({
      sha256: m.sha256,
      message_id: m.mail.messageId,
      raw: m.bytes,
      size: m.bytes.length,
      parse_status: parseStatus(m),
      flags: jsonb(tx, m.mail.flags),
    }));
    // (postgres.js cannot type a query that has both a row type and a helper; annotate instead.)
    const inserted: { id: string; sha256: string }[] = await tx`
      insert into raw_messages ${tx(rawRows, 'sha256', 'message_id', 'raw', 'size', 'parse_status', 'flags')}
      on conflict (sha256) do nothing
      returning id, sha256`;
    const newIds = new Map(inserted.map((r) => [r.sha256, Number(r.id)]));
    const allIds = new Map(newIds);
    const missing = unique.filter((m) => !newIds.has(m.sha256)).map((m) => m.sha256);
    if (missing.length) {
      const rows = await tx<{ id: string; sha256: string }[]>`select id, sha256 from raw_messages where sha256 = any(${missing})`;
      for (const r of rows) allIds.set(r.sha256, Number(r.id));
    }

    const sourceRows = batch.map((m) => {
      const s = m.source;
      return {
        raw_id: allIds.get(m.sha256) as number,
        kind: s.kind,
        source_key: sourceKey(s),
        path: s.kind === 'file' ? s.path : null,
        offset: s.kind === 'file' ? s.offset : null,
        account: s.kind === 'imap' ? s.account : null,
        mailbox: s.kind === 'imap' ? s.mailbox : null,
        uid_validity: s.kind === 'imap' ? s.uidValidity : null,
        uid: s.kind === 'imap' ? s.uid : null,
      };
    });
    await tx`
      insert into message_sources ${tx(sourceRows, 'raw_id', 'kind', 'source_key', 'path', 'offset', 'account', 'mailbox', 'uid_validity', 'uid')}
      on conflict (source_key) do nothing`;

    const added = unique.filter((m) => newIds.has(m.sha256));
    if (added.length === 0) return { added: 0, duplicates: batch.length, flagged: 0, touchedThreads: [], addedRawIds: [], storedAt };
    const indexed = await indexMessages(tx, added.map((m) => ({ rawId: newIds.get(m.sha256) as number, mail: m.mail, parsed: m.parsed })));
    return { ...indexed, added: added.length, duplicates: batch.length - added.length, storedAt };
  });
}

/** Errors after which the same statement may well succeed: the connection went away, or the server asked for a retry. */
export function isTransientError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  if (['CONNECTION_CLOSED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT'].includes(code)) return true;
  // SQLSTATE: 08 connection exception, 57P01-03 the server terminated or is starting, 40001/40P01 serialization failure or deadlock.
  return code.startsWith('08') || ['57P01', '57P02', '57P03', '40001', '40P01'].includes(code);
}

/** The threads of stored messages, by their SHA-256. */
export async function threadsOfMessages(sql: Sql, sha256s: string[]): Promise<number[]> {
  const rows = await sql<{ thread_id: string }[]>`
    select distinct m.thread_id from raw_messages r join messages m on m.raw_id = r.id where r.sha256 = any(${sha256s})`;
  return rows.map((r) => Number(r.thread_id));
}

/**
 * What an interrupted run may have left underived: threads of messages stored since its last
 * finished batch, and threads that have derived rows but no messages (merged away meanwhile).
 */
export async function threadsToRecover(sql: Sql, since: Date): Promise<number[]> {
  const rows = await sql<{ thread_id: string }[]>`
    select distinct m.thread_id from raw_messages r join messages m on m.raw_id = r.id where r.received_at >= ${since}
    union
    select d.thread_id from (
      select thread_id from series union select thread_id from fixups union select thread_id from build_reports
      union select thread_id from build_verdicts union select thread_id from fix_claims union select thread_id from commit_notices
    ) d where not exists (select 1 from messages m where m.thread_id = d.thread_id)`;
  return rows.map((r) => Number(r.thread_id));
}

export interface IndexInput {
  rawId: number;
  mail: Mail;
  parsed: boolean;
}

/**
 * Write the parsed form of stored raw messages and thread them. Used by import, and by
 * reindex (which empties the parsed tables and feeds every raw message through here again).
 */
export async function indexMessages(tx: TransactionSql, inputs: IndexInput[]): Promise<Omit<StoreResult, 'added' | 'duplicates' | 'storedAt'>> {
  // Same Message-ID, different bytes: keep both, the earlier one stays canonical.
  const ids = [...new Set(inputs.map((m) => m.mail.messageId))];
  const taken = new Set(
    (await tx<{ message_id: string }[]>`select message_id from messages where message_id = any(${ids}) and canonical`).map((r) => r.message_id),
  );
  const canonicalIn = new Set<string>();
  const conflicts: number[] = [];
  const rows = [...inputs].sort((a, b) => a.rawId - b.rawId).map((m) => {
    const canonical = !taken.has(m.mail.messageId) && !canonicalIn.has(m.mail.messageId);
    if (canonical) canonicalIn.add(m.mail.messageId);
    else conflicts.push(m.rawId);
    return { ...m, canonical };
  });
  if (conflicts.length) {
    const flag: MailFlag = {
      kind: 'duplicate-message-id',
      reason: 'Another stored message has the same Message-ID but different bytes; both are kept, and the one stored first is used for threads and series.',
    };
    await tx`
      update raw_messages set flags = flags || ${jsonb(tx, [flag])}::jsonb,
        parse_status = case when parse_status = 'parsed' then 'flagged' else parse_status end
      where id = any(${conflicts}) and not flags @> ${jsonb(tx, [{ kind: 'duplicate-message-id' }])}::jsonb`;
  }

  const { threadOf, touched } = await assignThreads(
    tx,
    rows.filter((r) => r.canonical).map((r) => ({ rawId: r.rawId, keys: threadKeys(r.mail) })),
  );
  // A conflicting copy sits in the thread of its canonical twin.
  const canonicalThread = new Map<string, number>();
  for (const r of rows) if (r.canonical) canonicalThread.set(r.mail.messageId, threadOf.get(r.rawId) as number);
  const twinsNeeded = rows.filter((r) => !r.canonical && !canonicalThread.has(r.mail.messageId)).map((r) => r.mail.messageId);
  if (twinsNeeded.length) {
    const twins = await tx<{ message_id: string; thread_id: string }[]>`select message_id, thread_id from messages where message_id = any(${twinsNeeded}) and canonical`;
    for (const t of twins) canonicalThread.set(t.message_id, Number(t.thread_id));
  }

  const now = new Date();
  const messageRows = rows.map(({ mail, rawId, canonical }) => ({
    raw_id: rawId,
    message_id: mail.messageId,
    canonical,
    subject: mail.subject,
    from_name: mail.from.name,
    from_email: mail.from.email,
    date: mail.date,
    sort_date: mail.date ?? now,
    in_reply_to: mail.inReplyTo,
    references: tx.array(mail.references),
    body: mail.body,
    attachments: jsonb(tx, mail.attachments),
    headers: jsonb(tx, mail.headers),
    thread_id: canonical ? (threadOf.get(rawId) as number) : (canonicalThread.get(mail.messageId) as number),
  }));
  for (let i = 0; i < messageRows.length; i += 500) {
    await tx`insert into messages ${tx(messageRows.slice(i, i + 500), 'raw_id', 'message_id', 'canonical', 'subject', 'from_name', 'from_email', 'date', 'sort_date', 'in_reply_to', 'references', 'body', 'attachments', 'headers', 'thread_id')}`;
  }
  const conflicting = new Set(conflicts);
  return {
    flagged: rows.filter((r) => r.mail.flags.length > 0 || !r.parsed || conflicting.has(r.rawId)).length,
    touchedThreads: [...touched],
    addedRawIds: rows.map((r) => r.rawId),
  };
}
