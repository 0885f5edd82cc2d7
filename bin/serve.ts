/**
 * `patchloom serve` (and `npm start`): open the database (starting the embedded one if
 * needed), build the app if there is no build, then run `next start` on every core (bin/web.js)
 * with DATABASE_URL pointing at that database. This process keeps the embedded server registered while
 * the web server runs, and releases it on exit. When IMAP is configured (PATCHLOOM_IMAP_* or
 * patchloom.config.json) it also runs the sync worker, stopped before the database is released.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { openDatabase } from '../lib/db/client.ts';
import { loadImapAccounts, startSyncWorker, type SyncWorker } from '../ingest/sync.ts';

const root = process.cwd();
const nextBin = join(createRequire(import.meta.url).resolve('next/package.json'), '..', 'dist', 'bin', 'next');
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };

export async function serve(opts: { port: number }) {
  if (!existsSync(join(root, '.next', 'BUILD_ID'))) {
    process.stderr.write('No build found: running `next build` first (this takes a minute, once).\n');
    const built = spawnSync(process.execPath, [nextBin, 'build'], { stdio: 'inherit', env, cwd: root });
    if (built.status !== 0) throw new Error('`next build` failed; see its output above.');
  }
  const database = await openDatabase();
  const url = database.url;
  const logSync = (line: string) => process.stderr.write(`patchloom sync: ${line}\n`);
  let worker: SyncWorker | null = null;
  try {
    const { accounts } = loadImapAccounts();
    if (accounts.length) worker = startSyncWorker(database, accounts, logSync);
  } catch (err) {
    logSync(`not started: ${(err as Error).message}`);
  }
  if (!worker) await database.sql.end({ timeout: 5 });

  const child = spawn(process.execPath, [join(import.meta.dirname, 'web.js'), '-p', String(opts.port)], {
    stdio: 'inherit',
    env: { ...env, DATABASE_URL: url, PATCHLOOM_SERVE: '1' },
    cwd: root,
  });
  process.stderr.write(`Patchloom at http://localhost:${opts.port}\n`);
  const shutdown = (signal: NodeJS.Signals) => {
    child.kill(signal);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  const code: number = await new Promise((res) => child.on('exit', (c) => res(c ?? 0)));
  if (worker) {
    await worker.stop();
    await database.sql.end({ timeout: 5 });
  }
  database.embedded?.release();
  process.exit(code);
}
