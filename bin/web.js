#!/usr/bin/env node
// `next start` on every core. One Node process renders on one thread, and rendering pages is
// CPU-bound, so `patchloom serve` runs one Next.js server per core behind node:cluster, which
// shares the port between them. Arguments are next start's (`-p PORT`, `-H HOST`).
// PATCHLOOM_WEB_WORKERS sets the number of servers (default: the number of cores).
import cluster from 'node:cluster';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';

const workers = Math.max(1, Number(process.env.PATCHLOOM_WEB_WORKERS) || availableParallelism());
/** A server that exits this soon after starting failed to start (a taken port, a bad build): do not restart it. */
const STARTUP_MS = 20_000;

if (cluster.isPrimary && workers > 1) {
  let stopping = false;
  const started = new Map();
  const fork = () => started.set(cluster.fork().id, Date.now());
  for (let i = 0; i < workers; i++) fork();
  const stop = (signal) => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(signal);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  cluster.on('exit', (worker, code, signal) => {
    const early = Date.now() - (started.get(worker.id) ?? 0) < STARTUP_MS;
    if (!stopping && !early) {
      process.stderr.write(`patchloom: a web server process exited (${signal ?? `code ${code}`}); starting another\n`);
      fork();
      return;
    }
    if (!stopping) {
      process.stderr.write(`patchloom: a web server process failed to start (${signal ?? `code ${code}`}); see its output above\n`);
      process.exitCode = code || 1;
      stop('SIGTERM');
    }
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit();
  });
} else {
  const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');
  process.argv = [process.argv[0], nextBin, 'start', ...process.argv.slice(2)];
  createRequire(import.meta.url)(nextBin);
}
