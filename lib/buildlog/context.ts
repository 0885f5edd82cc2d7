/**
 * Where a build failed: architecture, config, compiler, distro, tree/branch/base and the make
 * command, from robot header lines, linux-next wording, make commands and prose.
 */
import type { BuildContext, BuildError } from './types.ts';
import { emptyContext } from './types.ts';

/** Kernel ARCH names, longest first so "x86_64" wins over "x86" and "arm64" over "arm". */
const ARCHES = [
  'loongarch', 'microblaze', 'openrisc', 'powerpc64', 'parisc64', 'unicore32', 'sparc64', 'hexagon', 'powerpc',
  'x86_64', 'xtensa', 'parisc', 'h8300', 'nios2', 'arm64', 'riscv', 'alpha', 'sparc', 'nds32', 'i386', 'ia64',
  'm68k', 'mips', 's390', 'csky', 'c6x', 'x86', 'arm', 'arc', 'sh', 'um',
];
const ARCH_ALIASES: Record<string, string> = {
  i686: 'i386', i586: 'i386', i486: 'i386', 'x86-64': 'x86_64', amd64: 'x86_64', aarch64: 'arm64', arm32: 'arm',
  armv7: 'arm', armv7l: 'arm', armhf: 'arm', armel: 'arm', ppc64le: 'powerpc', ppc64: 'powerpc', ppc: 'powerpc',
  powerpc64le: 'powerpc', powerpc64: 'powerpc', riscv64: 'riscv', riscv32: 'riscv', mips64: 'mips', mipsel: 'mips',
  mips64el: 'mips', sh4: 'sh', s390x: 's390', loongarch64: 'loongarch', sparc64: 'sparc', parisc64: 'parisc',
  hppa: 'parisc', hppa64: 'parisc', or1k: 'openrisc', m68k: 'm68k', uml: 'um',
};
const ARCH_WORD = new RegExp(`^(?:${[...ARCHES, ...Object.keys(ARCH_ALIASES)].map((a) => a.replace(/[-]/g, '\\-')).join('|')})$`, 'i');

export function canonicalArch(name: string): string | null {
  const n = name.toLowerCase();
  if (ARCH_ALIASES[n]) return ARCH_ALIASES[n];
  if (ARCHES.includes(n)) return n;
  return null;
}

/** "x86_64-allmodconfig", "um-x86_64_defconfig", "i386-buildonly-randconfig-003-20250521" → arch and the rest. */
export function splitArchConfig(name: string): { arch: string | null; config: string | null } {
  for (const a of ARCHES) {
    if (name.startsWith(`${a}-`) && name.length > a.length + 1) return { arch: canonicalArch(a), config: name.slice(a.length + 1) };
  }
  return { arch: null, config: name || null };
}

/** "gcc-7 (Debian 7.4.0-10) 7.4.0", "clang version 15.0.0 (https://...)", "ia64-linux-gcc (GCC) 7.4.0". */
export function parseCompiler(s: string): { compiler: 'gcc' | 'clang' | null; version: string | null } {
  const compiler = /clang|llvm/i.test(s) ? 'clang' : /gcc|\bGCC\b|\bcc1\b/.test(s) ? 'gcc' : null;
  const afterVersion = /\bversion (\d+(?:\.\d+){0,3})/.exec(s);
  if (afterVersion) return { compiler, version: afterVersion[1] };
  const dotted = s.match(/\b\d+\.\d+(?:\.\d+)?\b/g);
  if (dotted) return { compiler, version: dotted[dotted.length - 1] };
  const dashed = /\b(?:gcc|clang)-(\d+)\b/.exec(s);
  return { compiler, version: dashed ? dashed[1] : null };
}

/** A compiler named in prose: "gcc-7.3.1", "gcc 12.2", "clang-15", "clang version 17". */
export function findCompilerMention(text: string): { compiler: 'gcc' | 'clang'; version: string | null } | null {
  const m = /\b(gcc|clang|GCC|Clang)(?:-|\s+(?:version\s+)?)(\d+(?:\.\d+){0,2})\b/.exec(text);
  if (m) return { compiler: m[1].toLowerCase() as 'gcc' | 'clang', version: m[2] };
  if (/\bLLVM=1\b|\bCC=clang\b/.test(text)) return { compiler: 'clang', version: null };
  return null;
}

