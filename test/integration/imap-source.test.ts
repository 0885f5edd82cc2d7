/**
 * ingest/imap.ts against a real Dovecot (test/helpers/dovecot.ts), with SyncHooks kept in memory.
 * Messages are APPENDed from the corpus with a second imapflow client.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImapFlow } from 'imapflow';
import {
  ImapSetupError,
  imapAccountsFromConfig,
  imapAccountsFromEnv,
  syncForever,
  syncOnce,
  type ImapAccount,
  type ImapMessage,
  type MailboxCheckpoint,
  type SyncHooks,
} from '../../ingest/imap.ts';
import { append, describeDovecot, flagsOf, startDovecot, waitFor, writerFor, type Dovecot } from '../helpers/dovecot.ts';
import { corpusAvailable, corpusPath } from '../helpers/corpus.ts';

const ROBOT_DIR = 'lkml/kernel-test-robot';

/** The corpus messages (LF line endings), or small stand-ins where the corpus is absent. */
function corpusMessages(): { name: string; bytes: Buffer }[] {
  if (!corpusAvailable) {
    return Array.from({ length: 7 }, (_, i) => ({
      name: `stand-in-${i}`,
      bytes: Buffer.from(`From: robot@example.org\nSubject: stand-in ${i}\nMessage-ID: <s${i}@example.org>\n\nbody ${i}\n\tdiff line \n`),
    }));
  }
  const dir = corpusPath(ROBOT_DIR);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .sort()
    .map((name) => ({ name, bytes: readFileSync(`${dir}/${name}`) }));
}

