/**
 * JWZ-style threading (https://www.jwz.org/doc/threading.html), made independent of input
 * order: a message's parent comes from its own headers only, missing ancestors become
 * placeholders, loops are cut at a fixed place, and siblings are sorted. Everything is
 * iterative, so a 10,000-deep reply chain is fine.
 */
import { parseSubject, stripReplyPrefixes } from './subject.ts';

export interface ThreadInput {
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  subject: string;
  date: Date | null;
}

export interface ThreadNode {
  messageId: string;
  /** A message that is referenced but not present. */
  placeholder: boolean;
  children: ThreadNode[];
}

/** Past this many References, only the last ones are used: they are the near ancestors. */
const MAX_REFERENCES = 200;

/**
 * Yahoo's mailer adds a reference to "<localpart>.ref@<domain>" of the message itself,
 * which never exists (see lsm-syscalls covers). Such a reference says nothing.
 */
function isSelfEcho(ref: string, ownId: string): boolean {
  if (ref === ownId) return true;
  const at = ownId.lastIndexOf('@');
  if (at < 0) return false;
  return ref === `${ownId.slice(0, at)}.ref${ownId.slice(at)}`;
}

/** The References of a message without itself, its Yahoo echo and repeats, oldest first, capped. */
export function cleanReferences(msg: ThreadInput): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const refs = msg.references.length > MAX_REFERENCES ? msg.references.slice(-MAX_REFERENCES) : msg.references;
  for (const r of refs) {
    if (!r || seen.has(r) || isSelfEcho(r, msg.messageId)) continue;
    seen.add(r);
    out.push(r);
  }
  return out;
}

/** The message this one answers: In-Reply-To, else the last reference. */
export function parentOf(msg: ThreadInput): string | null {
  if (msg.inReplyTo && !isSelfEcho(msg.inReplyTo, msg.messageId)) return msg.inReplyTo;
  return cleanReferences(msg).at(-1) ?? null;
}

/** Ancestors nearest first: In-Reply-To, then References from the last to the first. */
export function ancestorsOf(msg: ThreadInput): string[] {
  const out: string[] = [];
  const parent = parentOf(msg);
  if (parent) out.push(parent);
  const refs = cleanReferences(msg);
  for (let i = refs.length - 1; i >= 0; i--) if (refs[i] !== parent) out.push(refs[i]);
  return out;
}

/**
 * Own id plus every ancestor id the headers name. Two messages are in one thread exactly when
 * these sets connect, so a database can union-find threads as mail arrives, in any order.
 */
export function connectedIds(msg: ThreadInput): string[] {
  return [msg.messageId, ...ancestorsOf(msg)];
}

/** True when the headers give no thread at all, so only the subject can place the message. */
export function hasNoThreadHeaders(msg: ThreadInput): boolean {
  return parentOf(msg) === null;
}

/**
 * The key for subject-based threading: the subject without reply markers, whitespace-
 * normalized and lower-cased. A headerless "Re: X" joins the thread whose root has key X.
 */
export function subjectThreadKey(msg: Pick<ThreadInput, 'subject'>): string | null {
  const key = stripReplyPrefixes(msg.subject).toLowerCase();
  return key ? key : null;
}

interface Container {
  id: string;
  msg: ThreadInput | null;
  parent: Container | null;
  children: Container[];
  /** Earliest date in the subtree, for ordering roots and placeholders. */
  sortTime: number;
}

function timeOf(d: Date | null): number {
  const t = d ? d.getTime() : NaN;
  return Number.isFinite(t) ? t : Number.POSITIVE_INFINITY;
}

