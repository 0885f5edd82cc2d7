/** Reading messages: the message API, the message page and the recent-mail list. */
import type { Sql } from 'postgres';
import type { Address, MailAttachment, MailFlag } from '../../mail/types.ts';

export interface MessageView {
  rawId: number;
  messageId: string;
  subject: string;
  from: Address;
  date: string | null;
  receivedAt: string;
  inReplyTo: string | null;
  references: string[];
  body: string;
  attachments: { filename: string | null; contentType: string; size: number }[];
  flags: MailFlag[];
  threadId: number;
  /** Other stored messages with the same Message-ID but different bytes. */
  variants: number[];
}

interface MessageRow {
  raw_id: string;
  message_id: string;
  subject: string;
  from_name: string;
  from_email: string;
  date: Date | null;
  received_at: Date;
  in_reply_to: string | null;
  references: string[];
  body: string;
  attachments: MailAttachment[];
  flags: MailFlag[];
  thread_id: string;
  canonical: boolean;
}

function toView(r: MessageRow, variants: number[]): MessageView {
  return {
    rawId: Number(r.raw_id),
    messageId: r.message_id,
    subject: r.subject,
    from: { name: r.from_name, email: r.from_email },
    date: r.date ? r.date.toISOString() : null,
    receivedAt: r.received_at.toISOString(),
    inReplyTo: r.in_reply_to,
    references: r.references,
    body: r.body,
    attachments: r.attachments.map(({ filename, contentType, size }) => ({ filename, contentType, size })),
    flags: r.flags,
    threadId: Number(r.thread_id),
    variants,
  };
}

/** A message by Message-ID: the canonical copy, with the ids of any conflicting copies. */
export async function messageById(sql: Sql, messageId: string): Promise<MessageView | null> {
  const rows = await sql<MessageRow[]>`
    select m.raw_id, m.message_id, m.subject, m.from_name, m.from_email, m.date, r.received_at, m.in_reply_to,
           m.references, m.body, m.attachments, r.flags, m.thread_id, m.canonical
    from messages m join raw_messages r on r.id = m.raw_id
    where m.message_id = ${messageId}
    order by m.canonical desc, m.raw_id`;
  if (rows.length === 0) return null;
  return toView(rows[0], rows.slice(1).map((r) => Number(r.raw_id)));
}

/** The exact stored bytes of a message (its canonical copy unless a raw id is given). */
export async function rawMessage(sql: Sql, messageId: string, rawId?: number): Promise<Buffer | null> {
  const rows = rawId
    ? await sql<{ raw: Buffer }[]>`select raw from raw_messages where id = ${rawId} and message_id = ${messageId}`
    : await sql<{ raw: Buffer }[]>`
        select r.raw from raw_messages r left join messages m on m.raw_id = r.id
        where r.message_id = ${messageId} order by m.canonical desc nulls last, r.id limit 1`;
  return rows[0]?.raw ?? null;
}

export interface MessageSummary {
  messageId: string;
  subject: string;
  from: Address;
  date: string;
  flagged: boolean;
}

export async function recentMessages(sql: Sql, limit = 50, offset = 0): Promise<MessageSummary[]> {
  const rows = await sql<{ message_id: string; subject: string; from_name: string; from_email: string; sort_date: Date; parse_status: string }[]>`
    select m.message_id, m.subject, m.from_name, m.from_email, m.sort_date, r.parse_status
    from messages m join raw_messages r on r.id = m.raw_id
    where m.canonical
    order by m.sort_date desc, m.raw_id desc
    limit ${limit} offset ${offset}`;
  return rows.map((r) => ({
    messageId: r.message_id,
    subject: r.subject,
    from: { name: r.from_name, email: r.from_email },
    date: r.sort_date.toISOString(),
    flagged: r.parse_status !== 'parsed',
  }));
}

export async function countMessages(sql: Sql): Promise<number> {
  const [row] = await sql<{ n: string }[]>`select count(*) as n from raw_messages`;
  return Number(row.n);
}

export interface FlaggedMessage {
  rawId: number;
  messageId: string;
  subject: string;
  parseStatus: string;
  flags: MailFlag[];
  receivedAt: string;
  source: string | null;
}

export async function flaggedMessages(sql: Sql, limit = 200): Promise<FlaggedMessage[]> {
  const rows = await sql<{ id: string; message_id: string; subject: string | null; parse_status: string; flags: MailFlag[]; received_at: Date; source_key: string | null }[]>`
    select r.id, r.message_id, m.subject, r.parse_status, r.flags, r.received_at,
      (select s.source_key from message_sources s where s.raw_id = r.id order by s.id limit 1) as source_key
    from raw_messages r left join messages m on m.raw_id = r.id
    where r.parse_status <> 'parsed'
    order by r.id desc limit ${limit}`;
  return rows.map((r) => ({
    rawId: Number(r.id),
    messageId: r.message_id,
    subject: r.subject ?? '',
    parseStatus: r.parse_status,
    flags: r.flags,
    receivedAt: r.received_at.toISOString(),
    source: r.source_key,
  }));
}
