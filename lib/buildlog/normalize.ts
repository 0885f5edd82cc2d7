/**
 * Text normalization shared by extraction and signatures: quoting styles,
 * build-directory prefixes and temporary files differ between reporters of the
 * same failure and must not make two reports look different.
 */

/** Kernel top-level directories: where a build-dir prefix of an absolute path ends. */
const TOP_DIRS = new Set([
  'arch', 'block', 'certs', 'crypto', 'Documentation', 'drivers', 'fs', 'include', 'init', 'io_uring',
  'ipc', 'kernel', 'lib', 'LICENSES', 'mm', 'net', 'rust', 'samples', 'scripts', 'security', 'sound',
  'tools', 'usr', 'virt',
]);
const ROOT_FILES = new Set(['Makefile', 'Kbuild', 'Kconfig']);
/** Absolute paths under these belong to the host, not to the kernel tree. */
const HOST_PREFIXES = ['/usr/include/', '/usr/lib/', '/usr/lib64/', '/usr/local/include/', '/lib/', '/opt/', '/usr/bin/'];

/** gcc/as temporaries (/tmp/ccAbC123.s), and the assembler's stdin. */
export function isTempPath(p: string): boolean {
  return /^\/tmp\/cc[\w]{4,12}\.[so]$/.test(p) || p === '{standard input}' || /^\/tmp\/[\w]{6,12}\.(s|o|tmp)$/.test(p);
}

/**
 * A path as the kernel tree names it: "./x" and "../x" lose their prefix, "a/../b" is resolved,
 * and an absolute build directory (/builds/linux/, /home/x/linux/, /tmp/kci/linux/) is cut at
 * the first kernel top-level directory. Host headers (/usr/include/...) stay absolute.
 */
export function normalizePath(raw: string): string {
  let p = raw.trim();
  if (p === '' || p.startsWith('<')) return p;
  if (p.startsWith('/')) {
    if (HOST_PREFIXES.some((h) => p.startsWith(h))) return p;
    const segs = p.split('/');
    let cut = -1;
    // segs[0] is '' and segs[1] the first directory: a build dir has at least one segment before the tree.
    for (let i = 2; i < segs.length - 1; i++) {
      if (TOP_DIRS.has(segs[i])) {
        cut = i;
        break;
      }
    }
    if (cut >= 0) p = segs.slice(cut).join('/');
    else if (segs.length >= 3 && ROOT_FILES.has(segs[segs.length - 1])) p = segs[segs.length - 1];
    else return p;
  }
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '.' || seg === '') continue;
    if (seg === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      // A leading ../ comes from an O= build directory: the tree is one level up.
      continue;
    }
    out.push(seg);
  }
  return out.join('/');
}

/**
 * Every quoting style as ASCII single quotes: ‘x’, `x', "x", «x», and the mojibake that
 * UTF-8 curly quotes turn into when read as Latin-1 or cp1252 (â\x80\x98, â€˜, or a bare â).
 */
export function normalizeQuotes(s: string): string {
  let out = s
    .replace(/\u00e2(?:\u0080[\u0098\u0099\u009c\u009d]|\u20ac[\u02dc\u2122\u0153\u009d])/g, "'")
    .replace(/[\u2018\u2019\u201a\u201b\u201c\u201d\u00ab\u00bb\u00b4`]/g, "'");
  // A bare "â" on both sides of a token is what is left when a web archive dropped the C1 bytes.
  if (out.includes('\u00e2')) out = out.replace(/\u00e2([^\u00e2\s][^\u00e2]{0,200}?)\u00e2/g, "'$1'");
  if (out.includes('"')) out = out.replace(/"([^"\n]{1,300})"/g, "'$1'");
  return out;
}

/** The first 'quoted' item of a normalized message; an apostrophe inside a word (can't) does not open a quote. */
export function firstQuoted(normalized: string): string | null {
  const re = /(?:^|[^\w'])'([^']{1,300})'(?!\w)/g;
  let m: RegExpExecArray | null;
  let budget = 20;
  while ((m = re.exec(normalized)) !== null && budget-- > 0) {
    // "expected identifier or '(' before '{' token" names punctuation, not a symbol.
    if (/\w/.test(m[1])) return m[1];
    re.lastIndex = m.index + m[0].length - 1;
  }
  return null;
}

const CROSS_TOOL = /\b[a-z0-9_]+(?:[-.][a-z0-9_]+)*-(ld|gcc|as|objdump|objcopy|nm|ar|strip|readelf)\b/g;
const ABS_PATH = /(?:^|(?<=[\s'(]))\/[\w.+@-]+(?:\/[\w.+@-]+)+/g;

/**
 * A message reduced to what stays the same between two reports of one failure: no addresses,
 * section offsets, frame sizes, "did you mean" hints, warning-option suffixes, cross-tool
 * prefixes, build-dir or temporary paths; one quoting style; collapsed whitespace.
 */
export function signatureText(message: string): string {
  let m = normalizeQuotes(message);
  m = m.replace(/\s*(?:\[-W[^\]\s]*\]\s*)+$/, '');
  m = m.replace(/;\s*did you mean [^?]{0,300}\?/g, '');
  m = m.replace(/ is invalid in C99/g, '');
  m = m.replace(/\(\.[\w.$]*\+0x[0-9a-f]+\)/gi, '');
  m = m.replace(/0x[0-9a-f]+/gi, '0x');
  m = m.replace(/\b\d+ bytes\b/g, 'N bytes');
  m = m.replace(/\bError \d+\b/g, 'Error N');
  m = m.replace(CROSS_TOOL, '$1');
  m = m.replace(ABS_PATH, (p) => (isTempPath(p) ? '<tmp>' : normalizePath(p)));
  m = m.replace(/\s+/g, ' ').trim();
  return m;
}
