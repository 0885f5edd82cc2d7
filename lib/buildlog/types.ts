/**
 * Build-failure reports found in mail and in CI logs: the data every other
 * buildlog module produces or consumes.
 */
import type { Address } from '../mail/types.ts';

export type BuildErrorKind =
  | 'compiler-error'
  | 'compiler-warning'
  | 'fatal-error'
  | 'make-no-rule'
  | 'make-error'
  | 'linker-undefined'
  | 'linker-error'
  | 'modpost'
  | 'kconfig'
  | 'sparse'
  | 'objtool';

export interface BuildError {
  kind: BuildErrorKind;
  /** Relative to the kernel tree (build-dir prefixes, ./ and ../ removed); an object (.o/.ko) for linker and modpost errors. */
  file: string | null;
  line: number | null;
  column: number | null;
  /** Normalized human text: ASCII quotes, no tool prefix, no line/column. */
  message: string;
  /** The thing the message is about: an undefined symbol, a type, a make target. */
  symbol: string | null;
  /** The kernel test robot marked the line with `>>`: this patch introduced it. */
  isNew: boolean;
  /** The original lines, with the context that belongs to them (include chain, "In function", source and caret lines, notes). */
  text: string;
  signature: string;
  /** BUILD REGRESSION summaries only: the configs the robot lists for this error. */
  configs?: string[];
  /** BUILD REGRESSION summaries only: listed under "Unverified Error/Warning (likely false positive)". */
  unverified?: boolean;
}

export interface BuildContext {
  arch: string | null;
  config: string | null;
  compiler: 'gcc' | 'clang' | null;
  compilerVersion: string | null;
  distro: string | null;
  tree: string | null;
  branch: string | null;
  baseCommit: string | null;
  makeCommand: string | null;
}

export type BuildReportKind = 'robot' | 'linux-next' | 'human' | 'kernelci';

export interface BuildReport {
  errors: BuildError[];
  context: BuildContext;
  /** The author of the message whose own text holds the log. */
  reportedBy: Address;
  /** Robot "patch subject:" line. */
  patchSubject: string | null;
  /** Robot "patch link:" line, as a Message-ID. */
  patchLink: string | null;
  isRobot: boolean;
  kind: BuildReportKind;
}

export function emptyContext(): BuildContext {
  return {
    arch: null,
    config: null,
    compiler: null,
    compilerVersion: null,
    distro: null,
    tree: null,
    branch: null,
    baseCommit: null,
    makeCommand: null,
  };
}
