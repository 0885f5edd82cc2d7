/**
 * A build report from one mail (its own text and text attachments) or one CI log: the errors,
 * where they happened, who reported them, and what the robot says the report is about.
 */
import type { Address, Mail } from '../mail/types.ts';
import type { BuildError, BuildReport, BuildReportKind } from './types.ts';
import { extractContext } from './context.ts';
import { scanLog } from './extract.ts';
import { prepareMailLines } from './lines.ts';
import { dedupeErrors } from './signature.ts';

/** Mails that carry a change rather than report one: their logs describe what they fix. */
const SUBMISSION = /^\s*\[(?:[^\]]*\b(?:PATCH|RFC)\b[^\]]*|tip:[^\]]*|tip [^\]]*|git pull[^\]]*|GIT PULL[^\]]*|GIT[^\]]*)\]/i;
const REPLY = /^\s*(?:(?:re|aw|sv|fwd?)\s*(?:\[\d+\])?:\s*)+/i;

/** A [PATCH]/[RFC] posting, a tip-bot commit notice or a pull request (not a reply to one). */
export function isSubmission(mail: Mail): boolean {
  const subject = mail.subject.slice(0, 400);
  return !REPLY.test(subject) && SUBMISSION.test(subject);
}

export function isRobotAuthor(from: Address): boolean {
  return /\b(?:kernel|kbuild) test robot\b|\bkernelci\b|\bbuildbot\b/i.test(from.name) || /^(?:lkp@intel\.com|bot@kernelci\.org)$/i.test(from.email);
}

