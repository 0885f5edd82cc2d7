/**
 * Hostile mail through the whole import (read → split → parse → store → thread → derive).
 * Every input must be stored exactly once, then parsed or flagged with a reason; the
 * process never crashes, and one bad message never stops the import of the others.
 * Inputs are generated in os.tmpdir() at test time; the corpus is read in place.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, gunzipSync, constants as zlib } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, describeDb, type TestDatabase } from '../helpers/db.ts';
import { corpusAvailable, corpusPath } from '../helpers/corpus.ts';
import { describeSummary, importFiles, type FileImportSummary } from '../../ingest/import-files.ts';
import { messageById, rawMessage } from '../../lib/db/queries/messages.ts';
import { threadIdOf } from '../../lib/db/queries/threads.ts';
import { splitMbox } from '../../lib/mail/mbox.ts';
import {
  accountedFor,
  createLedger,
  FROM_LINE,
  mailText,
  mboxEntry,
  mboxOf,
  ROOT,
  scratchDir,
  sha256,
  storedForm,
  storedState,
  type StoredState,
} from './helpers.ts';

const ledger = createLedger(import.meta.filename);
afterAll(() => ledger.finish());
const MB = 1 << 20;

interface Case {
  name: string;
  /** File name in the scratch folder. */
  file: string;
  content: Buffer;
  /** The bytes each message must be stored as, in file order. */
  messages: Buffer[];
  /** What a maintainer would expect beyond "stored and accounted for". */
  check?(states: StoredState[]): void | Promise<void>;
}

const date = 'Thu, 26 Nov 2026 10:00:00 +0000';
const eml = (name: string, text: string | Buffer, check?: Case['check']): Case => {
  const content = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  return { name, file: `${name}.eml`, content, messages: [content], check };
};
const kinds = (s: StoredState) => s.flags.map((f) => f.kind);
const random = (n: number, seed: number) => {
  let x = seed;
  return Array.from({ length: n }, () => String.fromCharCode(97 + ((x = (x * 1103515245 + 12345) >>> 0) % 26))).join('');
};

function nestedMime(depth: number, id: string): string {
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i++) {
    open += `Content-Type: multipart/mixed; boundary="level${i}"\n\n--level${i}\n`;
    close = `\n--level${i}--\n${close}`;
  }
  return `Message-ID: <${id}>\nFrom: Deep <deep@patchloom.test>\nSubject: nested ${depth} deep\nDate: ${date}\nMIME-Version: 1.0\n${open}Content-Type: text/plain; charset=utf-8\n\nthe deep body\n${close}`;
}

function bigAttachment(id: string, bytes: number): Buffer {
  const chunk = Buffer.alloc(3 * 1024 * 1024);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 2654435761) >>> 24;
  const parts: Buffer[] = [
    Buffer.from(
      `Message-ID: <${id}>\nFrom: Big <big@patchloom.test>\nSubject: a ${bytes / MB} MB attachment\nDate: ${date}\nMIME-Version: 1.0\n` +
        `Content-Type: multipart/mixed; boundary="zz"\n\n--zz\nContent-Type: text/plain\n\nThe vmcore is attached.\n--zz\n` +
        `Content-Type: application/octet-stream\nContent-Disposition: attachment; filename="vmcore.bin"\nContent-Transfer-Encoding: base64\n\n`,
    ),
  ];
  for (let left = bytes; left > 0; left -= chunk.length) {
    parts.push(Buffer.from(chunk.subarray(0, Math.min(left, chunk.length)).toString('base64').replace(/.{76}/g, '$&\n') + '\n'));
  }
  parts.push(Buffer.from('--zz--\n'));
  return Buffer.concat(parts);
}

const fiveThousandRefs = Array.from({ length: 5000 }, (_, i) => `ref-${i}@flood.patchloom.test`);