/** What Dovecot hands back for an APPENDed message: bare LF becomes CRLF, nothing else changes. */
const asStored = (raw: Buffer) => Buffer.from(raw.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


/** SyncHooks over Maps. Checks the ordering promises of the API as it goes. */
function memoryHooks(opts: { storeDelayMs?: number } = {}) {
  const key = (account: string, mailbox: string) => `${account}/${mailbox}`;
  const messages = new Map<string, ImapMessage>(); // account/mailbox/uidValidity/uid
  const timesStored = new Map<string, number>();
  const checkpoints = new Map<string, MailboxCheckpoint>();
  const batches: { uids: number[]; checkpoint: MailboxCheckpoint }[] = [];
  const validityChanges: { account: string; mailbox: string; oldValue: string; newValue: string }[] = [];
  const progress: { done: number; total: number; bytes: number }[] = [];
  const logs: string[] = [];
  const hooks: SyncHooks = {
    async loadCheckpoint(account, mailbox) {
      const cp = checkpoints.get(key(account, mailbox));
      return cp ? { ...cp } : null;
    },
    async storeBatch(batch, cp) {
      const prev = checkpoints.get(key(cp.account, cp.mailbox));
      let floor = prev && prev.uidValidity === cp.uidValidity ? prev.lastUid : 0;
      for (const m of batch) {
        if (m.uid <= floor) throw new Error(`storeBatch: UID ${m.uid} is not above ${floor}`);
        if (m.uid > cp.lastUid) throw new Error(`storeBatch: UID ${m.uid} is above the checkpoint ${cp.lastUid}`);
        if (m.uidValidity !== cp.uidValidity || m.account !== cp.account || m.mailbox !== cp.mailbox) throw new Error('storeBatch: coordinates differ from the checkpoint');
        floor = m.uid;
      }
      if (opts.storeDelayMs) await sleep(opts.storeDelayMs);
      for (const m of batch) {
        const k = `${m.account}/${m.mailbox}/${m.uidValidity}/${m.uid}`;
        messages.set(k, m);
        timesStored.set(k, (timesStored.get(k) ?? 0) + 1);
      }
      checkpoints.set(key(cp.account, cp.mailbox), { uidValidity: cp.uidValidity, lastUid: cp.lastUid });
      batches.push({ uids: batch.map((m) => m.uid), checkpoint: { uidValidity: cp.uidValidity, lastUid: cp.lastUid } });
    },
    async onUidValidityChange(account, mailbox, oldValue, newValue) {
      validityChanges.push({ account, mailbox, oldValue, newValue });
    },
    onProgress(p) {
      progress.push({ done: p.done, total: p.total, bytes: p.bytes });
    },
    log(line) {
      logs.push(line);
    },
  };
  const inMailbox = (account: string, mailbox: string) =>
    [...messages.values()].filter((m) => m.account === account && m.mailbox === mailbox).sort((a, b) => a.uid - b.uid);
  return { hooks, messages, timesStored, checkpoints, batches, validityChanges, progress, logs, inMailbox };
}


function accountFor(d: Dovecot, mailboxes: string[], extra: Partial<ImapAccount> = {}): ImapAccount {
  return { name: 'test-account', host: d.host, port: d.port, secure: false, user: d.user, password: d.password, mailboxes, ...extra };
}



describeDovecot('IMAP source against Dovecot', () => {
  let d: Dovecot;
  let writer: ImapFlow;
  const corpus = corpusMessages();

  beforeAll(async () => {
    d = await startDovecot();
    writer = await writerFor(d);
  });

  afterAll(async () => {
    await writer?.logout().catch(() => {});
    await d?.destroy();
  });

  it('fetches every message in UID batches, byte-exact (LF→CRLF) with the internal date', async () => {
    await writer.mailboxCreate('initial');
    const idate = new Date('2022-03-04T05:06:07Z');
    const uids = await append(writer, 'initial', corpus.map((c) => c.bytes), [], idate);
    expect(uids).toEqual(corpus.map((_, i) => i + 1));

    const store = memoryHooks();
    const account = accountFor(d, ['initial']);
    const res = await syncOnce(account, store.hooks, { batchSize: 3 });

    expect(res.fetched).toBe(corpus.length);
    const got = store.inMailbox(account.name, 'initial');
    expect(got.map((m) => m.uid)).toEqual(uids);
    const uidValidity = got[0].uidValidity;
    expect(uidValidity).toMatch(/^\d+$/);
    for (const [i, m] of got.entries()) {
      // Dovecot turns bare LF into CRLF; everything else (tabs, trailing blanks, 8-bit bytes) is kept.
      expect(m.bytes.equals(asStored(corpus[i].bytes)), `${corpus[i].name} comes back byte-exact`).toBe(true);
      expect(m.bytes.includes('\r\n')).toBe(true);
      expect(m.internalDate?.toISOString()).toBe(idate.toISOString());
      expect(m.uidValidity).toBe(uidValidity);
    }
    // batches of 3 in UID order, each with the checkpoint it completes
    expect(store.batches.map((b) => b.uids)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
      [7],
    ]);
    expect(store.batches.map((b) => b.checkpoint.lastUid)).toEqual([3, 6, 7]);
    expect(store.checkpoints.get(`${account.name}/initial`)).toEqual({ uidValidity, lastUid: 7 });
    expect(store.progress.at(-1)).toEqual({ done: 7, total: 7, bytes: got.reduce((n, m) => n + m.bytes.length, 0) });
    // The checkpoint can go into JSON: no BigInt anywhere.
    expect(() => JSON.stringify(store.checkpoints.get(`${account.name}/initial`))).not.toThrow();
  });

  it('resumes from the checkpoint: nothing new, then exactly the one new message', async () => {
    await writer.mailboxCreate('resume');
    await append(writer, 'resume', corpus.slice(0, 3).map((c) => c.bytes));
    const store = memoryHooks();
    const account = accountFor(d, ['resume']);

    expect(await syncOnce(account, store.hooks)).toEqual({ fetched: 3 });
    const batchesAfterFirst = store.batches.length;

    expect(await syncOnce(account, store.hooks)).toEqual({ fetched: 0 });
    expect(store.batches.length).toBe(batchesAfterFirst); // no empty storeBatch when nothing moved

    const [uid] = await append(writer, 'resume', [corpus[3].bytes]);
    expect(await syncOnce(account, store.hooks)).toEqual({ fetched: 1 });
    expect(store.batches.at(-1)!.uids).toEqual([uid]);
    expect(store.inMailbox(account.name, 'resume').map((m) => m.uid)).toEqual([1, 2, 3, 4]);
    expect([...store.timesStored.values()].every((n) => n === 1)).toBe(true);
  });

  it('changes no flags: EXAMINE and BODY.PEEK leave \\Seen unset', async () => {
    await writer.mailboxCreate('flags');
    await append(writer, 'flags', corpus.slice(0, 3).map((c) => c.bytes));
    await append(writer, 'flags', [corpus[3].bytes], ['\\Flagged']);
    const before = await flagsOf(writer, 'flags');

    const store = memoryHooks();
    expect((await syncOnce(accountFor(d, ['flags']), store.hooks)).fetched).toBe(4);

    const checker = await writerFor(d); // a separate session, as the brief asks
    try {
      const after = await flagsOf(checker, 'flags');
      expect(after).toEqual(before);
      expect([...after.values()].some((f) => f.includes('\\Seen'))).toBe(false);
      expect(after.get(4)).toEqual(['\\Flagged']);
    } finally {
      await checker.logout();
    }
  });

  it('reads the mailbox again from UID 1 when UIDVALIDITY changes', async () => {
    await writer.mailboxCreate('recreated');
    await append(writer, 'recreated', corpus.slice(0, 2).map((c) => c.bytes));
    const store = memoryHooks();
    const account = accountFor(d, ['recreated']);
    await syncOnce(account, store.hooks);
    const oldValidity = store.checkpoints.get(`${account.name}/recreated`)!.uidValidity;

    await writer.mailboxDelete('recreated');
    await sleep(1100); // Dovecot derives UIDVALIDITY from the clock in seconds
    await writer.mailboxCreate('recreated');
    await append(writer, 'recreated', corpus.slice(2, 5).map((c) => c.bytes));

    expect(await syncOnce(account, store.hooks)).toEqual({ fetched: 3 });
    const newValidity = store.checkpoints.get(`${account.name}/recreated`)!.uidValidity;
    expect(newValidity).not.toBe(oldValidity);
    expect(store.validityChanges).toEqual([{ account: account.name, mailbox: 'recreated', oldValue: oldValidity, newValue: newValidity }]);
    const fresh = store.inMailbox(account.name, 'recreated').filter((m) => m.uidValidity === newValidity);
    expect(fresh.map((m) => m.uid)).toEqual([1, 2, 3]);
    expect(fresh[0].bytes.equals(asStored(corpus[2].bytes))).toBe(true);
    // what was stored under the old UIDVALIDITY is kept
    expect(store.inMailbox(account.name, 'recreated').filter((m) => m.uidValidity === oldValidity)).toHaveLength(2);
    expect(store.logs.some((l) => l.includes('UIDVALIDITY changed'))).toBe(true);
  });

  it('fetches a message APPENDed during IDLE within 3 s', async () => {
    await writer.mailboxCreate('live');
    await append(writer, 'live', [corpus[0].bytes]);
    const store = memoryHooks();
    const account = accountFor(d, ['live']);
    const ac = new AbortController();
    // pollMs is far away, so only IDLE can bring the message in time
    const running = syncForever(account, store.hooks, { signal: ac.signal, pollMs: 60_000 });
    try {
      await waitFor('the initial sync', () => store.inMailbox(account.name, 'live').length === 1, 10_000);
      await sleep(300); // let the client enter IDLE
      const [uid] = await append(writer, 'live', [corpus[1].bytes]);
      const ms = await waitFor('the IDLE delivery', () => store.inMailbox(account.name, 'live').length === 2, 3000);
      expect(store.inMailbox(account.name, 'live')[1].uid).toBe(uid);
      expect(ms).toBeLessThan(3000);
    } finally {
      ac.abort();
    }
    const t = Date.now();
    await running;
    expect(Date.now() - t).toBeLessThan(3000);
  });

  it('unknown mailbox: ImapSetupError naming the mailbox and the existing ones', async () => {
    const store = memoryHooks();
    const account = accountFor(d, ['INBOX', 'no-such-list']);
    const err = await syncOnce(account, store.hooks).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImapSetupError);
    expect((err as Error).message).toMatch(/IMAP mailbox "no-such-list" does not exist on 127\.0\.0\.1:\d+ for test/);
    expect((err as Error).message).toMatch(/The mailboxes of test are: .*INBOX/);
    expect((err as Error).message).toMatch(/PATCHLOOM_IMAP_MAILBOXES/);

    const ac = new AbortController();
    const forever = await syncForever(account, store.hooks, { signal: ac.signal }).catch((e: unknown) => e);
    expect(forever).toBeInstanceOf(ImapSetupError);
    expect((forever as Error).message).toMatch(/"no-such-list" does not exist/);
  });

  it('TLS against a plain-text port: ImapSetupError that points at the TLS setting', async () => {
    const err = await syncOnce(accountFor(d, ['INBOX'], { secure: true }), memoryHooks().hooks).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImapSetupError);
    expect((err as Error).message).toMatch(/does not speak TLS.*PATCHLOOM_IMAP_TLS/);
  });
});

