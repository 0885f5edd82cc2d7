/**
 * The embedded PostgreSQL after crashes, and data directories that cannot be written.
 * test/integration/embedded.test.ts covers a server orphaned by a killed holder; here:
 * everything killed at once (stale postmaster.pid, server.json naming a dead port, a lock
 * file and client files of dead processes), server.json naming a port some other program
 * now listens on, a read-only data dir, and a full disk (a small tmpfs), before and during
 * an import. Mounting needs root; where it is not allowed those cases skip with the reason.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLedger, deadPid, mailText, mountTmpfs, scratchDir, spawnCli, waitFor, writeMboxFile, type Exited } from './helpers.ts';

const ledger = createLedger(import.meta.filename);
afterAll(() => ledger.finish());

const embeddedEnv = (dataDir: string) => ({ PATCHLOOM_DATA_DIR: dataDir, DATABASE_URL: undefined });
const cli = (dataDir: string, ...args: string[]) => spawnCli(args, embeddedEnv(dataDir)).exited;

/** Pids of the postgres processes serving this data dir (found by its unique path; ended by pid). */
function postgresPids(dataDir: string): number[] {
  const r = spawnSync('pgrep', ['-f', `${dataDir}/pg`], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean).map(Number);
}

async function stopEverything(dataDir: string) {
  for (const pid of postgresPids(dataDir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  await waitFor('postgres to exit', () => postgresPids(dataDir).length === 0, 30_000);
}

/** Start a long-running holder (a stand-in for the web server) and return its pid once the database is up. */
async function startHolder(dataDir: string): Promise<{ pid: number; port: number }> {
  const holder = spawnCli(['test/helpers/hold-embedded.ts'], embeddedEnv(dataDir), 'bin/run-ts.js');
  await waitFor('the holder to open the embedded database', () => /ready \d+/.test(holder.output().stdout) || holder.child.exitCode !== null, 180_000);
  const m = /ready (\d+)/.exec(holder.output().stdout);
  if (!m) throw new Error(`holder failed: ${holder.output().stderr}`);
  return { pid: holder.child.pid as number, port: Number(m[1]) };
}

/** Messages whose bodies are random base64: what no compression can shrink. */
function* incompressible(count: number, bytes: number): Generator<string> {
  for (let i = 0; i < count; i++) {
    const body = randomBytes((bytes * 3) / 4).toString('base64').replace(/.{76}/g, '$&\n');
    yield mailText({ id: `fill-${i}@patchloom.test`, subject: `filler ${i}`, body });
  }
}

/** Hold the embedded database open and query it directly. */
async function withEmbedded<T>(dataDir: string, fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const holder = spawnCli(['test/helpers/hold-embedded.ts'], embeddedEnv(dataDir), 'bin/run-ts.js');
  try {
    await waitFor('the holder to open the embedded database', () => /ready \d+/.test(holder.output().stdout) || holder.child.exitCode !== null, 180_000);
    const port = Number(/ready (\d+)/.exec(holder.output().stdout)?.[1]);
    const { password } = JSON.parse(readFileSync(join(dataDir, 'server.json'), 'utf8')) as { password: string };
    const sql = postgres(`postgres://patchloom:${encodeURIComponent(password)}@127.0.0.1:${port}/patchloom`, { max: 1, onnotice: () => {} });
    try {
      return await fn(sql);
    } finally {
      await sql.end();
    }
  } finally {
    holder.child.kill('SIGTERM');
    await holder.exited;
  }
}

const ONE = 'Message-ID: <embedded-hostile@patchloom.test>\nFrom: A <a@patchloom.test>\nSubject: survives crashes\nDate: Thu, 26 Nov 2026 10:00:00 +0000\n\nbody\n';

function expectClearError(r: Exited, pattern: RegExp) {
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/^\s+at /m); // no stack trace
}

describe('the embedded PostgreSQL after a crash of everything', () => {
  let dataDir = '';
  beforeAll(() => {
    dataDir = scratchDir('embedded');
  });
  afterAll(async () => {
    if (!dataDir) return;
    await stopEverything(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('recovers from a killed server, a stale postmaster.pid, a dead port in server.json, and a lock and client files of dead processes', async () => {
    writeFileSync(join(dataDir, 'one.eml'), ONE);
    const holder = await startHolder(dataDir);
    expect((await cli(dataDir, 'import', join(dataDir, 'one.eml'))).stdout).toContain('1 new');
    // Power loss: the holder and every postgres process die at once.
    process.kill(holder.pid, 'SIGKILL');
    await stopEverything(dataDir);
    expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(true);
    const dead = deadPid();
    writeFileSync(join(dataDir, 'server.lock'), String(dead));
    writeFileSync(join(dataDir, 'clients', String(deadPid())), '');
    const state = JSON.parse(readFileSync(join(dataDir, 'server.json'), 'utf8')) as { port: number };
    expect(state.port).toBe(holder.port);

    const again = await cli(dataDir, 'import', join(dataDir, 'one.eml'));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('0 new, 1 already stored'); // the data survived the crash
    ledger.fault('power loss: holder and postgres killed, stale lock, pid and state files', { lost: !again.stdout.includes('1 already stored') });
    expect(existsSync(join(dataDir, 'server.lock'))).toBe(false);
    expect(readdirSync(join(dataDir, 'clients'))).toEqual([]); // dead clients cleaned up
    await waitFor('the CLI to stop the server it started', () => postgresPids(dataDir).length === 0, 30_000);
  }, 300_000);

  it('starts although the pid in a stale postmaster.pid now belongs to another program', async () => {
    const holder = await startHolder(dataDir);
    process.kill(holder.pid, 'SIGKILL');
    await stopEverything(dataDir);
    // After a reboot the old postmaster's pid is often some other process; postgres then refuses to start.
    const other = spawn('sleep', ['120'], { stdio: 'ignore' });
    try {
      const pidFile = join(dataDir, 'pg', 'postmaster.pid');
      const lines = readFileSync(pidFile, 'utf8').split('\n');
      writeFileSync(pidFile, [String(other.pid), ...lines.slice(1)].join('\n'));
      const r = await cli(dataDir, 'import', join(dataDir, 'one.eml'));
      ledger.fault('stale postmaster.pid whose pid another program has', { lost: !r.stdout.includes('1 already stored') });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('0 new, 1 already stored');
    } finally {
      other.kill('SIGKILL');
    }
    await waitFor('the server to stop', () => postgresPids(dataDir).length === 0, 30_000);
  }, 300_000);

  it('does not take a program that now listens on the old port for its server', async () => {
    const squatter: Server = createServer((s) => {
      s.on('error', () => {});
      s.end('not postgres\n');
    });
    await new Promise<void>((res) => squatter.listen(0, '127.0.0.1', () => res()));
    const addr = squatter.address();
    const squatted = typeof addr === 'object' && addr ? addr.port : 0;
    try {
      const file = join(dataDir, 'server.json');
      const state = JSON.parse(readFileSync(file, 'utf8')) as { port: number; password: string };
      writeFileSync(file, JSON.stringify({ ...state, port: squatted }));
      const r = await cli(dataDir, 'import', join(dataDir, 'one.eml'));
      ledger.fault('server.json names a port another program listens on', { lost: r.code !== 0 });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('1 already stored');
    } finally {
      squatter.close();
    }
    await waitFor('the server to stop', () => postgresPids(dataDir).length === 0, 30_000);
  }, 180_000);

  it('answers a corrupt server.json with a clear error', async () => {
    const file = join(dataDir, 'server.json');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.slice(0, 10)); // what a full disk leaves of a non-atomic write
    try {
      const r = await cli(dataDir, 'migrate');
      expectClearError(r, /^patchloom: .*server\.json is damaged, and it holds the password/m);
      ledger.fault('server.json cut short', { lost: false });
    } finally {
      writeFileSync(file, good);
    }
  }, 120_000);
});

describe('data directories that cannot be written', () => {
  let base = '';
  const mounts: { unmount(): void }[] = [];
  beforeAll(() => {
    base = scratchDir('readonly');
    chmodSync(base, 0o755); // postgres runs as its own user when we are root, and must pass through
  });
  afterAll(async () => {
    if (!base) return;
    for (const d of readdirSync(base)) await stopEverything(join(base, d)).catch(() => {});
    for (const m of mounts.reverse()) m.unmount();
    rmSync(base, { recursive: true, force: true });
  });

  const mount = (name: string, options: string): string | null => {
    const dir = join(base, name);
    const m = mountTmpfs(dir, options);
    if (m.unmount === null) {
      console.warn(`skipping "${name}": cannot mount a tmpfs here (${'reason' in m ? m.reason : ''}); run as root to test it`);
      return null;
    }
    mounts.push(m);
    return dir;
  };

  it('refuses a read-only data dir with a clear error and writes nothing', async () => {
    const dir = mount('ro', 'ro,size=1m');
    if (!dir) return;
    const inside = await cli(join(dir, 'data'), 'migrate');
    expectClearError(inside, /^patchloom: Cannot create the data directory .*PATCHLOOM_DATA_DIR/m);
    const itself = await cli(dir, 'migrate');
    expectClearError(itself, /^patchloom: Cannot write to the data directory .*(read-only|EROFS).*PATCHLOOM_DATA_DIR is writable/m);
    expect(readdirSync(dir)).toEqual([]);
    ledger.fault('read-only data dir', { lost: false });
  }, 120_000);

  it('refuses a data dir that became read-only after use, then works again once writable', async () => {
    const dir = mount('was-rw', 'size=200m,mode=0755');
    if (!dir) return;
    writeFileSync(join(base, 'one.eml'), ONE);
    expect((await cli(dir, 'import', join(base, 'one.eml'))).code).toBe(0);
    await waitFor('the server to stop', () => postgresPids(dir).length === 0, 30_000);
    expect(spawnSync('mount', ['-o', 'remount,ro', dir]).status).toBe(0);
    const refused = await cli(dir, 'import', join(base, 'one.eml'));
    expectClearError(refused, /^patchloom: Cannot write to the data directory/m);
    expect(spawnSync('mount', ['-o', 'remount,rw', dir]).status).toBe(0);
    const again = await cli(dir, 'import', join(base, 'one.eml'));
    ledger.fault('data dir turned read-only after use', { lost: !again.stdout.includes('1 already stored') });
    expect(again.stdout).toContain('0 new, 1 already stored');
  }, 300_000);

  it('fails initdb on a full disk with a clear error, leaves no half-made cluster, and starts once there is room', async () => {
    const dir = mount('tiny', 'size=8m,mode=0755');
    if (!dir) return;
    const full = await cli(dir, 'migrate');
    console.log(`full disk at initdb: ${full.stderr.trim().split('\n')[0].slice(0, 300)}`);
    expectClearError(full, /^patchloom: Creating the embedded PostgreSQL cluster \(initdb\) failed.*(No space left on device|could not)/ms);
    expect(existsSync(join(dir, 'server.json'))).toBe(false);
    expect(existsSync(join(dir, 'pg', 'PG_VERSION'))).toBe(false);
    expect(spawnSync('mount', ['-o', 'remount,size=200m', dir]).status).toBe(0);
    const ok = await cli(dir, 'migrate');
    ledger.fault('disk full during initdb', { lost: ok.code !== 0 });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('up to date');
  }, 300_000);

  it('stops an import on a full disk with a clear error, keeps every stored message whole, and finishes once there is room', async () => {
    const dir = mount('fills-up', 'size=160m,mode=0755');
    if (!dir) return;
    const mbox = join(base, 'fill.mbox');
    // 5,000 messages of 30 KB that do not compress (PostgreSQL compresses raw mail): 150 MB, stored
    // twice (raw bytes and parsed body) plus WAL, for a 160 MB disk; the first batches fit.
    const written = writeMboxFile(mbox, incompressible(5000, 30 * 1024));
    expect((await cli(dir, 'migrate')).code).toBe(0);
    const first = await cli(dir, 'import', mbox);
    console.log(`full disk during an import (exit ${first.code}): ${first.stderr.trim().split('\n').at(-1)}`);
    expect(first.code).toBe(1);
    // The last line says what happened and what to do (retries are logged above it).
    const last = first.stderr.trim().split('\n').at(-1) ?? '';
    expect(last).toMatch(/^patchloom: .*No space left on device/);
    expect(first.stderr).not.toMatch(/^\s+at /m);
    await stopEverything(dir);
    expect(spawnSync('mount', ['-o', 'remount,size=3g', dir]).status).toBe(0);
    const check = await cli(dir, 'import', mbox);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toMatch(new RegExp(`\\d+ new, \\d+ already stored, \\d+ flagged \\(${written.messages} messages`));
    const added = Number(/(\d+) new/.exec(check.stdout)?.[1]);
    const already = Number(/(\d+) already stored/.exec(check.stdout)?.[1]);
    const c = await withEmbedded(dir, async (sql) => {
      const [row] = await sql<{ raw: number; indexed: number; sources: number; orphans: number }[]>`
        select (select count(*)::int from raw_messages) as raw, (select count(*)::int from messages) as indexed,
               (select count(*)::int from message_sources) as sources,
               (select count(*)::int from raw_messages r where not exists (select 1 from messages m where m.raw_id = r.id)) as orphans`;
      return row;
    });
    ledger.fault('disk full during an import', { lost: added + already !== written.messages || c.raw !== written.messages || c.orphans > 0 });
    expect(added + already).toBe(written.messages);
    expect(already).toBeGreaterThan(0); // the first run stored something before the disk filled
    expect(c).toEqual({ raw: written.messages, indexed: written.messages, sources: written.messages, orphans: 0 });
  }, 600_000);
});