/** Every case of the combined import. */
function cases(): Case[] {
  const list: Case[] = [];

  // Size.
  list.push(
    eml('attachment-50mb', bigAttachment('attachment-50mb@patchloom.test', 50 * MB), (s) => {
      expect(s[0].status).toBe('unparsed');
      expect(kinds(s[0])).toContain('too-large');
      expect(s[0].messageId).toBe('attachment-50mb@patchloom.test'); // the headers are still read
    }),
  );
  list.push(
    eml('line-10mb', mailText({ id: 'line-10mb@patchloom.test', subject: 'one 10 MB line', body: `${'x'.repeat(10 * MB)}\n` }), (s) => expect(s[0].status).toBe('parsed')),
  );
  list.push(eml('header-line-1mb', mailText({ id: 'subject-1mb@patchloom.test', subject: random(MB, 7) })));
  list.push(eml('headers-10000', mailText({ id: 'headers-10000@patchloom.test', headers: Array.from({ length: 10_000 }, (_, i) => `X-Flood-${i}: ${i}`) })));

  // Structure.
  list.push(eml('mime-100-deep', nestedMime(100, 'mime-100@patchloom.test'), (s) => expect(s[0].status).toBe('parsed')));
  list.push(
    eml('mime-2000-deep', nestedMime(2000, 'mime-2000@patchloom.test'), (s) => {
      // Past the MIME parser's own depth limit: kept raw, flagged with the parser's reason.
      expect(s[0].stored).toBe(true);
      expect(s[0].messageId).toBe('mime-2000@patchloom.test');
    }),
  );
  list.push(
    eml('references-5000', mailText({ id: 'refs-5000@patchloom.test', subject: 'Re: flood', inReplyTo: fiveThousandRefs[4999], references: fiveThousandRefs }), (s) =>
      expect(s[0].status).toBe('parsed'),
    ),
  );
  list.push(eml('reply-into-the-flood', mailText({ id: 'reply-into-flood@patchloom.test', subject: 'Re: flood', inReplyTo: fiveThousandRefs[2500] })));
  list.push(eml('headers-only', Buffer.from(`Message-ID: <headers-only@patchloom.test>\nFrom: a@patchloom.test\nSubject: no body\nDate: ${date}\n`)));
  list.push(
    eml('long-patch-subject', mailText({ id: 'long-patch-subject@patchloom.test', subject: `[PATCH] ${random(6000, 11)}`, body: 'Signed-off-by: A <a@patchloom.test>\n---\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n' })),
  );
  list.push(eml('long-subject-no-thread-headers', mailText({ id: 'long-subject@patchloom.test', subject: random(6000, 13) })));
  list.push(
    eml('long-from', mailText({ id: 'long-from@patchloom.test', from: `"${random(3000, 17)}" <${random(3000, 19)}@patchloom.test>`, subject: '[PATCH] long from', body: 'diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n' })),
  );

  // Bytes.
  list.push(
    eml('charset-unknown', Buffer.from(mailText({ id: 'cs-unknown@patchloom.test', headers: ['Content-Type: text/plain; charset=x-klingon'], body: 'Qapla\xe9 \xff\n' }), 'latin1'), (s) =>
      expect(kinds(s[0])).toContain('bad-charset'),
    ),
  );
  list.push(
    eml('charset-lying-utf8', Buffer.from(mailText({ id: 'cs-lying@patchloom.test', headers: ['Content-Type: text/plain; charset=utf-8'], body: 'caf\xe9 na\xefve\n' }), 'latin1'), (s) =>
      expect(kinds(s[0])).toContain('bad-charset'),
    ),
  );
  list.push(eml('charset-lying-latin1', mailText({ id: 'cs-latin1@patchloom.test', headers: ['Content-Type: text/plain; charset=iso-8859-1'], body: 'café — naïve\n' })));
  list.push(eml('charset-unknown-encoded-word', mailText({ id: 'cs-word@patchloom.test', subject: '=?x-unknown?Q?caf=E9?= =?utf-8?B?////?=' })));
  list.push(eml('transfer-encoding-unknown', mailText({ id: 'cte@patchloom.test', headers: ['Content-Transfer-Encoding: x-rot13'], body: 'uryyb\n' })));
  list.push(eml('base64-garbage', mailText({ id: 'b64@patchloom.test', headers: ['Content-Transfer-Encoding: base64'], body: '!!!! not base64 ====\n@@@\n' })));
  list.push(
    eml(
      'nul-bytes',
      Buffer.from(mailText({ id: 'nul@patchloom.test', from: 'Nul\0Name <nul@patchloom.test>', subject: 'nul\0in subject', headers: ['X-Nul: a\0b'], body: 'before\0after\n' }), 'latin1'),
      async (s) => {
        const m = await messageById(t.sql, 'nul@patchloom.test');
        expect(m?.subject).toBe('nul\uFFFDin subject');
        expect(m?.body).toContain('before\uFFFDafter');
        expect((await rawMessage(t.sql, 'nul@patchloom.test'))?.includes(0)).toBe(true); // raw bytes exact, NUL included
        expect(s[0].indexed).toBe(true);
      },
    ),
  );
  list.push(
    eml('invalid-utf8', Buffer.concat([Buffer.from(mailText({ id: 'bad-utf8@patchloom.test', subject: 'bad \xc3\x28 \xed\xa0\x80 \xc0\xaf', body: 'x' }), 'latin1'), Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80, 0x0a])])),
  );
  list.push(eml('bare-cr', Buffer.from(mailText({ id: 'bare-cr@patchloom.test', body: 'line one\nline two\n' }).replace(/\n/g, '\r'), 'latin1'), (s) => expect(s[0].flags.length).toBeGreaterThan(0)));
  list.push(eml('mixed-line-endings', Buffer.from(mailText({ id: 'mixed@patchloom.test', body: 'crlf\r\nlf\nlone cr\rend\n' }).replace('Subject', 'X-A: 1\r\nSubject'), 'latin1')));

  // Identity.
  list.push(eml('no-message-id-a', mailText({ id: null, subject: 'anonymous a' }), (s) => expect(kinds(s[0])).toContain('no-message-id')));
  list.push(eml('no-message-id-b', mailText({ id: null, subject: 'anonymous b' }), (s) => expect(kinds(s[0])).toContain('no-message-id')));
  list.push(eml('message-id-garbage', mailText({ id: null, headers: ['Message-ID: <<<>>> <>'] })));
  list.push(eml('two-message-id-headers', mailText({ id: 'first-id@patchloom.test', headers: ['Message-ID: <second-id@patchloom.test>'] }), (s) => expect(s[0].messageId).toBe('first-id@patchloom.test')));
  const twice = mailText({ id: 'sent-twice@patchloom.test', subject: 'the same bytes twice' });
  list.push({
    name: 'duplicate-bytes',
    file: 'duplicate-bytes.mbox',
    content: mboxOf([twice, twice]),
    messages: [storedForm(twice)], // stored once
    check: async () => {
      const [{ n }] = await t.sql<{ n: string }[]>`select count(*) as n from message_sources s join raw_messages r on r.id = s.raw_id where r.message_id = 'sent-twice@patchloom.test'`;
      expect(Number(n)).toBe(2); // both places it was seen are recorded
    },
  });
  list.push(eml('collision-first', mailText({ id: 'collide@patchloom.test', subject: 'the original', body: 'original body\n' })));
  list.push(
    eml('collision-second', mailText({ id: 'collide@patchloom.test', subject: 'an impostor', body: 'different bytes\n' }), async (s) => {
      expect(kinds(s[0])).toContain('duplicate-message-id');
      const m = await messageById(t.sql, 'collide@patchloom.test');
      expect(m?.subject).toBe('the original'); // the first stored stays canonical
      expect(m?.variants).toHaveLength(1);
    }),
  );

  // Dates.
  const dated = (name: string, d: string | null, check?: Case['check']) => eml(name, mailText({ id: `${name}@patchloom.test`, subject: name, date: d }), check);
  list.push(dated('date-year-0001', 'Mon, 1 Jan 0001 00:00:00 +0000'));
  list.push(dated('date-year-1800', 'Wed, 1 Jan 1800 00:00:00 +0000', (s) => expect(kinds(s[0])).toContain('bad-date')));
  list.push(dated('date-year-9999', 'Fri, 31 Dec 9999 23:59:59 +0000'));
  list.push(dated('date-year-275760', 'Sat, 13 Sep 275760 00:00:00 +0000', (s) => expect(kinds(s[0])).toContain('bad-date')));
  list.push(dated('date-beyond-js', 'Sun, 14 Sep 275761 00:00:00 +0000', (s) => expect(kinds(s[0])).toContain('bad-date')));
  list.push(dated('date-garbage', 'the day after tomorrow', (s) => expect(kinds(s[0])).toContain('bad-date')));
  list.push(dated('date-missing', null, (s) => expect(kinds(s[0])).toContain('no-date')));

  // Cut-off sources.
  const whole = Array.from({ length: 6 }, (_, i) => mailText({ id: `cut-mbox-${i}@patchloom.test`, subject: `message ${i} of a cut mbox`, body: `body ${i}\n${'filler line\n'.repeat(50)}` }));
  const full = mboxOf(whole);
  const cutAt = full.length - 300; // inside the last message's body, mid-line
  const lastStart = full.length - mboxEntry(whole[5]).length + FROM_LINE.length;
  list.push({
    name: 'truncated-mbox',
    file: 'truncated.mbox',
    content: full.subarray(0, cutAt),
    messages: [...whole.slice(0, 5).map((m) => storedForm(m)), full.subarray(lastStart, cutAt)],
    check: (s) => {
      s.slice(0, 5).forEach((x) => expect(kinds(x)).not.toContain('truncated'));
      expect(kinds(s[5])).toContain('truncated');
    },
  });
  return list;
}

