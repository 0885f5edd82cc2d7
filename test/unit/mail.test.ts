import { describe, expect, it } from 'vitest';
import { corpusFiles, describeCorpus, loadMails, readCorpus } from '../helpers/corpus.ts';
import { splitMbox, createMboxSplitter } from '../../lib/mail/mbox.ts';
import { parseMail } from '../../lib/mail/parse.ts';
import { ownText } from '../../lib/mail/quote.ts';

describe('mbox splitting', () => {
  it('undoes mboxrd quoting and drops framing', () => {
    const mbox = Buffer.from('From a@b Thu Jan  1 00:00:00 1970\nSubject: x\n\n>From here\n>>From there\n\nFrom a@b Thu Jan  1 00:00:00 1970\nSubject: y\n\nbody\n');
    const msgs = splitMbox(mbox);
    expect(msgs.map((m) => m.bytes.toString())).toEqual(['Subject: x\n\nFrom here\n>From there\n', 'Subject: y\n\nbody\n']);
    expect(msgs[1].offset).toBe(mbox.indexOf('From a@b', 5));
  });
  it('does not split on an unquoted From line inside a paragraph', () => {
    const msgs = splitMbox(Buffer.from('From a@b Thu Jan  1 00:00:00 1970\nSubject: x\n\nhi\nFrom what I see this is fine\n'));
    expect(msgs).toHaveLength(1);
  });
  it('splits on a From line after a blank line, as mutt and Python do', () => {
    const msgs = splitMbox(Buffer.from('From a@b Thu Jan  1 00:00:00 1970\nSubject: x\n\nhi\n\nFrom mangled\nSubject: y\n\nbody\n'));
    expect(msgs.map((m) => m.bytes.toString())).toEqual(['Subject: x\n\nhi\n', 'Subject: y\n\nbody\n']);
  });
  it('gives the same messages whatever the chunk size', () => {
    const mbox = readCorpusOr('lkml/threads/lsm-syscalls/v5-0of8.mbox');
    if (!mbox) return;
    const whole = splitMbox(mbox).map((m) => m.bytes.toString('latin1'));
    for (const size of [1, 7, 100, 4096]) {
      const s = createMboxSplitter();
      const out = [];
      for (let i = 0; i < mbox.length; i += size) out.push(...s.push(mbox.subarray(i, i + size)));
      out.push(...s.end());
      expect(out.map((m) => m.bytes.toString('latin1'))).toEqual(whole);
    }
  });
});

function readCorpusOr(rel: string): Buffer | null {
  try {
    return readCorpus(rel);
  } catch {
    return null;
  }
}

describe('parsing', () => {
  it('keeps format=flowed diff lines apart', async () => {
    const raw = 'Message-ID: <f@x>\nFrom: A <a@x>\nSubject: t\nContent-Type: text/plain; format=flowed; charset=utf-8\n\n--- a/f \n+++ b/f \n@@ -1 +1 @@ \n-x \n+y\n';
    const mail = await parseMail(Buffer.from(raw));
    expect(mail.body).toBe('--- a/f \n+++ b/f \n@@ -1 +1 @@ \n-x \n+y\n');
  });
  it('flags a missing Message-ID with a stable synthetic one', async () => {
    const raw = Buffer.from('From: A <a@x>\nSubject: t\n\nbody\n');
    const a = await parseMail(raw);
    const b = await parseMail(raw);
    expect(a.messageId).toBe(b.messageId);
    expect(a.flags.map((f) => f.kind)).toContain('no-message-id');
  });
  it('separates own text from quoted text', () => {
    expect(ownText('On Mon, X wrote:\n> quoted\nmine\n')).toBe('mine\n');
  });
});

describeCorpus('corpus parsing', () => {
  it('parses every corpus mail file without throwing', async () => {
    const files = corpusFiles().filter((f) => /\.(mbox|eml|patch|txt)$/.test(f) && !f.includes('MANIFEST') && !f.startsWith('licenses'));
    let count = 0;
    for (const f of files) {
      const mails = await loadMails(f);
      count += mails.length;
      for (const m of mails) expect(m.messageId.length).toBeGreaterThan(0);
    }
    expect(count).toBeGreaterThan(300);
  });
});