function compareContainers(a: Container, b: Container): number {
  if (a.sortTime !== b.sortTime) return a.sortTime < b.sortTime ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Of two copies of one Message-ID, keep one chosen by content, so input order does not matter. */
function preferred(a: ThreadInput, b: ThreadInput): ThreadInput {
  const ta = timeOf(a.date);
  const tb = timeOf(b.date);
  if (ta !== tb) return ta < tb ? a : b;
  const ka = `${a.subject}\0${a.inReplyTo ?? ''}\0${a.references.join(' ')}`;
  const kb = `${b.subject}\0${b.inReplyTo ?? ''}\0${b.references.join(' ')}`;
  return ka <= kb ? a : b;
}

/** Thread a set of messages. The result is the same for any order of the input. */
export function threadMessages(msgs: ThreadInput[]): ThreadNode[] {
  const byId = new Map<string, ThreadInput>();
  for (const m of msgs) {
    if (!m || !m.messageId) continue;
    const prev = byId.get(m.messageId);
    byId.set(m.messageId, prev ? preferred(prev, m) : m);
  }

  const containers = new Map<string, Container>();
  const get = (id: string): Container => {
    let c = containers.get(id);
    if (!c) {
      c = { id, msg: null, parent: null, children: [], sortTime: Number.POSITIVE_INFINITY };
      containers.set(id, c);
    }
    return c;
  };
  for (const [id, m] of byId) get(id).msg = m;

  // Parent of a real message: its own headers. Parent of a placeholder: the reference that
  // precedes it in the chains of the messages naming it; when chains disagree, the candidate
  // named most often wins, ties to the smaller id (order-independent).
  const parentId = new Map<string, string>();
  const placeholderVotes = new Map<string, Map<string, number>>();
  for (const [id, m] of byId) {
    const p = parentOf(m);
    if (p && p !== id) parentId.set(id, p);
    const chain = cleanReferences(m);
    if (p && chain.at(-1) !== p) chain.push(p);
    for (let i = 1; i < chain.length; i++) {
      const child = chain[i];
      if (byId.has(child) || child === id) continue;
      let votes = placeholderVotes.get(child);
      if (!votes) placeholderVotes.set(child, (votes = new Map()));
      votes.set(chain[i - 1], (votes.get(chain[i - 1]) ?? 0) + 1);
    }
    for (const r of chain) if (!byId.has(r)) get(r);
  }
  for (const [child, votes] of placeholderVotes) {
    let best: string | null = null;
    let bestN = 0;
    for (const [cand, n] of votes) {
      if (cand === child) continue;
      if (n > bestN || (n === bestN && best !== null && cand < best)) {
        best = cand;
        bestN = n;
      }
    }
    if (best) parentId.set(child, best);
  }

  breakCycles(parentId, (id) => containers.get(id)?.msg?.date ?? null);

  // Subject fallback, only for messages whose headers name no parent at all.
  const headerRoots: ThreadInput[] = [];
  for (const [id, m] of byId) if (!parentId.has(id) && parentOf(m) === null) headerRoots.push(m);
  const rootsByKey = new Map<string, ThreadInput[]>();
  for (const m of headerRoots) {
    if (parseSubject(m.subject).isReply) continue;
    const key = subjectThreadKey(m);
    if (!key) continue;
    const list = rootsByKey.get(key) ?? [];
    list.push(m);
    rootsByKey.set(key, list);
  }
  for (const m of headerRoots) {
    if (!parseSubject(m.subject).isReply) continue;
    const key = subjectThreadKey(m);
    const candidates = key ? rootsByKey.get(key) : undefined;
    if (!candidates) continue;
    const root = pickSubjectRoot(candidates, m);
    if (root && root.messageId !== m.messageId) parentId.set(m.messageId, root.messageId);
  }

  for (const [child, parent] of parentId) {
    const c = get(child);
    const p = get(parent);
    c.parent = p;
    p.children.push(c);
  }

  const roots: Container[] = [];
  for (const c of containers.values()) if (!c.parent) roots.push(c);

  // Subtree sort times bottom-up (iteratively), then sort every child list.
  const order = postOrder(roots);
  for (const c of order) {
    let t = c.msg ? timeOf(c.msg.date) : Number.POSITIVE_INFINITY;
    if (!c.msg) for (const ch of c.children) if (ch.sortTime < t) t = ch.sortTime;
    c.sortTime = t;
  }
  // Placeholders sort by their earliest descendant; real messages by their own date.
  for (const c of order) c.children.sort(compareContainers);
  roots.sort(compareContainers);

  return toNodes(roots);
}

/** The candidate root for a headerless reply: the latest one not after it, else the earliest. */
function pickSubjectRoot(candidates: ThreadInput[], reply: ThreadInput): ThreadInput | null {
  const t = timeOf(reply.date);
  const earlier = (a: ThreadInput, b: ThreadInput) => {
    const ta = timeOf(a.date);
    const tb = timeOf(b.date);
    return ta < tb || (ta === tb && a.messageId < b.messageId);
  };
  let before: ThreadInput | null = null;
  let earliest: ThreadInput | null = null;
  for (const c of candidates) {
    if (!earliest || earlier(c, earliest)) earliest = c;
    if (timeOf(c.date) <= t && (!before || earlier(before, c))) before = c;
  }
  return before ?? earliest;
}

/**
 * Each id has at most one parent, so cycles are simple rings. Each ring is cut at its
 * earliest message (then smallest id), which becomes a root: the same cut whatever the order.
 */
function breakCycles(parentId: Map<string, string>, dateOf: (id: string) => Date | null): void {
  const state = new Map<string, 1 | 2>(); // 1: on the current walk, 2: done
  const ids = [...parentId.keys()].sort();
  for (const start of ids) {
    if (state.has(start)) continue;
    const path: string[] = [];
    let cur: string | undefined = start;
    while (cur !== undefined && !state.has(cur)) {
      state.set(cur, 1);
      path.push(cur);
      cur = parentId.get(cur);
    }
    if (cur !== undefined && state.get(cur) === 1) {
      const ring = path.slice(path.indexOf(cur));
      let cut = ring[0];
      for (const id of ring) {
        const a = timeOf(dateOf(id));
        const b = timeOf(dateOf(cut));
        if (a < b || (a === b && id < cut)) cut = id;
      }
      parentId.delete(cut);
    }
    for (const id of path) state.set(id, 2);
  }
}

function postOrder(roots: Container[]): Container[] {
  const out: Container[] = [];
  const stack: { c: Container; i: number }[] = [];
  for (let r = roots.length - 1; r >= 0; r--) stack.push({ c: roots[r], i: 0 });
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.i < top.c.children.length) {
      stack.push({ c: top.c.children[top.i++], i: 0 });
    } else {
      out.push(top.c);
      stack.pop();
    }
  }
  return out;
}