/** A gzip cut in the middle: the messages before the cut are kept, the last one flagged. */
function cutGzip() {
  const msgs = Array.from({ length: 40 }, (_, i) => mailText({ id: `cut-gz-${i}@patchloom.test`, subject: `gz ${i}`, body: `${random(2000, i)}\n` }));
  const gz = gzipSync(mboxOf(msgs));
  const cut = gz.subarray(0, Math.floor(gz.length * 0.6));
  const prefix = gunzipSync(cut, { finishFlush: zlib.Z_SYNC_FLUSH });
  // Complete in the decompressed prefix: everything before the last From_ line the prefix holds.
  const complete = splitMbox(prefix).slice(0, -1).map((m) => m.bytes);
  return { cut, msgs, complete };
}

let t: TestDatabase;

describeDb('hostile inputs through the whole import', () => {
  let dir: string;
  let list: Case[];
  let gz: ReturnType<typeof cutGzip>;
  let summary: FileImportSummary | null = null;
  let crash: Error | null = null;
  let fuzz: Record<string, string[]> = {};
  const fuzzDir = corpusPath('patchwork-mail/fuzz');

  beforeAll(async () => {
    t = await createTestDatabase();
    dir = scratchDir('inputs');
    list = cases();
    // Hostile files sit between ordinary mail, so "the import goes on" is visible.
    writeFileSync(join(dir, '000-before.eml'), mailText({ id: 'ordinary-before@patchloom.test', subject: 'ordinary mail before' }));
    for (const c of list) writeFileSync(join(dir, c.file), c.content);
    gz = cutGzip();
    writeFileSync(join(dir, 'cut.mbox.gz'), gz.cut);
    writeFileSync(join(dir, 'zzz-after.eml'), mailText({ id: 'ordinary-after@patchloom.test', subject: 'ordinary mail after' }));
    const paths = [dir, ...(corpusAvailable ? [fuzzDir] : [])];
    if (corpusAvailable) {
      const files = readdirSync(fuzzDir).map((f) => join(fuzzDir, f));
      fuzz = JSON.parse(execFileSync('python3', [join(ROOT, 'test/helpers/reference-split.py'), ...files], { encoding: 'utf8', maxBuffer: 1 << 26 })) as Record<string, string[]>;
    }
    try {
      summary = await importFiles(t.sql, paths, { batchSize: 50 });
    } catch (err) {
      crash = err as Error;
    }
  }, 300_000);

  afterAll(async () => {
    await t?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs to the end, and ordinary mail on both sides of the hostile files is stored', async () => {
    expect(crash).toBeNull();
    expect((await storedState(t.sql, storedForm(mailText({ id: 'ordinary-before@patchloom.test', subject: 'ordinary mail before' })))).status).not.toBeNull();
    const after = await t.sql`select 1 from raw_messages where message_id = 'ordinary-after@patchloom.test'`;
    expect(after).toHaveLength(1);
  });

  it('stores each input exactly once, then parses it or flags it with a reason', async () => {
    const results = [];
    for (const c of list) {
      const states = await Promise.all(c.messages.map((m) => storedState(t.sql, m)));
      ledger.input(c.name, { crashed: crash !== null, lost: states.some((s) => !accountedFor(s)) });
      results.push({ c, states });
    }
    expect(results.filter((r) => r.states.some((s) => !accountedFor(s))).map((r) => r.c.name)).toEqual([]);
    for (const { c, states } of results) await c.check?.(states);
  });

  it('keeps the messages of a gzip cut off in the middle, flags the last, and warns clearly', async () => {
    const rows = await t.sql<{ sha256: string; flags: { kind: string }[]; offset: string }[]>`
      select r.sha256, r.flags, s.offset from message_sources s join raw_messages r on r.id = s.raw_id
      where s.path = ${join(dir, 'cut.mbox.gz')} order by s.offset`;
    const completeShas = gz.complete.map(sha256);
    const stored = new Set(rows.map((r) => r.sha256));
    const kept = completeShas.filter((h) => stored.has(h)).length;
    ledger.input('gzip-cut-off', { crashed: crash !== null, lost: kept !== completeShas.length });
    expect(kept).toBe(completeShas.length);
    expect(completeShas.length).toBeGreaterThan(10);
    expect(rows.length).toBe(completeShas.length + 1);
    expect(rows.at(-1)?.flags.map((f) => f.kind)).toContain('truncated');
    expect(rows.slice(0, -1).every((r) => !r.flags.some((f) => f.kind === 'truncated'))).toBe(true);
    const warning = summary?.fileErrors.find((e) => e.path.endsWith('cut.mbox.gz'))?.message ?? '';
    expect(warning).toMatch(/cut\.mbox\.gz could not be read to its end \(unexpected end of file\); the messages before that point were imported/);
    expect(describeSummary(summary as FileImportSummary)).toContain(`warning: ${warning}`);
  });

  it('warns about the cut mbox too', () => {
    expect(summary?.fileErrors.find((e) => e.path.endsWith('truncated.mbox'))?.message).toMatch(/ends in the middle of a line/);
  });

  it('threads a reply to one of 5,000 references into the same thread', async () => {
    expect(await threadIdOf(t.sql, 'reply-into-flood@patchloom.test')).toBe(await threadIdOf(t.sql, 'refs-5000@patchloom.test'));
    const [{ n }] = await t.sql<{ n: number }[]>`select cardinality("references") as n from messages where message_id = 'refs-5000@patchloom.test'`;
    expect(n).toBe(5000);
  });

  it('keeps the year 9999 and gives the year 275760 no date', async () => {
    const rows = await t.sql<{ message_id: string; date: Date | null }[]>`select message_id, date from messages where message_id like 'date-year-%'`;
    const byId = Object.fromEntries(rows.map((r) => [r.message_id, r.date?.toISOString() ?? null]));
    expect(byId['date-year-9999@patchloom.test']).toBe('9999-12-31T23:59:59.000Z');
    expect(byId['date-year-275760@patchloom.test']).toBeNull();
    expect(byId['date-year-1800@patchloom.test']).toBeNull();
  });

  // JavaScript's Date reads the year 0001 as 2001; the parser checks the year written.
  it('does not read the year 0001 as 2001: the date is flagged, not moved into this century', async () => {
    const [row] = await t.sql<{ date: Date | null }[]>`select date from messages where message_id = 'date-year-0001@patchloom.test'`;
    expect(row.date?.getUTCFullYear() ?? null).not.toBe(2001);
  });

  describe.runIf(corpusAvailable)('the 17 fuzz mails of patchwork', () => {
    it('stores every message a reference split finds in them, each parsed or flagged with a reason', async () => {
      expect(Object.keys(fuzz)).toHaveLength(17);
      for (const [path, shas] of Object.entries(fuzz)) {
        const rows = await t.sql<{ sha256: string; parse_status: string; flags: { reason: string }[]; indexed: boolean }[]>`
          select r.sha256, r.parse_status, r.flags, exists(select 1 from messages m where m.raw_id = r.id) as indexed
          from message_sources s join raw_messages r on r.id = s.raw_id where s.path = ${path}`;
        // Our splitter and Python's agree on these files except for framing; account by source file.
        const ok = rows.length === shas.length && rows.every((r) => r.indexed && (r.parse_status === 'parsed' || (r.flags.length > 0 && r.flags.every((f) => f.reason.length > 10))));
        ledger.input(`fuzz/${path.split('/').at(-1)}`, { crashed: crash !== null, lost: !ok });
        expect([path, ok]).toEqual([path, true]);
      }
    });
  });
});

