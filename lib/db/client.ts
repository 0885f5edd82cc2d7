/**
 * One way to reach the database: DATABASE_URL when set, else the embedded server.
 * Every entry point goes through openDatabase(), which applies pending migrations
 * (under an advisory lock, so concurrent processes migrate once).
 */
import { resolve } from 'node:path';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres, { type Sql } from 'postgres';
import * as schema from './schema.ts';
import { ensureEmbedded, type EmbeddedServer } from './embedded.ts';
import { isTransientError } from './store.ts';

export type Db = PostgresJsDatabase<typeof schema>;

export interface Database {
  db: Db;
  sql: Sql;
  url: string;
  embedded: EmbeddedServer | null;
  close(): Promise<void>;
}

export const MIGRATIONS_FOLDER = resolve(/*turbopackIgnore: true*/ process.env.PATCHLOOM_MIGRATIONS_DIR || resolve(/*turbopackIgnore: true*/ process.cwd(), 'drizzle'));

/** An arbitrary constant: the advisory lock that serialises migrations across processes. */
const MIGRATION_LOCK = 7_243_911;

/** Apply pending migrations on one dedicated connection that holds a session advisory lock meanwhile. */
export async function runMigrations(url: string) {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER });
    await client`select pg_advisory_unlock(${MIGRATION_LOCK})`;
  } finally {
    await client.end({ timeout: 5 });
  }
}

/** postgres.js's late write to a closed socket (see guardWriteRace). */
function isWriteRace(err: unknown): boolean {
  return err instanceof TypeError && /reading 'write'/.test(err.message) && /nextWrite[\s\S]*postgres[\\/]src[\\/]connection\.js|postgres[\\/]src[\\/]connection\.js[\s\S]*nextWrite/.test(err.stack ?? '');
}

/**
 * The server ending a connection that runs no query (a restart, pg_terminate_backend): postgres.js
 * throws that error from its socket handler, outside any query; the next query reconnects.
 */
function isIdleTermination(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (
    err instanceof Error &&
    typeof code === 'string' &&
    ['57P01', '57P02', '57P03', 'ECONNRESET', 'EPIPE', 'CONNECTION_CLOSED', 'CONNECTION_DESTROYED'].includes(code) &&
    /postgres[\\/]src[\\/]connection\.js|node:net|stream_base_commons/.test(err.stack ?? '')
  );
}

let writeRaceGuarded = false;

/**
 * postgres.js 3.4.9 can throw from a write it scheduled with setImmediate after the server closed
 * the connection (porsager/postgres#1154 and #1208; fixes pending in #1168 and #1209). The query
 * was already rejected with CONNECTION_CLOSED, which the pipeline retries, but the stray TypeError
 * is uncaught and ended the process. Ignore exactly that error; anything else behaves as before.
 */
function guardWriteRace() {
  if (writeRaceGuarded) return;
  writeRaceGuarded = true;
  process.on('uncaughtException', (err) => {
    if (isWriteRace(err)) {
      process.stderr.write('patchloom: ignored a late write to a closed database connection (postgres.js #1154); its query was retried\n');
      return;
    }
    if (isIdleTermination(err)) {
      process.stderr.write(`patchloom: the server closed an idle database connection (${err.message}); it reconnects on its next query\n`);
      return;
    }
    if (process.listenerCount('uncaughtException') > 1) return; // someone else handles it
    process.stderr.write(`${err.stack ?? String(err)}\n`);
    process.exit(1);
  });
}

/**
 * Two pools: drizzle rewrites its client's date and JSON (de)serialisers, so the
 * tagged-template queries get a client of their own with postgres.js's defaults.
 */
export function connect(url: string, max = 10): { sql: Sql; db: Db; drizzleClient: Sql } {
  guardWriteRace();
  // JIT compiles big plans for up to a second each; Patchloom's queries are index lookups that run in milliseconds.
  const options = { onnotice: () => {}, connection: { application_name: 'patchloom', jit: 'off' } };
  const sql = postgres(url, { ...options, max });
  const drizzleClient = postgres(url, { ...options, max: Math.max(2, Math.ceil(max / 3)) });
  return { sql, db: drizzle(drizzleClient, { schema }), drizzleClient };
}

/**
 * A failure as the user should read it: when the embedded server went away and its log says
 * why (a full disk, say), that reason and what to do, instead of only "connect ECONNREFUSED".
 */
export function explainFailure(err: unknown, database: Pick<Database, 'embedded'>): unknown {
  const problem = database.embedded && isTransientError(err) ? database.embedded.logProblem() : null;
  if (!problem || !database.embedded) return err;
  const log = resolve(/*turbopackIgnore: true*/ database.embedded.dataDir, 'pg', 'server.log');
  const full = /No space left on device/.test(problem);
  return new Error(
    `the embedded PostgreSQL stopped: "${problem}" (its log is ${log}). ` +
      (full ? 'The disk is full: make room under PATCHLOOM_DATA_DIR and run the command again; what was stored is kept.' : 'Run the command again; what was stored is kept.'),
  );
}

export async function openDatabase(opts: { url?: string; migrate?: boolean; max?: number } = {}): Promise<Database> {
  let embedded: EmbeddedServer | null = null;
  let url = opts.url ?? process.env.DATABASE_URL;
  if (!url) {
    embedded = await ensureEmbedded();
    url = embedded.url;
  }
  const { sql, db, drizzleClient } = connect(url, opts.max);
  try {
    await sql`select 1`;
  } catch (err) {
    await Promise.all([sql.end({ timeout: 1 }), drizzleClient.end({ timeout: 1 })]);
    embedded?.release();
    throw new Error(`Cannot connect to PostgreSQL at ${redact(url)} (${(err as Error).message}). Check DATABASE_URL, or unset it to use the embedded database.`);
  }
  if (opts.migrate !== false) await runMigrations(url);
  return {
    db,
    sql,
    url,
    embedded,
    async close() {
      await Promise.all([sql.end({ timeout: 5 }), drizzleClient.end({ timeout: 5 })]);
      embedded?.release();
    },
  };
}

export function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
