/**
 * File sources: mbox (mboxo/mboxrd), maildir, single .eml/.patch files, folders
 * (recursively) and gzip (lore's t.mbox.gz). Files are streamed, so an archive of any
 * size passes through with memory bounded by its largest message.
 */
import { createReadStream, type Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { createGunzip } from 'node:zlib';
import { pipeline, type Readable } from 'node:stream';
import { createMboxSplitter, looksLikeMbox } from '../../lib/mail/mbox.ts';
import type { SourceCoordinates } from '../../lib/db/store.ts';

export interface SourcedMessage {
  bytes: Buffer;
  source: SourceCoordinates;
  /** The source ended inside this message (a cut-off mbox or gzip). */
  truncated?: string;
}

export interface FileEvents {
  /** Bytes of the given files consumed so far (compressed bytes for .gz). */
  onBytes?(delta: number): void;
  /** A file that could not be read completely; the messages read before the fault are kept. */
  onFileError?(path: string, message: string): void;
  onSkip?(path: string, reason: string): void;
}

/** Whether the start of a file looks like mail (an mbox, or a header block). */
export function looksLikeMail(head: Buffer): boolean {
  if (looksLikeMbox(head)) return true;
  const text = head.toString('latin1', 0, Math.min(head.length, 4096));
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  if (!/^[\x21-\x39\x3b-\x7e]{1,76}:/.test(firstLine)) return false;
  return /^(from|subject|message-id|date|to|received|return-path|delivered-to|x-[\w-]+|mime-version|content-type)\s*:/im.test(text);
}

/** All files under the given paths, depth first, sorted, with their sizes. Maildir tmp/ folders are skipped. */
export async function listFiles(paths: string[]): Promise<{ path: string; size: number }[]> {
  const out: { path: string; size: number }[] = [];
  const walk = async (p: string, st: Stats) => {
    if (st.isDirectory()) {
      const names = (await readdir(p)).sort();
      const isMaildir = names.includes('cur') && names.includes('new');
      for (const name of names) {
        if (name.startsWith('.') || (isMaildir && name === 'tmp')) continue;
        const child = join(p, name);
        await walk(child, await stat(child));
      }
    } else if (st.isFile()) out.push({ path: p, size: st.size });
  };
  for (const p of paths) {
    const abs = resolve(p);
    let st: Stats;
    try {
      st = await stat(abs);
    } catch (err) {
      throw new Error(`Cannot read ${p}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (err as Error).message}. Check the path.`);
    }
    await walk(abs, st);
  }
  return out;
}

function openStream(path: string, events: FileEvents): Readable {
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  raw.on('data', (chunk) => events.onBytes?.(chunk.length));
  // pipeline(), not pipe(): a read error of the file itself must reach the gunzip stream we read
  // from (with pipe() it was an unhandled 'error' event, and the process died).
  return path.endsWith('.gz') ? pipeline(raw, createGunzip(), () => {}) : raw;
}

/** The messages of one file, streamed. */
export async function* readFile(path: string, events: FileEvents = {}): AsyncGenerator<SourcedMessage> {
  const stream = openStream(path, events);
  const source = (offset: number): SourceCoordinates => ({ kind: 'file', path, offset });
  let mode: 'unknown' | 'mbox' | 'single' | 'skip' = 'unknown';
  const splitter = createMboxSplitter();
  const pending: Buffer[] = [];
  let failure: string | null = null;
  let lastByte = -1;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (chunk.length) lastByte = chunk[chunk.length - 1];
      if (mode === 'unknown') {
        pending.push(chunk);
        const head = Buffer.concat(pending);
        if (head.length < 4096 && !head.includes(0x0a)) continue;
        mode = looksLikeMbox(head) ? 'mbox' : looksLikeMail(head) ? 'single' : 'skip';
        if (mode === 'skip') {
          events.onSkip?.(path, 'it does not look like mail (no mbox From_ line or mail headers at its start)');
          stream.destroy();
          return;
        }
        if (mode === 'mbox') {
          pending.length = 0;
          for (const m of splitter.push(head)) {
            yield { bytes: m.bytes, source: source(m.offset) };
          }
        }
        continue;
      }
      if (mode === 'mbox') {
        for (const m of splitter.push(chunk)) {
          yield { bytes: m.bytes, source: source(m.offset) };
        }
      } else pending.push(chunk);
    }
  } catch (err) {
    failure = `${basename(path)} could not be read to its end (${(err as Error).message}); the messages before that point were imported.`;
    events.onFileError?.(path, failure);
  }
  if (mode === 'unknown') {
    const head = Buffer.concat(pending);
    if (head.length === 0) return;
    mode = looksLikeMbox(head) ? 'mbox' : looksLikeMail(head) ? 'single' : 'skip';
    if (mode === 'skip') {
      events.onSkip?.(path, 'it does not look like mail (no mbox From_ line or mail headers at its start)');
      return;
    }
    if (mode === 'mbox') for (const m of splitter.push(head)) yield { bytes: m.bytes, source: source(m.offset) };
  }
  if (mode === 'mbox') {
    // An mbox has no end marker, but one that stops in the middle of a line was cut off.
    if (!failure && lastByte !== 0x0a) {
      failure = `${basename(path)} ends in the middle of a line, so its last message is cut off (stored, flagged "truncated"); the messages before it were imported.`;
      events.onFileError?.(path, failure);
    }
    const rest = splitter.end();
    for (let i = 0; i < rest.length; i++) {
      const m = rest[i];
      const last = i === rest.length - 1;
      yield { bytes: m.bytes, source: source(m.offset), truncated: last && failure ? failure : undefined };
    }
  } else if (mode === 'single') {
    const bytes = Buffer.concat(pending);
    if (bytes.length) yield { bytes, source: source(0), truncated: failure ?? undefined };
  }
}

/** The messages of every file under the given paths. */
export async function* readPaths(files: { path: string }[], events: FileEvents = {}): AsyncGenerator<SourcedMessage> {
  for (const f of files) yield* readFile(f.path, events);
}
