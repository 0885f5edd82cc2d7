import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SHARED } from '../helpers/corpus.ts';
import { messagesOfFile } from '../../lib/mail/read.ts';
import { parseMail } from '../../lib/mail/parse.ts';
import { ownText, quotedText } from '../../lib/mail/quote.ts';
import type { Mail } from '../../lib/mail/types.ts';
import {
  breakageStatus,
  detectInvalid,
  detectPreExisting,
  extractBuildErrors,
  extractBuildReport,
  fixClaims,
  groupBreakages,
  primaryError,
  type BuildReport,
} from '../../lib/buildlog.ts';

const SEED = resolve(import.meta.dirname, '../fixtures/seed');
const present = existsSync(join(SEED, 'v1.mbox'));
if (!present) console.warn(`skipping the seed fixture tests: ${SEED} is not there yet`);

const INGO_ARCHHEADERS = '20180405151933.GA19273@gmail.com';
const DOMINIK_FIXUP = '20180405204102.GA7395@light.dominikbrodowski.net';
const INGO_UCONTEXT = '20180406082322.GA17406@gmail.com';
const DOMINIK_VERDICT = '20180406083110.GA22791@light.dominikbrodowski.net';

async function load(file: string): Promise<Mail[]> {
  return Promise.all(messagesOfFile(readFileSync(join(SEED, file))).map((m) => parseMail(m.bytes)));
}

