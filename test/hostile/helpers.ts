/**
 * Shared by the hostile-input and fault tests: mail and mbox generators (written to
 * os.tmpdir(), never committed), child processes, throwaway databases, and the ledger
 * behind the summary line "hostile inputs: N tried, 0 crashed, 0 lost; faults: M injected, 0 lost".
 *
 * Vitest runs each test file in its own process, so every file appends what it tried to a
 * ledger folder shared by one `vitest run` (keyed by the vitest main process); the file that
 * finishes last prints the totals.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { Sql } from 'postgres';
import type { MailFlag } from '../../lib/mail/types.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
export const HOSTILE_DIR = import.meta.dirname;

// ---------------------------------------------------------------------------------------------
// The ledger

export interface InputOutcome {
  crashed: boolean;
  lost: boolean;
}

interface LedgerLine {
  kind: 'input' | 'fault';
  name: string;
  crashed: boolean;
  lost: boolean;
}

/** One `vitest run`: the pid of vitest's main process and its start time (pids are reused). */
function runKey(): string {
  const ppid = process.ppid;
  let started = '0';
  try {
    started = readFileSync(`/proc/${ppid}/stat`, 'utf8').split(') ')[1]?.split(' ')[19] ?? '0';
  } catch {
    /* not Linux: the pid alone */
  }
  return `${ppid}-${started}`;
}

const LEDGER_ROOT = join(tmpdir(), 'patchloom-hostile-ledger');
const LEDGER = join(LEDGER_ROOT, runKey());

export interface Ledger {
  /** A hostile input was fed in: did the process crash, was the message lost? */
  input(name: string, outcome: InputOutcome): void;
  /** A fault was injected: was anything lost? */
  fault(name: string, outcome: { lost: boolean }): void;
  /** Call in afterAll: prints this file's counts, and the totals once every hostile file is done. */
  finish(): void;
}

function tally(lines: LedgerLine[]) {
  const inputs = lines.filter((l) => l.kind === 'input');
  const faults = lines.filter((l) => l.kind === 'fault');
  return {
    tried: inputs.length,
    crashed: inputs.filter((l) => l.crashed).length,
    lost: inputs.filter((l) => l.lost).length,
    injected: faults.length,
    faultLost: faults.filter((l) => l.lost).length,
  };
}

export function summaryLine(lines: LedgerLine[]): string {
  const t = tally(lines);
  return `hostile inputs: ${t.tried} tried, ${t.crashed} crashed, ${t.lost} lost; faults: ${t.injected} injected, ${t.faultLost} lost`;
}

function readLedger(file: string): LedgerLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as LedgerLine);
}

