import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeDb, type TestDatabase } from '../helpers/db.ts';
import { CORPUS, corpusAvailable, corpusPath } from '../helpers/corpus.ts';
import { importFiles } from '../../ingest/import-files.ts';
import { listFiles, looksLikeMail } from '../../ingest/sources/files.ts';
import { sha256Hex } from '../../lib/mail/ids.ts';
import { rawMessage } from '../../lib/db/queries/messages.ts';

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
