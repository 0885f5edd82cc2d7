/**
 * Read-path latency for `npm run bench`: `next start` on the benchmark database, then each
 * endpoint at concurrency 16 for `--seconds` (default 5), p50/p95/p99 in ms.
 *
 * Each endpoint rotates over a deterministic sample of targets drawn from the data (many
 * series ids, the largest threads among them; search words and syscall names that occur),
 * so one warm URL, or a cache per URL, cannot stand in for the read path.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Sql } from 'postgres';

const root = resolve(import.meta.dirname, '..');
const NEXT_BIN = join(root, 'node_modules/next/dist/bin/next');

/** The endpoints measured, by the names bench/run.ts writes into docs/benchmarks.md. */
export const ENDPOINTS = ['/api/series', '/api/series/{id}', '/api/breakages?q=', '/api/syscalls?q=', '/series/{id}'] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

export interface LoadResult {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  rps: number;
  /** How many different URLs the requests rotated over. */
  targets: number;
}

const log = (s: string) => process.stderr.write(`bench: ${s}\n`);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** `--seconds` of the command line (bench/run.ts accepts it), else 5. */
function secondsFromArgv(): number {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { seconds: { type: 'string' } }, strict: false });
  const s = Number(values.seconds ?? 5);
  return Number.isFinite(s) && s > 0 ? s : 5;
}

/**
 * Requests at a fixed concurrency for a while, each worker taking the next URL of the
 * rotation; latency percentiles in ms. A non-2xx answer counts as an error.
 */
export async function load(urls: string | string[], seconds: number, concurrency = 16): Promise<LoadResult> {
  const list = typeof urls === 'string' ? [urls] : urls;
  if (list.length === 0) throw new Error('load: no URLs');
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        const url = list[next++ % list.length];
        const t0 = performance.now();
        try {
          const res = await fetch(url);
          await res.arrayBuffer();
          if (!res.ok) errors++;
        } catch {
          errors++;
        }
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const s = latencies.sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 10) / 10;
  return { n: s.length, p50: r(percentile(s, 50)), p95: r(percentile(s, 95)), p99: r(percentile(s, 99)), errors, rps: Math.round(s.length / seconds), targets: list.length };
}

/** Up to n items spread evenly over a list (first and last included), in order. */
function spread<T>(items: T[], n: number): T[] {
  if (items.length <= n) return items;
  return Array.from({ length: n }, (_, i) => items[Math.round((i * (items.length - 1)) / (n - 1))]);
}

const unique = <T>(xs: T[]) => [...new Set(xs)];

/**
 * The paths each endpoint rotates over, from the data: the same database gives the same
 * list. Series: the 10 longest threads, the 10 largest series and 60 spread over all ids.
 */
export async function httpTargets(sql: Sql): Promise<Record<Endpoint, string[]>> {
  const [byReplies, byPatches, allIds, titleWords, breakageWords, breakageFiles, breakageSymbols, syscallNames] = await Promise.all([
    sql<{ id: number }[]>`select id from series order by reply_count desc, id limit 10`,
    sql<{ id: number }[]>`select id from series order by total desc, id limit 10`,
    sql<{ id: number }[]>`select id from series order by id`,
    // Words of series titles, the commonest first: what a search box gets.
    sql<{ word: string }[]>`
      select w as word from series, regexp_split_to_table(lower(title), '[^a-z0-9_]+') w
      where length(w) >= 4 group by w order by count(*) desc, w limit 40`,
    sql<{ word: string }[]>`
      select w as word from breakages, regexp_split_to_table(lower(message), '[^a-z0-9_]+') w
      where length(w) >= 3 group by w order by count(*) desc, w limit 40`,
    sql<{ file: string }[]>`select distinct file from breakages where file is not null order by file limit 2000`,
    sql<{ symbol: string }[]>`select distinct symbol from breakages where symbol is not null order by symbol limit 2000`,
    sql<{ name: string }[]>`select distinct name from syscall_changes order by name`,
  ]);
  const seriesIds = unique([...byReplies, ...byPatches, ...spread(allIds, 60)].map((r) => r.id));
  const enc = encodeURIComponent;
  const listWords = spread(titleWords.map((r) => r.word), 10);
  const breakageQueries = unique([
    ...spread(breakageWords.map((r) => r.word), 12),
    ...spread(breakageFiles.map((r) => r.file), 6),
    ...spread(breakageSymbols.map((r) => r.symbol), 6),
    // A short, common word: matches a large share of all failures.
    'no',
  ]);
  const names = spread(syscallNames.map((r) => r.name), 16);
  // The same syscall by its symbols, as people paste them.
  const syscallQueries = unique([...names, ...spread(names, 4).map((n) => `sys_${n}`), ...spread(names, 4).map((n) => `__x64_sys_${n}`)]);
  return {
    '/api/series': [
      '/api/series',
      '/api/series?page=2',
      '/api/series?page=20',
      '/api/series?sort=title',
      '/api/series?sort=status',
      '/api/series?status=applied',
      '/api/series?hasOpenBreakages=true',
      '/api/series?hasPendingFixups=true',
      ...listWords.map((w) => `/api/series?q=${enc(w)}`),
    ],
    '/api/series/{id}': seriesIds.map((id) => `/api/series/${id}`),
    '/api/breakages?q=': (breakageQueries.length ? breakageQueries : ['error']).map((q) => `/api/breakages?q=${enc(q)}`),
    '/api/syscalls?q=': (syscallQueries.length ? syscallQueries : ['mprotect']).map((q) => `/api/syscalls?q=${enc(q)}`),
    '/series/{id}': seriesIds.map((id) => `/series/${id}`),
  };
}

/** Every endpoint against a running server at `base`; one untimed pass over the targets warms it first. */
export async function measure(base: string, sql: Sql, seconds: number, concurrency = 16): Promise<Record<Endpoint, LoadResult>> {
  const targets = await httpTargets(sql);
  const out = {} as Record<Endpoint, LoadResult>;
  for (const name of ENDPOINTS) {
    const urls = targets[name].length ? targets[name].map((p) => base + p) : [base + name.replace(/\{id\}/, '1')];
    for (const u of urls) await fetch(u).then((r) => r.arrayBuffer()).catch(() => {}); // warm up, untimed
    log(`latency ${name} (${urls.length} targets)`);
    out[name] = await load(urls, seconds, concurrency);
  }
  return out;
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

/** Builds the app if there is no build, serves it on `url`'s database, and measures every endpoint. */
export async function httpLatency(url: string, sql: Sql, opts: { seconds?: number } = {}): Promise<Record<Endpoint, LoadResult>> {
  const seconds = opts.seconds ?? secondsFromArgv();
  if (!existsSync(join(root, '.next', 'BUILD_ID'))) {
    log('building the app for the latency runs');
    execFileSync(process.execPath, [NEXT_BIN, 'build'], { cwd: root, stdio: 'ignore', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  }
  const port = await freePort();
  // Served as `patchloom serve` serves it: one Next.js server per core (bin/web.js).
  const server = spawn(process.execPath, [join(root, 'bin/web.js'), '-p', String(port), '-H', '127.0.0.1'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url, NEXT_TELEMETRY_DISABLED: '1' },
    stdio: 'ignore',
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 120; i++) {
      try {
        if ((await fetch(`${base}/api/health`)).ok) break;
      } catch {
        /* not up yet */
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    return await measure(base, sql, seconds);
  } finally {
    server.kill('SIGTERM');
  }
}
