/**
 * SQL injection and search-syntax abuse through every query parameter and path segment of
 * every GET route under app/api, called in-process against a throwaway database. Routes
 * and parameter names are found in the tree when the test runs, so new routes are covered
 * as they appear. Every answer must be 200, 400 or 404 (never a 500 or a stack trace), a
 * 400 must say what was wrong, and no table may change. Writes without credentials are refused.
 */
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeDb, type TestDatabase } from '../helpers/db.ts';
import { importFiles } from '../../ingest/import-files.ts';
import { createLedger, mailText, ROOT, scratchDir, tableCounts } from './helpers.ts';

const ledger = createLedger(import.meta.filename);
afterAll(() => ledger.finish());

type Handler = (req: Request, ctx: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;
interface Route {
  /** e.g. /api/messages/[id]/raw */
  path: string;
  file: string;
  segments: string[];
  handlers: Partial<Record<'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', Handler>>;
}

function routeFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...routeFiles(p));
    else if (/^route\.(ts|tsx|js)$/.test(name)) out.push(p);
  }
  return out;
}

function namesIn(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(/\w+Param\(\s*[^,]*?,\s*['"]([\w.-]+)['"]/g)) names.push(m[1]);
  for (const m of text.matchAll(/(?:searchParams|params)\.(?:get|getAll|has)\(\s*['"]([\w.-]+)['"]\s*\)/g)) names.push(m[1]);
  return names;
}

/**
 * The query parameters a route may read, found by how the code reads them: in the route file
 * and the project files it imports (two levels), plus a few names any route might be tempted by.
 */
function parameterNames(routeFile: string): string[] {
  const names = new Set(['q', 'page', 'id']);
  const seen = new Set<string>();
  const visit = (file: string, depth: number) => {
    if (seen.has(file) || depth > 2) return;
    seen.add(file);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return;
    }
    namesIn(text).forEach((n) => names.add(n));
    for (const m of text.matchAll(/from\s+'(\.[^']+\.tsx?)'/g)) visit(join(file, '..', m[1]), depth + 1);
  };
  visit(routeFile, 0);
  return [...names].sort();
}

const SQLI = [
  "'",
  "''",
  "' OR '1'='1",
  "' OR 1=1 --",
  '" OR ""="',
  '1 OR 1=1',
  '1; DROP TABLE raw_messages; --',
  "x'; DROP TABLE series CASCADE; --",
  "' UNION SELECT raw, raw FROM raw_messages --",
  "'; select pg_sleep(3); --",
  '1) OR (1=1',
  '$1',
  '${1}',
  '\\',
  '\\x27',
  "E'\\x27'",
  '/* */',
  ';',
];
const SEARCH_ABUSE = [
  '%',
  '_',
  '%%%_%',
  '\\%',
  '*',
  ':*',
  'a & b | !c',
  '!!!',
  '(((',
  ')))',
  'a <-> b <2> c',
  '"unbalanced',
  '""',
  '-',
  '--',
  'OR',
  'NOT NOT',
  '-foo -bar',
  '(a+)+$',
  '.*.*.*.*.*.*.*.*.*.*!',
  'a'.repeat(300),
  'a'.repeat(301),
  'x '.repeat(5000),
];
const BYTES = ['\u0000', 'a\u0000b', '\uFFFD', '😀', '\u202E', '\u2028', '<script>alert(1)</script>', '../../../../etc/passwd', ' ', '\t\n\r', 'ÿ'];
const NUMBERS = ['0', '-1', '1.5', '1e400', '99999999999999999999', '2147483648', 'NaN', 'Infinity', '0x10', ' 1', '1 ', '+1', '٣'];
const OTHER = ['true', 'false', '[]', '{}', 'null', 'undefined', '__proto__', 'constructor', '2026-13-45', '1970-01-01T00:00:00Z', '-271821-04-20T00:00:00Z'];
const PAYLOADS = [...SQLI, ...SEARCH_ABUSE, ...BYTES, ...NUMBERS, ...OTHER];
/** Percent-encodings no string can express: invalid UTF-8, an encoded NUL, a lone surrogate. */
const RAW_QUERY = ['%ff', '%c3%28', '%00', '%ed%a0%80', '%', '%zz', '%25%00'];

/** A stack frame, a source position, or a dependency path: what an answer must never show. */
const STACK = /\bat [^\s()]+ \([^)]*:\d+:\d+\)|\/[\w.-]+\.(?:ts|tsx|js|mjs):\d+:\d+|node_modules\//;

let t: TestDatabase;
let routes: Route[] = [];
let before: Record<string, number>;
const outcomes: { route: string; where: string; payload: string; status: number; problem: string | null }[] = [];

async function call(route: Route, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', segments: Record<string, string>, query: string, init: RequestInit = {}): Promise<Response> {
  const path = route.path.replace(/\[(?:\.\.\.)?([^\]]+)\]/g, (_, name: string) => encodeURIComponent(segments[name] ?? '1'));
  const req = new Request(`http://localhost${path}${query}`, { method, ...init });
  return (route.handlers[method] as Handler)(req, { params: Promise.resolve(segments) });
}

/** What is wrong with an answer, or null: 200/400/404 only, a 400 says why, nothing leaks. */
async function problemOf(res: Response, elapsedMs: number): Promise<string | null> {
  if (![200, 400, 404].includes(res.status)) return `status ${res.status}`;
  if (elapsedMs > 2500) return `took ${elapsedMs} ms`;
  const type = res.headers.get('content-type') ?? '';
  const text = type.includes('json') || type.startsWith('text/') ? await res.text() : '';
  if (res.status >= 400) {
    let body: { error?: unknown } = {};
    try {
      body = JSON.parse(text) as { error?: unknown };
    } catch {
      return 'a 4xx that is not JSON';
    }
    if (typeof body.error !== 'string' || body.error.length < 5) return 'a 4xx without an error message';
  }
  if (STACK.test(text)) return 'a stack trace or a server path in the answer';
  return null;
}

describeDb('every GET route under app/api against injection and search abuse', () => {
  let segmentValues: Record<string, string>;

  beforeAll(async () => {
    t = await createTestDatabase();
    process.env.DATABASE_URL = t.url;
    const dir = scratchDir('api');
    writeFileSync(join(dir, 'quotes.eml'), mailText({ id: `quote"s'and\\slashes/@patchloom.test`, subject: `<script>alert("x")</script> ' OR 1=1 --` }));
    await importFiles(t.sql, [join(ROOT, 'test/fixtures/seed'), dir]);
    rmSync(dir, { recursive: true, force: true });
    for (const file of routeFiles(join(ROOT, 'app/api'))) {
      const path = `/${relative(join(ROOT, 'app'), file).replace(/\/route\.\w+$/, '')}`;
      const mod = (await import(file)) as Route['handlers'];
      const handlers: Route['handlers'] = {};
      for (const m of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const) if (typeof mod[m] === 'function') handlers[m] = mod[m];
      routes.push({ path, file, segments: [...path.matchAll(/\[(?:\.\.\.)?([^\]]+)\]/g)].map((m) => m[1]), handlers });
    }
    const first = async (table: string) => String((await t.sql.unsafe<{ id: string }[]>(`select min(id)::text as id from ${table}`))[0]?.id ?? '1');
    segmentValues = {
      message: '20180405171007.1234-1-linux@dominikbrodowski.net',
      series: await first('series'),
      breakages: await first('breakages').catch(() => '1'),
      fixups: await first('fixups').catch(() => '1'),
    };
    const [{ mid }] = await t.sql<{ mid: string }[]>`select message_id as mid from messages where canonical order by raw_id limit 1`;
    segmentValues.message = mid;
    before = await tableCounts(t.sql);
  }, 300_000);

  afterAll(async () => {
    const { database } = await import('../../app/lib/database.ts');
    await (await database()).close().catch(() => {});
    await t?.drop();
  });

  /** A real value for each dynamic segment, so a query parameter reaches the code behind it. */
  const validSegments = (route: Route): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const s of route.segments) {
      const parent = route.path.split('/').at(route.path.split('/').indexOf(`[${s}]`) - 1) ?? '';
      out[s] = parent === 'messages' || parent === 'by-message' ? segmentValues.message : (segmentValues[parent] ?? '1');
    }
    return out;
  };

  it('finds the routes and the parameters they read', () => {
    const gets = routes.filter((r) => r.handlers.GET);
    console.log(`GET routes and the parameters they may read:\n${gets.map((r) => `  ${r.path}: ${parameterNames(r.file).join(', ')}`).join('\n')}`);
    expect(gets.map((r) => r.path)).toEqual(expect.arrayContaining(['/api/health', '/api/messages/[id]', '/api/messages/[id]/raw']));
    const series = gets.find((r) => r.path === '/api/series');
    if (series) expect(parameterNames(series.file)).toEqual(expect.arrayContaining(['q', 'status', 'sort', 'page']));
  });

  it('answers every hostile query parameter with 200, 400 or 404, quickly and without leaking', async () => {
    for (const route of routes.filter((r) => r.handlers.GET)) {
      const names = parameterNames(route.file);
      const segs = validSegments(route);
      const baseline = await call(route, 'GET', segs, '');
      expect([route.path, baseline.status]).not.toEqual([route.path, 500]);
      for (const name of names) {
        const queries = [
          ...PAYLOADS.map((p) => ({ shown: p, query: `?${new URLSearchParams({ [name]: p })}` })),
          ...RAW_QUERY.map((p) => ({ shown: `raw ${p}`, query: `?${name}=${p}` })),
          { shown: 'repeated', query: `?${name}=a&${name}=%27&${name}=1` },
        ];
        for (const { shown, query } of queries) {
          const start = Date.now();
          let problem: string | null;
          let status = 0;
          try {
            const res = await call(route, 'GET', segs, query);
            status = res.status;
            problem = await problemOf(res, Date.now() - start);
          } catch (err) {
            problem = `threw ${(err as Error).message}`;
          }
          outcomes.push({ route: route.path, where: `?${name}`, payload: shown, status, problem });
        }
      }
      // Many parameters at once.
      const many = await call(route, 'GET', segs, `?${Array.from({ length: 500 }, (_, i) => `p${i}=%27`).join('&')}`);
      outcomes.push({ route: route.path, where: '500 params', payload: "'", status: many.status, problem: await problemOf(many, 0) });
    }
    const bad = outcomes.filter((o) => o.problem);
    ledger.input(`API query parameters (${outcomes.length} requests over ${routes.filter((r) => r.handlers.GET).length} GET routes)`, { crashed: bad.length > 0, lost: false });
    expect(bad.slice(0, 20).map((o) => `${o.route}${o.where}=${JSON.stringify(o.payload).slice(0, 40)} → ${o.problem}`)).toEqual([]);
  }, 600_000);

  it('answers every hostile path segment with 200, 400 or 404', async () => {
    const bad: string[] = [];
    let n = 0;
    for (const route of routes.filter((r) => r.handlers.GET && r.segments.length)) {
      for (const seg of route.segments) {
        for (const p of [...PAYLOADS, 'a'.repeat(5000), '<id with spaces>', 'a/b', '..', '.', '%', '%2F', '%00', '%ff']) {
          const segs = { ...validSegments(route), [seg]: p };
          n++;
          try {
            const res = await call(route, 'GET', segs, '');
            const problem = await problemOf(res, 0);
            if (problem) bad.push(`${route.path} [${seg}]=${JSON.stringify(p).slice(0, 40)} → ${problem}`);
          } catch (err) {
            bad.push(`${route.path} [${seg}]=${JSON.stringify(p).slice(0, 40)} threw ${(err as Error).message}`);
          }
        }
      }
    }
    ledger.input(`API path segments (${n} requests)`, { crashed: bad.length > 0, lost: false });
    expect(bad.slice(0, 20)).toEqual([]);
  }, 600_000);

  it('keeps injected SQL inert: a search for it finds nothing, and no row or table changed', async () => {
    for (const route of routes.filter((r) => r.handlers.GET && /\/api\/(series|breakages|fixups|syscalls)$/.test(r.path))) {
      const res = await call(route, 'GET', {}, `?${new URLSearchParams({ q: "zzz' OR '1'='1" })}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as Record<string, unknown>;
      const list = Object.values(body).find(Array.isArray) as unknown[] | undefined;
      expect([route.path, list?.length ?? 0]).toEqual([route.path, 0]);
    }
    expect(await tableCounts(t.sql)).toEqual(before);
  });

  it('refuses writes without credentials, whatever they carry, and changes nothing', async () => {
    const writes = routes.filter((r) => !r.path.endsWith('/api/session')).flatMap((r) => (['POST', 'PUT', 'PATCH', 'DELETE'] as const).filter((m) => r.handlers[m]).map((m) => ({ r, m })));
    const bad: string[] = [];
    for (const { r, m } of writes) {
      const variants: Record<string, string>[] = [
        { 'content-type': 'application/json' },
        { 'content-type': 'application/json', authorization: "Bearer ' OR '1'='1" },
        { 'content-type': 'application/json', cookie: "patchloom_session=' OR 1=1 --" },
      ];
      for (const headers of variants) {
        const res = await call(r, m, validSegments(r), '', { headers: { origin: 'http://localhost', ...headers }, body: m === 'DELETE' ? undefined : JSON.stringify({ state: 'dropped', status: 'fixed', note: "'; drop table series; --" }) });
        if (![401, 403].includes(res.status)) bad.push(`${m} ${r.path} with ${Object.keys(headers).join('+')} → ${res.status}`);
      }
    }
    ledger.input(`unauthenticated writes (${writes.length} handlers)`, { crashed: bad.length > 0, lost: false });
    expect(bad).toEqual([]);
    expect(await tableCounts(t.sql)).toEqual(before);
  });
});