function reportKind(mail: Mail, text: string): BuildReportKind {
  if (/kernelci/i.test(mail.from.email) || /kernelci/i.test(mail.from.name)) return 'kernelci';
  if (isRobotAuthor(mail.from)) return 'robot';
  if (/^linux-next: build (?:failure|warning)/i.test(mail.subject.slice(0, 400).replace(REPLY, '')) || /today's linux-next build\s*\(/i.test(text)) return 'linux-next';
  return 'human';
}

/** "https://lore.kernel.org/r/20250520-x-v4-4-1123%40igalia.com" → "20250520-x-v4-4-1123@igalia.com". */
export function messageIdOfLink(link: string): string | null {
  if (link.length > 2000) return null;
  const m = /^https?:\/\/[^/\s]+\/(?:[^/\s]+\/)*?([^/\s]*(?:@|%40)[^/\s]+?)\/?(?:[#?].*)?$/.exec(link.trim());
  if (!m) return null;
  let id = m[1];
  try {
    id = decodeURIComponent(id);
  } catch {
    id = id.replace(/%40/gi, '@');
  }
  return id.replace(/^<|>$/g, '') || null;
}

/** The tree under "Error/Warning ids grouped by kconfigs:" maps each error slug to its configs. */
function regressionConfigs(lines: string[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  let inTree = false;
  let config: string | null = null;
  for (const l of lines) {
    if (/^Error\/Warning ids grouped by kconfigs:/.test(l)) {
      inTree = true;
      continue;
    }
    if (!inTree) continue;
    if (/^(?:elapsed time|configs tested)/.test(l)) break;
    const top = /^[|`]-- (\S+)\s*$/.exec(l);
    if (top) {
      config = top[1];
      continue;
    }
    const leaf = /^[|` ] {3}[|`]-- (\S+)\s*$/.exec(l);
    if (leaf && config) {
      const list = map.get(leaf[1]) ?? [];
      if (!list.includes(config)) list.push(config);
      map.set(leaf[1], list);
    }
  }
  return map;
}

/** The robot's slug of an error line: "drivers-dma-buf-x.c:warning:variable-err-set-but-not-used". */
export function robotSlug(line: string): string {
  let s = line.trim().replace(/^(?:\S*\/)?g?make\[\d+\]: \*\*\* /, 'make: ');
  s = s.replace(/^([^\s:]+):\d+(?::\d+)?:/, '$1:');
  s = s.replace(/\s*\[-W[^\]]*\]\s*$/, '');
  // The robot drops bare numbers ("the frame size of 1288 bytes" → "the-frame-size-of-bytes").
  s = s.replace(/(?<![\w.])\d+(?![\w.])/g, '');
  s = s.replace(/[^\w.():]+/g, '-').replace(/:-/g, ':').replace(/-:/g, ':');
  return s.replace(/^-+|-+$/g, '');
}

/** Configs per error, and which errors the robot itself calls unverified. texts: prepared lines; body: raw lines (the tree's "| " must survive). */
function markRegressionSummary(texts: string[], body: string[], errors: BuildError[], lineOfError: number[]): void {
  const configs = regressionConfigs(body);
  let unverifiedFrom = texts.findIndex((t) => /^Unverified Error\/Warning/.test(t));
  if (unverifiedFrom < 0) unverifiedFrom = Infinity;
  let unverifiedTo = texts.findIndex((t, i) => i > unverifiedFrom && /^Error\/Warning ids grouped by kconfigs:/.test(t));
  if (unverifiedTo < 0) unverifiedTo = Infinity;
  errors.forEach((e, k) => {
    const at = lineOfError[k];
    const slug = robotSlug(texts[at] ?? '');
    const list = configs.get(slug);
    if (list) e.configs = list;
    if (at > unverifiedFrom && at < unverifiedTo) e.unverified = true;
  });
}

function lineValue(lines: string[], label: string): string | null {
  const prefix = `${label}:`;
  for (const l of lines.slice(0, 200)) {
    if (l.startsWith(prefix)) return l.slice(prefix.length).trim() || null;
  }
  return null;
}

function textAttachments(mail: Mail): string[] {
  return mail.attachments
    .filter((a) => a.text !== null && a.text.length > 0 && !/\.(patch|diff)$/i.test(a.filename ?? '') && !/x-(patch|diff)/i.test(a.contentType) && !/pgp|signature/i.test(a.contentType))
    .map((a) => a.text as string);
}

/** The report in a mail's own text and text attachments, or null (quotes, diffs and patch submissions never make one). */
export function extractBuildReport(mail: Mail): BuildReport | null {
  if (isSubmission(mail)) return null;
  const { lines } = prepareMailLines(mail.body);
  const texts = lines.map((l) => l.text);
  const scan = scanLog(lines);
  const errors = [...scan.errors];
  const summary = /BUILD (?:REGRESSION|SUCCESS)/.test(mail.subject) || texts.some((t) => /^Error\/Warning ids grouped by kconfigs:/.test(t));
  if (summary) markRegressionSummary(texts, mail.body.split('\n'), errors, scan.lineOfError);
  const attachments = textAttachments(mail);
  const configAttachments: string[] = [];
  for (const att of attachments) {
    if (/^CONFIG_\w+=|^# Linux\/\w+ .* Kernel Configuration/m.test(att.slice(0, 5000))) {
      configAttachments.push(att);
      continue;
    }
    errors.push(...scanLog(prepareMailLines(att).lines).errors);
  }
  if (errors.length === 0) return null;
  const isRobot = isRobotAuthor(mail.from);
  const context = extractContext({
    lines: texts,
    firstErrorLine: scan.lineOfError.length > 0 ? scan.lineOfError[0] : -1,
    subject: mail.subject,
    isRobot,
    errors,
    attachments: configAttachments,
  });
  if (summary) {
    // One summary covers many configs: each error carries its own.
    context.arch = null;
    context.config = null;
  }
  const link = lineValue(texts, 'patch link');
  return {
    errors: dedupeErrors(errors),
    context,
    reportedBy: { name: mail.from.name, email: mail.from.email },
    patchSubject: lineValue(texts, 'patch subject'),
    patchLink: link ? (messageIdOfLink(link) ?? link) : null,
    isRobot,
    kind: reportKind(mail, texts.slice(0, 50).join(' ')),
  };
}

/** A report from a plain CI log (KernelCI, tuxmake): every line is log, nothing is quoted. */
export function extractLogReport(log: string, reportedBy: Address = { name: 'KernelCI', email: '' }): BuildReport | null {
  if (typeof log !== 'string' || log === '') return null;
  const lines = log.split('\n');
  const scan = scanLog(lines.map((text) => ({ text, isNew: false })));
  if (scan.errors.length === 0) return null;
  const context = extractContext({ lines, firstErrorLine: scan.lineOfError[0], subject: '', isRobot: true, errors: scan.errors });
  return { errors: dedupeErrors(scan.errors), context, reportedBy, patchSubject: null, patchLink: null, isRobot: true, kind: 'kernelci' };
}
