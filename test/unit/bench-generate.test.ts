import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateMessages, maildirFileName, writeMaildir, writeMbox, type GeneratedMessage } from '../../bench/generate.ts';
import { extractMessageIds, parseMessageId } from '../../lib/mail/ids.ts';
import { splitMbox } from '../../lib/mail/mbox.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const tmp = mkdtempSync(join(tmpdir(), 'bench-generate-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Parsed {
  msg: GeneratedMessage;
  head: string;
  headers: Map<string, string>;
  body: string;
  subject: string;
  from: string;
  id: string;
  inReplyTo: string | null;
  references: string[];
  date: number;
}

function parse(msg: GeneratedMessage): Parsed {
  const text = msg.bytes.toString('utf8');
  const split = text.indexOf('\n\n');
  const head = text.slice(0, split);
  const body = text.slice(split + 2);
  const headers = new Map<string, string>();
  for (const field of head.split(/\n(?![ \t])/)) {
    const colon = field.indexOf(':');
    const key = field.slice(0, colon).toLowerCase();
    if (!headers.has(key)) headers.set(key, field.slice(colon + 1).replace(/\n[ \t]+/g, ' ').trim());
  }
  return {
    msg,
    head,
    headers,
    body,
    subject: headers.get('subject') ?? '',
    from: headers.get('from') ?? '',
    id: parseMessageId(headers.get('message-id')) ?? '',
    inReplyTo: parseMessageId(headers.get('in-reply-to')),
    references: extractMessageIds(headers.get('references')),
    date: Date.parse(headers.get('date') ?? '') / 1000,
  };
}

type Category = 'series' | 'reply' | 'robot' | 'tipbot' | 'pull' | 'rfc';

/** The category as a reader of the list would see it, from the headers alone. */
function category(p: Parsed): Category {
  if (p.from.includes('<lkp@intel.com>')) return 'robot';
  if (p.subject.startsWith('[tip: ')) return 'tipbot';
  if (p.subject.startsWith('[GIT PULL]')) return 'pull';
  if (p.subject.startsWith('[RFC PATCH')) return 'rfc';
  if (p.subject.startsWith('Re: ')) return 'reply';
  if (p.subject.startsWith('[PATCH')) return 'series';
  throw new Error(`unclassified subject: ${p.subject}`);
}

/** The author's own text: quoted lines dropped. */
function own(body: string): string {
  return body
    .split('\n')
    .filter((l) => !l.startsWith('>'))
    .join('\n');
}

function digest(msgs: Iterable<GeneratedMessage>): string {
  const h = createHash('sha256');
  for (const m of msgs) h.update(m.bytes);
  return h.digest('hex');
}

const N = 3000;
const SEED = 42;
const sample: Parsed[] = [...generateMessages({ messages: N, seed: SEED })].map(parse);
const byId = new Map(sample.map((p, i) => [p.id, i]));

describe('determinism and count', () => {
  it('gives identical bytes for the same seed and different bytes for another', () => {
    const a = digest(generateMessages({ messages: 400, seed: 7 }));
    const b = digest(generateMessages({ messages: 400, seed: 7 }));
    const c = digest(generateMessages({ messages: 400, seed: 8 }));
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    // A prefix of a larger corpus is not required to equal a smaller one, but the sample must match itself.
    expect(digest(sample.map((p) => p.msg))).toBe(digest(generateMessages({ messages: N, seed: SEED })));
  });

  it('yields exactly the requested number of messages', () => {
    for (const n of [0, 1, 2, 5, 21, 333]) expect([...generateMessages({ messages: n, seed: 3 })]).toHaveLength(n);
    expect(sample).toHaveLength(N);
  });
});

