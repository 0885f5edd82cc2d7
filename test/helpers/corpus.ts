/**
 * Access to ../shared/corpus at test time. The corpus is never copied into the repository.
 * Where it is absent (a user's clone) corpus tests skip with a message; under CI=true they fail instead.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe } from 'vitest';
import { messagesOfFile } from '../../lib/mail/read.ts';
import { parseMail } from '../../lib/mail/parse.ts';
import type { Mail } from '../../lib/mail/types.ts';

export const SHARED = resolve(import.meta.dirname, '../../../shared');
export const CORPUS = join(SHARED, 'corpus');
export const corpusAvailable = existsSync(CORPUS);

if (!corpusAvailable && process.env.CI === 'true') {
  throw new Error(`CI=true but the corpus is missing at ${CORPUS}: corpus tests must run in CI. Put shared/ beside the repository.`);
}

/** describe() for tests that read the corpus; skips with a message where it is absent. */
export const describeCorpus: typeof describe = corpusAvailable
  ? describe
  : (((name: string, fn: () => void) => {
      console.warn(`skipping "${name}": ../shared/corpus is not present (tests read it from ${CORPUS})`);
      return describe.skip(name, fn);
    }) as typeof describe);

export function corpusPath(rel: string): string {
  return join(CORPUS, rel);
}

export function readCorpus(rel: string): Buffer {
  return readFileSync(corpusPath(rel));
}

/** Every file under a corpus folder, recursively, as paths relative to the corpus. */
export function corpusFiles(rel = ''): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(join(CORPUS, dir)).sort()) {
      const p = dir ? `${dir}/${name}` : name;
      if (statSync(join(CORPUS, p)).isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(rel);
  return out;
}

/** Parse every message of a corpus file (mbox or single message). */
export async function loadMails(rel: string): Promise<Mail[]> {
  return Promise.all(messagesOfFile(readCorpus(rel)).map((m) => parseMail(m.bytes)));
}

/** Parse a mail from a string written in a test (LF line endings are fine). */
export async function mailFromText(text: string): Promise<Mail> {
  return parseMail(Buffer.from(text, 'utf8'));
}
