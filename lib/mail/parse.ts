/**
 * Raw bytes to a Mail. mailparser does MIME, transfer encodings and charsets;
 * this module decides what Patchloom keeps and flags what it cannot trust.
 */
import { simpleParser, type AddressObject, type Attachment, type HeaderLines } from 'mailparser';
import { extractMessageIds, parseMessageId, sha256Hex, syntheticMessageId } from './ids.ts';
import type { Address, Mail, MailAttachment, MailFlag } from './types.ts';
import { parseSimple, topHeaderLines } from './fast-parse.ts';

const PARSER_OPTIONS = {
  skipHtmlToText: false,
  skipTextToHtml: true,
  skipTextLinks: true,
  skipImageLinks: true,
  keepDeliveryStatus: true,
} as const;

/** PostgreSQL text cannot hold NUL; every string taken from mail goes through this. */
export function cleanText(s: string): string {
  return s.includes('\u0000') ? s.replace(/\u0000/g, '\uFFFD') : s;
}

/**
 * mailparser unflows format=flowed text, which joins diff lines. Parsing a copy in which
 * the parts say format=fixed keeps every line as sent (the stored raw bytes are untouched).
 */
export function disableFlowed(raw: Buffer): Buffer {
  if (!/format\s*=\s*"?flowed/i.test(raw.toString('latin1', 0, Math.min(raw.length, 1 << 20))) && raw.length < 1 << 20) return raw;
  const text = raw.toString('latin1');
  const fixed = text.replace(/^Content-Type:[^\n]*(?:\r?\n[ \t][^\n]*)*/gim, (header) =>
    header.replace(/(format\s*=\s*"?)flowed/gi, '$1fixed'),
  );
  return fixed === text ? raw : Buffer.from(fixed, 'latin1');
}

/** Header lines come as bytes read one to one; 8-bit headers are almost always UTF-8, so read them so when they are. */
function asUtf8(binary: string): string {
  if (!/[\x80-\xff]/.test(binary)) return binary;
  const decoded = Buffer.from(binary, 'binary').toString('utf8');
  return decoded.includes('\uFFFD') ? binary : decoded;
}

function headerMap(lines: HeaderLines): Record<string, string> {
  const map: Record<string, string> = {};
  for (const { key, line } of lines) {
    if (key in map) continue;
    const colon = line.indexOf(':');
    const value = line.slice(colon + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
    map[key] = cleanText(asUtf8(value));
  }
  return map;
}

function firstAddress(from: AddressObject | undefined): Address | null {
  const a = from?.value?.[0];
  if (!a) return null;
  return { name: cleanText(a.name ?? ''), email: cleanText((a.address ?? '').toLowerCase()) };
}

const TEXTUAL = /^(text\/|application\/(x-)?(patch|diff)|message\/delivery-status)/i;

function toAttachment(a: Attachment): MailAttachment {
  const contentType = (a.contentType || 'application/octet-stream').toLowerCase();
  const text = TEXTUAL.test(contentType) ? cleanText(a.content.toString('utf8')) : null;
  return { filename: a.filename ? cleanText(a.filename) : null, contentType, size: a.size ?? a.content.length, text };
}

/** PostgreSQL's timestamptz range is wide, but a JS Date past year 275760 is invalid and dates before 1900 are not real mail. */
function saneDate(d: Date | undefined): Date | null {
  if (!d || Number.isNaN(d.getTime())) return null;
  const y = d.getUTCFullYear();
  return y >= 1900 && y <= 9999 ? d : null;
}

/** A Date header read as a date, or null; JavaScript reads "1 Jan 0001" as 2001, so the year written must survive. */
function headerDate(value: string): Date | null {
  const d = saneDate(new Date(value));
  const written = /\b(\d{4,6})\b(?!:)/.exec(value.replace(/\d{1,2}:\d{2}(:\d{2})?/g, ' '));
  if (d && written && Math.abs(Number(written[1]) - d.getUTCFullYear()) > 1) return null;
  return d;
}

/** A minimal Mail for a message that is stored but not parsed (too large, or the parser failed). */
export function unparsedMail(raw: Buffer, flag: MailFlag, sha256 = sha256Hex(raw)): Mail {
  const head = raw.toString('latin1', 0, Math.min(raw.length, 64 * 1024));
  const headerEnd = head.search(/\r?\n\r?\n/);
  const headers = headerEnd < 0 ? head : head.slice(0, headerEnd);
  const get = (name: string) => new RegExp(`^${name}:[ \\t]*((?:.*)(?:\\r?\\n[ \\t].*)*)`, 'im').exec(headers)?.[1]?.replace(/\r?\n[ \t]+/g, ' ').trim();
  const messageId = parseMessageId(get('Message-ID'));
  const flags: MailFlag[] = [flag];
  if (!messageId) flags.push({ kind: 'no-message-id', reason: 'The message has no usable Message-ID header; a stable id was made from its SHA-256.' });
  const date = saneDate(get('Date') ? new Date(get('Date') as string) : undefined);
  return {
    messageId: messageId ?? syntheticMessageId(sha256),
    subject: cleanText(get('Subject') ?? ''),
    from: { name: '', email: cleanText((/[^\s<>"]+@[^\s<>"]+/.exec(get('From') ?? '')?.[0] ?? '').toLowerCase()) },
    date,
    inReplyTo: extractMessageIds(get('In-Reply-To')).at(-1) ?? null,
    references: extractMessageIds(get('References')),
    body: '',
    attachments: [],
    headers: {},
    flags,
  };
}

interface ParsedParts {
  headerLines: HeaderLines;
  subject: string;
  from: Address | null;
  text: string;
  attachments: MailAttachment[];
}

async function parseParts(raw: Buffer, fastPath: boolean): Promise<ParsedParts> {
  let simple = null;
  try {
    simple = fastPath ? parseSimple(raw) : null;
  } catch {
    simple = null; // the full parser will have its say
  }
  if (simple) return { ...simple, attachments: [] };
  const parsed = await simpleParser(disableFlowed(raw), PARSER_OPTIONS);
  return {
    // The headers as sent: the parser saw a copy with format=flowed switched off.
    headerLines: topHeaderLines(raw) ?? parsed.headerLines ?? [],
    subject: parsed.subject ?? '',
    from: firstAddress(parsed.from),
    text: parsed.text ?? '',
    attachments: (parsed.attachments ?? []).map(toAttachment),
  };
}

/** Parse one raw message. Never throws: a message that cannot be parsed comes back flagged. */
export async function parseMail(raw: Buffer, sha256 = sha256Hex(raw), opts: { fastPath?: boolean } = {}): Promise<Mail> {
  let parsed: ParsedParts;
  try {
    parsed = await parseParts(raw, opts.fastPath !== false);
  } catch (err) {
    return unparsedMail(raw, { kind: 'parse-error', reason: `The MIME parser failed (${(err as Error).message}); the raw message is kept.` }, sha256);
  }
  const flags: MailFlag[] = [];
  const headers = headerMap(parsed.headerLines);

  let messageId = parseMessageId(headers['message-id']);
  if (!messageId) {
    flags.push(
      headers['message-id']
        ? { kind: 'bad-message-id', reason: `The Message-ID header "${headers['message-id'].slice(0, 80)}" is not usable; a stable id was made from the message's SHA-256.` }
        : { kind: 'no-message-id', reason: 'The message has no Message-ID header; a stable id was made from its SHA-256.' },
    );
    messageId = syntheticMessageId(sha256);
  }

  const from = parsed.from ? { name: cleanText(parsed.from.name), email: cleanText(parsed.from.email) } : null;
  if (!from || !from.email) flags.push({ kind: 'no-from', reason: 'The message has no usable From address.' });

  // mailparser answers an unreadable Date header with the current time; read it ourselves.
  const date = headers['date'] ? headerDate(headers['date']) : null;
  if (!headers['date']) flags.push({ kind: 'no-date', reason: 'The message has no Date header; its arrival time is used for ordering.' });
  else if (!date) flags.push({ kind: 'bad-date', reason: `The Date header "${headers['date'].slice(0, 80)}" cannot be read as a date; its arrival time is used for ordering.` });

  const inReplyToIds = extractMessageIds(headers['in-reply-to']);
  const references = extractMessageIds(headers['references']).filter((id) => id !== messageId);
  const body = cleanText(parsed.text.replace(/\r\n?/g, '\n'));
  if (body.includes('\uFFFD')) {
    flags.push({ kind: 'bad-charset', reason: 'Part of the body could not be decoded in its declared charset; undecodable bytes are shown as \uFFFD.' });
  }

  return {
    messageId,
    subject: cleanText(parsed.subject).replace(/\s+/g, ' ').trim(),
    from: from ?? { name: '', email: '' },
    date,
    inReplyTo: inReplyToIds.find((id) => id !== messageId) ?? null,
    references,
    body,
    attachments: parsed.attachments,
    headers,
    flags,
  };
}
