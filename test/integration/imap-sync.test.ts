/**
 * ingest/sync.ts end to end: a throwaway Dovecot (test/helpers/dovecot.ts) and a throwaway
 * PostgreSQL database (test/helpers/db.ts). Mail is APPENDed with a second IMAP client; what the
 * sync stored is read back with SQL.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImapFlow } from 'imapflow';
import postgres from 'postgres';
import { append, dovecotAvailable, describeDovecot, flagsOf, startDovecot, waitFor, writerFor, type Dovecot } from '../helpers/dovecot.ts';
import { createTestDatabase, describeDb, postgresAvailable, type TestDatabase } from '../helpers/db.ts';
import { corpusAvailable, describeCorpus, readCorpus } from '../helpers/corpus.ts';
import { messagesOfFile } from '../../lib/mail/read.ts';
import { sha256Hex } from '../../lib/mail/ids.ts';
import { loadCheckpoint, saveCheckpoint, tryLockMailbox } from '../../lib/db/checkpoints.ts';
import { loadImapAccounts, runSync, storeImapBatch, type SyncOptions } from '../../ingest/sync.ts';
import { ImapSetupError, type ImapAccount, type ImapMessage } from '../../ingest/imap.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

/** Needs Dovecot, PostgreSQL and the corpus: skips with a message naming what is missing (fails under CI=true). */
const describeSync: typeof describe = !dovecotAvailable ? describeDovecot : !postgresAvailable ? describeDb : !corpusAvailable ? describeCorpus : describe;