describe('headers and threading', () => {
  it('has valid, ASCII, RFC 5322 headers on every message', () => {
    for (const p of sample) {
      expect(p.head).toMatch(/^From: /);
      expect(/^[\x20-\x7e\t\n]*$/.test(p.head), `non-ASCII header in ${p.id}`).toBe(true);
      for (const line of p.head.split('\n')) expect(line.length).toBeLessThanOrEqual(998);
      for (const h of ['from', 'to', 'subject', 'date', 'message-id']) expect(p.headers.has(h), `${h} in ${p.id}`).toBe(true);
      expect(p.headers.get('mime-version')).toBe('1.0');
      expect(p.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(p.headers.get('content-transfer-encoding')).toBe('8bit');
      expect(Number.isFinite(p.date)).toBe(true);
      expect(p.id).toBe(p.msg.messageId);
      expect(p.date).toBe(p.msg.date);
      expect(p.body.endsWith('\n')).toBe(true);
    }
  });

  it('gives every message a unique Message-ID', () => {
    expect(byId.size).toBe(N);
  });

  it('points every In-Reply-To and Reference at an earlier message, and dates replies after their parents', () => {
    let replies = 0;
    sample.forEach((p, i) => {
      if (p.inReplyTo) {
        replies++;
        const parent = byId.get(p.inReplyTo);
        expect(parent, `In-Reply-To of ${p.id}`).toBeDefined();
        expect(parent as number).toBeLessThan(i);
        expect(p.date).toBeGreaterThanOrEqual(sample[parent as number].date);
        expect(p.references[p.references.length - 1]).toBe(p.inReplyTo);
      }
      for (const ref of p.references) expect(byId.get(ref) ?? Infinity, `Reference of ${p.id}`).toBeLessThan(i);
    });
    expect(replies / N).toBeGreaterThan(0.6);
  });

  it('spreads dates over a year, roughly in generation order', () => {
    const dates = sample.map((p) => p.date);
    const span = (Math.max(...dates) - Math.min(...dates)) / 86400;
    expect(span).toBeGreaterThan(330);
    expect(span).toBeLessThan(400);
    let late = 0;
    for (let i = 100; i < N; i++) if (dates[i] < dates[i - 100]) late++;
    expect(late / N).toBeLessThan(0.02);
  });

  it('uses a few hundred authors', () => {
    const authors = new Set(sample.map((p) => /<([^>]+)>/.exec(p.from)?.[1] ?? p.from));
    expect(authors.size).toBeGreaterThan(200);
    expect(authors.size).toBeLessThan(520);
  });
});

describe('the mix', () => {
  const cats = sample.map(category);
  const share = (c: Category) => cats.filter((x) => x === c).length / N;

  it('is about 35% series patches, 55% replies and 10% bots, pulls and RFCs', () => {
    expect(share('series')).toBeGreaterThan(0.31);
    expect(share('series')).toBeLessThan(0.39);
    expect(share('reply')).toBeGreaterThan(0.51);
    expect(share('reply')).toBeLessThan(0.59);
    const rest = share('robot') + share('tipbot') + share('pull') + share('rfc');
    expect(rest).toBeGreaterThan(0.07);
    expect(rest).toBeLessThan(0.13);
    for (const c of ['robot', 'tipbot', 'pull', 'rfc'] as const) expect(share(c), c).toBeGreaterThan(0.004);
    // The generator's own label agrees with what the headers say.
    const label: Record<string, Category> = { patch: 'series', cover: 'series', reply: 'reply', robot: 'robot', tipbot: 'tipbot', pull: 'pull', rfc: 'rfc' };
    sample.forEach((p, i) => expect(label[p.msg.kind]).toBe(cats[i]));
  });

  it('threads series like git send-email, with cover letters and versions v1..v4', () => {
    const series = sample.filter((p, i) => cats[i] === 'series');
    const covers = series.filter((p) => / 0\/\d+\]/.test(p.subject));
    expect(covers.length).toBeGreaterThan(20);
    for (const p of series) {
      const m = /^\[PATCH(?: v(\d))? (\d+)\/(\d+)\] /.exec(p.subject);
      if (!m) {
        expect(p.subject).toMatch(/^\[PATCH(?: v[2-4])?\] \S/);
        continue;
      }
      if (m[2] !== '0') {
        const cover = sample[byId.get(p.inReplyTo ?? '') ?? -1];
        expect(cover?.subject, p.subject).toMatch(new RegExp(`^\\[PATCH${m[1] ? ` v${m[1]}` : ''} 0/${m[3]}\\] `));
        expect(p.references).toEqual([cover.id]);
        expect(cover.from).toBe(p.from);
      }
    }
    const versions = new Set(series.map((p) => /^\[PATCH v(\d)/.exec(p.subject)?.[1] ?? '1'));
    expect([...versions].sort()).toEqual(['1', '2', '3', '4']);
    // A later version reuses the title and author of an earlier one, in a new thread.
    const title = (p: Parsed) => p.subject.replace(/^\[[^\]]*\] /, '');
    const later = series.filter((p) => /^\[PATCH v[2-4]/.test(p.subject) && !p.inReplyTo);
    expect(later.length).toBeGreaterThan(10);
    const matched = later.filter((p) => series.some((q) => q !== p && q.from === p.from && title(q) === title(p) && byId.get(q.id)! < byId.get(p.id)!));
    expect(matched.length / later.length).toBeGreaterThan(0.5);
    expect(later.filter((p) => /^Changes since v\d:$/m.test(p.body)).length / later.length).toBeGreaterThan(0.8);
  });

  it('writes patches like git format-patch, with correct hunk headers and diffstats', () => {
    let checked = 0;
    for (const p of sample) {
      if (!['patch', 'rfc'].includes(p.msg.kind) || / 0\/\d+\] /.test(p.subject)) continue;
      const body = p.body;
      expect(body).toMatch(/^Signed-off-by: .+ <[^>]+>$/m);
      expect(body).toMatch(/\n---\n/);
      expect(body.endsWith('-- \n2.39.2\n\n')).toBe(true);
      const diff = body.slice(body.indexOf('\ndiff --git ') + 1, body.lastIndexOf('\n-- \n') + 1);
      let plus = 0;
      let minus = 0;
      const lines = diff.split('\n');
      for (let i = 0; i < lines.length; i++) {
        const h = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(lines[i]);
        if (!h) continue;
        let oldLeft = h[2] === undefined ? 1 : Number(h[2]);
        let newLeft = h[4] === undefined ? 1 : Number(h[4]);
        let j = i + 1;
        for (; j < lines.length && (oldLeft > 0 || newLeft > 0); j++) {
          const c = lines[j][0];
          if (c === ' ') {
            oldLeft--;
            newLeft--;
          } else if (c === '-') {
            oldLeft--;
            minus++;
          } else if (c === '+') {
            newLeft--;
            plus++;
          } else throw new Error(`bad hunk line ${JSON.stringify(lines[j])} in ${p.id}`);
        }
        expect([oldLeft, newLeft], `hunk ${lines[i]} in ${p.id}`).toEqual([0, 0]);
        const next = lines[j] ?? '';
        expect(next === '' || next.startsWith('@@ ') || next.startsWith('diff --git ')).toBe(true);
        checked++;
      }
      const stat = /^ (\d+) files? changed(?:, (\d+) insertions?\(\+\))?(?:, (\d+) deletions?\(-\))?$/m.exec(body);
      expect(stat, p.id).not.toBeNull();
      expect(Number(stat?.[2] ?? 0)).toBe(plus);
      expect(Number(stat?.[3] ?? 0)).toBe(minus);
      expect(Number(stat?.[1])).toBe((diff.match(/^diff --git /gm) ?? []).length);
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('has a few patches that change or add rows of syscall_64.tbl', () => {
    const patches = sample.filter((p) => p.msg.kind === 'patch');
    const tbl = patches.filter((p) => p.body.includes('diff --git a/arch/x86/entry/syscalls/syscall_64.tbl b/arch/x86/entry/syscalls/syscall_64.tbl'));
    expect(tbl.length / patches.length).toBeGreaterThan(0.005);
    expect(tbl.length / patches.length).toBeLessThan(0.08);
    for (const p of tbl) expect(p.body).toMatch(/^[+-]\d+\t(common|64)\t\w+\t+\w+$/m);
  });

  it('has replies with trailers, scissors fixups and build logs', () => {
    const replies = sample.filter((p) => p.msg.kind === 'reply').map((p) => ({ p, own: own(p.body) }));
    const frac = (re: RegExp) => replies.filter((r) => re.test(r.own)).length / replies.length;
    expect(replies.every((r) => /^(On .* wrote:|\* .* wrote:)$/m.test(r.p.body) || r.p.from.includes('pr-tracker-bot'))).toBe(true);
    expect(replies.filter((r) => /^> /m.test(r.p.body)).length / replies.length).toBeGreaterThan(0.9);
    expect(frac(/^(Reviewed|Acked|Tested)-by: .+ <[^>]+>$/m)).toBeGreaterThan(0.15);
    expect(frac(/^(-- >8 --|--- >8 ---|-->8--|----8<----|8<-+)$/m)).toBeGreaterThan(0.05);
    expect(frac(/^Subject: \[PATCH\] /m)).toBeGreaterThan(0.03);
    expect(frac(/^\S+\.[ch]:\d+:\d+: (error|warning): /m)).toBeGreaterThan(0.05);
    expect(frac(/^make\[\d\]: \*\*\* \[scripts\/Makefile\.build:\d+: \S+\.o\] Error 1$/m)).toBeGreaterThan(0.05);
  });

  it('has kernel test robot reports, tip-bot notifications and pull requests', () => {
    const robot = sample.filter((p) => p.msg.kind === 'robot');
    for (const p of robot) {
      expect(p.from).toBe('kernel test robot <lkp@intel.com>');
      for (const s of ['config: ', 'compiler: ', 'reproduce', 'All errors (new ones prefixed by >>):', '\n>> ']) expect(p.body).toContain(s);
    }
    const onPatches = robot.filter((p) => p.inReplyTo);
    expect(onPatches.length).toBeGreaterThan(robot.length / 2);
    for (const p of onPatches) {
      expect(p.body).toMatch(/^\[auto build test ERROR on \S+\]$/m);
      expect(p.body).toMatch(/^url: +https:\/\//m);
      expect(p.body).toMatch(/^base: +\S/m);
    }
    const tips = sample.filter((p) => p.msg.kind === 'tipbot');
    for (const p of tips) {
      expect(p.subject).toMatch(/^\[tip: [\w-]+\/[\w-]+\] /);
      expect(p.body).toMatch(/^Commit-ID: +[0-9a-f]{40}$/m);
      const link = /^Link: https:\/\/lore\.kernel\.org\/r\/(\S+)$/m.exec(p.body)?.[1] ?? '';
      const target = sample[byId.get(link) ?? -1];
      expect(target?.msg.kind, `Link: in ${p.id}`).toBe('patch');
      expect(byId.get(link)!).toBeLessThan(byId.get(p.id)!);
    }
    for (const p of sample.filter((q) => q.msg.kind === 'pull')) {
      expect(p.body).toContain('are available in the Git repository at:');
      expect(p.body).toMatch(/^ \d+ files? changed/m);
    }
  });
});

describe('sizes', () => {
  it('has a median near 4 KB, a p99 near 25 KB and nothing much over 100 KB', () => {
    const sizes = sample.map((p) => p.msg.bytes.length).sort((a, b) => a - b);
    const q = (f: number) => sizes[Math.floor(f * (sizes.length - 1))];
    expect(q(0.5)).toBeGreaterThan(3000);
    expect(q(0.5)).toBeLessThan(5500);
    expect(q(0.99)).toBeGreaterThan(15000);
    expect(q(0.99)).toBeLessThan(40000);
    expect(sizes[sizes.length - 1]).toBeLessThanOrEqual(102400);
    expect(sizes[0]).toBeGreaterThan(400);
  });
});

describe('writers', () => {
  it('writes an mboxrd file that splits back into exactly the generated messages', () => {
    const opts = { messages: 1500, seed: 11 };
    const path = join(tmp, 'out.mbox');
    const stats = writeMbox(path, opts);
    const data = readFileSync(path);
    expect(stats.messages).toBe(1500);
    expect(stats.bytes).toBe(data.length);
    expect(data.subarray(0, 39).toString()).toBe('From mboxrd@z Thu Jan  1 00:00:00 1970\n');
    // Pasted format-patch output starts with a From_ line: mboxrd must have quoted it.
    expect(data.includes('\n>From ')).toBe(true);
    const split = splitMbox(data);
    const generated = [...generateMessages(opts)];
    expect(split).toHaveLength(1500);
    split.forEach((m, i) => expect(m.bytes.equals(generated[i].bytes), `message ${i}`).toBe(true));
  });

  it('writes a maildir with one deterministically named file per message in cur/', () => {
    const opts = { messages: 200, seed: 9 };
    const dir = join(tmp, 'maildir');
    const stats = writeMaildir(dir, opts);
    expect(stats.messages).toBe(200);
    expect(readdirSync(join(dir, 'new'))).toEqual([]);
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
    const names = readdirSync(join(dir, 'cur'));
    expect(names).toHaveLength(200);
    for (const n of names) expect(n).toMatch(/^\d{10}\.M\d+P9\.bench:2,S$/);
    [...generateMessages(opts)].forEach((m, i) => {
      expect(readFileSync(join(dir, 'cur', maildirFileName(m, i, 9))).equals(m.bytes)).toBe(true);
    });
  });
});

describe('command line', () => {
  it('writes the same mbox as writeMbox, and rejects bad arguments', () => {
    const run = (args: string[]) => spawnSync('npx', ['tsx', 'bench/generate.ts', ...args], { cwd: ROOT, encoding: 'utf8' });
    const out = join(tmp, 'cli.mbox');
    const ok = run(['--messages', '60', '--seed', '5', '--format', 'mbox', '--out', out]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stderr).toContain('wrote 60 messages');
    writeMbox(join(tmp, 'api.mbox'), { messages: 60, seed: 5 });
    expect(readFileSync(out).equals(readFileSync(join(tmp, 'api.mbox')))).toBe(true);
    const md = join(tmp, 'cli-maildir');
    expect(run(['--messages', '10', '--seed', '5', '--format', 'maildir', '--out', md]).status).toBe(0);
    expect(readdirSync(join(md, 'cur'))).toHaveLength(10);
    const bad = run(['--messages', 'ten', '--format', 'mbox', '--out', join(tmp, 'x')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('usage:');
    expect(existsSync(join(tmp, 'x'))).toBe(false);
  });
});
