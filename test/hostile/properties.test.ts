/**
 * Property tests that the domain modules' own tests do not cover: the mbox splitter as a
 * whole (join → split round-trips for mboxrd, whatever the chunking), threading over random
 * reference graphs with cycles, and analyseThread over mutated real threads.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusAvailable, corpusPath } from '../helpers/corpus.ts';
import { analyseThread } from '../../lib/analyse.ts';
import { createMboxSplitter, splitMbox } from '../../lib/mail/mbox.ts';
import { parseMail } from '../../lib/mail/parse.ts';
import { messagesOfFile } from '../../lib/mail/read.ts';
import type { Mail } from '../../lib/mail/types.ts';
import { flattenTree, threadMessages, type ThreadInput, type ThreadNode } from '../../lib/threading.ts';
import { createLedger, FROM_LINE, mboxEntry, storedForm } from './helpers.ts';

const ledger = createLedger(import.meta.filename);
afterAll(() => ledger.finish());

/** Runs a property; the ledger counts it as one hostile input (its cases in the name), crashed if any case failed. */
function counted<T>(name: string, arb: fc.Arbitrary<T>, check: (v: T) => void, numRuns: number) {
  let failed = true;
  try {
    fc.assert(fc.property(arb, check), { numRuns });
    failed = false;
  } finally {
    ledger.input(`${name} (${numRuns} generated cases)`, { crashed: failed, lost: false });
  }
}

// ---------------------------------------------------------------------------------------------
// mbox

