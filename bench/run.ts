/**
 * `npm run bench -- --messages N [--seed S] [--no-append] [--no-http] [--no-side-by-side] [--no-reindex] [--keep-database]`
 * `npm run bench -- --reuse-database URL` (reads only, on a kept database)
 *
 * Generates an LKML-like corpus (bench/generate.ts), imports it end to end into a fresh
 * database, then measures reindex, API and page latency at concurrency 16, incremental
 * update latency and database size; where installed, `mu index` and `notmuch new` run on
 * the same maildir for a side-by-side rate. Prints one JSON document and appends a dated
 * row to docs/benchmarks.md. Nothing here asserts a speed: this is measurement only.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { openDatabase } from '../lib/db/client.ts';
import { runPipeline } from '../ingest/pipeline.ts';
import { generateMessages, writeMaildir, writeMbox } from './generate.ts';
import { httpLatency } from './http.ts';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '1' },
    'no-append': { type: 'boolean', default: false },
    'no-http': { type: 'boolean', default: false },
    'no-side-by-side': { type: 'boolean', default: false },
    'no-reindex': { type: 'boolean', default: false },
    // Keep the database at the end (its URL is printed), to measure reads on it again later.
    'keep-database': { type: 'boolean', default: false },
    // Measure reads (and size) only, on a database an earlier run kept.
    'reuse-database': { type: 'string' },
    // Read by bench/http.ts: how long each endpoint is loaded.
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

/**
 * Run the CLI as a user would (`patchloom import`, `patchloom reindex`) and report its wall time
 * and the peak RSS of its process (VmHWM, which counts its worker threads too).
 */
async function runCli(args: string[], url: string): Promise<{ seconds: number; peakRssMb: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [join(root, 'bin/patchloom.js'), ...args], { cwd: root, env: { ...process.env, DATABASE_URL: url }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  let peakKb = 0;
  const sample = () => {
    try {
      const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]);
      if (kb) peakKb = Math.max(peakKb, kb);
    } catch {
      /* exited, or no /proc */
    }
  };
  const timer = setInterval(sample, 100);
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  clearInterval(timer);
  if (code !== 0) throw new Error(`patchloom ${args[0]} exited ${code}: ${stderr}`);
  return { seconds: (performance.now() - t0) / 1000, peakRssMb: Math.round(peakKb / 1024) };
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

function machine() {
  return { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version };
}

/** Reads on a database an earlier run kept (`--keep-database`), e.g. after the code of the pages changed. */
async function measureReadsOnly(url: string) {
  const database = await openDatabase({ url });
  const { sql } = database;
  try {
    const [{ n, bytes }] = await sql<{ n: string; bytes: string }[]>`select count(*) as n, pg_database_size(current_database()) as bytes from raw_messages`;
    const results: Record<string, unknown> = { date: new Date().toISOString(), machine: machine(), messages: Number(n), reusedDatabase: true };
    results.databaseBytesPerMessage = Math.round(Number(bytes) / Number(n));
    results.http = await httpLatency(url, sql);
    return results;
  } finally {
    await database.close();
  }
}

async function main() {
  if (values['reuse-database']) {
    const results = await measureReadsOnly(values['reuse-database']);
    process.stdout.write(JSON.stringify(results, null, 2) + '\n');
    if (!values['no-append']) appendRow(results);
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'patchloom-bench-'));
  const mbox = join(work, 'corpus.mbox');
  const held = join(work, 'held');
  const maildir = join(work, 'maildir');
  log(`generating ${N} messages (seed ${SEED})`);
  const gen = writeMbox(mbox, { messages: N, seed: SEED });
  if (!values['no-side-by-side']) writeMaildir(maildir, { messages: N, seed: SEED });
  // The messages after N, held back for the incremental-update measurement.
  mkdirSync(held);
  let i = 0;
  for (const m of generateMessages({ messages: N + HELD_BACK, seed: SEED })) if (i++ >= N) writeFileSync(join(held, `${i}.eml`), m.bytes);

  const db = await benchDatabase();
  const database = await openDatabase({ url: db.url });
  const { sql } = database;
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: machine(),
    messages: N,
    seed: SEED,
    corpusMb: Math.round((gen.bytes / 2 ** 20) * 10) / 10,
  };
  try {
    log('import');
    const imp = await sampled(() => runCli(['import', mbox], db.url));
    const { seconds } = imp.result;
    const rate = Math.round(N / seconds);
    const [stored] = await sql<{ n: string }[]>`select count(*) as n from raw_messages`;
    results.import = {
      seconds: Math.round(seconds * 10) / 10,
      messagesPerSecond: rate,
      mbPerSecond: Math.round((gen.bytes / 2 ** 20 / seconds) * 10) / 10,
      nodePeakRssMb: imp.result.peakRssMb,
      postgresPeakRssMb: imp.pgPeakMb,
      added: Number(stored.n),
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

    if (!values['no-reindex']) {
      log('reindex');
      const re = await runCli(['reindex'], db.url);
      results.reindex = { messagesPerSecond: Math.round((N + HELD_BACK) / re.seconds), nodePeakRssMb: re.peakRssMb };
    }

    if (!values['no-side-by-side']) {
      log('side by side: mu, notmuch');
      results.sideBySide = sideBySide(maildir, rate);
    }
  } finally {
    await database.close();
    if (values['keep-database']) log(`kept the database: npm run bench -- --reuse-database ${db.url}`);
    else await db.drop();
    rmSync(work, { recursive: true, force: true });
  }
  process.stdout.write(JSON.stringify(results, null, 2) + '\n');
  if (!values['no-append']) appendRow(results);
}

function appendRow(r: Record<string, unknown>) {
  const file = join(root, 'docs', 'benchmarks.md');
  const get = (path: string): string => {
    const v = path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), r);
    return v === undefined ? '—' : String(v);
  };
  const m = r.machine as { cores: number; memoryGb: number };
  const row = `| ${get('date').slice(0, 10)} | ${m.cores} cores, ${m.memoryGb} GB | ${get('messages')} | ${get('import.messagesPerSecond')} | ${get('import.mbPerSecond')} | ${get('import.nodePeakRssMb')} / ${get('import.postgresPeakRssMb')} | ${get('reindex.messagesPerSecond')} | ${get('incremental.p95')} | ${get('http./api/series.p95')} | ${get('http./api/series/{id}.p95')} | ${get('http./api/breakages?q=.p95')} | ${get('http./api/syscalls?q=.p95')} | ${get('http./series/{id}.p95')} | ${get('databaseBytesPerMessage')} | ${get('sideBySide.mu.patchloomRatio')} | ${get('sideBySide.notmuch.patchloomRatio')} |\n`;
  // After the table's last row, above the notes that follow it.
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const last = lines.findLastIndex((l) => /^\| \d{4}-\d{2}-\d{2} \|/.test(l));
  if (last < 0) appendFileSync(file, row);
  else writeFileSync(file, [...lines.slice(0, last + 1), row.trimEnd(), ...lines.slice(last + 1)].join('\n'));
  log(`added a row to ${file}`);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
