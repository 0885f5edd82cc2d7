/**
 * Throwaway databases on the PostgreSQL that CI and developer machines run at
 * 127.0.0.1:5432 (override with PATCHLOOM_TEST_DATABASE_URL). Each test file gets its
 * own database, migrated, and drops it afterwards. Without a server the tests skip with
 * a message; under CI=true they fail, because a skipped test would hide a gap.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { describe } from 'vitest';
import { openDatabase, type Database } from '../../lib/db/client.ts';

export const ADMIN_URL = process.env.PATCHLOOM_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function probe(): Promise<string | null> {
  const admin = postgres(ADMIN_URL, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await admin`select 1`;
    return null;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await admin.end({ timeout: 1 });
  }
}

const problem = await probe();
if (problem && process.env.CI === 'true') {
  throw new Error(`CI=true but PostgreSQL at ${ADMIN_URL} is not reachable (${problem}). Start it (pg_ctlcluster 15 main start) before the tests.`);
}
export const postgresAvailable = problem === null;

export const describeDb: typeof describe = postgresAvailable
  ? describe
  : (((name: string, fn: () => void) => {
      console.warn(`skipping "${name}": no PostgreSQL at ${ADMIN_URL} (${problem}). Start one, or set PATCHLOOM_TEST_DATABASE_URL.`);
      return describe.skip(name, fn);
    }) as typeof describe);

export interface TestDatabase extends Database {
  name: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A fresh, migrated database; call drop() in afterAll. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `patchloom_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = withDatabase(ADMIN_URL, name);
  const database = await openDatabase({ url });
  return {
    ...database,
    name,
    async drop() {
      await database.close();
      const a = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}
