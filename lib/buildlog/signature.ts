/**
 * One identity per failure: the same error reported twice, by two people, through two
 * toolchains' quoting styles, or quoted later, gets one signature; and reports group into
 * breakages by the signature of their primary error.
 */
import type { BuildError, BuildErrorKind, BuildReport } from './types.ts';
import { signatureText } from './normalize.ts';

type SignatureInput = Pick<BuildError, 'kind' | 'file' | 'message' | 'symbol'>;

/**
 * kind|file|message with line and column numbers dropped, addresses, temporary and build-dir
 * paths, quoting styles and cross-compiler prefixes normalized. Make failures are keyed by their
 * target (the makefile and its line move between kernel versions), linker and modpost failures
 * by their symbol (bfd and lld word them differently).
 */
export function errorSignature(e: SignatureInput): string {
  const file = e.file ?? '';
  switch (e.kind) {
    case 'make-no-rule':
      return `make-no-rule||No rule to make target '${e.symbol ?? signatureText(e.message)}'`;
    case 'make-error':
      if (e.symbol !== null && /^\[|^recipe for target/.test(e.message)) return `make-error||target '${e.symbol}' failed`;
      return `make-error|${file}|${signatureText(e.message)}`;
    case 'linker-undefined':
      return `linker-undefined|${file}|undefined reference to '${e.symbol ?? signatureText(e.message)}'`;
    default:
      return `${e.kind}|${file}|${signatureText(e.message)}`;
  }
}

/** How much an error explains a failure: lower is more of a cause. */
function causeRank(e: BuildError): number {
  const k: BuildErrorKind = e.kind;
  if (k === 'linker-error' && /ld returned \d+ exit status|linker command failed/.test(e.message)) return 4;
  if (k === 'sparse' || k === 'objtool') return /^error\b/i.test(e.message) ? 0 : 2;
  if (k === 'compiler-warning') return 2;
  if (k === 'make-no-rule') return 1;
  if (k === 'make-error') return /No such file or directory/.test(e.message) ? 1.5 : 3;
  return 0;
}

/**
 * The error a report is about: among the robot's new (`>>`) lines if it marked any, the first
 * error-level diagnostic; make's "Error 1" and collect2 are consequences and only stand in when
 * nothing else is there ("No rule to make target" before a bare "Error 2"); warnings rank above
 * them because with -Werror they are the cause.
 */
export function primaryError(errors: BuildError[]): BuildError | null {
  if (errors.length === 0) return null;
  const fresh = errors.filter((e) => e.isNew && !e.unverified);
  const verified = errors.filter((e) => !e.unverified);
  const pool = fresh.length > 0 ? fresh : verified.length > 0 ? verified : errors;
  let best: BuildError | null = null;
  let bestRank = Infinity;
  for (const e of pool) {
    const r = causeRank(e);
    if (r < bestRank) {
      best = e;
      bestRank = r;
    }
  }
  return best;
}

export interface Breakage {
  signature: string;
  primary: BuildError;
  reportIds: string[];
}

/** Reports grouped by the signature of their primary error, in order of first report. */
export function groupBreakages(reports: { reportId: string; report: BuildReport }[]): Breakage[] {
  const bySignature = new Map<string, Breakage>();
  for (const { reportId, report } of reports) {
    const primary = primaryError(report.errors);
    if (!primary) continue;
    const group = bySignature.get(primary.signature);
    if (group) {
      if (!group.reportIds.includes(reportId)) group.reportIds.push(reportId);
    } else bySignature.set(primary.signature, { signature: primary.signature, primary, reportIds: [reportId] });
  }
  return [...bySignature.values()];
}

/** One error per signature, first occurrence kept; a repeat marked new makes the kept one new. */
export function dedupeErrors(errors: BuildError[]): BuildError[] {
  const seen = new Map<string, BuildError>();
  const out: BuildError[] = [];
  for (const e of errors) {
    const prev = seen.get(e.signature);
    if (prev) {
      if (e.isNew && !prev.isNew) prev.isNew = true;
      if (e.configs) prev.configs = [...new Set([...(prev.configs ?? []), ...e.configs])];
      continue;
    }
    const copy = { ...e };
    seen.set(e.signature, copy);
    out.push(copy);
  }
  return out;
}
