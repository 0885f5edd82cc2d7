/**
 * `npm run bench -- --messages N [--seed S] [--no-append] [--no-http] [--no-side-by-side]`
 *
 * Generates an LKML-like corpus (bench/generate.ts), imports it end to end into a fresh
 * database, then measures reindex, API and page latency at concurrency 16, incremental
 * update latency and database size; where installed, `mu index` and `notmuch new` run on
 * the same maildir for a side-by-side rate. Prints one JSON document and appends a dated
 * row to docs/benchmarks.md. Nothing here asserts a speed: this is measurement only.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createServer } from 'node:net';
import postgres from 'postgres';
import { openDatabase } from '../lib/db/client.ts';
import { importFiles } from '../ingest/import-files.ts';
import { reindex } from '../ingest/reindex.ts';
import { runPipeline } from '../ingest/pipeline.ts';
import { generateMessages, writeMaildir, writeMbox } from './generate.ts';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '1' },
    'no-append': { type: 'boolean', default: false },
    'no-http': { type: 'boolean', default: false },
    'no-side-by-side': { type: 'boolean', default: false },
    seconds: { type: 'string', default: '5' },
  },
});
const N = Number(values.messages);
const SEED = Number(values.seed);
const HELD_BACK = Math.min(20, Math.max(2, Math.floor(N / 50)));

const log = (s: string) => process.stderr.write(`bench: ${s}\n`);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function summary(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 10) / 10;
  return { n: s.length, p50: r(percentile(s, 50)), p95: r(percentile(s, 95)), p99: r(percentile(s, 99)) };
}

/** Peak RSS (MB) of the PostgreSQL processes serving our database, sampled while fn runs. */
async function sampled<T>(fn: () => Promise<T>): Promise<{ result: T; pgPeakMb: number }> {
  let peak = 0;
  const sample = () => {
    try {
      const out = execFileSync('ps', ['-C', 'postgres', '-o', 'rss='], { encoding: 'utf8' });
      const kb = out.split('\n').reduce((n, l) => n + (Number(l.trim()) || 0), 0);
      peak = Math.max(peak, kb / 1024);
    } catch {
      /* ps unavailable */
    }
  };
  const timer = setInterval(sample, 250);
  try {
    const result = await fn();
    sample();
    return { result, pgPeakMb: Math.round(peak) };
  } finally {
    clearInterval(timer);
  }
}

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

/** Requests at a fixed concurrency for a while; latency percentiles in ms. */
async function load(url: string, seconds: number, concurrency = 16) {
  const latencies: number[] = [];
  let errors = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
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
  return { ...summary(latencies), errors, rps: Math.round(latencies.length / seconds) };
}

function sideBySide(maildir: string, rate: number) {
  const out: Record<string, { seconds: number; messagesPerSecond: number; patchloomRatio: number } | string> = {};
  const home = mkdtempSync(join(tmpdir(), 'bench-home-'));
  const env = { ...process.env, HOME: home, XDG_CACHE_HOME: join(home, '.cache'), XDG_CONFIG_HOME: join(home, '.config') };
  const time = (cmd: string, args: string[], extraEnv: Record<string, string> = {}) => {
    const t0 = performance.now();
    const r = spawnSync(cmd, args, { env: { ...env, ...extraEnv }, stdio: 'ignore', timeout: 3_600_000 });
    if (r.status !== 0) throw new Error(`${cmd} exited ${r.status}`);
    return (performance.now() - t0) / 1000;
  };
  const have = (cmd: string) => spawnSync('which', [cmd]).status === 0;
  if (have('mu')) {
    try {
      time('mu', ['init', `--maildir=${maildir}`, `--muhome=${join(home, 'mu')}`]);
      const s = time('mu', ['index', `--muhome=${join(home, 'mu')}`]);
      out.mu = { seconds: Math.round(s * 10) / 10, messagesPerSecond: Math.round(N / s), patchloomRatio: Math.round((rate / (N / s)) * 100) / 100 };
    } catch (err) {
      out.mu = `failed: ${(err as Error).message}`;
    }
  } else out.mu = 'not installed (apt-get install maildir-utils)';
  if (have('notmuch')) {
    try {
      const cfg = join(home, 'notmuch-config');
      writeFileSync(cfg, `[database]\npath=${maildir}\n[user]\nname=bench\nprimary_email=bench@example.org\n[new]\ntags=unread;inbox;\n`);
      const s = time('notmuch', ['new', '--quiet'], { NOTMUCH_CONFIG: cfg });
      out.notmuch = { seconds: Math.round(s * 10) / 10, messagesPerSecond: Math.round(N / s), patchloomRatio: Math.round((rate / (N / s)) * 100) / 100 };
    } catch (err) {
      out.notmuch = `failed: ${(err as Error).message}`;
    }
  } else out.notmuch = 'not installed (apt-get install notmuch)';
  rmSync(home, { recursive: true, force: true });
  return out;
}

