import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeDb, type TestDatabase } from '../helpers/db.ts';
import { corpusAvailable, corpusPath } from '../helpers/corpus.ts';
import { importFiles } from '../../ingest/import-files.ts';
import { splitMbox } from '../../lib/mail/mbox.ts';

const describeApi = corpusAvailable ? describeDb : describeDb.skip;

type Handler = (req: Request, ctx: { params: Promise<{ id: string }> }) => Promise<Response>;

describeApi('message API route handlers', () => {
  let t: TestDatabase;
  let health: () => Promise<Response>;
  let message: Handler;
  let raw: Handler;
  const call = (h: Handler, id: string, query = '') =>
    h(new Request(`http://localhost/api/messages/${encodeURIComponent(id)}${query}`), { params: Promise.resolve({ id: encodeURIComponent(id) }) });

  beforeAll(async () => {
    t = await createTestDatabase();
    process.env.DATABASE_URL = t.url;
    await importFiles(t.sql, [corpusPath('patchwork-mail/historical'), corpusPath('lkml/threads/lsm-syscalls/v4-0of8.mbox'), corpusPath('patchwork-mail/mail')]);
    health = (await import('../../app/api/health/route.ts')).GET;
    message = (await import('../../app/api/messages/[id]/route.ts')).GET;
    raw = (await import('../../app/api/messages/[id]/raw/route.ts')).GET;
  });
  afterAll(async () => {
    const { database } = await import('../../app/lib/database.ts');
    await (await database()).close();
    await t?.drop();
  });

  it('reports health with the message count', async () => {
    const res = await health();
    const body = await res.json();
    const [{ n }] = await t.sql<{ n: string }[]>`select count(*) as n from raw_messages`;
    expect(body).toEqual({ status: 'ok', messages: Number(n) });
  });

  it('returns a message as JSON in the documented shape', async () => {
    const res = await call(message, '20221229233454.43880-8-casey@schaufler-ca.com');
    expect(res.status).toBe(200);
    const m = await res.json();
    expect(Object.keys(m).sort()).toEqual(['attachments', 'body', 'date', 'flags', 'from', 'inReplyTo', 'messageId', 'references', 'subject'].sort());
    expect(m.subject).toContain('[PATCH v4 7/8]');
    expect(m.from).toEqual({ name: 'Casey Schaufler', email: 'casey@schaufler-ca.com' });
    expect(m.inReplyTo).toBe('20221229233454.43880-1-casey@schaufler-ca.com');
    expect(m.body).toContain('syscall_64.tbl');
  });

  it('answers unknown ids with a JSON 404', async () => {
    const res = await call(message, 'no-such-id@example.com');
    expect(res.status).toBe(404);
    expect((await res.json()).error).toContain('no-such-id@example.com');
    expect((await call(raw, 'no-such-id@example.com')).status).toBe(404);
  });

  it('serves the exact stored bytes, CRLF included', async () => {
    const file = readFileSync(corpusPath('patchwork-mail/historical/0018-git-pull-request-crlf-newlines.mbox'));
    const [expected] = splitMbox(file);
    const id = /Message-I[dD]:\s*<([^>]+)>/.exec(expected.bytes.toString('latin1'))?.[1] as string;
    const res = await call(raw, id);
    expect(res.headers.get('content-type')).toBe('message/rfc822');
    expect(res.headers.get('content-disposition')).toMatch(/^inline; filename="[A-Za-z0-9._-]+\.eml"$/);
    expect(Buffer.from(await res.arrayBuffer()).equals(expected.bytes)).toBe(true);
  });
});