describeDovecot('IMAP source: wrong credentials', () => {
  // A separate server: Dovecot delays every login from an IP after a failed one (auth penalty,
  // 2 s and more), which would slow down the other tests.
  let d: Dovecot;

  beforeAll(async () => {
    d = await startDovecot({ extraConfig: 'auth_failure_delay = 0' });
  });

  afterAll(async () => {
    await d?.destroy();
  });

  it('wrong password: ImapSetupError with a message that says what to check', async () => {
    const store = memoryHooks();
    const account = accountFor(d, ['INBOX'], { password: 'wrong' });
    const err = await syncOnce(account, store.hooks).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImapSetupError);
    expect((err as Error).message).toMatch(new RegExp(`^IMAP login to 127\\.0\\.0\\.1:${d.port} as ${d.user} failed: .*Authentication failed.*Check PATCHLOOM_IMAP_USER / PASSWORD`));
    // syncForever gives up at once instead of retrying a password that is wrong
    const ac = new AbortController();
    const forever = await syncForever(account, store.hooks, { signal: ac.signal }).catch((e: unknown) => e);
    expect(forever).toBeInstanceOf(ImapSetupError);
    expect(store.batches).toHaveLength(0);
  });

});

describeDovecot('IMAP source: reconnecting', () => {
  let d: Dovecot;
  const corpus = corpusMessages();

  beforeAll(async () => {
    d = await startDovecot();
  });

  afterAll(async () => {
    await d?.destroy();
  });

  it('survives Dovecot stopping mid-sync and stores every UID exactly once', async () => {
    let writer = await writerFor(d);
    const total = 120;
    const raws = Array.from({ length: total }, (_, i) => corpus[i % corpus.length].bytes);
    await append(writer, 'INBOX', raws);
    await writer.logout();

    // 24 batches of 5 at 100 ms or more each: Dovecot (which takes about 1 s to stop) stops mid-sync
    const store = memoryHooks({ storeDelayMs: 100 });
    const account = accountFor(d, ['INBOX']);
    const ac = new AbortController();
    const running = syncForever(account, store.hooks, { signal: ac.signal, batchSize: 5, reconnectDelayMs: 200, pollMs: 60_000 });
    try {
      await waitFor('two batches', () => store.batches.length >= 2, 10_000);
      await d.stop();
      const atStop = store.messages.size;
      expect(atStop).toBeLessThan(total); // it really was mid-sync
      await sleep(300); // a batch fetched before the stop may still be in storeBatch
      const whileDown = store.messages.size;
      await sleep(500);
      expect(store.messages.size).toBe(whileDown); // nothing arrives while the server is down
      expect(whileDown).toBeLessThanOrEqual(atStop + 5);
      await d.start();
      await waitFor(`all ${total} messages after the restart`, () => store.messages.size === total, 20_000);

      // and it is back in IDLE: new mail still arrives
      writer = await writerFor(d);
      await append(writer, 'INBOX', [corpus[0].bytes]);
      await writer.logout();
      await waitFor('the message appended after the restart', () => store.messages.size === total + 1, 5000);
    } finally {
      ac.abort();
    }
    await running;

    expect(store.inMailbox(account.name, 'INBOX').map((m) => m.uid)).toEqual(Array.from({ length: total + 1 }, (_, i) => i + 1));
    expect([...store.timesStored.values()].every((n) => n === 1)).toBe(true);
    expect(store.logs.some((l) => /IMAP connection to 127\.0\.0\.1:\d+ lost \(.+\); reconnecting in \d/.test(l))).toBe(true);
    expect(store.logs.some((l) => /IMAP connection to 127\.0\.0\.1:\d+ restored/.test(l))).toBe(true);
    for (const m of store.inMailbox(account.name, 'INBOX').slice(0, total)) {
      expect(m.bytes.equals(asStored(corpus[(m.uid - 1) % corpus.length].bytes)), `UID ${m.uid} is byte-exact`).toBe(true);
    }
  });
});