describe.skipIf(!present)('seed fixture: the pt_regs series build failures', () => {
  let v1: Mail[] = [];
  let v2: Mail[] = [];
  let tip: Mail[] = [];
  const byId = (id: string) => {
    const m = v1.find((x) => x.messageId === id);
    if (!m) throw new Error(`no ${id} in v1.mbox`);
    return m;
  };
  beforeAll(async () => {
    v1 = await load('v1.mbox');
    v2 = await load('v2.mbox');
    tip = await load('tip-bot.eml');
  });

  it("Ingo's first reply reports the UML archheaders failure", () => {
    const r = extractBuildReport(byId(INGO_ARCHHEADERS))!;
    expect(r).not.toBeNull();
    expect(r.kind).toBe('human');
    expect(r.reportedBy).toEqual({ name: 'Ingo Molnar', email: 'mingo@kernel.org' });
    expect(r.context.arch).toBe('um');
    const p = primaryError(r.errors)!;
    expect(p).toMatchObject({ kind: 'make-no-rule', symbol: 'archheaders', file: null, message: "No rule to make target 'archheaders'" });
    expect(r.errors.map((e) => e.kind)).toEqual(['make-no-rule', 'make-error']);
    expect(r.errors[1]).toMatchObject({ file: 'arch/um/Makefile', line: 119, symbol: 'archheaders' });
    expect(r.errors[1].text).toContain('Waiting for unfinished jobs');
  });

  it("Ingo's later reply reports signal.c's incomplete struct ucontext, built with make ARCH=um linux", () => {
    const r = extractBuildReport(byId(INGO_UCONTEXT))!;
    expect(r).not.toBeNull();
    expect(r.context).toMatchObject({ arch: 'um', makeCommand: 'make ARCH=um linux' });
    const p = primaryError(r.errors)!;
    expect(p).toMatchObject({
      kind: 'compiler-error',
      file: 'arch/um/os-Linux/signal.c',
      line: 163,
      column: 22,
      symbol: 'struct ucontext',
      message: "dereferencing pointer to incomplete type 'struct ucontext'",
    });
    expect(p.text).toContain('In function ‘hard_handler’');
    expect(p.text).toContain('mcontext_t *mc = &uc->uc_mcontext;');
    // The archheaders log it quotes at depth 2 is not part of this report.
    expect(r.errors.some((e) => e.symbol === 'archheaders')).toBe(false);
  });

  it("Dominik's replies that quote the logs, the patches, v2 and tip-bot yield no report", () => {
    expect(extractBuildReport(byId(DOMINIK_FIXUP))).toBeNull();
    expect(extractBuildReport(byId(DOMINIK_VERDICT))).toBeNull();
    const reporters = [...v1, ...v2, ...tip].filter((m) => extractBuildReport(m) !== null).map((m) => m.messageId);
    expect(reporters).toEqual([INGO_ARCHHEADERS, INGO_UCONTEXT]);
  });

  it("Dominik's last reply: pre-existing in mainline as of 38c23685b273 and in v4.16, on Arch / gcc-7.3.1", () => {
    const verdict = detectPreExisting(ownText(byId(DOMINIK_VERDICT).body))!;
    expect(verdict).not.toBeNull();
    expect(verdict.ref).toBe('38c23685b273');
    expect(verdict.refs).toEqual(['38c23685b273', 'v4.16']);
    expect(verdict.quote).toMatch(/^That build failure is already present in mainline as of 38c23685b273/);
    expect(verdict.quotes[1]).toContain('also exists for plain v4.16');
    expect(verdict.failsOn).toEqual([expect.objectContaining({ distro: 'Arch', compiler: 'gcc', compilerVersion: '7.3.1' })]);
    expect(verdict.worksOn).toEqual([expect.objectContaining({ distro: 'Debian oldstable', compiler: 'gcc', compilerVersion: '4.9' })]);
    expect(detectInvalid(ownText(byId(DOMINIK_VERDICT).body))).toBeNull();
    // Ingo's reports and the fixup say nothing of the kind.
    for (const id of [INGO_ARCHHEADERS, DOMINIK_FIXUP, INGO_UCONTEXT]) expect(detectPreExisting(ownText(byId(id).body))).toBeNull();
  });

  it('the same log quoted later, at any depth, has the same signature', () => {
    const archheaders = primaryError(extractBuildReport(byId(INGO_ARCHHEADERS))!.errors)!;
    const ucontext = primaryError(extractBuildReport(byId(INGO_UCONTEXT))!.errors)!;
    // #15 quotes #14 at depth 1 and the archheaders log at depth 3.
    const verdictBody = byId(DOMINIK_VERDICT).body;
    const depth1 = quotedText(verdictBody);
    expect(extractBuildErrors(depth1).map((e) => e.signature)).toContain(ucontext.signature);
    const depth3 = quotedText(quotedText(depth1));
    expect(primaryError(extractBuildErrors(depth3))?.signature).toBe(archheaders.signature);
  });

  it('the web-archive copy of the thread (mojibake quotes â…â, a wrapped line, flattened spaces) signs the same', () => {
    const seedFile = join(SHARED, 'seed/lkml-2018-04-06-re-patch-0-8-pt-regs-syscalls.txt');
    if (!existsSync(seedFile)) return;
    const ucontext = primaryError(extractBuildReport(byId(INGO_UCONTEXT))!.errors)!;
    const archheaders = primaryError(extractBuildReport(byId(INGO_ARCHHEADERS))!.errors)!;
    const text = readFileSync(seedFile, 'utf8');
    const fromWeb = extractBuildErrors(quotedText(text));
    const sig = fromWeb.find((e) => e.file === 'arch/um/os-Linux/signal.c');
    expect(sig?.message).toBe("dereferencing pointer to incomplete type 'struct ucontext'");
    expect(sig?.signature).toBe(ucontext.signature);
    expect(primaryError(extractBuildErrors(quotedText(quotedText(quotedText(text)))))?.signature).toBe(archheaders.signature);
  });

  it('groups the reports into two breakages and decides their status', () => {
    const reports: { reportId: string; report: BuildReport }[] = [INGO_ARCHHEADERS, INGO_UCONTEXT].map((id) => ({ reportId: id, report: extractBuildReport(byId(id))! }));
    const groups = groupBreakages(reports);
    expect(groups.map((g) => [g.primary.kind, g.primary.symbol, g.reportIds])).toEqual([
      ['make-no-rule', 'archheaders', [INGO_ARCHHEADERS]],
      ['compiler-error', 'struct ucontext', [INGO_UCONTEXT]],
    ]);

    // The fixup in reply to the archheaders report claims it.
    const known = reports.map(({ reportId, report }) => ({ messageId: reportId, reportedBy: report.reportedBy, signatures: report.errors.map((e) => e.signature) }));
    const claims = fixClaims(byId(DOMINIK_FIXUP), known);
    expect(claims).toEqual([expect.objectContaining({ reportMessageId: INGO_ARCHHEADERS, via: 'reply' })]);
    expect(fixClaims(byId(INGO_UCONTEXT), known)).toEqual([]);

    const archStatus = breakageStatus({
      reports: [{ reportId: INGO_ARCHHEADERS }],
      fixProposedBy: claims.map((c) => ({ messageId: DOMINIK_FIXUP, via: c.via })),
      fixedBy: [],
      preExisting: null,
      invalid: null,
      laterVersionStillFails: null,
    });
    expect(archStatus.status).toBe('fix-proposed');
    expect(archStatus.reason).toContain(DOMINIK_FIXUP);

    const verdict = detectPreExisting(ownText(byId(DOMINIK_VERDICT).body))!;
    const ucStatus = breakageStatus({
      reports: [{ reportId: INGO_UCONTEXT }],
      fixProposedBy: [],
      fixedBy: [],
      preExisting: { ref: verdict.ref, quote: verdict.quote, messageId: DOMINIK_VERDICT },
      invalid: null,
      laterVersionStillFails: true,
    });
    expect(ucStatus.status).toBe('pre-existing');
    expect(ucStatus.reason).toContain('38c23685b273');
    expect(ucStatus.reason).toContain(DOMINIK_VERDICT);
  });
});
