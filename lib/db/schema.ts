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
  (t) => [uniqueIndex('raw_messages_sha256').on(t.sha256), index('raw_messages_message_id').on(t.messageId), index('raw_messages_received').on(t.receivedAt)],
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
  /** The machine the run's process runs on: only that machine can tell whether it died. */
  host: text('host'),
  /**
   * Derived data is current for every message this run stored before this time (the store
   * transaction time of the last batch its derive covered); recovery re-derives from here.
   */
  derivedThrough: tz('derived_through'),
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

export interface ReviewFacts {
  nacks: { by: { name: string; email: string }; messageId: string }[];
  objections: { by: { name: string; email: string }; messageId: string; quote: string }[];
  withdrawn: { messageId: string; quote: string } | null;
}

export { sql, tsvector };

// ---------------------------------------------------------------- derived: series

export const series = pgTable(
  'series',
  {
    id: serial('id').primaryKey(),
    /** Stable across reindex: the cover letter's Message-ID, else the first patch's. */
    key: text('key').notNull(),
    threadId: bigint('thread_id', { mode: 'number' }).notNull(),
    title: text('title').notNull(),
    version: integer('version').notNull(),
    versionLabel: text('version_label').notNull(),
    total: integer('total').notNull(),
    rfc: boolean('rfc').notNull(),
    resend: boolean('resend').notNull(),
    isPullRequest: boolean('is_pull_request').notNull(),
    authorName: text('author_name').notNull(),
    authorEmail: text('author_email').notNull(),
    date: tz('date'),
    coverMessageId: text('cover_message_id'),
    received: integer('received').array().notNull(),
    missing: integer('missing').array().notNull(),
    changeId: text('change_id'),
    inReplyTo: text('in_reply_to'),
    messageIds: text('message_ids').array().notNull(),
    replyCount: integer('reply_count').notNull().default(0),
    previousVersionId: integer('previous_version_id'),
    nextVersionId: integer('next_version_id'),
    supersededById: integer('superseded_by_id'),
    versionEvidence: jsonb('version_evidence').$type<string[]>(),
    status: text('status').notNull().default('new'),
    statusReasons: jsonb('status_reasons').$type<{ text: string; messageId?: string; seriesId?: number | string }[]>().notNull().default([]),
    /** Thread facts the status rules read: NAKs, objections, a withdrawal. */
    reviewFacts: jsonb('review_facts').$type<ReviewFacts>().notNull().default({ nacks: [], objections: [], withdrawn: null }),
    openBreakages: integer('open_breakages').notNull().default(0),
    pendingFixups: integer('pending_fixups').notNull().default(0),
    search: tsvector('search').generatedAlwaysAs(sql`to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(author_name, '') || ' ' || coalesce(author_email, ''))`),
  },
  (t) => [
    uniqueIndex('series_key').on(t.key),
    index('series_thread').on(t.threadId),
    index('series_date').on(t.date),
    index('series_author').on(t.authorEmail, t.date),
    index('series_change_id').on(t.changeId),
    index('series_cover').on(t.coverMessageId),
    index('series_in_reply_to').on(t.inReplyTo),
    index('series_search').using('gin', t.search),
    index('series_title_trgm').using('gin', sql`${t.title} gin_trgm_ops`),
    index('series_message_ids').using('gin', t.messageIds),
    // Read path (lib/db/queries/series.ts). The series list's page of ids, newest first, from the
    // index alone, also when filtered by status or the two counts (and those counts' totals).
    // (`id desc` is NULLS FIRST, as the queries' `id desc` is: drizzle would write NULLS LAST.)
    index('series_list').on(t.date.desc().nullsLast(), t.id.desc().nullsFirst(), t.status, t.openBreakages, t.pendingFixups),
    // The list sorted by status: one scan per status, newest first.
    index('series_status_date').on(t.status, t.date.desc().nullsLast(), t.id.desc().nullsFirst()),
    // The list sorted by title.
    index('series_title_sort').on(sql`lower(${t.title})`, t.version, t.id),
    // The list filtered by author (a substring of the name or address).
    index('series_author_trgm').using('gin', sql`${t.authorName} gin_trgm_ops`, sql`${t.authorEmail} gin_trgm_ops`),
  ],
);

