import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDb, type TestDatabase } from '../helpers/db.ts';
import { importFiles } from '../../ingest/import-files.ts';
import { databaseWith, get, getJson, ID, SEED, teardown, type Handler } from './api-helpers.ts';

interface Node {
  messageId: string;
  subject: string | null;
  from: { name: string; email: string } | null;
  date: string | null;
  placeholder: boolean;
  children: Node[];
}

const NODE_KEYS = ['children', 'date', 'from', 'messageId', 'placeholder', 'subject'];
const DEPTH = 12_000;

function find(n: Node, id: string): Node | null {
  const stack = [n];
  while (stack.length) {
    const x = stack.pop() as Node;
    if (x.messageId === id) return x;
    stack.push(...x.children);
  }
  return null;
}

describeDb('thread and flagged-message API', () => {
  let t: TestDatabase;
  let thread: Handler<{ id: string }>;
  let flagged: () => Promise<Response>;
  let lines: Handler<{ id: string }>;
  let dir: string;
  const treeOf = (id: string) => getJson<{ threadId: number; root: Node }>(thread, `/api/messages/${encodeURIComponent(id)}/thread`, { id: encodeURIComponent(id) });

  beforeAll(async () => {
    t = await databaseWith([SEED]);
    dir = mkdtempSync(join(tmpdir(), 'patchloom-flag-'));
    // A message without a Message-ID is stored and flagged.
    writeFileSync(join(dir, 'no-id.eml'), 'From: Someone <someone@example.com>\nSubject: a message without an id\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n\nbody\n');
    await importFiles(t.sql, [dir]);
    thread = (await import('../../app/api/messages/[id]/thread/route.ts')).GET;
    flagged = (await import('../../app/api/flagged/route.ts')).GET;
    lines = (await import('../../app/api/messages/[id]/lines/route.ts')).GET;
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await teardown(t);
  });

  it('returns the v1 thread as a tree rooted at the cover letter', async () => {
    const { status, body } = await treeOf(ID.ingoUcontext);
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['root', 'threadId']);
    const [{ thread_id }] = await t.sql<{ thread_id: string }[]>`select thread_id from messages where message_id = ${ID.v1Cover}`;
    expect(body.threadId).toBe(Number(thread_id));
    const root = body.root;
    expect(Object.keys(root).sort()).toEqual(NODE_KEYS);
    expect(root).toMatchObject({
      messageId: ID.v1Cover,
      subject: '[PATCH 0/8] use struct pt_regs based syscall calling for x86-64',
      from: { name: 'Dominik Brodowski', email: 'linux@dominikbrodowski.net' },
      date: '2018-04-05T09:53:07.000Z',
      placeholder: false,
    });
    // Patches and the replies to the cover, in date order.
    expect(root.children.map((c) => c.messageId)).toEqual([...[1, 2, 3, 4, 5, 6, 7, 8].map(ID.v1Patch), ID.andyReview, ID.ingoArchheaders]);
    expect(find(root, ID.v1Patch(3))?.children.map((c) => c.messageId)).toEqual([ID.peterAck]);
    // The chain #12 → #13 → #14 → #15.
    expect(find(root, ID.ingoArchheaders)?.children.map((c) => c.messageId)).toEqual([ID.dominikFixup]);
    expect(find(root, ID.dominikFixup)?.children.map((c) => c.messageId)).toEqual([ID.ingoUcontext]);
    expect(find(root, ID.ingoUcontext)?.children.map((c) => c.messageId)).toEqual([ID.dominikVerdict]);
    expect(find(root, ID.dominikVerdict)?.children).toEqual([]);
    // Any message of the thread gives the same tree.
    expect((await treeOf(ID.v1Cover)).body).toEqual(body);
  });

  it('answers unknown ids with a JSON 404', async () => {
    const res = await get(thread, '/api/messages/none%40example.com/thread', { id: 'none%40example.com' });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toContain('none@example.com');
  });

  it(`serves a ${DEPTH}-deep reply chain (JSON.stringify alone would overflow the stack)`, async () => {
    const threadId = 900_000_001;
    await t.sql`
      with raw as (
        insert into raw_messages (sha256, message_id, raw, size, parse_status)
        select 'deep-' || i, 'deep-' || i || '@example.com', '\\x00'::bytea, 1, 'parsed' from generate_series(1, ${DEPTH}) i
        returning id, message_id)
      insert into messages (raw_id, message_id, canonical, subject, from_name, from_email, date, sort_date, in_reply_to, "references", body, attachments, headers, thread_id)
      select r.id, r.message_id, true, 'Re: deep', 'A', 'a@example.com', d, d,
             case when i > 1 then 'deep-' || (i - 1) || '@example.com' end,
             case when i > 1 then array['deep-' || (i - 1) || '@example.com'] else '{}'::text[] end,
             '', '[]'::jsonb, '{}'::jsonb, ${threadId}
      from raw r, lateral (select split_part(split_part(r.message_id, '-', 2), '@', 1)::int as i) n,
           lateral (select timestamptz '2020-01-01' + make_interval(secs => i) as d) t`;
    const started = Date.now();
    const { status, body } = await treeOf('deep-5000@example.com');
    expect(status).toBe(200);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(body.threadId).toBe(threadId);
    let depth = 0;
    let n: Node = body.root;
    expect(n.messageId).toBe('deep-1@example.com');
    while (n.children.length) {
      expect(n.children).toHaveLength(1);
      n = n.children[0];
      depth++;
    }
    expect(depth).toBe(DEPTH - 1);
    expect(n.messageId).toBe(`deep-${DEPTH}@example.com`);
  });

  it('gives a message text as the pages draw it, for bodies loaded on demand', async () => {
    type Lines = { messageId: string; blocks: { folded: boolean; lines: number; runs: { kind: string; text: string }[] }[]; cutLines: number };
    const linesOf = (id: string, query = '') => getJson<Lines>(lines, `/api/messages/${encodeURIComponent(id)}/lines${query}`, { id: encodeURIComponent(id) });
    const patch = await linesOf(ID.v1Patch(8), '?fold=0');
    expect(patch.status).toBe(200);
    expect(Object.keys(patch.body).sort()).toEqual(['blocks', 'cutLines', 'messageId']);
    expect(patch.body.messageId).toBe(ID.v1Patch(8));
    expect(patch.body.cutLines).toBe(0);
    const runs = patch.body.blocks.flatMap((b) => b.runs);
    expect(runs.some((r) => r.kind === 'add' && r.text.startsWith('+'))).toBe(true);
    expect(runs.some((r) => r.kind === 'hunk')).toBe(true);
    // A reply's quoted text is folded (by default); without folding nothing is.
    const reply = await linesOf(ID.peterAck);
    expect(reply.status).toBe(200);
    expect(reply.body.blocks.some((b) => b.folded)).toBe(true);
    expect((await linesOf(ID.peterAck, '?fold=false')).body.blocks.some((b) => b.folded)).toBe(false);
    expect((await linesOf(ID.peterAck, '?fold=maybe')).status).toBe(400);
    const missing = await linesOf('none@example.com');
    expect(missing.status).toBe(404);
  });

  it('lists flagged messages with their reasons', async () => {
    const res = await flagged();
    expect(res.status).toBe(200);
    const body = (await res.json()) as { flagged: { messageId: string; subject: string; parseStatus: string; flags: { kind: string; reason: string }[]; source: string | null }[] };
    expect(Object.keys(body)).toEqual(['flagged']);
    expect(body.flagged).toHaveLength(1);
    const [m] = body.flagged;
    expect(m.subject).toBe('a message without an id');
    expect(m.messageId).toMatch(/@patchloom\.invalid$/);
    expect(m.parseStatus).toBe('flagged');
    expect(m.flags.length).toBeGreaterThan(0);
    expect(m.flags[0].reason.length).toBeGreaterThan(10);
    expect(m.source).toContain('no-id.eml');
  });
});
