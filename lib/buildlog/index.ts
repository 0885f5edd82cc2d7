/** Build-failure reports: extraction, signatures, grouping and lifecycle evidence. */
export type { BuildContext, BuildError, BuildErrorKind, BuildReport, BuildReportKind } from './types.ts';
export { emptyContext } from './types.ts';
export { extractBuildErrors, scanLog, type LogLine, type ScanResult } from './extract.ts';
export { prepareMailLines, type MailLines } from './lines.ts';
export { extractContext, splitArchConfig, canonicalArch, parseCompiler, findCompilerMention, findDistroMention, type ContextInput } from './context.ts';
export { extractBuildReport, extractLogReport, isSubmission, isRobotAuthor, messageIdOfLink, robotSlug } from './report.ts';
export { errorSignature, primaryError, groupBreakages, dedupeErrors, type Breakage } from './signature.ts';
export { normalizePath, normalizeQuotes, signatureText, isTempPath } from './normalize.ts';
export {
  detectPreExisting,
  detectInvalid,
  fixClaims,
  breakageStatus,
  type PreExisting,
  type EnvMention,
  type KnownReport,
  type FixClaim,
  type FixVia,
  type BreakageStatusInput,
  type BreakageStatusValue,
} from './lifecycle.ts';