export const patches = pgTable(
  'patches',
  {
    id: serial('id').primaryKey(),
    seriesId: integer('series_id').notNull().references(() => series.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    messageId: text('message_id').notNull(),
    subject: text('subject').notNull(),
    title: text('title').notNull(),
    authorName: text('author_name').notNull(),
    authorEmail: text('author_email').notNull(),
    date: tz('date'),
    files: text('files').array().notNull(),
    diffstat: jsonb('diffstat').$type<{ path: string; added: number; removed: number }[]>().notNull(),
    patchId: text('patch_id').notNull(),
    appliedCommit: text('applied_commit'),
    appliedBranch: text('applied_branch'),
    appliedMessageId: text('applied_message_id'),
    /** Not received: known only because a commit notice names it (git send-email numbering of the cover's Message-ID). */
    placeholder: boolean('placeholder').notNull().default(false),
  },
  (t) => [
    index('patches_series').on(t.seriesId, t.number),
    index('patches_message').on(t.messageId),
    index('patches_patch_id').on(t.patchId),
    index('patches_title').on(t.title),
    index('patches_title_lower').on(sql`lower(${t.title})`),
    index('patches_files').using('gin', t.files),
  ],
);

export const trailers = pgTable(
  'trailers',
  {
    id: serial('id').primaryKey(),
    seriesId: integer('series_id').notNull().references(() => series.id, { onDelete: 'cascade' }),
    patchNumber: integer('patch_number').notNull(),
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    email: text('email').notNull(),
    messageId: text('message_id').notNull(),
    carriedFrom: text('carried_from'),
    /** The trailer's value as written (Fixes:, Link: and Closes: are not a name and address). */
    value: text('value').notNull().default(''),
  },
  (t) => [index('trailers_series').on(t.seriesId, t.patchNumber)],
);

/** tip-bot mails and "applied, thanks" replies, one per message. */
export const commitNotices = pgTable(
  'commit_notices',
  {
    messageId: text('message_id').primaryKey(),
    threadId: bigint('thread_id', { mode: 'number' }).notNull(),
    kind: text('kind').notNull(),
    commit: text('commit'),
    branch: text('branch'),
    tree: text('tree'),
    title: text('title').notNull(),
    links: text('links').array().notNull(),
    inReplyTo: text('in_reply_to'),
    authorName: text('author_name'),
    authorEmail: text('author_email'),
    date: tz('date'),
  },
  (t) => [
    index('commit_notices_thread').on(t.threadId),
    // What the cross-thread pass looks notices up by: a title, a Link:, the message replied to.
    index('commit_notices_title_lower').on(sql`lower(${t.title})`),
    index('commit_notices_links').using('gin', t.links),
    index('commit_notices_in_reply_to').on(t.inReplyTo),
  ],
);

// ---------------------------------------------------------------- derived: fixups

export const fixups = pgTable(
  'fixups',
  {
    id: serial('id').primaryKey(),
    /** Stable across reindex: Message-ID and the fixup's position in the message. */
    key: text('key').notNull(),
    messageId: text('message_id').notNull(),
    threadId: bigint('thread_id', { mode: 'number' }).notNull(),
    seriesId: integer('series_id').references(() => series.id, { onDelete: 'set null' }),
    form: text('form').notNull(),
    subject: text('subject'),
    description: text('description').notNull(),
    authorName: text('author_name').notNull(),
    authorEmail: text('author_email').notNull(),
    date: tz('date'),
    files: text('files').array().notNull(),
    diff: text('diff').notNull(),
    patchId: text('patch_id').notNull(),
    trailers: jsonb('trailers').$type<{ kind: string; name: string; email: string }[]>().notNull(),
    explicitTargets: jsonb('explicit_targets').$type<unknown[]>().notNull(),
    targetNumber: integer('target_number'),
    targetMessageId: text('target_message_id'),
    targetReason: text('target_reason').notNull(),
    targetEvidence: text('target_evidence').notNull(),
    candidates: jsonb('candidates').$type<{ number: number; messageId: string; score: number; why: string[] }[]>().notNull(),
    /** The reply's own words before the fixup ("could be folded with patch 8/8"). */
    preamble: text('preamble').notNull().default(''),
    state: text('state').notNull().default('pending'),
    stateReason: text('state_reason').notNull().default(''),
  },
  (t) => [uniqueIndex('fixups_key').on(t.key), index('fixups_thread').on(t.threadId), index('fixups_series').on(t.seriesId), index('fixups_state').on(t.state)],
);

// ---------------------------------------------------------------- derived: build failures

export const buildReports = pgTable(
  'build_reports',
  {
    id: serial('id').primaryKey(),
    messageId: text('message_id').notNull(),
    threadId: bigint('thread_id', { mode: 'number' }).notNull(),
    kind: text('kind').notNull(),
    reporterName: text('reporter_name').notNull(),
    reporterEmail: text('reporter_email').notNull(),
    date: tz('date'),
    context: jsonb('context').$type<Record<string, string | null>>().notNull(),
    patchSubject: text('patch_subject'),
    patchLink: text('patch_link'),
    inReplyTo: text('in_reply_to'),
    errors: jsonb('errors').$type<unknown[]>().notNull(),
    signatures: text('signatures').array().notNull(),
    /** The files its errors name: a report that names no series is tied to the series touching them. */
    errorFiles: text('error_files').array().notNull().default(sql`'{}'::text[]`),
    /** The signature the report is grouped by (its primary error's). */
    primarySignature: text('primary_signature'),
    /** The series and patch the report answers (its nearest patch ancestor), when in a series thread. */
    seriesKey: text('series_key'),
    patchNumber: integer('patch_number'),
  },
  (t) => [
    uniqueIndex('build_reports_message').on(t.messageId),
    index('build_reports_thread').on(t.threadId),
    index('build_reports_signatures').using('gin', t.signatures),
    index('build_reports_primary').on(t.primarySignature),
    index('build_reports_error_files').using('gin', t.errorFiles),
    // The reports of a series, when its failures are regrouped.
    index('build_reports_series_key').on(t.seriesKey),
  ],
);

/** A fix (inline fixup or patch) that claims to fix a reported failure: Closes:, Reported-by:, or a reply to the report. */
export const fixClaims = pgTable(
  'fix_claims',
  {
    id: serial('id').primaryKey(),
    threadId: bigint('thread_id', { mode: 'number' }).notNull(),
    messageId: text('message_id').notNull(),
    /** The fixup's key when the fix is an inline fixup. */
    fixupKey: text('fixup_key'),
    reportMessageId: text('report_message_id').notNull(),
    via: text('via').notNull(),
  },
  (t) => [index('fix_claims_thread').on(t.threadId), index('fix_claims_report').on(t.reportMessageId)],
);

/** Statements in replies about a failure: "already present in mainline as of 38c23685b273", "false positive". */
export const buildVerdicts = pgTable(
  'build_verdicts',
  {
    id: serial('id').primaryKey(),
    messageId: text('message_id').notNull(),
    threadId: bigint('thread_id', { mode: 'number' }).notNull(),
    /** pre-existing | invalid */
    kind: text('kind').notNull(),
    ref: text('ref'),
    refs: text('refs').array().notNull(),
    quote: text('quote').notNull(),
    /** The report this statement is about: the nearest report among its ancestors. */
    reportMessageId: text('report_message_id').notNull(),
    authorName: text('author_name').notNull(),
    date: tz('date'),
  },
  (t) => [index('build_verdicts_thread').on(t.threadId), index('build_verdicts_report').on(t.reportMessageId)],
);

export const breakages = pgTable(
  'breakages',
  {
    id: serial('id').primaryKey(),
    signature: text('signature').notNull(),
    kind: text('kind').notNull(),
    message: text('message').notNull(),
    file: text('file'),
    line: integer('line'),
    symbol: text('symbol'),
    errorText: text('error_text').notNull(),
    arch: text('arch'),
    config: text('config'),
    compiler: text('compiler'),
    status: text('status').notNull(),
    statusReason: text('status_reason').notNull(),
    baseline: jsonb('baseline').$type<{ ref: string | null; refs: string[]; quote: string; messageId: string } | null>(),
    firstReportMessageId: text('first_report_message_id').notNull(),
    firstReportDate: tz('first_report_date'),
    search: tsvector('search').generatedAlwaysAs(
      sql`to_tsvector('simple', coalesce(message, '') || ' ' || coalesce(file, '') || ' ' || coalesce(symbol, '') || ' ' || coalesce(error_text, ''))`,
    ),
  },
  (t) => [
    uniqueIndex('breakages_signature').on(t.signature),
    index('breakages_search').using('gin', t.search),
    index('breakages_message_trgm').using('gin', sql`${t.message} gin_trgm_ops`),
    index('breakages_file_trgm').using('gin', sql`${t.file} gin_trgm_ops`),
    index('breakages_text_trgm').using('gin', sql`${t.errorText} gin_trgm_ops`),
    // Read path (lib/db/queries/breakages.ts): newest first, the list without a query and each search arm's cut.
    index('breakages_recent').on(t.firstReportDate.desc().nullsLast(), t.id.desc().nullsFirst()),
  ],
);

export const breakageReports = pgTable(
  'breakage_reports',
  {
    breakageId: integer('breakage_id').notNull().references(() => breakages.id, { onDelete: 'cascade' }),
    reportId: integer('report_id').notNull().references(() => buildReports.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.breakageId, t.reportId] }), index('breakage_reports_report').on(t.reportId)],
);