describeDovecot('IMAP source: server without IDLE', () => {
  let d: Dovecot;
  const corpus = corpusMessages();

  beforeAll(async () => {
    // Dovecot still understands IDLE, but imapflow only uses what CAPABILITY advertises.
    d = await startDovecot({ extraConfig: 'imap_capability = IMAP4rev1 LITERAL+ SASL-IR UIDPLUS ESEARCH CONDSTORE' });
  });

  afterAll(async () => {
    await d?.destroy();
  });

  it('polls with NOOP every pollMs and fetches new mail', async () => {
    const writer = await writerFor(d);
    expect(writer.capabilities.has('IDLE')).toBe(false);
    const store = memoryHooks();
    const account = accountFor(d, ['INBOX']);
    const ac = new AbortController();
    const running = syncForever(account, store.hooks, { signal: ac.signal, pollMs: 500 });
    try {
      await sleep(500);
      await append(writer, 'INBOX', [corpus[0].bytes]);
      await waitFor('the polled delivery', () => store.messages.size === 1, 3000);
    } finally {
      ac.abort();
      await writer.logout();
    }
    await running;
  });
});

describe('IMAP configuration', () => {
  it('reads PATCHLOOM_IMAP_* with defaults', () => {
    expect(imapAccountsFromEnv({})).toEqual([]);
    expect(imapAccountsFromEnv({ PATCHLOOM_IMAP_HOST: 'imap.example.org', PATCHLOOM_IMAP_USER: 'me', PATCHLOOM_IMAP_PASSWORD: 'pw' })).toEqual([
      { name: 'me@imap.example.org', host: 'imap.example.org', port: 993, secure: true, user: 'me', password: 'pw', mailboxes: ['INBOX'] },
    ]);
    const [plain] = imapAccountsFromEnv({
      PATCHLOOM_IMAP_HOST: 'h',
      PATCHLOOM_IMAP_USER: 'u',
      PATCHLOOM_IMAP_PASSWORD: 'p',
      PATCHLOOM_IMAP_TLS: '0',
      PATCHLOOM_IMAP_MAILBOXES: 'INBOX, lists/lkml ,,lists/lkml',
    });
    expect(plain.port).toBe(143);
    expect(plain.secure).toBe(false);
    expect(plain.mailboxes).toEqual(['INBOX', 'lists/lkml']);
  });

  it('reads the password from PATCHLOOM_IMAP_PASSWORD_FILE without its trailing newline', () => {
    const dir = mkdtempSync(join(tmpdir(), 'patchloom-imap-test-'));
    try {
      writeFileSync(join(dir, 'pw'), 's3cret \n');
      const [a] = imapAccountsFromEnv({ PATCHLOOM_IMAP_HOST: 'h', PATCHLOOM_IMAP_USER: 'u', PATCHLOOM_IMAP_PASSWORD_FILE: join(dir, 'pw') });
      expect(a.password).toBe('s3cret ');
      const [b] = imapAccountsFromConfig({ imap: [{ name: 'b', host: 'h', user: 'u', passwordFile: 'pw' }] }, { baseDir: dir });
      expect(b.password).toBe('s3cret ');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says what is wrong with the environment', () => {
    const base = { PATCHLOOM_IMAP_HOST: 'h', PATCHLOOM_IMAP_USER: 'u', PATCHLOOM_IMAP_PASSWORD: 'p' };
    expect(() => imapAccountsFromEnv({ PATCHLOOM_IMAP_USER: 'u' })).toThrow(/PATCHLOOM_IMAP_USER is set but PATCHLOOM_IMAP_HOST is not/);
    expect(() => imapAccountsFromEnv({ PATCHLOOM_IMAP_HOST: 'h', PATCHLOOM_IMAP_PASSWORD: 'p' })).toThrow(/PATCHLOOM_IMAP_USER is not/);
    expect(() => imapAccountsFromEnv({ PATCHLOOM_IMAP_HOST: 'h', PATCHLOOM_IMAP_USER: 'u' })).toThrow(/no password/);
    expect(() => imapAccountsFromEnv({ ...base, PATCHLOOM_IMAP_PORT: 'imap' })).toThrow(/PATCHLOOM_IMAP_PORT must be a port number/);
    expect(() => imapAccountsFromEnv({ ...base, PATCHLOOM_IMAP_TLS: 'maybe' })).toThrow(/PATCHLOOM_IMAP_TLS must be 1/);
    expect(() => imapAccountsFromEnv({ ...base, PATCHLOOM_IMAP_PASSWORD_FILE: '/nonexistent/pw' })).toThrow(/only one/);
    expect(() => imapAccountsFromEnv({ PATCHLOOM_IMAP_HOST: 'h', PATCHLOOM_IMAP_USER: 'u', PATCHLOOM_IMAP_PASSWORD_FILE: '/nonexistent/pw' })).toThrow(
      /can not read the password file \/nonexistent\/pw/,
    );
    expect(() => imapAccountsFromEnv({ ...base, PATCHLOOM_IMAP_MAILBOXES: ' , ' })).toThrow(ImapSetupError);
  });

  it('reads and validates the "imap" section of patchloom.config.json', () => {
    expect(imapAccountsFromConfig({})).toEqual([]);
    expect(
      imapAccountsFromConfig({ imap: [{ name: 'lkml', host: 'imap.example.org', tls: false, user: 'me', password: 'pw', mailboxes: ['INBOX', 'lists/lkml'] }] }),
    ).toEqual([{ name: 'lkml', host: 'imap.example.org', port: 143, secure: false, user: 'me', password: 'pw', mailboxes: ['INBOX', 'lists/lkml'] }]);

    const ok = { name: 'a', host: 'h', user: 'u', password: 'p' };
    const bad = (json: unknown) => () => imapAccountsFromConfig(json);
    expect(bad([])).toThrow(/top level: expected a JSON object/);
    expect(bad({ imap: {} })).toThrow(/"imap": expected an array/);
    expect(bad({ imap: [{ ...ok, host: undefined }] })).toThrow(/imap\[0\]\.host: missing/);
    expect(bad({ imap: [{ ...ok, mailbox: 'INBOX' }] })).toThrow(/imap\[0\]\.mailbox: unknown key; the keys of an account are/);
    expect(bad({ imap: [{ ...ok, port: 99999 }] })).toThrow(/imap\[0\] \("a"\)\.port must be a port number/);
    expect(bad({ imap: [{ ...ok, tls: 'yes' }] })).toThrow(/\.tls: expected true or false/);
    expect(bad({ imap: [{ ...ok, password: undefined }] })).toThrow(/needs "password" or "passwordFile"/);
    expect(bad({ imap: [{ ...ok, passwordFile: 'x' }] })).toThrow(/both "password" and "passwordFile"/);
    expect(bad({ imap: [{ ...ok, mailboxes: [] }] })).toThrow(/mailboxes: expected a non-empty array/);
    expect(bad({ imap: [ok, ok] })).toThrow(/imap\[1\]\.name: "a" is used by another account/);
    expect(bad({ imap: [ok] })).not.toThrow();
    try {
      imapAccountsFromConfig({ imap: [{ ...ok, port: 'x' }] });
    } catch (err) {
      expect(err).toBeInstanceOf(ImapSetupError);
    }
  });
});
