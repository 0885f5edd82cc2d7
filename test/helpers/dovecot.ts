/**
 * A throwaway Dovecot IMAP server for integration tests.
 *
 * Each startDovecot() gets its own temp dir (config, passwd-file, maildirs, base_dir, state_dir,
 * log) and instance name, and listens on a free port on 127.0.0.1 without TLS, so test files can
 * run in parallel. Dovecot runs in the foreground (`dovecot -F -c FILE`) as a child process, so
 * stopping it does not depend on pid files, and a test process that exits kills what it started.
 *
 * Where dovecot is not installed, describeDovecot skips with a message (apt-get install -y
 * dovecot-imapd); under CI=true it throws instead.
 */
import { ImapFlow } from 'imapflow';
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants, chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe } from 'vitest';

const INSTALL_HINT = 'install it with `apt-get install -y dovecot-imapd` (Debian/Ubuntu)';

function findDovecot(): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const file = join(dir, 'dovecot');
    try {
      accessSync(file, fsConstants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return null;
}

const DOVECOT_BIN = findDovecot();

/** The `dovecot` binary was found (on PATH or in /usr/sbin). */
export const dovecotAvailable: boolean = DOVECOT_BIN !== null;

/** describe() for tests that need a Dovecot; skips with a message where it is missing, throws under CI=true. */
export const describeDovecot: typeof describe = dovecotAvailable
  ? describe
  : (((name: string, fn: () => void) => {
      if (process.env.CI === 'true') {
        throw new Error(`CI=true but dovecot is not installed, so "${name}" can not run: ${INSTALL_HINT}.`);
      }
      console.warn(`skipping "${name}": dovecot is not installed; ${INSTALL_HINT} to run these tests`);
      return describe.skip(name, fn);
    }) as typeof describe);

export interface Dovecot {
  host: string;
  port: number;
  /** The first user of `opts.users` (default "test"). */
  user: string;
  password: string;
  /** The temp dir holding config, users, mail, run and state dirs and dovecot.log. */
  dir: string;
  /** Stop the server and wait until the port no longer accepts connections. Idempotent. */
  stop(): Promise<void>;
  /** Start again after stop(), on the same port with the same mail. */
  start(): Promise<void>;
  /** stop() and remove the temp dir. Never throws. Idempotent. */
  destroy(): Promise<void>;
}

export interface DovecotOptions {
  /** user name → plain-text password. Default { test: 'secret' }. */
  users?: Record<string, string>;
  /** Extra lines appended to dovecot.conf, e.g. `imap_capability = IMAP4rev1 LITERAL+` to hide IDLE. */
  extraConfig?: string;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A test process that dies without destroy() must not leave servers behind.
  process.on('exit', () => {
    for (const child of running) signalGroup(child, 'SIGTERM');
  });
}

/**
 * Signals Dovecot's whole process group. The master alone is not enough: imap processes that
 * serve open sessions outlive it (and keep answering) when only the master is stopped.
 */
function signalGroup(proc: ChildProcess, signal: NodeJS.Signals | 0): boolean {
  if (!proc.pid) return false;
  try {
    process.kill(-proc.pid, signal);
    return true;
  } catch {
    return false; // ESRCH: nothing left in the group
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not find a free port'))));
    });
  });
}

/** Resolves true once an IMAP greeting ("* OK") is read from host:port, false if the connection fails. */
function probeGreeting(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let buffered = '';
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      if (buffered.includes('\n')) done(buffered.startsWith('* OK'));
    });
    socket.on('error', () => done(false));
    socket.on('close', () => done(false));
  });
}

/** Resolves true when nothing accepts connections on host:port. */
function portClosed(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.on('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(true));
  });
}