export const breakageLinks = pgTable(
  'breakage_links',
  {
    breakageId: integer('breakage_id').notNull().references(() => breakages.id, { onDelete: 'cascade' }),
    seriesId: integer('series_id').notNull().references(() => series.id, { onDelete: 'cascade' }),
    patchNumber: integer('patch_number'),
    via: text('via').notNull(),
  },
  (t) => [
    // Read path: a breakage's links, and a series' breakages, from the index alone.
    index('breakage_links_by_breakage').on(t.breakageId, t.seriesId, t.patchNumber),
    index('breakage_links_by_series').on(t.seriesId, t.breakageId, t.patchNumber),
  ],
);

// ---------------------------------------------------------------- derived: syscall tables

export const syscallChanges = pgTable(
  'syscall_changes',
  {
    id: serial('id').primaryKey(),
    seriesId: integer('series_id').notNull().references(() => series.id, { onDelete: 'cascade' }),
    patchNumber: integer('patch_number').notNull(),
    messageId: text('message_id').notNull(),
    tablePath: text('table_path').notNull(),
    number: integer('number').notNull(),
    abi: text('abi').notNull(),
    name: text('name').notNull(),
    oldEntry: text('old_entry'),
    newEntry: text('new_entry'),
    oldCompat: text('old_compat'),
    newCompat: text('new_compat'),
    /** The old table format's qualifier (sys_execve/ptregs). */
    oldQualifier: text('old_qualifier'),
    newQualifier: text('new_qualifier'),
    kind: text('kind').notNull(),
    date: tz('date'),
  },
  (t) => [
    index('syscall_changes_series').on(t.seriesId),
    index('syscall_changes_name').on(t.name),
    index('syscall_changes_number').on(t.number),
    // Read path (lib/db/queries/syscalls.ts): a search by entry point (sys_x, __x64_sys_x), without the /ptregs qualifier.
    index('syscall_changes_old_symbol').on(sql`split_part(${t.oldEntry}, '/', 1)`),
    index('syscall_changes_new_symbol').on(sql`split_part(${t.newEntry}, '/', 1)`),
  ],
);

export const syscallLinks = pgTable(
  'syscall_links',
  {
    changeId: integer('change_id').notNull().references(() => syscallChanges.id, { onDelete: 'cascade' }),
    /** breakage | fixup | message */
    targetKind: text('target_kind').notNull(),
    targetId: text('target_id').notNull(),
    reason: text('reason').notNull(),
  },
  (t) => [index('syscall_links_change').on(t.changeId), index('syscall_links_target').on(t.targetKind, t.targetId)],
);
export * from './schema-actions.ts';
