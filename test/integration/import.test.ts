import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeDb, type TestDatabase } from '../helpers/db.ts';
import { CORPUS, corpusAvailable, corpusPath } from '../helpers/corpus.ts';
import { importFiles } from '../../ingest/import-files.ts';
import { listFiles, looksLikeMail } from '../../ingest/sources/files.ts';
import { sha256Hex } from '../../lib/mail/ids.ts';
import { rawMessage } from '../../lib/db/queries/messages.ts';
import { splitMbox } from '../../lib/mail/mbox.ts';

const describeImport = corpusAvailable ? describeDb : describeDb.skip;

describeImport('importing the whole corpus', () => {
  let t: TestDatabase;
  let first: Awaited<ReturnType<typeof importFiles>>;
  beforeAll(async () => {
    t = await createTestDatabase();
    first = await importFiles(t.sql, [CORPUS]);
  });
  afterAll(async () => t?.drop());

  it('stores every message a reference split finds, once', async () => {
    const files = (await listFiles([CORPUS])).filter((f) => looksLikeMail(readFileSync(f.path).subarray(0, 4096)));
    const reference = JSON.parse(
      execFileSync('python3', [new URL('../helpers/reference-split.py', import.meta.url).pathname, ...files.map((f) => f.path)], { encoding: 'utf8', maxBuffer: 1 << 28 }),
    ) as Record<string, string[]>;
    const expected = new Set(Object.values(reference).flat());
    const total = Object.values(reference).reduce((n, l) => n + l.length, 0);
    expect(first.messages).toBe(total);
    const stored = new Set((await t.sql<{ sha256: string }[]>`select sha256 from raw_messages`).map((r) => r.sha256));
    expect(stored.size).toBe(expected.size);
    for (const h of expected) expect(stored.has(h), `message ${h} stored`).toBe(true);
    const sources = await t.sql<{ n: string }[]>`select count(*) as n from message_sources`;
    expect(Number(sources[0].n)).toBe(total);
  });

  it('stores each of the 17 malformed fuzz mails, parsed or flagged with a reason', async () => {
    const rows = await t.sql<{ path: string; parse_status: string; flags: { kind: string; reason: string }[] }[]>`
      select s.path, r.parse_status, r.flags from message_sources s join raw_messages r on r.id = s.raw_id
      where s.path like ${corpusPath('patchwork-mail/fuzz/') + '%'}`;
    const files = new Set(rows.map((r) => r.path));
    expect(files.size).toBe(17);
    for (const r of rows) {
      expect(['parsed', 'flagged', 'unparsed']).toContain(r.parse_status);
      if (r.parse_status !== 'parsed') {
        expect(r.flags.length).toBeGreaterThan(0);
        for (const f of r.flags) expect(f.reason.length).toBeGreaterThan(10);
      }
    }
    expect(rows.some((r) => r.parse_status !== 'parsed')).toBe(true);
  });

  it('changes nothing on a second import', async () => {
    const count = async () =>
      (await t.sql<{ t: string; n: string }[]>`
        select 'raw' as t, count(*) as n from raw_messages union all select 'src', count(*) from message_sources
        union all select 'msg', count(*) from messages union all select 'links', count(*) from thread_links`).map((r) => `${r.t}=${r.n}`);
    const before = await count();
    const again = await importFiles(t.sql, [CORPUS]);
    expect(again.added).toBe(0);
    expect(again.duplicates).toBe(first.messages);
    expect(again.flagged).toBe(0);
    expect(await count()).toEqual(before);
  });

  it('keeps raw bytes exact: mboxrd >From lines and CRLF line endings', async () => {
    const crlf = readFileSync(corpusPath('patchwork-mail/historical/0018-git-pull-request-crlf-newlines.mbox'));
    const fromLineEnd = crlf.indexOf('\n') + 1;
    const id = /Message-I[dD]:\s*<([^>]+)>/.exec(crlf.toString('latin1'))?.[1] as string;
    const raw = await rawMessage(t.sql, id);
    expect(raw).not.toBeNull();
    expect(raw?.includes('\r\n')).toBe(true);
    expect(sha256Hex(raw as Buffer)).toBe(sha256Hex(crlf.subarray(fromLineEnd, crlf.length - (crlf.subarray(-4).toString() === '\r\n\r\n' ? 2 : 0))));

    // A message of an mboxrd archive whose body had ">From " quoting comes back unquoted.
    const quoted = await t.sql<{ raw: Buffer }[]>`select raw from raw_messages where position(${Buffer.from('\nFrom ')} in raw) > 0 limit 5`;
    expect(quoted.length).toBeGreaterThan(0);
  });
});

describeDb('other formats', () => {
  let t: TestDatabase;
  const seedV1 = join(import.meta.dirname, '../fixtures/seed/v1.mbox');
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => t?.drop());

  it('reads gzip (lore t.mbox.gz) and maildir (cur/ and new/, tmp/ skipped) to the same bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'formats-'));
    const mbox = readFileSync(seedV1);
    writeFileSync(join(dir, 't.mbox.gz'), gzipSync(mbox));
    const expected = splitMbox(mbox).map((m) => sha256Hex(m.bytes)).sort();
    const gz = await importFiles(t.sql, [join(dir, 't.mbox.gz')]);
    expect(gz.added).toBe(expected.length);
    const stored = (await t.sql<{ sha256: string }[]>`select sha256 from raw_messages`).map((r) => r.sha256).sort();
    expect(stored).toEqual(expected);
    // mboxrd quoting undone: the cover's ">From a user-space" body line is stored as sent
    const [cover] = await t.sql<{ raw: Buffer }[]>`select raw from raw_messages where message_id = '20180405095307.3730-1-linux@dominikbrodowski.net'`;
    expect(cover.raw.includes('\nFrom a user-space point of view')).toBe(true);
    expect(cover.raw.includes('>From a user-space')).toBe(false);

    const md = join(dir, 'Maildir');
    for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(md, sub), { recursive: true });
    const v2 = splitMbox(readFileSync(join(import.meta.dirname, '../fixtures/seed/v2.mbox')));
    v2.forEach((m, i) => writeFileSync(join(md, i % 2 ? 'cur' : 'new', `${1000 + i}.M${i}P1.host:2,S`), m.bytes));
    writeFileSync(join(md, 'tmp', 'partial'), 'Message-ID: <half-delivered@example.com>\n\nnot yet');
    const maildir = await importFiles(t.sql, [md]);
    expect(maildir.added).toBe(v2.length);
    expect((await t.sql`select 1 from raw_messages where message_id = 'half-delivered@example.com'`).length).toBe(0);
  });

  it('keeps the messages before the cut of a truncated gzip and flags the last one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cut-'));
    const gz = gzipSync(readFileSync(join(import.meta.dirname, '../fixtures/seed/v2.mbox')));
    writeFileSync(join(dir, 'cut.mbox.gz'), gz.subarray(0, Math.floor(gz.length * 0.6)));
    const r = await importFiles(t.sql, [join(dir, 'cut.mbox.gz')]);
    expect(r.fileErrors).toHaveLength(1);
    expect(r.fileErrors[0].message).toMatch(/could not be read to its end/);
    const flagged = await t.sql<{ flags: { kind: string }[] }[]>`
      select r.flags from raw_messages r join message_sources s on s.raw_id = r.id where s.path = ${join(dir, 'cut.mbox.gz')} and r.flags @> '[{"kind":"truncated"}]'`;
    expect(flagged.length).toBe(1);
    expect(r.added).toBeGreaterThan(0);
  });
});
