/**
 * The database schema. Raw mail (raw_messages, message_sources) is the truth and is
 * never rewritten; every other table is derived from it and rebuilt by `patchloom reindex`,
 * except the maintainers' own records (users, tokens, manual actions), which reindex keeps.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  pgSequence,
  bigserial,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { MailAttachment, MailFlag } from '../mail/types.ts';

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

// ---------------------------------------------------------------- raw store

export const rawMessages = pgTable(
  'raw_messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    sha256: text('sha256').notNull(),
    messageId: text('message_id').notNull(),
    raw: bytea('raw').notNull(),
    size: integer('size').notNull(),
    receivedAt: tz('received_at').notNull().defaultNow(),
    /** parsed | flagged | unparsed (stored raw only: too large or unreadable). */
    parseStatus: text('parse_status').notNull(),
    flags: jsonb('flags').$type<MailFlag[]>().notNull().default([]),
  },
  (t) => [uniqueIndex('raw_messages_sha256').on(t.sha256), index('raw_messages_message_id').on(t.messageId)],
);

/** Where each raw message was seen. One message may come from many files and mailboxes. */
export const messageSources = pgTable(
  'message_sources',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    rawId: bigint('raw_id', { mode: 'number' })
      .notNull()
      .references(() => rawMessages.id),
    /** file | imap */
    kind: text('kind').notNull(),
    /** A unique name for the coordinates: file:<path>:<offset> or imap:<account>/<mailbox>/<uidvalidity>/<uid>. */
    sourceKey: text('source_key').notNull(),
    path: text('path'),
    offset: bigint('offset', { mode: 'number' }),
    account: text('account'),
    mailbox: text('mailbox'),
    uidValidity: text('uid_validity'),
    uid: bigint('uid', { mode: 'number' }),
    seenAt: tz('seen_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('message_sources_key').on(t.sourceKey), index('message_sources_raw').on(t.rawId)],
);

// ---------------------------------------------------------------- parsed messages

export const messages = pgTable(
  'messages',
  {
    rawId: bigint('raw_id', { mode: 'number' })
      .primaryKey()
      .references(() => rawMessages.id),
    messageId: text('message_id').notNull(),
    /** The first stored message with a Message-ID is canonical; later ones with other bytes are kept but flagged. */
    canonical: boolean('canonical').notNull(),
    subject: text('subject').notNull(),
    fromName: text('from_name').notNull(),
    fromEmail: text('from_email').notNull(),
    date: tz('date'),
    /** date, or the arrival time when the Date header is missing or unreadable. */
    sortDate: tz('sort_date').notNull(),
    inReplyTo: text('in_reply_to'),
    references: text('references').array().notNull(),
    body: text('body').notNull(),
    attachments: jsonb('attachments').$type<MailAttachment[]>().notNull(),
    headers: jsonb('headers').$type<Record<string, string>>().notNull(),
    threadId: bigint('thread_id', { mode: 'number' }).notNull(),
  },
  (t) => [
    index('messages_message_id').on(t.messageId),
    index('messages_thread').on(t.threadId),
    index('messages_sort_date').on(t.sortDate),
    index('messages_in_reply_to').on(t.inReplyTo),
  ],
);

/**
 * Union-find of threads: every Message-ID seen, as a message or as a reference, maps to
 * the thread it belongs to. Connected ids share a thread whatever the arrival order.
 */
/** Thread ids are handed out by this sequence; merged threads keep the smallest id. */
export const threadIdSeq = pgSequence('thread_id_seq');

export const threadLinks = pgTable('thread_links', {
  key: text('key').primaryKey(),
  threadId: bigint('thread_id', { mode: 'number' }).notNull(),
}, (t) => [index('thread_links_thread').on(t.threadId)]);

// ---------------------------------------------------------------- ingest bookkeeping

export const importRuns = pgTable('import_runs', {
  id: serial('id').primaryKey(),
  /** file | imap | reindex */
  kind: text('kind').notNull(),
  source: text('source').notNull(),
  startedAt: tz('started_at').notNull().defaultNow(),
  updatedAt: tz('updated_at').notNull().defaultNow(),
  finishedAt: tz('finished_at'),
  /** running | done | failed */
  state: text('state').notNull(),
  totalBytes: bigint('total_bytes', { mode: 'number' }),
  doneBytes: bigint('done_bytes', { mode: 'number' }).notNull().default(0),
  messages: integer('messages').notNull().default(0),
  added: integer('added').notNull().default(0),
  duplicates: integer('duplicates').notNull().default(0),
  flagged: integer('flagged').notNull().default(0),
  error: text('error'),
  pid: integer('pid'),
});

export const imapCheckpoints = pgTable(
  'imap_checkpoints',
  {
    account: text('account').notNull(),
    mailbox: text('mailbox').notNull(),
    uidValidity: text('uid_validity').notNull(),
    lastUid: bigint('last_uid', { mode: 'number' }).notNull(),
    updatedAt: tz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.account, t.mailbox] })],
);

export { sql, tsvector };
