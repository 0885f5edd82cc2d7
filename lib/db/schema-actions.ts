/**
 * The maintainers' own records: accounts, sessions, API tokens and manual actions. None of
 * these is derived from mail, so `patchloom reindex` keeps them. They reference derived rows
 * only by stable keys (series key, fixup key, breakage signature), never by numeric id and
 * never by foreign key: a reindex truncates the derived tables (with cascade) and renumbers them.
 */
import { bigserial, index, integer, jsonb, pgTable, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const users = pgTable(
  'users',
  {
    id: serial('id').primaryKey(),
    name: text('name').notNull(),
    /** scrypt$N$r$p$salt$hash (lib/auth.ts). */
    passwordHash: text('password_hash').notNull(),
    createdAt: tz('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('users_name').on(t.name)],
);

export const sessions = pgTable(
  'sessions',
  {
    id: serial('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** SHA-256 of the cookie's token: a leaked table does not log anyone in. */
    tokenHash: text('token_hash').notNull(),
    /** The per-session CSRF secret every form carries. */
    csrfSecret: text('csrf_secret').notNull(),
    createdAt: tz('created_at').notNull().defaultNow(),
    expiresAt: tz('expires_at').notNull(),
  },
  (t) => [uniqueIndex('sessions_token').on(t.tokenHash), index('sessions_expires').on(t.expiresAt)],
);

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: serial('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** SHA-256 of the token, which is shown once when created. */
    tokenHash: text('token_hash').notNull(),
    createdAt: tz('created_at').notNull().defaultNow(),
    lastUsedAt: tz('last_used_at'),
  },
  (t) => [uniqueIndex('api_tokens_token').on(t.tokenHash), index('api_tokens_user').on(t.userId)],
);

export const manualActions = pgTable(
  'manual_actions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: tz('at').notNull().defaultNow(),
    /** The user's name, kept as text so the record outlives the account. */
    actor: text('actor').notNull(),
    /** web | token | cli */
    via: text('via').notNull(),
    /** series | fixup | breakage */
    targetKind: text('target_kind').notNull(),
    /** Series key, fixup key or breakage signature: survives a reindex, unlike ids. */
    targetKey: text('target_key').notNull(),
    /** set-status | set-state | set-target | link | unlink */
    action: text('action').notNull(),
    value: jsonb('value').$type<Record<string, unknown>>().notNull(),
    note: text('note').notNull().default(''),
  },
  (t) => [index('manual_actions_target').on(t.targetKind, t.targetKey, t.at), index('manual_actions_at').on(t.at)],
);
