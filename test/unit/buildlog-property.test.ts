import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { corpusAvailable, corpusPath } from '../helpers/corpus.ts';
import type { Mail } from '../../lib/mail/types.ts';
import {
  detectInvalid,
  detectPreExisting,
  errorSignature,
  extractBuildErrors,
  extractBuildReport,
  extractLogReport,
  fixClaims,
  normalizePath,
  primaryError,
  type BuildError,
} from '../../lib/buildlog.ts';

const KINDS = new Set(['compiler-error', 'compiler-warning', 'fatal-error', 'make-no-rule', 'make-error', 'linker-undefined', 'linker-error', 'modpost', 'kconfig', 'sparse', 'objtool']);

function wellFormed(e: BuildError): void {
  expect(KINDS.has(e.kind)).toBe(true);
  expect(e.file === null || (typeof e.file === 'string' && !e.file.startsWith('./'))).toBe(true);
  for (const n of [e.line, e.column]) expect(n === null || (Number.isSafeInteger(n) && n >= 0)).toBe(true);
  expect(typeof e.message).toBe('string');
  expect(typeof e.isNew).toBe('boolean');
  expect(typeof e.text).toBe('string');
  expect(e.signature.startsWith(`${e.kind}|`)).toBe(true);
  expect(e.signature).toBe(errorSignature(e));
}

function mailOf(body: string, subject = 'Re: [PATCH] x'): Mail {
  return { messageId: 'p@x', subject, from: { name: 'A', email: 'a@example.org' }, date: null, inReplyTo: null, references: [], body, attachments: [], headers: {}, flags: [] };
}

/** Pieces of real logs, to mutate and glue together. */
const PIECES = [
  'arch/um/os-Linux/signal.c:163:22: error: dereferencing pointer to incomplete type ‘struct ucontext’',
  "make[2]: *** No rule to make target 'archheaders'.  Stop.",
  "arch/um/Makefile:119: recipe for target 'archheaders' failed",
  'make[1]: *** [archheaders] Error 2',
  "arm-linux-gnueabihf-ld: kernel/rcu/update.o: in function `f':",
  "update.c:(.text+0x318): undefined reference to `__bad_cmpxchg'",
  'ERROR: modpost: "__udivdi3" [fs/btrfs/btrfs.ko] undefined!',
  '>> drivers/foo.c:1:2: error: x',
  'All errors (new ones prefixed by >>):',
  '   In file included from <command-line>:',
  '                 from kernel/bounds.c:13:',
  '  167 |   oldval = cmpxchg_emu_u8((volatile u8 *)ptr, old, new);',
  '      |            ^~~~~~~~~~~~~~',
  '| cc1: error: code model ‘kernel’ not supported in the 32 bit mode',
  '> quoted: fs/x.c:1:1: error: y',
  'diff --git a/x b/x',
  '@@ -1,2 +1,2 @@',
  '+pr_err("a.c:1:2: error: b");',
  '-- ',
  '‘',
  'â',
  'That build failure is already present in mainline as of 38c23685b273.',
  'false positive, my setup was broken.',
  '',
];

const logish = fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 80 }), fc.string({ unit: 'grapheme', maxLength: 40 })), { maxLength: 60 }).map((ls) => ls.join('\n'));

