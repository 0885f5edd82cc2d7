/** Reading threads: a thread as a tree (lib/threading.ts over its stored messages) and message bodies for the pages. */
import type { Sql } from 'postgres';
import type { Address } from '../../mail/types.ts';
import { flattenTree, threadMessages, type ThreadInput, type ThreadNode } from '../../threading.ts';

export interface ThreadMessage {
  messageId: string;
  subject: string;
  from: Address;
  date: string | null;
}

export interface ThreadTreeNode {
  messageId: string;
  subject: string | null;
  from: Address | null;
  date: string | null;
  /** A message that is referenced but not stored. */
  placeholder: boolean;
  children: ThreadTreeNode[];
}

export interface ThreadTree {
  threadId: number;
  /** One root; when headers leave several, a placeholder root holds them. */
  root: ThreadTreeNode;
}

export interface FlatThreadEntry extends ThreadMessage {
  depth: number;
  placeholder: boolean;
  parentId: string | null;
}

/** The tree API cuts threads larger than this to their first messages by date. */
export const MAX_THREAD_MESSAGES = 20_000;
/** Pages render at most this many messages of a thread. */
export const MAX_PAGE_THREAD_MESSAGES = 2000;

interface Row {
  message_id: string;
  subject: string;
  from_name: string;
  from_email: string;
  date: Date | null;
  sort_date: Date;
  in_reply_to: string | null;
  references: string[];
}

export async function threadIdOf(sql: Sql, messageId: string): Promise<number | null> {
  const [row] = await sql<{ thread_id: string }[]>`
    select thread_id from messages where message_id = ${messageId} order by canonical desc, raw_id limit 1`;
  return row ? Number(row.thread_id) : null;
}

async function threadRows(sql: Sql, threadId: number, limit: number): Promise<Row[]> {
  return sql<Row[]>`
    select message_id, subject, from_name, from_email, date, sort_date, in_reply_to, "references"
    from messages where thread_id = ${threadId} and canonical
    order by sort_date, raw_id limit ${limit}`;
}

function forest(rows: Row[]): { roots: ThreadNode[]; byId: Map<string, Row> } {
  const inputs: ThreadInput[] = rows.map((r) => ({ messageId: r.message_id, inReplyTo: r.in_reply_to, references: r.references, subject: r.subject, date: r.date ?? r.sort_date }));
  return { roots: threadMessages(inputs), byId: new Map(rows.map((r) => [r.message_id, r])) };
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** The thread a message is in, as a tree; built without recursion, so a 10,000-deep chain is fine. */
export async function threadTreeOf(sql: Sql, messageId: string): Promise<ThreadTree | null> {
  const threadId = await threadIdOf(sql, messageId);
  if (threadId === null) return null;
  const { roots, byId } = forest(await threadRows(sql, threadId, MAX_THREAD_MESSAGES));
  const convert = (n: ThreadNode): ThreadTreeNode => {
    const r = byId.get(n.messageId);
    return {
      messageId: n.messageId,
      subject: r ? r.subject : null,
      from: r ? { name: r.from_name, email: r.from_email } : null,
      date: r ? iso(r.date) : null,
      placeholder: n.placeholder,
      children: [],
    };
  };
  const top = roots.map(convert);
  const stack: [ThreadNode, ThreadTreeNode][] = roots.map((n, i) => [n, top[i]]);
  while (stack.length) {
    const [n, out] = stack.pop() as [ThreadNode, ThreadTreeNode];
    for (const c of n.children) {
      const child = convert(c);
      out.children.push(child);
      stack.push([c, child]);
    }
  }
  const root: ThreadTreeNode = top.length === 1 ? top[0] : { messageId: '', subject: null, from: null, date: null, placeholder: true, children: top };
  return { threadId, root };
}

/** A thread in reading order with depths, for pages (which indent rather than nest); `truncated` when it was cut. */
export async function flatThread(sql: Sql, threadId: number, limit = MAX_PAGE_THREAD_MESSAGES): Promise<{ entries: FlatThreadEntry[]; truncated: boolean }> {
  const rows = await threadRows(sql, threadId, limit + 1);
  const { roots, byId } = forest(rows.slice(0, limit));
  const entries = flattenTree(roots).map((n) => {
    const r = byId.get(n.messageId);
    return {
      messageId: n.messageId,
      subject: r?.subject ?? '',
      from: { name: r?.from_name ?? '', email: r?.from_email ?? '' },
      date: r ? iso(r.date) : null,
      depth: n.depth,
      placeholder: n.placeholder,
      parentId: n.parentId,
    };
  });
  return { entries, truncated: rows.length > limit };
}

/** Bodies of some messages (canonical copies), by Message-ID. */
export async function messageBodies(sql: Sql, messageIds: string[]): Promise<Map<string, string>> {
  if (messageIds.length === 0) return new Map();
  const rows = await sql<{ message_id: string; body: string }[]>`
    select distinct on (message_id) message_id, body from messages
    where message_id = any(${messageIds}::text[]) order by message_id, canonical desc, raw_id`;
  return new Map(rows.map((r) => [r.message_id, r.body]));
}

/** Which of some Message-IDs are stored (a patch known only from a commit notice is not). */
export async function storedMessageIds(sql: Sql, messageIds: string[]): Promise<Set<string>> {
  if (messageIds.length === 0) return new Set();
  const rows = await sql<{ message_id: string }[]>`select distinct message_id from messages where message_id = any(${messageIds}::text[])`;
  return new Set(rows.map((r) => r.message_id));
}

/**
 * The tree as JSON, written without recursion: JSON.stringify overflows the stack on a
 * reply chain some thousands deep, and such chains exist in real archives.
 */
export function threadTreeJson(t: ThreadTree): string {
  const parts: string[] = [`{"threadId":${JSON.stringify(t.threadId)},"root":`];
  const stack: (ThreadTreeNode | string)[] = [t.root];
  while (stack.length) {
    const top = stack.pop() as ThreadTreeNode | string;
    if (typeof top === 'string') {
      parts.push(top);
      continue;
    }
    const { children, ...fields } = top;
    parts.push(`${JSON.stringify(fields).slice(0, -1)},"children":[`);
    stack.push(']}');
    for (let i = children.length - 1; i >= 0; i--) {
      stack.push(children[i]);
      if (i > 0) stack.push(',');
    }
  }
  parts.push('}');
  return parts.join('');
}
