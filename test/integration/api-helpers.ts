/**
 * Calling the route handlers directly against a throwaway database: the seed fixture imported
 * (through the real pipeline, so derive fills the derived tables), DATABASE_URL pointing at it.
 */
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { importFiles } from '../../ingest/import-files.ts';

export const SEED = 'test/fixtures/seed';
export const V1 = 'test/fixtures/seed/v1.mbox';

/** Message-IDs of the seed (test/fixtures/seed/README.md). */
export const ID = {
  v1Cover: '20180405095307.3730-1-linux@dominikbrodowski.net',
  v1Patch: (n: number) => `20180405095307.3730-${n + 1}-linux@dominikbrodowski.net`,
  peterAck: '20180405113812.GV4082@hirez.programming.kicks-ass.net',
  andyReview: 'CALCETrXh2r8aVEdoCMjtKDbWLHFjm3=sDxB2TqGp1s0LBc_Nwg@mail.gmail.com',
  ingoArchheaders: '20180405151933.GA19273@gmail.com',
  dominikFixup: '20180405204102.GA7395@light.dominikbrodowski.net',
  ingoUcontext: '20180406082322.GA17406@gmail.com',
  dominikVerdict: '20180406083110.GA22791@light.dominikbrodowski.net',
  v2Cover: '20180409105145.5364-1-linux@dominikbrodowski.net',
  v2Patch: (n: number) => `20180409105145.5364-${n + 1}-linux@dominikbrodowski.net`,
  ingoV2Ack: '20180409130212.GA31560@gmail.com',
  tipBot: 'tip-1bd21c6c21e848996339508d3ffb106d505256a8@git.kernel.org',
} as const;

export type Handler<P> = (req: Request, ctx: { params: Promise<P> }) => Promise<Response>;

/** GET a route: `path` is the URL path with query; `params` the dynamic segments as Next passes them (URL-encoded). */
export function get<P>(handler: Handler<P>, path: string, params?: P): Promise<Response> {
  return handler(new Request(`http://localhost${path}`), { params: Promise.resolve((params ?? {}) as P) });
}

export async function getJson<T = unknown>(handler: Handler<never> | Handler<{ id: string }>, path: string, params?: { id: string }): Promise<{ status: number; body: T }> {
  const res = await get(handler as Handler<{ id: string }>, path, params);
  return { status: res.status, body: (await res.json()) as T };
}

/** A fresh database with the given mail imported, and DATABASE_URL set for the app's handlers. */
export async function databaseWith(paths: string[]): Promise<TestDatabase> {
  const t = await createTestDatabase();
  process.env.DATABASE_URL = t.url;
  await importFiles(t.sql, paths);
  return t;
}

export async function seriesIdOfVersion(t: TestDatabase, version: number): Promise<number> {
  const [row] = await t.sql<{ id: number }[]>`select id from series where version = ${version} order by id limit 1`;
  if (!row) throw new Error(`no v${version} series in the test database`);
  return row.id;
}

/** Close the app's pool (opened by the handlers) and drop the database. */
export async function teardown(t: TestDatabase | undefined) {
  const { database } = await import('../../app/lib/database.ts');
  await (await database()).close();
  await t?.drop();
}

/** Search text a user may type that means nothing to SQL or to tsquery syntax; all must answer 200. */
export const HOSTILE_QUERIES = ["' OR 1=1 --", '\\', ':*&|!', '"unbalanced', "'; drop table series; --", '%_%', '<script>alert(1)</script>', '!!!', '(((', 'a & | b'];