/** Text made of the pieces that trouble mbox splitters. */
const mboxText = fc
  .array(
    fc.oneof(
      fc.constantFrom('From ', '>From ', '>>From ', 'From:', '\n', '\n\n', '\r\n', 'From me Thu Jan  1 00:00:00 1970', ' ', '>', '\t', 'x'),
      fc.string({ maxLength: 12 }),
      fc.uint8Array({ maxLength: 8 }).map((a) => Buffer.from(a).toString('latin1')),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

/** A message: a header, then anything. A bare CR before ">From " is left out (a known bug, below). */
const message = mboxText.map((body) => Buffer.from(`Subject: s\n\n${body.replace(/\r(?=>+From )/g, '')}`, 'latin1'));

describe('the mbox splitter', () => {
  it('round-trips mboxrd: split(join(messages)) gives back every message and its offset, in any chunking', () => {
    counted(
      'mbox round-trip',
      fc.tuple(fc.array(message, { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 97 })),
      ([messages, chunk]) => {
        const entries = messages.map(mboxEntry);
        const mbox = Buffer.concat(entries);
        const offsets = entries.map((_, i) => entries.slice(0, i).reduce((n, e) => n + e.length, 0));
        const expected = messages.map((m) => storedForm(m).toString('latin1'));
        const whole = splitMbox(mbox);
        expect(whole.map((m) => m.bytes.toString('latin1'))).toEqual(expected);
        expect(whole.map((m) => m.offset)).toEqual(offsets);
        const s = createMboxSplitter();
        const streamed = [];
        for (let i = 0; i < mbox.length; i += chunk) streamed.push(...s.push(mbox.subarray(i, i + chunk)));
        streamed.push(...s.end());
        expect(streamed.map((m) => m.bytes.toString('latin1'))).toEqual(expected);
      },
      400,
    );
  });

  it('never throws on arbitrary bytes, and gives back no more bytes than it was given', () => {
    counted(
      'mbox arbitrary bytes',
      fc.tuple(fc.oneof(mboxText.map((t) => Buffer.from(`${FROM_LINE}${t}`, 'latin1')), fc.uint8Array({ maxLength: 400 }).map((a) => Buffer.from(a))), fc.integer({ min: 1, max: 50 })),
      ([data, chunk]) => {
        const s = createMboxSplitter();
        const out = [];
        for (let i = 0; i < data.length; i += chunk) out.push(...s.push(data.subarray(i, i + chunk)));
        out.push(...s.end());
        expect(out.reduce((n, m) => n + m.bytes.length, 0)).toBeLessThanOrEqual(data.length);
        for (const m of out) expect(m.offset).toBeLessThan(data.length);
      },
      400,
    );
  });

  // In JavaScript /^…/m also matches after a bare CR; unquoting must only act at line starts.
  it('keeps a literal ">From " that follows a bare CR', () => {
    const msg = Buffer.from('Subject: s\n\nline\r>From here\n', 'latin1');
    expect(splitMbox(mboxEntry(msg))[0].bytes.toString('latin1')).toBe(msg.toString('latin1'));
  });
});

// ---------------------------------------------------------------------------------------------
// Threading

function forestIds(roots: ThreadNode[]): { real: string[]; placeholders: string[]; nodes: number } {
  const real: string[] = [];
  const placeholders: string[] = [];
  let nodes = 0;
  const stack = [...roots];
  while (stack.length) {
    const n = stack.pop() as ThreadNode;
    if (++nodes > 100_000) throw new Error('the forest has a cycle');
    (n.placeholder ? placeholders : real).push(n.messageId);
    stack.push(...n.children);
  }
  return { real, placeholders, nodes };
}

describe('threading random reference graphs, cycles included', () => {
  const id = (n: number) => `m${n}@graph`;
  const graph = fc.array(
    fc.record({
      id: fc.integer({ min: 0, max: 30 }),
      irt: fc.option(fc.integer({ min: 0, max: 40 }), { nil: null }),
      refs: fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 6 }),
      minute: fc.option(fc.integer({ min: 0, max: 50 }), { nil: null }),
      subject: fc.constantFrom('[PATCH 0/2] x', 'Re: [PATCH 0/2] x', 'x', 'Re: x', '', 'Re: Re: y'),
    }),
    { maxLength: 60 },
  );
  /** Force explicit cycles: a ring of replies, and a message answering itself. */
  const withCycles = fc.tuple(graph, fc.integer({ min: 2, max: 6 })).map(([nodes, ring]) => [
    ...nodes,
    ...Array.from({ length: ring }, (_, i) => ({ id: 100 + i, irt: 100 + ((i + 1) % ring), refs: [100 + ((i + 2) % ring)], minute: i, subject: 'Re: ring' })),
    { id: 200, irt: 200, refs: [200, 201], minute: null, subject: 'Re: me' },
  ]);

  it('places every message exactly once in a finite forest; placeholders only for ids that are referenced and absent', () => {
    counted(
      'threading cycles',
      withCycles,
      (nodes) => {
        const inputs: ThreadInput[] = nodes.map((n) => ({
          messageId: id(n.id),
          inReplyTo: n.irt === null ? null : id(n.irt),
          references: n.refs.map(id),
          subject: n.subject,
          date: n.minute === null ? null : new Date(Date.UTC(2026, 0, 1, 0, n.minute)),
        }));
        const roots = threadMessages(inputs);
        const { real, placeholders, nodes: count } = forestIds(roots);
        const present = new Set(inputs.map((m) => m.messageId));
        expect(real.sort()).toEqual([...present].sort());
        const referenced = new Set(inputs.flatMap((m) => [m.inReplyTo, ...m.references].filter((x): x is string => x !== null)));
        for (const p of placeholders) {
          expect(present.has(p)).toBe(false);
          expect(referenced.has(p)).toBe(true);
        }
        expect(new Set(placeholders).size).toBe(placeholders.length);
        expect(flattenTree(roots)).toHaveLength(count);
      },
      300,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// analyseThread over mutated real threads

const SEED = join(import.meta.dirname, '../fixtures/seed');

async function realThreads(): Promise<Mail[][]> {
  const files = [join(SEED, 'v1.mbox'), join(SEED, 'v2.mbox')];
  if (corpusAvailable) {
    for (const dir of ['lkml/threads/lsm-syscalls', 'lkml/threads/file_getattr-series', 'lkml/threads/multi_clock_gettime']) {
      for (const f of readdirSync(corpusPath(dir)).filter((n) => n.endsWith('.mbox'))) files.push(join(corpusPath(dir), f));
    }
  }
  const threads: Mail[][] = [];
  for (const f of files) {
    try {
      threads.push(await Promise.all(messagesOfFile(readFileSync(f)).map((m) => parseMail(m.bytes))));
    } catch {
      /* a fixture being rewritten right now: skip it */
    }
  }
  return threads.filter((t) => t.length > 0);
}

type Mutation =
  | { kind: 'drop'; at: number }
  | { kind: 'duplicate'; at: number }
  | { kind: 'cut-body'; at: number; frac: number }
  | { kind: 'inject'; at: number; frac: number; text: string }
  | { kind: 'subject'; at: number; subject: string }
  | { kind: 'reparent'; at: number; to: number }
  | { kind: 'cycle'; at: number; to: number }
  | { kind: 'no-date'; at: number }
  | { kind: 'swap-bodies'; at: number; to: number }
  | { kind: 'same-id'; at: number; to: number };

const hostileText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom(
    '\n--\n',
    '\n---\n',
    '\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,9999999999 +1 @@\n',
    '\n@@ -0,0 +0,0 @@\n',
    '\nReviewed-by: \nAcked-by: <>\nTested-by: a@b\n',
    '\n> > > >\n>\n',
    '\n-- >8 --\n',
    '\nCommit-ID: zz\n',
    '\nerror: \nerror: error: error:\n',
    '\narch/x86/entry/syscalls/syscall_64.tbl\n999999999999 common x __x64_sys_\n',
    '\u0000\uFFFD\u202E',
  ),
);
const subjects = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.constantFrom('[PATCH 9/3] x', '[PATCH 0/0] x', '[PATCH -1/x] y', '[PATCH v99999999999 1/2] z', '[PATCH 1/2][PATCH 2/2]', 'Re: Re: Re: [PATCH', '[GIT PULL]', '[tip: x86/urgent]', ''),
);

function mutation(size: number): fc.Arbitrary<Mutation> {
  const at = fc.nat({ max: size - 1 });
  return fc.oneof(
    fc.record({ kind: fc.constant('drop' as const), at }),
    fc.record({ kind: fc.constant('duplicate' as const), at }),
    fc.record({ kind: fc.constant('cut-body' as const), at, frac: fc.double({ min: 0, max: 1, noNaN: true }) }),
    fc.record({ kind: fc.constant('inject' as const), at, frac: fc.double({ min: 0, max: 1, noNaN: true }), text: hostileText }),
    fc.record({ kind: fc.constant('subject' as const), at, subject: subjects }),
    fc.record({ kind: fc.constant('reparent' as const), at, to: at }),
    fc.record({ kind: fc.constant('cycle' as const), at, to: at }),
    fc.record({ kind: fc.constant('no-date' as const), at }),
    fc.record({ kind: fc.constant('swap-bodies' as const), at, to: at }),
    fc.record({ kind: fc.constant('same-id' as const), at, to: at }),
  );
}

function mutate(thread: Mail[], ms: Mutation[]): Mail[] {
  let out = thread.map((m) => ({ ...m, references: [...m.references], flags: [...m.flags] }));
  for (const m of ms) {
    if (out.length === 0) break;
    const i = m.at % out.length;
    const x = out[i];
    switch (m.kind) {
      case 'drop':
        out.splice(i, 1);
        break;
      case 'duplicate':
        out.push({ ...x });
        break;
      case 'cut-body':
        out[i] = { ...x, body: x.body.slice(0, Math.floor(x.body.length * m.frac)) };
        break;
      case 'inject': {
        const p = Math.floor(x.body.length * m.frac);
        out[i] = { ...x, body: x.body.slice(0, p) + m.text + x.body.slice(p) };
        break;
      }
      case 'subject':
        out[i] = { ...x, subject: m.subject };
        break;
      case 'reparent':
        out[i] = { ...x, inReplyTo: out[m.to % out.length].messageId };
        break;
      case 'cycle': {
        const j = m.to % out.length;
        out[i] = { ...x, inReplyTo: out[j].messageId, references: [...x.references, out[j].messageId] };
        out[j] = { ...out[j], inReplyTo: x.messageId, references: [x.messageId] };
        break;
      }
      case 'no-date':
        out[i] = { ...x, date: null };
        break;
      case 'swap-bodies': {
        const j = m.to % out.length;
        [out[i], out[j]] = [{ ...x, body: out[j].body }, { ...out[j], body: x.body }];
        break;
      }
      case 'same-id':
        out[i] = { ...x, messageId: out[m.to % out.length].messageId };
        break;
    }
  }
  out = out.filter(Boolean);
  return out;
}

describe('analyseThread over mutated real threads', () => {
  let threads: Mail[][] = [];
  beforeAll(async () => {
    threads = await realThreads();
  });

  it('never throws, and returns well-formed analyses', () => {
    expect(threads.length).toBeGreaterThan(1);
    const arb = fc.nat({ max: threads.length - 1 }).chain((k) => fc.tuple(fc.constant(k), fc.array(mutation(threads[k].length), { minLength: 1, maxLength: 12 })));
    counted(
      'analyseThread mutated',
      arb,
      ([k, ms]) => {
        const a = analyseThread(mutate(threads[k], ms));
        for (const key of ['series', 'fixups', 'reports', 'verdicts', 'notices', 'claims', 'messageLinks'] as const) expect(Array.isArray(a[key])).toBe(true);
        for (const s of a.series) {
          expect(typeof s.draft.key).toBe('string');
          expect(s.draft.patches.every((p) => Number.isInteger(p.number))).toBe(true);
        }
      },
      150,
    );
  }, 120_000);

  it('analyses a real thread the same as before the mutations when none are applied', () => {
    const [seed] = threads;
    expect(analyseThread(mutate(seed, [])).series.map((s) => s.draft.key)).toEqual(analyseThread(seed).series.map((s) => s.draft.key));
  });
});