export function createLedger(testFile: string): Ledger {
  const name = basename(testFile);
  mkdirSync(LEDGER, { recursive: true });
  // Ledgers of earlier runs are litter after a day.
  for (const old of readdirSync(LEDGER_ROOT)) {
    const p = join(LEDGER_ROOT, old);
    if (p !== LEDGER && Date.now() - statSync(p).mtimeMs > 86_400_000) rmSync(p, { recursive: true, force: true });
  }
  const file = join(LEDGER, `${name}.jsonl`);
  rmSync(file, { force: true });
  rmSync(join(LEDGER, `${name}.done`), { force: true });
  const write = (l: LedgerLine) => appendFileSync(file, JSON.stringify(l) + '\n');
  return {
    input: (n, o) => write({ kind: 'input', name: n, crashed: o.crashed, lost: o.lost }),
    fault: (n, o) => write({ kind: 'fault', name: n, crashed: false, lost: o.lost }),
    finish() {
      writeFileSync(join(LEDGER, `${name}.done`), '');
      console.log(`${name}: ${summaryLine(readLedger(file))}`);
      const expected = readdirSync(HOSTILE_DIR).filter((f) => f.endsWith('.test.ts'));
      const done = new Set(readdirSync(LEDGER).filter((f) => f.endsWith('.done')).map((f) => f.slice(0, -5)));
      if (expected.every((f) => done.has(f))) {
        const all = expected.flatMap((f) => readLedger(join(LEDGER, `${f}.jsonl`)));
        const bad = all.filter((l) => l.crashed || l.lost).map((l) => `${l.kind} "${l.name}"${l.crashed ? ' crashed' : ''}${l.lost ? ' lost' : ''}`);
        console.log(`\n${summaryLine(all)}${bad.length ? `\n  ${bad.join('\n  ')}` : ''}\n`);
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Mail and mbox generators

export interface MailSpec {
  id?: string | null;
  subject?: string;
  from?: string;
  date?: string | null;
  inReplyTo?: string | null;
  references?: string[];
  headers?: string[];
  body?: string;
}

/** An RFC 5322 message with LF line endings (the headers given override nothing: they are added as they are). */
export function mailText(s: MailSpec): string {
  const h: string[] = [];
  if (s.id !== null) h.push(`Message-ID: <${s.id ?? `hostile-${Math.random().toString(36).slice(2)}@patchloom.test`}>`);
  h.push(`From: ${s.from ?? 'Hostile Tester <tester@patchloom.test>'}`);
  h.push(`Subject: ${s.subject ?? 'hostile input'}`);
  if (s.date !== null) h.push(`Date: ${s.date ?? 'Thu, 26 Nov 2026 10:00:00 +0000'}`);
  if (s.inReplyTo) h.push(`In-Reply-To: <${s.inReplyTo}>`);
  if (s.references?.length) h.push(`References: ${s.references.map((r) => `<${r}>`).join('\n ')}`);
  h.push(...(s.headers ?? []));
  const body = s.body ?? 'A hostile body.\n';
  return `${h.join('\n')}\n\n${body.endsWith('\n') ? body : body + '\n'}`;
}

export const FROM_LINE = 'From hostile@patchloom.test Thu Jan  1 00:00:00 1970\n';

/** mboxrd quoting of one message: every line matching /^>*From / gets one more '>' (lines end at LF only, as git and Python write them). */
export function mboxrdQuote(bytes: Buffer): Buffer {
  if (bytes.indexOf('From ') < 0) return bytes;
  return Buffer.from(bytes.toString('latin1').replace(/(^|\n)(>*From )/g, '$1>$2'), 'latin1');
}

/** The bytes Patchloom must store for a message written into an mbox: the message, ending in a newline. */
export function storedForm(message: Buffer | string): Buffer {
  const b = Buffer.isBuffer(message) ? message : Buffer.from(message, 'utf8');
  return b.length && b[b.length - 1] === 0x0a ? b : Buffer.concat([b, Buffer.from('\n')]);
}

/** One mbox entry: From_ line, quoted message, blank line. */
export function mboxEntry(message: Buffer | string): Buffer {
  return Buffer.concat([Buffer.from(FROM_LINE), mboxrdQuote(storedForm(message)), Buffer.from('\n')]);
}

export function mboxOf(messages: (Buffer | string)[]): Buffer {
  return Buffer.concat(messages.map(mboxEntry));
}

/** Stream messages into an mbox file without holding them; returns the count and size. */
export function writeMboxFile(path: string, messages: Iterable<Buffer | string>): { messages: number; bytes: number; sha256s: string[] } {
  const fd = openSync(path, 'w');
  let count = 0;
  let bytes = 0;
  const sha256s: string[] = [];
  let pending: Buffer[] = [];
  let pendingLen = 0;
  const flush = () => {
    const buf = Buffer.concat(pending, pendingLen);
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off);
    bytes += buf.length;
    pending = [];
    pendingLen = 0;
  };
  try {
    for (const m of messages) {
      sha256s.push(sha256(storedForm(m)));
      const e = mboxEntry(m);
      pending.push(e);
      pendingLen += e.length;
      count++;
      if (pendingLen > 4 << 20) flush();
    }
    flush();
  } finally {
    closeSync(fd);
  }
  return { messages: count, bytes, sha256s };
}

export function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/** A small deterministic PRNG (mulberry32), so generated archives are the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PEOPLE = [
  'Ada Lovelace <ada@kernel.test>',
  'Ingo Molnar <mingo@kernel.test>',
  'Dominik Brodowski <linux@dominikbrodowski.test>',
  'Thomas Gleixner <tglx@linutronix.test>',
  'Borislav Petkov <bp@alien8.test>',
  'Linus Torvalds <torvalds@linux-foundation.test>',
];
const FILES = ['arch/x86/entry/common.c', 'kernel/signal.c', 'fs/open.c', 'mm/mmap.c', 'include/linux/syscalls.h', 'net/socket.c'];

function dateOf(t: number): string {
  return new Date(t * 1000).toUTCString().replace('GMT', '+0000');
}

/** A patch body: commit message, a small diff of `lines` changed lines (the diff makes it a real patch). */
function patchBody(r: () => number, title: string, file: string, lines: number, signer: string): string {
  const minus: string[] = [];
  const plus: string[] = [];
  for (let i = 0; i < lines; i++) {
    minus.push(`-\tint old_value_${i} = compute(${Math.floor(r() * 1000)});`);
    plus.push(`+\tlong new_value_${i} = compute_checked(${Math.floor(r() * 1000)}, ctx);`);
  }
  return (
    `${title}: this changes the code path so that it does the right thing.\n\n` +
    `The old code could overflow on 32-bit. Use the checked helper instead.\n\n` +
    `Signed-off-by: ${signer}\n---\n ${file} | ${lines * 2} +-\n 1 file changed\n\n` +
    `diff --git a/${file} b/${file}\nindex 1111111..2222222 100644\n--- a/${file}\n+++ b/${file}\n` +
    `@@ -10,${lines + 2} +10,${lines + 2} @@ static int helper(void)\n {\n${minus.join('\n')}\n${plus.join('\n')}\n }\n--\n2.43.0\n`
  );
}

export interface ArchiveOptions {
  /** Stop after this many messages. */
  messages: number;
  seed: number;
  /** Lines changed per patch: the knob for message size (a line is about 100 bytes). */
  diffLines?: number;
  /** Every nth series is a v2 of the one before it (0: never). */
  v2Every?: number;
}

/**
 * LKML-like series traffic: cover letters, patches, reviews with trailers, v2s. Every
 * message is "normal" mail; the archive is as long as asked for.
 */
export function* seriesArchive(o: ArchiveOptions): Generator<string> {
  const r = rng(o.seed);
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)];
  let n = 0;
  let t = 1_767_000_000;
  let s = 0;
  let lastTitle = '';
  while (n < o.messages) {
    s++;
    const isV2 = o.v2Every ? s % o.v2Every === 0 && lastTitle !== '' : false;
    const title = isV2 ? lastTitle : `x86/entry: rework helper ${s} for ${pick(['syscalls', 'signals', 'mmap', 'sockets'])}`;
    lastTitle = title;
    const version = isV2 ? 'v2 ' : '';
    const total = 1 + Math.floor(r() * 5);
    const author = pick(PEOPLE);
    const coverId = `series-${o.seed}-${s}-cover@kernel.test`;
    const ids: string[] = [coverId];
    yield mailText({ id: coverId, from: author, date: dateOf(t++), subject: `[PATCH ${version}0/${total}] ${title}`, body: `This series reworks helper ${s}.\n\n${isV2 ? 'Changes in v2: addressed review.\n\n' : ''}Thanks.\n` });
    if (++n >= o.messages) return;
    for (let p = 1; p <= total; p++) {
      const id = `series-${o.seed}-${s}-${p}@kernel.test`;
      ids.push(id);
      const ptitle = `x86/entry: step ${p} of helper ${s}`;
      yield mailText({
        id,
        from: author,
        date: dateOf(t++),
        subject: `[PATCH ${version}${p}/${total}] ${ptitle}`,
        inReplyTo: coverId,
        references: [coverId],
        body: patchBody(r, ptitle, pick(FILES), o.diffLines ?? 3, author),
      });
      if (++n >= o.messages) return;
    }
    const replies = Math.floor(r() * 4);
    for (let k = 0; k < replies; k++) {
      const parent = pick(ids);
      const reviewer = pick(PEOPLE);
      const trailer = pick(['Reviewed-by', 'Acked-by', 'Tested-by']);
      const id = `series-${o.seed}-${s}-r${k}@kernel.test`;
      yield mailText({
        id,
        from: reviewer,
        date: dateOf(t++),
        subject: `Re: [PATCH ${version}${ids.indexOf(parent)}/${total}] ${title}`,
        inReplyTo: parent,
        references: parent === coverId ? [coverId] : [coverId, parent],
        body: `On some day, someone wrote:\n> This series reworks things.\n\nLooks good to me.\n\n${trailer}: ${reviewer}\n`,
      });
      ids.push(id);
      if (++n >= o.messages) return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// What the database holds about a message

export interface StoredState {
  /** The exact bytes are in raw_messages. */
  stored: boolean;
  /** How many raw rows hold these bytes (exactly-once storage means 1). */
  copies: number;
  /** A parsed (messages) row exists for the raw row. */
  indexed: boolean;
  status: string | null;
  flags: MailFlag[];
  messageId: string | null;
}

export async function storedState(sql: Sql, bytes: Buffer): Promise<StoredState> {
  const rows = await sql<{ id: string; parse_status: string; flags: MailFlag[]; message_id: string; indexed: boolean }[]>`
    select r.id, r.parse_status, r.flags, r.message_id, exists(select 1 from messages m where m.raw_id = r.id) as indexed
    from raw_messages r where r.sha256 = ${sha256(bytes)}`;
  const r = rows[0];
  return {
    stored: rows.length > 0,
    copies: rows.length,
    indexed: r?.indexed ?? false,
    status: r?.parse_status ?? null,
    flags: r?.flags ?? [],
    messageId: r?.message_id ?? null,
  };
}

/**
 * Not lost: stored once, indexed, and either parsed cleanly or flagged with a reason a
 * person can read.
 */
export function accountedFor(s: StoredState): boolean {
  if (!s.stored || s.copies !== 1 || !s.indexed) return false;
  if (s.status === 'parsed') return true;
  return (s.status === 'flagged' || s.status === 'unparsed') && s.flags.length > 0 && s.flags.every((f) => f.reason.length > 10);
}

/** Row counts of every table in the public schema. */
export async function tableCounts(sql: Sql): Promise<Record<string, number>> {
  const tables = await sql<{ tablename: string }[]>`select tablename from pg_tables where schemaname = 'public' order by tablename`;
  const out: Record<string, number> = {};
  for (const { tablename } of tables) {
    const [r] = await sql.unsafe<{ n: string }[]>(`select count(*) as n from "${tablename.replace(/"/g, '""')}"`);
    out[tablename] = Number(r.n);
  }
  return out;
}

/** Series and what hangs off them, in a comparable form (as the reindex integration test does). */
export async function derivedSnapshot(sql: Sql) {
  return {
    series: await sql`select key, title, version, status, received, missing, (select key from series p where p.id = s.previous_version_id) as prev from series s order by key`,
    patches: await sql`select s.key, p.number, p.message_id from patches p join series s on s.id = p.series_id order by 1, 2, 3`,
    trailers: await sql`select s.key, t.patch_number, t.kind, t.email, t.carried_from from trailers t join series s on s.id = t.series_id order by 1, 2, 3, 4, 5`,
    threads: await sql`select count(distinct thread_id)::int as n from messages`,
  };
}

// ---------------------------------------------------------------------------------------------
// Processes, ports, folders

export function scratchDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `patchloom-hostile-${prefix}-`));
}

export function freePort(): Promise<number> {
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

export interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Running {
  child: ChildProcess;
  exited: Promise<Exited>;
  output(): { stdout: string; stderr: string };
}

/** The environment with these changes; an undefined value removes the variable. */
export function withEnv(changes: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** `node <script> …` (default: the patchloom CLI) in the repository, with the given environment changes. */
export function spawnCli(args: string[], env: Record<string, string | undefined>, script = 'bin/patchloom.js'): Running {
  const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, env: withEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<Exited>((res) => child.once('close', (code, signal) => res({ code, signal, stdout, stderr })));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms = 60_000, every = 50): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

export { pidAlive } from '../../lib/db/embedded.ts';

/** A pid that belonged to a process that has exited (and so is free, barring reuse). */
export function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

/**
 * Mount a tmpfs on `dir` (root only). Returns null, with the reason, where mounting is not
 * allowed; the caller then tests the error path another way and says so.
 */
export function mountTmpfs(dir: string, options: string): { unmount(): void } | { unmount: null; reason: string } {
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) return { unmount: null, reason: (r.stderr || r.error?.message || `exit ${r.status}`).trim() };
  return {
    unmount() {
      for (let i = 0; i < 20; i++) {
        if (spawnSync('umount', [dir]).status === 0) return;
        spawnSync('sleep', ['0.2']);
      }
      spawnSync('umount', ['-l', dir]);
    },
  };
}