function groupName(gid: number): string {
  try {
    const line = readFileSync('/etc/group', 'utf8')
      .split('\n')
      .find((l) => l.split(':')[2] === String(gid));
    if (line) return line.split(':')[0];
  } catch {
    // fall through
  }
  return String(gid);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function configText(dir: string, port: number, instance: string, extra: string): string {
  const asRoot = process.getuid?.() === 0;
  const me = userInfo();
  // As root, mail is accessed as the dovecot user (without mail_uid, login works but SELECT fails).
  // As an ordinary user, everything runs as that user and nothing is chrooted.
  const identity = asRoot
    ? ['mail_uid = dovecot', 'mail_gid = dovecot']
    : [
        `mail_uid = ${me.uid}`,
        `mail_gid = ${me.gid}`,
        `default_internal_user = ${me.username}`,
        `default_internal_group = ${groupName(me.gid)}`,
        `default_login_user = ${me.username}`,
        'service anvil {\n  chroot =\n}',
        'service imap-login {\n  chroot =\n}',
      ];
  return `# written by test/helpers/dovecot.ts
protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
instance_name = ${instance}
log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:${dir}/mail/%u
${identity.join('\n')}
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = home=${dir}/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
${extra}
`;
}

function readLog(dir: string): string {
  try {
    return readFileSync(join(dir, 'dovecot.log'), 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '(no dovecot.log)';
  }
}

export async function startDovecot(opts: DovecotOptions = {}): Promise<Dovecot> {
  if (!DOVECOT_BIN) throw new Error(`dovecot is not installed: ${INSTALL_HINT}`);
  const bin = DOVECOT_BIN;
  const users = opts.users ?? { test: 'secret' };
  const entries = Object.entries(users);
  if (entries.length === 0) throw new Error('startDovecot: users must name at least one user');
  for (const [user, password] of entries) {
    if (/[:\s]/.test(user) || /[:\n]/.test(password) || !user) {
      throw new Error(`startDovecot: user ${JSON.stringify(user)} / its password can not go into a passwd-file (no ":" or newlines)`);
    }
  }

  const host = '127.0.0.1';
  const dir = mkdtempSync(join(tmpdir(), 'patchloom-dovecot-'));
  // The imap processes run as the dovecot user and must be able to reach dir/mail.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const instance = `patchloom-test-${process.pid}-${port}`;
  const confFile = join(dir, 'dovecot.conf');
  writeFileSync(confFile, configText(dir, port, instance, opts.extraConfig ?? ''));
  writeFileSync(join(dir, 'users'), entries.map(([u, p]) => `${u}:{PLAIN}${p}::::::\n`).join(''), { mode: 0o644 }); // read by the auth process, which runs as the dovecot user
  for (const sub of ['run', 'state', 'mail']) mkdirSync(join(dir, sub));
  if (process.getuid?.() === 0) {
    const dovecotIds = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .map((l) => l.split(':'))
      .find((f) => f[0] === 'dovecot');
    if (!dovecotIds) throw new Error('startDovecot: there is no "dovecot" system user; reinstall dovecot-core');
    chownSync(join(dir, 'mail'), Number(dovecotIds[2]), Number(dovecotIds[3]));
  }
  installExitHook();

  let child: ChildProcess | null = null;
  let destroyed = false;

  async function start(): Promise<void> {
    if (destroyed) throw new Error('startDovecot: start() after destroy()');
    if (child) return;
    // The port must be free again (stop() waits for that, but another process may have taken it).
    const deadline = Date.now() + 10_000;
    while (!(await portClosed(host, port))) {
      if (Date.now() > deadline) throw new Error(`dovecot: port ${port} is in use by something else`);
      await sleep(100);
    }
    // detached: Dovecot gets a process group of its own, so stop() can end its imap processes too
    const proc = spawn(bin, ['-F', '-c', confFile], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    let exited: string | null = null;
    proc.on('exit', (code, signal) => {
      exited = `exited with ${signal ?? `code ${code}`}`;
      running.delete(proc);
      if (child === proc) child = null;
    });
    proc.on('error', (err) => {
      exited = `failed to run: ${err.message}`;
    });
    child = proc;
    running.add(proc);

    const until = Date.now() + 20_000;
    for (;;) {
      if (exited) {
        throw new Error(`dovecot ${exited} while starting (config ${confFile}).\n${stderr}\n${readLog(dir)}`);
      }
      if (await probeGreeting(host, port)) return;
      if (Date.now() > until) {
        proc.kill('SIGKILL');
        throw new Error(`dovecot did not greet on ${host}:${port} within 20 s.\n${stderr}\n${readLog(dir)}`);
      }
      await sleep(50);
    }
  }

  async function stop(): Promise<void> {
    const proc = child;
    if (proc) {
      const exited = proc.exitCode !== null || proc.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => proc.once('exit', () => r()));
      signalGroup(proc, 'SIGTERM');
      const killTimer = setTimeout(() => signalGroup(proc, 'SIGKILL'), 10_000);
      await exited;
      // then the rest of the group: imap sessions, the log process
      const deadline = Date.now() + 5_000;
      while (signalGroup(proc, 0)) {
        if (Date.now() > deadline) signalGroup(proc, 'SIGKILL');
        await sleep(20);
      }
      clearTimeout(killTimer);
    }
    child = null;
    // Dovecot's children (imap-login, imap) close their sockets a moment after the master exits.
    const deadline = Date.now() + 10_000;
    while (!(await portClosed(host, port))) {
      if (Date.now() > deadline) throw new Error(`dovecot: port ${port} still accepts connections 10 s after stop`);
      await sleep(50);
    }
  }

  async function destroy(): Promise<void> {
    if (destroyed) return;
    destroyed = true;
    try {
      await stop();
    } catch (err) {
      console.warn(`dovecot destroy: ${(err as Error).message}`);
    }
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch (err) {
      console.warn(`dovecot destroy: could not remove ${dir}: ${(err as Error).message}`);
    }
  }

  try {
    await start();
  } catch (err) {
    await destroy();
    throw err;
  }
  const [user, password] = entries[0];
  return { host, port, user, password, dir, stop, start, destroy };
}


// ---------------------------------------------------------------- client side, for the IMAP tests

/** Poll until a condition holds (it may be async); returns how long it took. */
export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - start;
}

/** A second IMAP client, as another mail program would be: it APPENDs and reads flags. */
export async function writerFor(d: Dovecot): Promise<ImapFlow> {
  const client = new ImapFlow({ host: d.host, port: d.port, secure: false, auth: { user: d.user, pass: d.password }, logger: false, disableAutoIdle: true });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** APPENDs and returns the UIDs the server assigned. */
export async function append(client: ImapFlow, mailbox: string, raws: Buffer[], flags: string[] = [], idate?: Date): Promise<number[]> {
  const uids: number[] = [];
  for (const raw of raws) {
    const res = await client.append(mailbox, raw, flags, idate);
    if (!res || !res.uid) throw new Error(`APPEND to ${mailbox} returned no UID`);
    uids.push(res.uid);
  }
  return uids;
}

/** Flags of every message, read with EXAMINE so that reading them changes nothing. */
export async function flagsOf(client: ImapFlow, mailbox: string): Promise<Map<number, string[]>> {
  const lock = await client.getMailboxLock(mailbox, { readOnly: true });
  try {
    const out = new Map<number, string[]>();
    for (const m of await client.fetchAll('1:*', { uid: true, flags: true }, { uid: true })) {
      out.set(m.uid, [...(m.flags ?? [])].filter((f) => f !== '\\Recent').sort());
    }
    return out;
  } finally {
    lock.release();
  }
}