/** A build host's distribution as people name it: "on Arch", "Arch Linux", "Debian oldstable", "Fedora 39". */
export function findDistroMention(text: string): string | null {
  const arch = /(?:\b(?:on|with|using|under)\s+|^|\(\s*)(Arch)(?:\s+Linux)?\b(?!\/)|\b(Arch Linux)\b/m.exec(text);
  const other =
    /\b(Debian(?: (?:oldstable|stable|testing|unstable|sid|bookworm|bullseye|buster|stretch|jessie|trixie|\d+))?|Ubuntu(?: \d+\.\d+(?: LTS)?)?|Fedora(?: \d+)?|openSUSE(?: Tumbleweed| Leap(?: [\d.]+)?)?|Gentoo|CentOS(?: (?:Stream )?\d+)?|RHEL ?\d*|Alpine(?: [\d.]+)?|NixOS|Slackware|Manjaro|Linux Mint)\b/.exec(text);
  if (arch && (!other || arch.index <= other.index)) return 'Arch';
  return other ? other[1] : null;
}

const MAKE_COMMAND = /^\s*(?:[$#+]\s*)?((?:[A-Z_][A-Z0-9_]*=\S+\s+)*(?:make|make\.cross)(?:\s+\S.*)?)$/;
const NOT_A_CONFIG = new Set(['olddefconfig', 'oldconfig', 'syncconfig', 'menuconfig', 'nconfig', 'xconfig', 'gconfig', 'config', 'silentoldconfig', 'localmodconfig', 'localyesconfig', 'listnewconfig', 'savedefconfig']);

function isMakeCommand(line: string): string | null {
  if (line.length > 2000) return null;
  const m = MAKE_COMMAND.exec(line);
  if (!m) return null;
  const cmd = m[1].trim();
  const args = cmd.split(/\s+/).slice(1);
  // "make sure ..." is prose; a command has options, variables, paths or targets like "defconfig".
  const prefixed = /^\s*[$#+]/.test(line);
  if (!prefixed && !args.some((a) => /[=/.-]|config$|^(?:all|vmlinux|modules|bzImage|zImage|Image|linux)$/.test(a))) return null;
  return cmd;
}

function configOfCommand(cmd: string): string | null {
  for (const tok of cmd.split(/\s+/).slice(1)) {
    if (/^[\w.-]*config$/.test(tok) && !NOT_A_CONFIG.has(tok)) return tok;
  }
  return null;
}

function archOfCrossPrefix(text: string): string | null {
  const cross = /\bCROSS_COMPILE=([\w.-]+?)-(?:\s|$)/.exec(text);
  if (cross) {
    const a = canonicalArch(cross[1].split('-')[0]);
    if (a) return a;
  }
  const re = /\b([a-z0-9_]+)-(?:[a-z0-9_]+-){0,4}(?:gcc|ld|as|ld\.bfd)\b/g;
  let m: RegExpExecArray | null;
  let budget = 200;
  while ((m = re.exec(text)) !== null && budget-- > 0) {
    const a = canonicalArch(m[1]);
    if (a) return a;
  }
  return null;
}

/** "[auto build test ERROR on tip/x86/asm]" / "base: linus/master" / a bare sha. */
function treeRef(ref: string): { tree: string | null; branch: string | null; sha: string | null } {
  if (/^[0-9a-f]{12,40}$/.test(ref)) return { tree: null, branch: null, sha: ref };
  const slash = ref.indexOf('/');
  if (slash > 0) return { tree: ref.slice(0, slash), branch: ref.slice(slash + 1), sha: null };
  if (/^v\d+\.\d+|^next-\d{8}$/.test(ref)) return { tree: null, branch: ref, sha: null };
  return { tree: ref, branch: null, sha: null };
}

function repoName(url: string): string | null {
  const m = /\/([\w.-]+?)(?:\.git)?\/?$/.exec(url);
  return m ? m[1] : null;
}

export interface ContextInput {
  /** Own text of the message (or the log), one string. */
  lines: string[];
  /** Index of the line of the first error: the make command is the last one before it. */
  firstErrorLine: number;
  subject: string;
  isRobot: boolean;
  errors: BuildError[];
  /** Text attachments: a robot's kernel .config tells the arch and compiler. */
  attachments?: string[];
}

export function extractContext(input: ContextInput): BuildContext {
  const ctx = emptyContext();
  const { lines, isRobot } = input;
  const subject = input.subject.slice(0, 400);
  const head = lines.slice(0, Math.min(lines.length, 400));
  const prose = head.filter((l) => l.length < 2000).join('\n');
  const flat = prose.replace(/\s+/g, ' ');

  // Robot header lines.
  for (const l of head) {
    let m: RegExpExecArray | null;
    if ((m = /^config: (\S+)/.exec(l))) {
      const ac = splitArchConfig(m[1]);
      ctx.arch ??= ac.arch;
      ctx.config ??= ac.config;
    } else if ((m = /^compiler: (.+)$/.exec(l))) {
      const c = parseCompiler(m[1]);
      ctx.compiler ??= c.compiler;
      ctx.compilerVersion ??= c.version;
    } else if ((m = /^\[auto build test (?:ERROR|WARNING) on ([^\]\s]+)\]/.exec(l))) {
      const r = treeRef(m[1]);
      if (r.sha) ctx.baseCommit ??= r.sha;
      else {
        ctx.tree ??= r.tree;
        ctx.branch ??= r.branch;
      }
    } else if ((m = /^base:\s+(\S+)(?:\s+(\S+))?\s*$/.exec(l))) {
      if (/^[0-9a-f]{12,40}$/.test(m[1])) ctx.baseCommit ??= m[1];
      else if (/^https?:/.test(m[1])) {
        ctx.tree ??= repoName(m[1]);
        ctx.branch ??= m[2] ?? null;
      } else {
        const r = treeRef(m[1]);
        ctx.tree ??= r.tree;
        ctx.branch ??= r.branch;
      }
    } else if ((m = /^(?:commit|branch HEAD):\s+([0-9a-f]{12,40})\b/.exec(l))) {
      ctx.baseCommit ??= m[1];
    } else if ((m = /^tree(?:\/branch)?:\s+(\S+)\s+(\S+)\s*$/.exec(l))) {
      ctx.tree ??= repoName(m[1]);
      ctx.branch ??= m[2];
    }
  }
  // Robot subjects: "[kbuild:kbuild 50/55] ...", "[linux-next:master] BUILD REGRESSION ...".
  const bracket = /^\[([\w.-]+):([\w./-]+)(?: \d+\/\d+)?\]/.exec(subject);
  if (isRobot && bracket) {
    if (ctx.tree === null || /^linux-/.test(ctx.tree)) ctx.tree = bracket[1];
    ctx.branch ??= bracket[2];
  }

  // linux-next: "After merging the X tree, today's linux-next build (x86_64 allmodconfig) failed".
  const merged = /After merging the ([\w.\- /]{1,80}?) trees?, today's linux-next build/i.exec(flat);
  const nextBuild = /today's linux-next build \(([^)]{1,80})\)/i.exec(flat);
  const subjectAndText = `${subject} ${flat}`;
  const nextTag = /\bnext-(20\d{6})\b|\blinux[- ]next (20\d{6})\b/i.exec(subjectAndText);
  if (nextTag && ctx.tree === null && !merged) {
    ctx.tree = 'linux-next';
    ctx.branch ??= `next-${nextTag[1] ?? nextTag[2]}`;
  }
  // Replies to "linux-next: Tree for May 25" build linux-next.
  if (ctx.tree === null && !merged && /\blinux-next\b/i.test(subject)) ctx.tree = 'linux-next';
  if (merged) ctx.tree ??= merged[1].trim();
  else if (nextBuild) ctx.tree ??= 'linux-next';
  if (nextBuild) {
    const words = nextBuild[1].trim().split(/\s+/);
    const a = canonicalArch(words[0]);
    if (a) {
      ctx.arch ??= a;
      if (words[1]) ctx.config ??= words.slice(1).join(' ');
    } else ctx.config ??= nextBuild[1].trim();
  }

  // The make command: the last one before the first error.
  const limit = Math.min(lines.length, input.firstErrorLine >= 0 ? input.firstErrorLine : lines.length);
  for (let i = 0; i < limit; i++) {
    const cmd = isMakeCommand(lines[i]);
    if (cmd) ctx.makeCommand = cmd;
  }
  if (ctx.makeCommand === null) {
    for (let i = limit; i < Math.min(lines.length, limit + 200) && ctx.makeCommand === null; i++) ctx.makeCommand = isMakeCommand(lines[i]);
  }

  // Architecture, from the strongest hint down.
  const archVar = (ctx.makeCommand && /\bARCH=(\w+)/.exec(ctx.makeCommand)) || /\bARCH=(\w+)/.exec(prose);
  if (archVar) ctx.arch = canonicalArch(archVar[1]) ?? ctx.arch;
  if (ctx.arch === null) {
    const named = new RegExp(`\\b(${ARCHES.join('|')})[ -]((?:[\\w.]{0,40}?_)?(?:all(?:mod|yes|no)config|defconfig|randconfig|tinyconfig))\\b`).exec(flat);
    if (named) {
      ctx.arch = canonicalArch(named[1]);
      ctx.config ??= named[2];
    }
  }
  if (ctx.arch === null && /\bUML\b/.test(flat)) ctx.arch = 'um';
  if (ctx.arch === null) {
    const phrase = /\b(?:on|for|with)\s+([\w-]+)(?=[\s:,.)]|$)/g;
    let m: RegExpExecArray | null;
    let budget = 500;
    while ((m = phrase.exec(subjectAndText)) !== null && budget-- > 0) {
      const word = m[1];
      // "arc", "sh", "um" and "alpha" are English too; they count only as ARCH=, config or prefix.
      if (!ARCH_WORD.test(word) || /^(arc|sh|um|alpha|ppc)$/i.test(word)) continue;
      // "reproducing this not on powerpc, but on x86".
      if (/\bnot\s*$/i.test(subjectAndText.slice(Math.max(0, m.index - 5), m.index))) continue;
      ctx.arch = canonicalArch(word);
      if (ctx.arch) break;
    }
  }
  if (ctx.arch === null) ctx.arch = archOfCrossPrefix(prose) ?? archOfCrossPrefix(input.errors.map((e) => e.text).join('\n'));

  // Config.
  if (ctx.makeCommand) ctx.config ??= configOfCommand(ctx.makeCommand);
  if (ctx.config === null) {
    for (let i = 0; i < limit && i < lines.length; i++) {
      const cmd = isMakeCommand(lines[i]);
      const c = cmd ? configOfCommand(cmd) : null;
      if (c) ctx.config = c;
    }
  }
  if (ctx.config === null) {
    const word = /\b((?:[\w.]{0,40}?_)?(?:all(?:mod|yes|no)config|defconfig|randconfig|tinyconfig))\b/.exec(flat);
    if (word && !NOT_A_CONFIG.has(word[1])) ctx.config = word[1];
  }

  // Compiler and distro from prose (robots name them on their compiler: line).
  if (ctx.compiler === null) {
    const c = findCompilerMention(flat);
    if (c) {
      ctx.compiler = c.compiler;
      ctx.compilerVersion ??= c.version;
    } else if (/\bCC=\S*gcc\b|-gcc\b/.test(prose)) ctx.compiler = 'gcc';
  }
  if (!isRobot) ctx.distro = findDistroMention(flat);

  // Last resort: the robot's attached kernel .config.
  for (const att of input.attachments ?? []) {
    const top = att.slice(0, 20_000);
    const linuxArch = /^# Linux\/(\w+) \S+ Kernel Configuration$/m.exec(top);
    if (linuxArch) ctx.arch ??= canonicalArch(linuxArch[1]);
    const cc = /^CONFIG_CC_VERSION_TEXT="([^"]*)"$/m.exec(att.slice(0, 200_000));
    if (cc && ctx.compiler === null) {
      const c = parseCompiler(cc[1]);
      ctx.compiler = c.compiler;
      ctx.compilerVersion ??= c.version;
    }
  }
  if (ctx.arch === null) {
    // A CI log without ARCH=: kbuild's "  CC      arch/arm64/kernel/..." lines before the failure.
    for (let i = 0; i < limit && ctx.arch === null; i++) {
      const l = lines[i];
      if (l.length > 300 || !l.includes('arch/')) continue;
      const kbuild = /^\s+[A-Z][A-Z0-9_]{1,9}(?: \[M\])?\s+arch\/(\w+)\//.exec(l);
      if (kbuild) ctx.arch = canonicalArch(kbuild[1]);
    }
  }
  if (ctx.arch === null) {
    const archDir = input.errors.map((e) => /^arch\/(\w+)\//.exec(e.file ?? '')).find((m) => m !== null);
    if (archDir) ctx.arch = canonicalArch(archDir[1]);
  }
  return ctx;
}