describeDb.runIf(process.platform === 'linux')('files that fail while being read', () => {
  let t3: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    t3 = await createTestDatabase();
    dir = scratchDir('eio');
  });
  afterAll(async () => {
    await t3?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('warns about a read error (EIO) in a plain and in a gzipped file, and imports the files around them', async () => {
    const before = mailText({ id: 'before-eio@patchloom.test' });
    const after = mailText({ id: 'after-eio@patchloom.test' });
    writeFileSync(join(dir, 'a.eml'), before);
    // Reading /proc/self/mem at offset 0 fails with EIO: a disk that fails under the reader.
    symlinkSync('/proc/self/mem', join(dir, 'b.mbox'));
    symlinkSync('/proc/self/mem', join(dir, 'c.mbox.gz'));
    writeFileSync(join(dir, 'd.eml'), after);
    let crashed = false;
    let summary: FileImportSummary | null = null;
    try {
      summary = await importFiles(t3.sql, [dir]);
    } catch {
      crashed = true;
    }
    const kept = (await storedState(t3.sql, storedForm(before))).stored && (await storedState(t3.sql, storedForm(after))).stored;
    ledger.input('read error (EIO) in a plain and a gzipped file', { crashed, lost: !kept });
    expect(crashed).toBe(false);
    expect(kept).toBe(true);
    expect(summary?.fileErrors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^b\.mbox could not be read to its end \(EIO/),
      expect.stringMatching(/^c\.mbox\.gz could not be read to its end \(EIO/),
    ]);
  });
});

