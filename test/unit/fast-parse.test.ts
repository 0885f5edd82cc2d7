import { isDeepStrictEqual } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { corpusFiles, corpusPath, describeCorpus } from '../helpers/corpus.ts';
import { messagesOfFile } from '../../lib/mail/read.ts';
import { parseMail } from '../../lib/mail/parse.ts';
import { parseSimple } from '../../lib/mail/fast-parse.ts';

describeCorpus('the single-part fast path', () => {
  it('gives exactly the Mail the full MIME parse gives, on every corpus message it takes', async () => {
    const files = [...corpusFiles().map(corpusPath), ...['v1.mbox', 'v2.mbox', 'tip-bot.eml'].map((f) => join(import.meta.dirname, '../fixtures/seed', f))];
    let taken = 0;
    let total = 0;
    for (const file of files) {
      if (!/\.(mbox|eml|patch|txt|verify)$/.test(file) || file.includes('MANIFEST')) continue;
      for (const m of messagesOfFile(readFileSync(file))) {
        total++;
        if (!parseSimple(m.bytes)) continue;
        taken++;
        const fast = await parseMail(m.bytes, 'h');
        const full = await parseMail(m.bytes, 'h', { fastPath: false });
        expect(isDeepStrictEqual(fast, full), `${file} @${m.offset}`).toBe(true);
      }
    }
    // Most list mail is single-part text: the fast path must take the bulk of it.
    expect(taken / total).toBeGreaterThan(0.8);
  });

  it('leaves multipart and unusual charsets to the full parser', () => {
    expect(parseSimple(Buffer.from('Content-Type: multipart/mixed; boundary=x\n\n--x\n\nhi\n--x--\n'))).toBeNull();
    expect(parseSimple(Buffer.from('Content-Type: text/plain; charset=koi8-r\n\nhi\n'))).toBeNull();
    expect(parseSimple(Buffer.from('Subject: hi\n\nbody\n'))?.text).toBe('body\n');
  });
});
