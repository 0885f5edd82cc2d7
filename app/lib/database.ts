/** The server's one database handle, opened (and migrated) on first use. */
import { openDatabase, type Database } from '../../lib/db/client.ts';

const globalForDb = globalThis as unknown as { patchloomDb?: Promise<Database> };

export function database(): Promise<Database> {
  globalForDb.patchloomDb ??= openDatabase().catch((err: unknown) => {
    globalForDb.patchloomDb = undefined;
    throw err;
  });
  return globalForDb.patchloomDb;
}

export async function sql() {
  return (await database()).sql;
}
