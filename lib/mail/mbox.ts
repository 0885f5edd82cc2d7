/**
 * Splitting mbox data into raw messages, mboxo and mboxrd alike.
 *
 * The splitter is incremental so that a multi-gigabyte archive streams through it
 * with memory bounded by the largest message. Each message is returned as the exact
 * bytes that were sent: the From_ line and the blank line that ends each message are
 * mbox framing, and `>From ` quoting is undone (one level, which is right for mboxrd
 * and the best that can be done for mboxo).
 */

export interface RawMessage {
  /** Byte offset of the message's From_ line (or of the message itself) in the source. */
  offset: number;
  bytes: Buffer;
}

/** A well-formed From_ line: it separates messages even where no blank line precedes it. */
const FROM_LINE =
  /^From \S+\s+(?:[A-Z][a-z]{2},?\s+)?[A-Z][a-z]{2}\s+\d{1,2}\s+\d{1,2}:\d{2}(?::\d{2})?\s+(?:[A-Z]{3,5}\s+|[+-]\d{4}\s+)?\d{4}\s*$/;

export function isFromLine(line: string): boolean {
  return FROM_LINE.test(line);
}

/** Whether data starts like an mbox (a From_ line first) rather than like a single message. */
export function looksLikeMbox(head: Buffer): boolean {
  return head.subarray(0, 5).toString('latin1') === 'From ';
}

// Only after LF: in JavaScript /^…/m also matches after a bare CR, which is not a line start in mbox.
const QUOTED_FROM = /(^|\n)>(>*From )/g;

export function unquoteFromLines(bytes: Buffer): Buffer {
  if (bytes.indexOf('>From ') < 0) return bytes;
  return Buffer.from(bytes.toString('latin1').replace(QUOTED_FROM, '$1$2'), 'latin1');
}

/** Drop the mbox framing: the blank line that separates this message from the next From_ line. */
function trimFraming(bytes: Buffer): Buffer {
  const n = bytes.length;
  if (n >= 4 && bytes[n - 1] === 0x0a && bytes[n - 2] === 0x0d && bytes[n - 3] === 0x0a && bytes[n - 4] === 0x0d) return bytes.subarray(0, n - 2);
  if (n >= 2 && bytes[n - 1] === 0x0a && bytes[n - 2] === 0x0a) return bytes.subarray(0, n - 1);
  if (n >= 3 && bytes[n - 1] === 0x0a && bytes[n - 2] === 0x0d && bytes[n - 3] === 0x0a) return bytes.subarray(0, n - 2);
  return bytes;
}

function lineEnd(buf: Buffer, from: number): number {
  const nl = buf.indexOf(0x0a, from);
  return nl < 0 ? -1 : nl;
}

function lineText(buf: Buffer, start: number, nl: number): string {
  const end = nl > start && buf[nl - 1] === 0x0d ? nl - 1 : nl;
  return buf.toString('latin1', start, end);
}

export interface MboxSplitter {
  /** Feed the next chunk; returns the messages completed by it. */
  push(chunk: Buffer): RawMessage[];
  /** End of input; returns the last message, if any. */
  end(): RawMessage[];
}

/**
 * An incremental mbox splitter. The first line of the input is taken as a From_ line
 * whatever it says (fuzzed files have mangled ones); later ones must look like one.
 */
export function createMboxSplitter(): MboxSplitter {
  // A growable buffer (capacity doubles, consumed bytes are compacted away lazily) keeps
  // splitting linear even for a single huge message fed in small chunks.
  let store = Buffer.alloc(0);
  let len = 0;
  let buf = store.subarray(0, 0);
  let base = 0; // byte offset of buf[0] in the whole input
  let msgStart = -1; // offset in buf of the current message's first byte after its From_ line
  let msgOffset = 0; // offset in the input of the current message's From_ line
  let scan = 0; // where to look for the next "\nFrom " in buf
  let started = false;

  function emit(out: RawMessage[], endInBuf: number) {
    if (msgStart < 0) return;
    const bytes = unquoteFromLines(trimFraming(buf.subarray(msgStart, endInBuf)));
    if (bytes.length > 0) out.push({ offset: msgOffset, bytes: Buffer.from(bytes) });
  }

  function consume(final: boolean): RawMessage[] {
    const out: RawMessage[] = [];
    if (!started) {
      const nl = lineEnd(buf, 0);
      if (nl < 0 && !final) return out;
      started = true;
      if (buf.subarray(0, 5).toString('latin1') === 'From ') {
        msgOffset = base;
        msgStart = nl < 0 ? buf.length : nl + 1;
      } else {
        msgOffset = base;
        msgStart = 0;
      }
      scan = msgStart;
    }
    for (;;) {
      const hit = buf.indexOf('\nFrom ', Math.max(scan - 1, 0), 'latin1');
      if (hit < 0) {
        scan = Math.max(scan, buf.length - 5); // a match can only start in the last 5 bytes
        break;
      }
      const lineStart = hit + 1;
      const nl = lineEnd(buf, lineStart);
      if (nl < 0 && !final) break; // the From_ line is not complete yet
      const lineEndAt = nl < 0 ? buf.length : nl;
      // After a blank line any "From " line separates (writers escape body lines, and this is
      // how mutt and Python read mbox); elsewhere only a well-formed From_ line does.
      const afterBlank = hit >= 1 && (buf[hit - 1] === 0x0a || (buf[hit - 1] === 0x0d && hit >= 2 && buf[hit - 2] === 0x0a));
      if (afterBlank || isFromLine(lineText(buf, lineStart, lineEndAt))) {
        emit(out, lineStart);
        msgOffset = base + lineStart;
        msgStart = nl < 0 ? buf.length : nl + 1;
      }
      scan = lineStart + 1;
    }
    if (final) {
      emit(out, buf.length);
      msgStart = -1;
    } else {
      // Keep only the current message (and the tail that may hold a partial From_ line).
      const keepFrom = Math.min(msgStart < 0 ? buf.length : msgStart, Math.max(scan - 1, 0));
      if (keepFrom > 0 && keepFrom * 2 >= len) {
        store.copyWithin(0, keepFrom, len);
        len -= keepFrom;
        buf = store.subarray(0, len);
        base += keepFrom;
        if (msgStart >= 0) msgStart -= keepFrom;
        scan -= keepFrom;
      }
    }
    return out;
  }

  return {
    push(chunk) {
      if (len + chunk.length > store.length) {
        const grown = Buffer.allocUnsafe(Math.max(store.length * 2, len + chunk.length, 1 << 16));
        store.copy(grown, 0, 0, len);
        store = grown;
      }
      chunk.copy(store, len);
      len += chunk.length;
      buf = store.subarray(0, len);
      return consume(false);
    },
    end() {
      return consume(true);
    },
  };
}

/** Split a whole mbox held in memory. */
export function splitMbox(data: Buffer): RawMessage[] {
  const splitter = createMboxSplitter();
  return [...splitter.push(data), ...splitter.end()];
}