async function benchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = process.env.PATCHLOOM_BENCH_DATABASE_URL ?? process.env.PATCHLOOM_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `patchloom_bench_${Date.now().toString(36)}`;
  const a = postgres(admin, { max: 1, onnotice: () => {} });
  await a.unsafe(`create database ${name}`);
  await a.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const b = postgres(admin, { max: 1, onnotice: () => {} });
      await b.unsafe(`drop database if exists ${name} with (force)`);
      await b.end();
    },
  };
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'patchloom-bench-'));
  const mbox = join(work, 'corpus.mbox');
  const held = join(work, 'held');
  const maildir = join(work, 'maildir');
  log(`generating ${N} messages (seed ${SEED})`);
  const gen = writeMbox(mbox, { messages: N, seed: SEED });
  writeMaildir(maildir, { messages: N, seed: SEED });
  // The messages after N, held back for the incremental-update measurement.
  mkdirSync(held);
  let i = 0;
  for (const m of generateMessages({ messages: N + HELD_BACK, seed: SEED })) if (i++ >= N) writeFileSync(join(held, `${i}.eml`), m.bytes);

  const db = await benchDatabase();
  const database = await openDatabase({ url: db.url });
  const { sql } = database;
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
    messages: N,
    seed: SEED,
    corpusMb: Math.round((gen.bytes / 2 ** 20) * 10) / 10,
  };
  try {
    log('import');
    const t0 = performance.now();
    const imp = await sampled(() => importFiles(sql, [mbox]));
    const seconds = (performance.now() - t0) / 1000;
    const rate = Math.round(N / seconds);
    results.import = {
      seconds: Math.round(seconds * 10) / 10,
      messagesPerSecond: rate,
      mbPerSecond: Math.round((gen.bytes / 2 ** 20 / seconds) * 10) / 10,
      nodePeakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      postgresPeakRssMb: imp.pgPeakMb,
      added: imp.result.added,
    };
    const [counts] = await sql<{ series: string; fixups: string; breakages: string }[]>`
      select (select count(*) from series) as series, (select count(*) from fixups) as fixups, (select count(*) from breakages) as breakages`;
    results.derived = { series: Number(counts.series), fixups: Number(counts.fixups), breakages: Number(counts.breakages) };

    log('incremental update');
    const inc: number[] = [];
    for (const f of readdirSync(held).sort()) {
      const bytes = (await import('node:fs')).readFileSync(join(held, f));
      const t = performance.now();
      await runPipeline(sql, (async function* () {
        yield { bytes, source: { kind: 'file' as const, path: join(held, f), offset: 0 } };
      })(), { kind: 'file', label: 'bench incremental' });
      inc.push(performance.now() - t);
    }
    results.incremental = summary(inc);

    const [size] = await sql<{ bytes: string }[]>`select pg_database_size(current_database()) as bytes`;
    results.databaseBytesPerMessage = Math.round(Number(size.bytes) / (N + HELD_BACK));

    if (!values['no-http']) results.http = await httpLatency(db.url, sql);

    log('reindex');
    const r0 = performance.now();
    await reindex(sql);
    results.reindex = { messagesPerSecond: Math.round((N + HELD_BACK) / ((performance.now() - r0) / 1000)) };

    if (!values['no-side-by-side']) {
      log('side by side: mu, notmuch');
      results.sideBySide = sideBySide(maildir, rate);
    }
  } finally {
    await database.close();
    await db.drop();
    rmSync(work, { recursive: true, force: true });
  }
  process.stdout.write(JSON.stringify(results, null, 2) + '\n');
  if (!values['no-append']) appendRow(results);
}

async function httpLatency(url: string, sql: postgres.Sql) {
  if (!existsSync(join(root, '.next', 'BUILD_ID'))) {
    log('building the app for the latency runs');
    execFileSync(process.execPath, [join(root, 'node_modules/next/dist/bin/next'), 'build'], { cwd: root, stdio: 'ignore', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  }
  const port = await freePort();
  const server = spawn(process.execPath, [join(root, 'node_modules/next/dist/bin/next'), 'start', '-p', String(port)], {
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
    const [s] = await sql<{ id: number }[]>`select id from series order by reply_count desc, id limit 1`;
    const [b] = await sql<{ word: string }[]>`select split_part(message, ' ', 1) as word from breakages order by id limit 1`;
    const [c] = await sql<{ name: string }[]>`select name from syscall_changes order by id limit 1`;
    const seconds = Number(values.seconds);
    const targets: Record<string, string> = {
      '/api/series': '/api/series',
      '/api/series/{id}': `/api/series/${s?.id ?? 1}`,
      '/api/breakages?q=': `/api/breakages?q=${encodeURIComponent(b?.word ?? 'error')}`,
      '/api/syscalls?q=': `/api/syscalls?q=${encodeURIComponent(c?.name ?? 'mprotect')}`,
      '/series/{id}': `/series/${s?.id ?? 1}`,
    };
    const out: Record<string, unknown> = {};
    for (const [name, path] of Object.entries(targets)) {
      await fetch(base + path).then((r) => r.arrayBuffer()).catch(() => {}); // warm up
      log(`latency ${name}`);
      out[name] = await load(base + path, seconds);
    }
    return out;
  } finally {
    server.kill('SIGTERM');
  }
}

function appendRow(r: Record<string, unknown>) {
  const file = join(root, 'docs', 'benchmarks.md');
  const get = (path: string): string => {
    const v = path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), r);
    return v === undefined ? '—' : String(v);
  };
  const m = r.machine as { cores: number; memoryGb: number };
  const row = `| ${get('date').slice(0, 10)} | ${m.cores} cores, ${m.memoryGb} GB | ${get('messages')} | ${get('import.messagesPerSecond')} | ${get('import.mbPerSecond')} | ${get('import.nodePeakRssMb')} / ${get('import.postgresPeakRssMb')} | ${get('reindex.messagesPerSecond')} | ${get('incremental.p95')} | ${get('http./api/series.p95')} | ${get('http./api/series/{id}.p95')} | ${get('http./api/breakages?q=.p95')} | ${get('http./api/syscalls?q=.p95')} | ${get('http./series/{id}.p95')} | ${get('databaseBytesPerMessage')} | ${get('sideBySide.mu.patchloomRatio')} | ${get('sideBySide.notmuch.patchloomRatio')} |\n`;
  appendFileSync(file, row);
  log(`appended a row to ${file}`);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