describe('property: never throws, always well-formed', () => {
  it('extractBuildErrors on random and log-like text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 500 }), fc.string({ unit: 'binary', maxLength: 300 }), logish), (text) => {
        const errors = extractBuildErrors(text);
        errors.forEach(wellFormed);
        const p = primaryError(errors);
        expect(p === null || errors.includes(p)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('extractBuildReport, detectPreExisting and detectInvalid on random mail bodies', () => {
    fc.assert(
      fc.property(logish, fc.constantFrom('Re: [PATCH] x', '[PATCH 1/2] y', 'linux-next: build failure after merge of the z tree', '[linux-next:master] BUILD REGRESSION 0'), (body, subject) => {
        const r = extractBuildReport(mailOf(body, subject));
        if (r) {
          expect(r.errors.length).toBeGreaterThan(0);
          r.errors.forEach(wellFormed);
          expect(['robot', 'linux-next', 'human', 'kernelci']).toContain(r.kind);
        }
        const pre = detectPreExisting(body);
        if (pre) expect(pre.quotes).toContain(pre.quote);
        const inv = detectInvalid(body);
        if (inv) expect(typeof inv.quote).toBe('string');
        for (const c of fixClaims(mailOf(body, subject), [{ messageId: 'p@x', reportedBy: { name: 'A', email: 'a@example.org' }, signatures: [] }])) expect(c.reportMessageId).toBe('p@x');
      }),
      { numRuns: 300 },
    );
  });

  it('normalizePath is idempotent', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('', '.', '..', 'arch', 'um', 'tmp', 'home', 'linux', 'fs', 'x.c', 'usr', 'include'), { maxLength: 8 }).map((s) => s.join('/')), fc.boolean(), (p, abs) => {
        const once = normalizePath(abs ? `/${p}` : p);
        expect(normalizePath(once)).toBe(once);
      }),
    );
  });

  it('mutated real mails and logs', () => {
    if (!corpusAvailable) return;
    const sources = [
      readFileSync(corpusPath('build-logs/from-mail/sfr-linux-next-build-failure-printk-tree-dereferencing-pointer-to-incomplete-type.eml'), 'utf8'),
      readFileSync(corpusPath('lkml/kernel-test-robot/2025-reply-undefined-reference-strlcpy-hostprog.eml'), 'utf8'),
      readFileSync(corpusPath('build-logs/kernelci-logspec/kbuild_007.log'), 'utf8').slice(-6000),
    ];
    fc.assert(
      fc.property(fc.constantFrom(...sources), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 40 }), fc.string({ maxLength: 8 })), { maxLength: 20 }), (src, edits) => {
        let text = src;
        for (const [at, del, ins] of edits) {
          const i = at % (text.length + 1);
          text = text.slice(0, i) + ins + text.slice(i + del);
        }
        extractBuildErrors(text).forEach(wellFormed);
        const r = extractBuildReport(mailOf(text));
        r?.errors.forEach(wellFormed);
        extractLogReport(text);
        detectPreExisting(text);
        detectInvalid(text);
      }),
      { numRuns: 150 },
    );
  });
});

describe('hostile sizes', () => {
  it('a 5 MB single line is handled in well under a second', () => {
    const line = `drivers/x.c:1:2: error: ${'a'.repeat(5 * 1024 * 1024)}`;
    for (const f of [() => extractBuildErrors(line), () => extractBuildReport(mailOf(line)), () => detectPreExisting(line), () => detectInvalid(line)]) {
      const t0 = performance.now();
      f();
      expect(performance.now() - t0).toBeLessThan(1000);
    }
    const quotes = `${'‘'.repeat(2_000_000)}${'â'.repeat(2_000_000)}`;
    const t0 = performance.now();
    extractBuildErrors(quotes);
    extractBuildReport(mailOf(quotes));
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('100k lines of log-like text stay fast, and the error count is capped', () => {
    const body = Array.from({ length: 100_000 }, (_, i) => (i % 2 ? `fs/f${i}.c:${i}:1: error: bad ${i}` : '  CC      fs/x.o')).join('\n');
    const t0 = performance.now();
    const errors = extractBuildErrors(body);
    const r = extractBuildReport(mailOf(body));
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(errors.length).toBe(2000);
    expect(r!.errors.length).toBe(2000);
  });

  it('long runs of colons, include lines and carets do not backtrack', () => {
    const t0 = performance.now();
    extractBuildErrors(':'.repeat(4000) + '\n' + 'a:'.repeat(2000) + '\n' + `In file included from ${'x'.repeat(4000)}`);
    extractBuildErrors(Array.from({ length: 50_000 }, () => '      |            ^~~~~~~~~~~~~~').join('\n'));
    extractBuildErrors(Array.from({ length: 20_000 }, () => '                 from kernel/bounds.c:13,').join('\n'));
    detectPreExisting(`already ${'x '.repeat(100_000)}`);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('adversarial lines for every pattern stay linear', () => {
    const lines = [
      `${' '.repeat(4000)}x`,
      `${'a/'.repeat(1900)}make: x`,
      `${'a/'.repeat(1900)}ld: x`,
      `${'a-'.repeat(1900)}ld: x`,
      `arm ${'a'.repeat(3000)}`,
      `${'A=1 '.repeat(900)}`,
      `${'x:1'.repeat(1300)}`,
      `     ${'^'.repeat(3000)} x`,
      `    ${'w'.repeat(3000)}   x`,
    ];
    const body = Array.from({ length: 2000 }, (_, i) => lines[i % lines.length]).join('\n');
    const t0 = performance.now();
    extractBuildErrors(body);
    extractBuildReport(mailOf(body));
    extractLogReport(body);
    detectPreExisting(body);
    detectInvalid(body);
    const trailers = `Link: ${' '.repeat(200_000)}x\nCloses: https://lore.kernel.org/${'a@'.repeat(50_000)}/\nReported-by: ${'<a@b '.repeat(100_000)}\n`;
    extractBuildReport(mailOf(trailers));
    fixClaims(mailOf(`${trailers}${body}\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n`), [{ messageId: 'r', reportedBy: { name: '', email: 'a@b' }, signatures: ["compiler-error|x|'abcd'"] }]);
    expect(performance.now() - t0).toBeLessThan(3000);
  });
});