describeDb('one message above PATCHLOOM_MAX_MESSAGE_BYTES, and the same one below it', () => {
  let t2: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    t2 = await createTestDatabase();
    dir = scratchDir('limit');
  });
  afterAll(async () => {
    await t2?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores it raw and flagged too-large with a 1 MB limit, and parses it with a 128 MB limit, with bounded memory', async () => {
    const small = join(dir, 'limit');
    mkdirSync(small);
    const big = bigAttachment('attachment-parsed@patchloom.test', 50 * MB);
    writeFileSync(join(small, 'big.eml'), big);
    const before = process.env.PATCHLOOM_MAX_MESSAGE_BYTES;
    try {
      process.env.PATCHLOOM_MAX_MESSAGE_BYTES = String(1 * MB);
      const tooLarge = storedForm(mailText({ id: 'just-over@patchloom.test', body: `${'y'.repeat(MB + 10)}\n` }));
      writeFileSync(join(dir, 'just-over.eml'), tooLarge);
      await importFiles(t2.sql, [join(dir, 'just-over.eml')]);
      const s = await storedState(t2.sql, tooLarge);
      ledger.input('above PATCHLOOM_MAX_MESSAGE_BYTES', { crashed: false, lost: !accountedFor(s) });
      expect(s.status).toBe('unparsed');
      expect(kinds(s)).toContain('too-large');
      expect(s.flags.find((f) => f.kind === 'too-large')?.reason).toMatch(/PATCHLOOM_MAX_MESSAGE_BYTES/);

      process.env.PATCHLOOM_MAX_MESSAGE_BYTES = String(128 * MB);
      let peak = process.memoryUsage().rss;
      const base = peak;
      const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
      try {
        await importFiles(t2.sql, [small]);
      } finally {
        clearInterval(timer);
      }
      const parsed = await storedState(t2.sql, big);
      ledger.input('attachment-50mb parsed under a raised limit', { crashed: false, lost: !accountedFor(parsed) });
      expect(parsed.status).toBe('parsed');
      const [{ attachments }] = await t2.sql<{ attachments: { filename: string; size: number }[] }[]>`select attachments from messages where message_id = 'attachment-parsed@patchloom.test'`;
      expect(attachments).toEqual([{ filename: 'vmcore.bin', contentType: 'application/octet-stream', size: 50 * MB, text: null }]);
      // Raw (69 MB of base64), decoded (50 MB) and the parser's working copies: a bounded multiple of
      // the message (about 9x measured), which the default 25 MB limit keeps to a few hundred MB.
      console.log(`50 MB attachment parsed: RSS grew by ${((peak - base) / MB).toFixed(0)} MB (message ${(big.length / MB).toFixed(0)} MB)`);
      expect(peak - base).toBeLessThan(16 * big.length);
    } finally {
      if (before === undefined) delete process.env.PATCHLOOM_MAX_MESSAGE_BYTES;
      else process.env.PATCHLOOM_MAX_MESSAGE_BYTES = before;
    }
  }, 180_000);
});
