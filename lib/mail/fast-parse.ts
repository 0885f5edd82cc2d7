/**
 * The fast path for the common case: a single-part text/plain message in UTF-8 or ASCII.
 * Most LKML mail is exactly that, and a full MIME parse costs about 30 times more than
 * splitting headers from the body. It uses the same libraries mailparser uses (libmime,
 * libqp, nodemailer's addressparser) the same way, so both paths give the same Mail; a
 * test checks this on the whole corpus. Anything else returns null and goes to mailparser.
 */
import libmime from 'libmime';
import { decode as decodeQuotedPrintable } from 'libqp';
import addressparser from 'nodemailer/lib/addressparser';
import type { Address } from './types.ts';

export interface SimpleParts {
  /** Header lines as mailparser's headerLines gives them: lower-cased key, the whole (folded) line. */
  headerLines: { key: string; line: string }[];
  subject: string;
  from: Address | null;
  /** The decoded body text, or null when the part is not simple text. */
  text: string;
}

const SIMPLE_CHARSETS = new Set(['', 'utf-8', 'utf8', 'us-ascii', 'ascii']);
const SIMPLE_ENCODINGS = new Set(['', '7bit', '8bit', 'binary', 'quoted-printable', 'base64']);
const utf8 = new TextDecoder('utf-8');

function headerEnd(raw: Buffer): { end: number; bodyStart: number } | null {
  const lf = raw.indexOf('\n\n');
  const crlf = raw.indexOf('\r\n\r\n');
  if (lf < 0 && crlf < 0) return null;
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { end: crlf, bodyStart: crlf + 4 };
  return { end: lf, bodyStart: lf + 2 };
}

function splitHeaderLines(block: string): { key: string; line: string }[] | null {
  const out: { key: string; line: string }[] = [];
  for (const physical of block.split(/\r?\n/)) {
    if (/^[ \t]/.test(physical)) {
      if (out.length === 0) return null;
      out[out.length - 1].line += '\n' + physical;
      continue;
    }
    const colon = physical.indexOf(':');
    if (colon <= 0) return null; // not a header line: leave such mail to the full parser
    out.push({ key: physical.slice(0, colon).trim().toLowerCase(), line: physical });
  }
  return out;
}

/** mailparser's treatment of a header value: unfold, then read the bytes as UTF-8. */
function headerValue(line: string): string {
  const value = (libmime.decodeHeader(line).value || '').toString().trim();
  return Buffer.from(value, 'binary').toString();
}

/** The message's own header lines, as sent (null when the header block is not well-formed). */
export function topHeaderLines(raw: Buffer): { key: string; line: string }[] | null {
  const cut = headerEnd(raw);
  if (!cut || cut.end > 256 * 1024) return null;
  return splitHeaderLines(raw.toString('binary', 0, cut.end));
}

export function parseSimple(raw: Buffer): SimpleParts | null {
  const cut = headerEnd(raw);
  if (!cut || cut.end > 256 * 1024) return null;
  const headerLines = splitHeaderLines(raw.toString('binary', 0, cut.end));
  if (!headerLines) return null;
  const first = (key: string) => headerLines.find((h) => h.key === key);

  const ctLine = first('content-type');
  let charset = '';
  if (ctLine) {
    const ct = libmime.parseHeaderValue(headerValue(ctLine.line));
    if ((ct.value || '').toLowerCase() !== 'text/plain') return null;
    charset = (ct.params?.charset ?? '').toLowerCase().trim();
  }
  if (!SIMPLE_CHARSETS.has(charset)) return null;
  if (headerLines.filter((h) => h.key === 'content-type' || h.key === 'content-transfer-encoding').length > 2) return null;
  const cteLine = first('content-transfer-encoding');
  const cte = cteLine ? headerValue(cteLine.line).toLowerCase() : '';
  if (!SIMPLE_ENCODINGS.has(cte)) return null;

  const bodyBytes = raw.subarray(cut.bodyStart);
  let decoded: Buffer;
  if (cte === 'quoted-printable') decoded = decodeQuotedPrintable(bodyBytes.toString('binary'));
  else if (cte === 'base64') decoded = Buffer.from(bodyBytes.toString('binary').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  else decoded = bodyBytes;

  const subjectLine = first('subject');
  let subject = subjectLine ? headerValue(subjectLine.line) : '';
  try {
    subject = libmime.decodeWords(subject);
  } catch {
    /* kept as is, as mailparser does */
  }
  const fromLine = first('from');
  let from: Address | null = null;
  if (fromLine) {
    const list = addressparser(headerValue(fromLine.line)) as { name?: string; address?: string; group?: unknown[] }[];
    const a = list[0];
    if (a && !a.group) {
      let name = (a.name || '').toString().trim();
      try {
        if (name) name = libmime.decodeWords(name);
      } catch {
        /* kept as is */
      }
      if (a.address && /=\?/.test(a.address)) return null; // encoded words in an address: mailparser's rules
      from = { name, email: (a.address ?? '').toLowerCase() };
    } else if (a?.group) return null;
  }
  return { headerLines, subject, from, text: utf8.decode(decoded) };
}