/** What Dovecot hands back for an APPENDed message: bare LF becomes CRLF, nothing else changes. */
const asStored = (raw: Buffer) => Buffer.from(raw.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


/** The lsm-syscalls v4 series from the corpus, then the seed thread (v1, v2, the tip-bot mail). */
function testMail(): { name: string; bytes: Buffer }[] {
  const split = (name: string, data: Buffer) => messagesOfFile(data).map((m, i) => ({ name: `${name}#${i + 1}`, bytes: m.bytes }));
  const seed = (f: string) => readFileSync(join(ROOT, 'test/fixtures/seed', f));
  return [
    ...split('lsm-syscalls/v4-0of8.mbox', readCorpus('lkml/threads/lsm-syscalls/v4-0of8.mbox')),
    ...split('seed/v1.mbox', seed('v1.mbox')),
    ...split('seed/v2.mbox', seed('v2.mbox')),
    { name: 'seed/tip-bot.eml', bytes: seed('tip-bot.eml') },
  ];
}

/** A small message of its own (unique Message-ID, so unique bytes). */
function note(id: string, subject = `note ${id}`): Buffer {
  return Buffer.from(`From: Test Sender <sender@example.org>\nTo: linux-kernel@vger.kernel.org\nSubject: ${subject}\nDate: Mon, 9 Apr 2018 12:00:00 +0000\nMessage-ID: <${id}@test.example>\n\nbody of ${id}\n`);
}



async function uidValidityOf(client: ImapFlow, mailbox: string): Promise<string> {
  const status = await client.status(mailbox, { uidValidity: true });
  if (!status || status.uidValidity === undefined) throw new Error(`STATUS ${mailbox} gave no UIDVALIDITY`);
  return String(status.uidValidity);
}


const ACCOUNT = 'lkml-test';

function accountFor(d: Dovecot, mailboxes: string[], extra: Partial<ImapAccount> = {}): ImapAccount {
  return { name: ACCOUNT, host: d.host, port: d.port, secure: false, user: d.user, password: d.password, mailboxes, ...extra };
}

/** message_sources rows of one mailbox: uid → number of rows, for the given UIDVALIDITY (default all). */
async function sourcesPerUid(t: TestDatabase, mailbox: string, uidValidity?: string): Promise<Map<number, number>> {
  const rows = await t.sql<{ uid: string; n: string }[]>`
    select uid, count(*) as n from message_sources
    where kind = 'imap' and account = ${ACCOUNT} and mailbox = ${mailbox} ${uidValidity ? t.sql`and uid_validity = ${uidValidity}` : t.sql``}
    group by uid order by uid`;
  return new Map(rows.map((r) => [Number(r.uid), Number(r.n)]));
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

function logCollector() {
  const lines: string[] = [];
  return { lines, log: (l: string) => void lines.push(l) };
}

describeSync('patchloom sync: IMAP into PostgreSQL', () => {
  let t: TestDatabase;
  let d: Dovecot;
  let writer: ImapFlow;
  const mail = testMail();

  beforeAll(async () => {
    [t, d] = await Promise.all([createTestDatabase(), startDovecot()]);
    writer = await writerFor(d);
  });

  afterAll(async () => {
    await writer?.logout().catch(() => {});
    await d?.destroy();
    await t?.drop();
  });

  it('initial sync: every message stored once with its IMAP coordinates, checkpoint saved, flags untouched', async () => {
    // 10 messages of the v4 series, 15 + 10 of the seed thread, the tip-bot mail, and one malformed
    // message (no Message-ID, a header line without a colon) in the middle.
    const malformed = Buffer.from('From: Broken <broken@example.org>\nSubject: broken\nThis header line has no colon\n\nbody\n');
    const raws = [...mail.slice(0, 12).map((m) => m.bytes), malformed, ...mail.slice(12).map((m) => m.bytes)];
    expect(mail).toHaveLength(10 + 15 + 10 + 1);
    await writer.mailboxCreate('lkml');
    await append(writer, 'lkml', raws.slice(0, 5), ['\\Flagged']);
    await append(writer, 'lkml', raws.slice(5));
    const uidValidity = await uidValidityOf(writer, 'lkml');
    const flagsBefore = await flagsOf(writer, 'lkml');

    const progress: number[] = [];
    const summary = await runSync(t, [accountFor(d, ['lkml'])], { once: true, batchSize: 10, onProgress: (p) => progress.push(p.messages) });

    expect(summary).toMatchObject({ mailboxes: 1, messages: raws.length, added: raws.length, duplicates: 0, stopped: false });
    expect(summary.flagged).toBeGreaterThanOrEqual(1);
    expect(progress).toEqual([10, 20, 30, 37]);

    // Each UID once, pointing at the raw bytes Dovecot holds for it (CRLF), each hash stored once.
    const rows = await t.sql<{ uid: string; uid_validity: string; source_key: string; sha256: string; raw: Buffer }[]>`
      select s.uid, s.uid_validity, s.source_key, r.sha256, r.raw from message_sources s join raw_messages r on r.id = s.raw_id
      where s.mailbox = 'lkml' order by s.uid`;
    expect(rows.map((r) => Number(r.uid))).toEqual(range(raws.length));
    for (const [i, r] of rows.entries()) {
      expect(r.uid_validity).toBe(uidValidity);
      expect(r.source_key).toBe(`imap:${ACCOUNT}/lkml/${uidValidity}/${i + 1}`);
      expect(r.sha256).toBe(sha256Hex(asStored(raws[i])));
      expect(r.raw.equals(asStored(raws[i]))).toBe(true);
    }
    const [{ n: rawCount }] = await t.sql<{ n: string }[]>`select count(*) as n from raw_messages`;
    expect(Number(rawCount)).toBe(raws.length);

    expect(await loadCheckpoint(t.sql, ACCOUNT, 'lkml')).toEqual({ uidValidity, lastUid: raws.length });

    // Parsed and threaded by the pipeline: the seed v1 thread is one thread, v2 and the tip-bot
    // notification (In-Reply-To v2 1/8) another.
    const threadOf = async (ids: string[]) =>
      new Set((await t.sql<{ thread_id: string }[]>`select thread_id from messages where message_id = any(${ids})`).map((r) => r.thread_id));
    const v1 = await threadOf(['20180405095307.3730-1-linux@dominikbrodowski.net', '20180406083110.GA22791@light.dominikbrodowski.net', '20180405204102.GA7395@light.dominikbrodowski.net']);
    expect(v1.size).toBe(1);
    const tip = await threadOf(['tip-1bd21c6c21e848996339508d3ffb106d505256a8@git.kernel.org', '20180409105145.5364-2-linux@dominikbrodowski.net']);
    expect(tip.size).toBe(1);
    const [{ n: messageRows }] = await t.sql<{ n: string }[]>`select count(*) as n from messages`;
    expect(Number(messageRows)).toBe(raws.length);

    // The malformed message is stored and flagged; the messages after it were stored too.
    const [broken] = await t.sql<{ parse_status: string; flags: { kind: string; reason: string }[] }[]>`
      select parse_status, flags from raw_messages where sha256 = ${sha256Hex(asStored(malformed))}`;
    expect(broken.parse_status).toBe('flagged');
    expect(broken.flags.length).toBeGreaterThan(0);

    // One import run of kind 'imap' per IMAP batch, all done, adding up to the whole mailbox.
    const runs = await t.sql<{ kind: string; state: string; source: string; added: number; total_bytes: string; done_bytes: string }[]>`
      select kind, state, source, added, total_bytes, done_bytes from import_runs order by id`;
    expect(runs.map((r) => [r.kind, r.state])).toEqual(Array(4).fill(['imap', 'done']));
    expect(runs.reduce((n, r) => n + r.added, 0)).toBe(raws.length);
    expect(runs[0].source).toBe(`${ACCOUNT}/lkml (UIDVALIDITY ${uidValidity}) UIDs 1-10`);
    expect(runs.every((r) => r.total_bytes === r.done_bytes)).toBe(true);

    // EXAMINE and BODY.PEEK: no \Seen, \Flagged kept (checked from a separate session).
    const checker = await writerFor(d);
    try {
      const flagsAfter = await flagsOf(checker, 'lkml');
      expect(flagsAfter).toEqual(flagsBefore);
      expect(flagsAfter.get(1)).toEqual(['\\Flagged']);
      expect([...flagsAfter.values()].some((f) => f.includes('\\Seen'))).toBe(false);
    } finally {
      await checker.logout();
    }

    // A second run resumes at the checkpoint: nothing fetched, nothing changed.
    const again = await runSync(t, [accountFor(d, ['lkml'])], { once: true });
    expect(again).toMatchObject({ messages: 0, added: 0 });
    const [{ n: runsAfter }] = await t.sql<{ n: string }[]>`select count(*) as n from import_runs`;
    expect(Number(runsAfter)).toBe(4);
  });

  it('follows the mailbox: a message APPENDed during IDLE is in `messages` within a few seconds', async () => {
    await writer.mailboxCreate('live');
    await append(writer, 'live', [note('live-1')]);
    const ac = new AbortController();
    const logs = logCollector();
    let caughtUp = false;
    const running = runSync(t, [accountFor(d, ['live'])], { signal: ac.signal, pollMs: 60_000, log: logs.log, onCaughtUp: () => (caughtUp = true) });
    try {
      await waitFor('the initial sync', () => caughtUp, 10_000);
      const inMessages = async (id: string) => (await t.sql`select 1 from messages where message_id = ${id}`).length === 1;
      expect(await inMessages('live-1@test.example')).toBe(true);
      await sleep(300); // into IDLE
      const [uid] = await append(writer, 'live', [note('live-2')]);
      // pollMs is a minute away: only IDLE can bring it this fast
      const ms = await waitFor('the IDLE delivery', () => inMessages('live-2@test.example'), 5000);
      expect(ms).toBeLessThan(5000);
      await waitFor('the log line', () => logs.lines.includes(`[${ACCOUNT}/live] 1 new message (UID ${uid})`), 2000);
      await waitFor('the checkpoint', async () => (await loadCheckpoint(t.sql, ACCOUNT, 'live'))?.lastUid === uid, 2000);
    } finally {
      ac.abort();
    }
    const stopping = Date.now();
    const summary = await running;
    expect(Date.now() - stopping).toBeLessThan(5000);
    expect(summary).toMatchObject({ added: 2, stopped: true });
    const [{ n }] = await t.sql<{ n: string }[]>`select count(*) as n from import_runs where kind = 'imap' and state = 'running'`;
    expect(Number(n)).toBe(0);
  });

  it('UIDVALIDITY change: the recreated mailbox is read again without duplicate raw messages', async () => {
    const first = [note('uv-1'), note('uv-2'), note('uv-3')];
    await writer.mailboxCreate('recreated');
    await append(writer, 'recreated', first);
    const oldValidity = await uidValidityOf(writer, 'recreated');
    expect(await runSync(t, [accountFor(d, ['recreated'])], { once: true })).toMatchObject({ added: 3 });

    await writer.mailboxDelete('recreated');
    await sleep(1100); // Dovecot derives UIDVALIDITY from the clock in seconds
    await writer.mailboxCreate('recreated');
    await append(writer, 'recreated', [...first, note('uv-4')]);
    const newValidity = await uidValidityOf(writer, 'recreated');
    expect(newValidity).not.toBe(oldValidity);

    const logs = logCollector();
    const summary = await runSync(t, [accountFor(d, ['recreated'])], { once: true, log: logs.log });
    expect(summary).toMatchObject({ messages: 4, added: 1, duplicates: 3 });
    expect(logs.lines.some((l) => l.includes(`UIDVALIDITY changed from ${oldValidity} to ${newValidity}`))).toBe(true);

    const hashes = [...first, note('uv-4')].map((b) => sha256Hex(asStored(b)));
    const raw = await t.sql<{ sha256: string }[]>`select sha256 from raw_messages where sha256 = any(${hashes})`;
    expect(raw.map((r) => r.sha256).sort()).toEqual([...hashes].sort());
    const msgs = await t.sql<{ message_id: string }[]>`select message_id from messages where message_id like 'uv-%' order by message_id`;
    expect(msgs.map((m) => m.message_id)).toEqual(['uv-1@test.example', 'uv-2@test.example', 'uv-3@test.example', 'uv-4@test.example']);
    // Both sets of coordinates are kept; the checkpoint has the new UIDVALIDITY.
    expect([...(await sourcesPerUid(t, 'recreated', oldValidity)).entries()]).toEqual(range(3).map((u) => [u, 1]));
    expect([...(await sourcesPerUid(t, 'recreated', newValidity)).entries()]).toEqual(range(4).map((u) => [u, 1]));
    expect(await loadCheckpoint(t.sql, ACCOUNT, 'recreated')).toEqual({ uidValidity: newValidity, lastUid: 4 });
  });

  it('two workers on one mailbox at once: one syncs, the other waits for the lock; nothing twice', async () => {
    const raws = range(40).map((i) => note(`two-${i}`));
    await writer.mailboxCreate('shared');
    await append(writer, 'shared', raws);
    // Each worker with its own connection pool, as on two machines; derive is slowed down so the
    // first worker is still busy when the second asks for the lock.
    const pools = [postgres(t.url, { max: 4, onnotice: () => {} }), postgres(t.url, { max: 4, onnotice: () => {} })];
    const logs = [logCollector(), logCollector()];
    let firstBatchStored!: () => void;
    const aIsSyncing = new Promise<void>((r) => (firstBatchStored = r));
    const opts = (i: number): SyncOptions => ({
      once: true,
      batchSize: 5,
      lockRetryMs: 100,
      log: logs[i].log,
      derive: async () => void (await sleep(50)),
      onProgress: () => firstBatchStored(),
    });
    try {
      const [a, b] = await Promise.all([
        runSync({ sql: pools[0], url: t.url }, [accountFor(d, ['shared'])], opts(0)),
        aIsSyncing.then(() => runSync({ sql: pools[1], url: t.url }, [accountFor(d, ['shared'])], opts(1))),
      ]);
      expect(a.added).toBeGreaterThan(0);
      expect(a.added + b.added).toBe(40);
      expect(a.messages + b.messages).toBe(40); // the second found nothing left to fetch
      expect(logs[1].lines).toContain(`mailbox ${ACCOUNT}/shared is being synced by another worker; waiting (trying again every 100ms)`);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
    expect([...(await sourcesPerUid(t, 'shared')).entries()]).toEqual(range(40).map((u) => [u, 1]));
    const [{ n }] = await t.sql<{ n: string }[]>`select count(*) as n from raw_messages where sha256 = any(${raws.map((r) => sha256Hex(asStored(r)))})`;
    expect(Number(n)).toBe(40);
  });

  it('a following worker is a standby for another: it takes over when the first stops', async () => {
    await writer.mailboxCreate('standby');
    await append(writer, 'standby', [note('sb-1')]);
    const logsA = logCollector();
    const logsB = logCollector();
    const acA = new AbortController();
    const acB = new AbortController();
    let aCaughtUp = false;
    let bCaughtUp = false;
    const common: SyncOptions = { pollMs: 60_000, lockRetryMs: 100 };
    const a = runSync(t, [accountFor(d, ['standby'])], { ...common, signal: acA.signal, log: logsA.log, onCaughtUp: () => (aCaughtUp = true) });
    let b: Promise<unknown> | undefined;
    try {
      await waitFor('worker A caught up', () => aCaughtUp, 10_000);
      b = runSync(t, [accountFor(d, ['standby'])], { ...common, signal: acB.signal, log: logsB.log, onCaughtUp: () => (bCaughtUp = true) });
      // B waits for the lock, which counts as caught up (A follows the mailbox)
      await waitFor('worker B waiting', () => bCaughtUp, 5000);
      expect(logsB.lines).toEqual([`mailbox ${ACCOUNT}/standby is being synced by another worker; waiting (trying again every 100ms)`]);
      await sleep(300);
      await append(writer, 'standby', [note('sb-2')]);
      await waitFor('sb-2 through worker A', async () => (await sourcesPerUid(t, 'standby')).size === 2, 5000);
      await waitFor('worker A to log it', () => logsA.lines.includes(`[${ACCOUNT}/standby] 1 new message (UID 2)`), 2000);

      acA.abort();
      await a;
      await waitFor('worker B taking over', () => logsB.lines.some((l) => l.includes('is no longer synced by another worker')), 5000);
      await sleep(500); // B's first pass, then IDLE
      await append(writer, 'standby', [note('sb-3')]);
      await waitFor('sb-3 through worker B', async () => (await sourcesPerUid(t, 'standby')).size === 3, 5000);
      await waitFor('worker B to log it', () => logsB.lines.includes(`[${ACCOUNT}/standby] 1 new message (UID 3)`), 2000);
    } finally {
      acA.abort();
      acB.abort();
      await Promise.all([a, b]);
    }
    expect([...(await sourcesPerUid(t, 'standby')).entries()]).toEqual(range(3).map((u) => [u, 1]));
  });

  it('several mailboxes: each synced with a checkpoint of its own; a missing one stops a following sync with ImapSetupError', async () => {
    await writer.mailboxCreate('multi-a');
    await writer.mailboxCreate('multi-b');
    await append(writer, 'multi-a', [note('ma-1'), note('ma-2')]);
    await append(writer, 'multi-b', [note('mb-1'), note('mb-2'), note('mb-3')]);
    const summary = await runSync(t, [accountFor(d, ['multi-a', 'multi-b'])], { once: true });
    expect(summary).toMatchObject({ mailboxes: 2, added: 5 });
    expect((await loadCheckpoint(t.sql, ACCOUNT, 'multi-a'))?.lastUid).toBe(2);
    expect((await loadCheckpoint(t.sql, ACCOUNT, 'multi-b'))?.lastUid).toBe(3);

    const ac = new AbortController();
    const started = Date.now();
    const err = await runSync(t, [accountFor(d, ['multi-a', 'no-such-list'])], { signal: ac.signal }).catch((e: unknown) => e);
    ac.abort();
    expect(err).toBeInstanceOf(ImapSetupError);
    expect((err as Error).message).toMatch(/^IMAP mailbox "no-such-list" does not exist/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('without the lock, the unique keys still keep a batch stored by two writers at once to one copy', async () => {
    const batch: ImapMessage[] = range(5).map((uid) => ({
      account: ACCOUNT,
      mailbox: 'race',
      uidValidity: '77',
      uid,
      bytes: asStored(note(`race-${uid}`)),
      internalDate: null,
    }));
    const cp = { account: ACCOUNT, mailbox: 'race', uidValidity: '77', lastUid: 5 };
    const [x, y] = await Promise.all([storeImapBatch(t.sql, batch, cp), storeImapBatch(t.sql, batch, cp)]);
    expect((x?.added ?? 0) + (y?.added ?? 0)).toBe(5);
    expect((x?.duplicates ?? 0) + (y?.duplicates ?? 0)).toBe(5);
    expect([...(await sourcesPerUid(t, 'race')).entries()]).toEqual(range(5).map((u) => [u, 1]));
    const [{ n }] = await t.sql<{ n: string }[]>`select count(*) as n from messages where message_id like 'race-%'`;
    expect(Number(n)).toBe(5);
  });

  it('the checkpoint never moves back within one UIDVALIDITY, and a new UIDVALIDITY replaces it', async () => {
    const key = { account: ACCOUNT, mailbox: 'cp' };
    await saveCheckpoint(t.sql, { ...key, uidValidity: '5', lastUid: 40 });
    await saveCheckpoint(t.sql, { ...key, uidValidity: '5', lastUid: 12 }); // a worker that lost its lock, late
    expect(await loadCheckpoint(t.sql, ACCOUNT, 'cp')).toEqual({ uidValidity: '5', lastUid: 40 });
    await saveCheckpoint(t.sql, { ...key, uidValidity: '6', lastUid: 0 });
    expect(await loadCheckpoint(t.sql, ACCOUNT, 'cp')).toEqual({ uidValidity: '6', lastUid: 0 });
    expect(await loadCheckpoint(t.sql, ACCOUNT, 'no-such-mailbox')).toBeNull();
  });

  it('the mailbox lock: one holder at a time, free again after release or when its connection ends', async () => {
    {
      const lock = await tryLockMailbox(t.url, ACCOUNT, 'locked');
      expect(lock).not.toBeNull();
      expect(await lock!.held()).toBe(true);
      expect(await tryLockMailbox(t.url, ACCOUNT, 'locked')).toBeNull();
      const elsewhere = await tryLockMailbox(t.url, ACCOUNT, 'another-mailbox');
      expect(elsewhere).not.toBeNull(); // locks are per mailbox
      await elsewhere!.release();
      await lock!.release();
      expect(await lock!.held()).toBe(false);
      const again = await tryLockMailbox(t.url, ACCOUNT, 'locked');
      expect(again).not.toBeNull();
      // The holder's connection dies: the lock goes with it, and held() says so.
      const [{ pid }] = await t.sql<{ pid: number }[]>`
        select l.pid from pg_locks l where l.locktype = 'advisory' and l.classid = 7243913 and l.objid = hashtext(${`${ACCOUNT}/locked`})::oid`;
      await t.sql`select pg_terminate_backend(${pid})`;
      await waitFor('the lock to go', async () => (await again!.held()) === false, 5000);
      await again!.release(); // never throws
      const third = await tryLockMailbox(t.url, ACCOUNT, 'locked');
      expect(third).not.toBeNull();
      await third!.release();
    }
    // every lock connection is closed
    await waitFor(
      'the lock connections to close',
      async () => (await t.sql`select 1 from pg_stat_activity where application_name = 'patchloom-sync-lock' and datname = current_database()`).length === 0,
      5000,
    );
  });
});

describeSync('patchloom sync: Dovecot stops mid-sync', () => {
  let t: TestDatabase;
  let d: Dovecot;

  beforeAll(async () => {
    [t, d] = await Promise.all([createTestDatabase(), startDovecot()]);
  });

  afterAll(async () => {
    await d?.destroy();
    await t?.drop();
  });

  it('keeps going after Dovecot comes back; every UID stored exactly once', async () => {
    const total = 60;
    const writer = await writerFor(d);
    await append(writer, 'INBOX', range(total).map((i) => note(`restart-${i}`)));
    await writer.logout();

    let batches = 0;
    const logs = logCollector();
    const ac = new AbortController();
    let caughtUp = false;
    const running = runSync(t, [accountFor(d, ['INBOX'])], {
      signal: ac.signal,
      batchSize: 5,
      reconnectDelayMs: 200,
      pollMs: 60_000,
      log: logs.log,
      onCaughtUp: () => (caughtUp = true),
      // 12 batches of at least 100 ms each: Dovecot (about a second to stop) stops mid-sync
      derive: async () => {
        batches++;
        await sleep(100);
      },
    });
    try {
      await waitFor('two batches', () => batches >= 2, 10_000);
      await d.stop();
      const atStop = (await sourcesPerUid(t, 'INBOX')).size;
      expect(atStop).toBeLessThan(total);
      await sleep(800);
      await d.start();
      await waitFor(`all ${total} messages`, async () => (await sourcesPerUid(t, 'INBOX')).size === total, 30_000);
      await waitFor('the end of the initial sync', () => caughtUp, 10_000);
    } finally {
      ac.abort();
    }
    await running;
    expect([...(await sourcesPerUid(t, 'INBOX')).entries()]).toEqual(range(total).map((u) => [u, 1]));
    expect((await loadCheckpoint(t.sql, ACCOUNT, 'INBOX'))?.lastUid).toBe(total);
    expect(logs.lines.some((l) => /^\[lkml-test\/INBOX\] IMAP sync of lkml-test \(127\.0\.0\.1:\d+\) failed: .+; trying again in 200ms$/.test(l))).toBe(true);
    const [{ n }] = await t.sql<{ n: string }[]>`select count(*) as n from raw_messages`;
    expect(Number(n)).toBe(total);
  });
});

describeSync('patchloom sync: the command line', () => {
  let t: TestDatabase;
  let d: Dovecot;
  let dir: string;

  beforeAll(async () => {
    // Dovecot delays every login after a failed one unless told otherwise.
    [t, d] = await Promise.all([createTestDatabase(), startDovecot({ extraConfig: 'auth_failure_delay = 0' })]);
    dir = mkdtempSync(join(tmpdir(), 'patchloom-sync-cli-'));
    const writer = await writerFor(d);
    await append(writer, 'INBOX', [note('cli-1'), note('cli-2')]);
    await writer.logout();
  });

  afterAll(async () => {
    await d?.destroy();
    await t?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** `node bin/patchloom.js sync ...` with only the given PATCHLOOM_IMAP_* variables. */
  async function cli(args: string[], imapEnv: Record<string, string>, cwd = ROOT): Promise<{ code: number; stdout: string; stderr: string }> {
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: t.url, PATCHLOOM_MIGRATIONS_DIR: join(ROOT, 'drizzle'), ...imapEnv };
    for (const k of Object.keys(env)) if (k.startsWith('PATCHLOOM_IMAP_') && !(k in imapEnv)) delete env[k];
    try {
      const { stdout, stderr } = await run(process.execPath, [join(ROOT, 'bin/patchloom.js'), 'sync', ...args], {
        cwd,
        env,
        timeout: 60_000,
        encoding: 'utf8',
      });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  }

  const envFor = (over: Record<string, string> = {}) => ({
    PATCHLOOM_IMAP_HOST: d.host,
    PATCHLOOM_IMAP_PORT: String(d.port),
    PATCHLOOM_IMAP_TLS: '0',
    PATCHLOOM_IMAP_USER: d.user,
    PATCHLOOM_IMAP_PASSWORD: d.password,
    ...over,
  });

  it('wrong password: exits non-zero with one clear line', async () => {
    const r = await cli(['--once'], envFor({ PATCHLOOM_IMAP_PASSWORD: 'wrong' }));
    expect(r.code).not.toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^patchloom: IMAP login to 127\\.0\\.0\\.1:${d.port} as ${d.user} failed: .*Authentication failed.*Check PATCHLOOM_IMAP_USER / PASSWORD`));
    expect(r.stdout).toBe('');
  });

  it('not configured: says how to configure it', async () => {
    const r = await cli(['--once'], {}, dir);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toMatch(/^patchloom: IMAP is not configured\. Set PATCHLOOM_IMAP_HOST/);
  });

  it('--once with the environment: syncs, prints a summary, and a second run adds nothing', async () => {
    const r = await cli(['--once'], envFor());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('1 mailbox: 2 new, 0 already stored, 0 flagged (2 messages fetched, 0.0 MB)\n');
    const again = await cli(['--once'], envFor());
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^1 mailbox: 0 new/);
    const [{ n }] = await t.sql<{ n: string }[]>`select count(*) as n from message_sources where account = ${`${d.user}@${d.host}`}`;
    expect(Number(n)).toBe(2);
  });

  it('unknown mailbox: exits non-zero with one line naming it', async () => {
    const r = await cli(['--once'], envFor({ PATCHLOOM_IMAP_MAILBOXES: 'INBOX,lists/nope' }));
    expect(r.code).not.toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^patchloom: IMAP mailbox "lists\/nope" does not exist on 127\.0\.0\.1:\d+ for test/);
    // `--once` still syncs the mailboxes that exist
    const added = await cli(['--once'], envFor({ PATCHLOOM_IMAP_MAILBOXES: 'INBOX' }));
    expect(added.stdout).toMatch(/^1 mailbox: 0 new, 0 already stored/);
  });

  it('--config: reads patchloom.config.json with a password file; the environment wins when PATCHLOOM_IMAP_HOST is set', async () => {
    writeFileSync(join(dir, 'imap-password'), `${d.password}\n`);
    const config = { imap: [{ name: 'from-config', host: d.host, port: d.port, tls: false, user: d.user, passwordFile: 'imap-password', mailboxes: ['INBOX'] }] };
    writeFileSync(join(dir, 'patchloom.config.json'), JSON.stringify(config));
    const r = await cli(['--once', '--config', join(dir, 'patchloom.config.json')], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^1 mailbox: 0 new, 2 already stored/); // same bytes as the environment's account stored
    const [{ n }] = await t.sql<{ n: string }[]>`select count(*) as n from message_sources where account = 'from-config'`;
    expect(Number(n)).toBe(2);

    // loadImapAccounts: the file in the working directory, unless PATCHLOOM_IMAP_HOST is set
    expect(loadImapAccounts({ cwd: dir, env: {} }).accounts.map((a) => a.name)).toEqual(['from-config']);
    expect(loadImapAccounts({ cwd: dir, env: envFor() }).accounts.map((a) => a.name)).toEqual([`${d.user}@${d.host}`]);
    expect(loadImapAccounts({ cwd: tmpdir(), env: {} })).toEqual({ accounts: [], source: null });
    writeFileSync(join(dir, 'broken.json'), '{ "imap": [ }');
    expect(() => loadImapAccounts({ configPath: join(dir, 'broken.json'), env: {} })).toThrow(ImapSetupError);
    expect(() => loadImapAccounts({ configPath: join(dir, 'broken.json'), env: {} })).toThrow(/broken\.json is not valid JSON/);
    expect(() => loadImapAccounts({ configPath: join(dir, 'missing.json'), env: {} })).toThrow(/missing\.json: no such file/);
  });
});