function toNodes(roots: Container[]): ThreadNode[] {
  const made = new Map<Container, ThreadNode>();
  const make = (c: Container): ThreadNode => {
    const n: ThreadNode = { messageId: c.id, placeholder: !c.msg, children: [] };
    made.set(c, n);
    return n;
  };
  const out = roots.map(make);
  const stack = [...roots];
  while (stack.length) {
    const c = stack.pop() as Container;
    const n = made.get(c) as ThreadNode;
    for (const ch of c.children) {
      n.children.push(make(ch));
      stack.push(ch);
    }
  }
  return out;
}

export interface FlatNode {
  messageId: string;
  placeholder: boolean;
  depth: number;
  parentId: string | null;
}

/** Pre-order walk over a forest, without recursion. */
export function* depthFirst(roots: ThreadNode[]): Generator<{ node: ThreadNode; depth: number; parent: ThreadNode | null }> {
  const stack: { node: ThreadNode; depth: number; parent: ThreadNode | null }[] = [];
  for (let i = roots.length - 1; i >= 0; i--) stack.push({ node: roots[i], depth: 0, parent: null });
  while (stack.length) {
    const top = stack.pop() as { node: ThreadNode; depth: number; parent: ThreadNode | null };
    yield top;
    const ch = top.node.children;
    for (let i = ch.length - 1; i >= 0; i--) stack.push({ node: ch[i], depth: top.depth + 1, parent: top.node });
  }
}

/** The forest as a pre-order list with depths: what a thread view renders, and easy to compare. */
export function flattenTree(roots: ThreadNode[]): FlatNode[] {
  const out: FlatNode[] = [];
  for (const { node, depth, parent } of depthFirst(roots)) {
    out.push({ messageId: node.messageId, placeholder: node.placeholder, depth, parentId: parent ? parent.messageId : null });
  }
  return out;
}
