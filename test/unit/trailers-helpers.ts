/**
 * Test-side series assembly for the trailer/am tests: which mails of a thread are the patches,
 * the cover and the replies. (The real assembly lives in the series module; these tests only need
 * the simple threads of b4's samples and hand-written fixtures.)
 */
import { createHash } from 'node:crypto';
import { parseDiff, patchId } from '../../lib/diff.ts';
import type { Mail } from '../../lib/mail/types.ts';
import { trailersGivenIn, type SeriesTrailerInput } from '../../lib/trailers.ts';

export interface SubjectTags {
  reply: boolean;
  version: number;
  counter: number | null;
}

export function subjectTags(subject: string): SubjectTags {
  const reply = /^(re|aw|fwd?):/i.test(subject.trim());
  const tag = /\[([^\]]*PATCH[^\]]*)\]/i.exec(subject);
  const inner = tag ? tag[1] : '';
  const v = /\bv(\d+)\b/i.exec(inner);
  const c = /\b(\d+)\/(\d+)\b/.exec(inner);
  return { reply, version: v ? Number(v[1]) : 1, counter: c ? Number(c[1]) : tag ? 1 : null };
}

export function hasPatch(mail: Mail): boolean {
  return /^(?:diff --git |--- a\/|Index: )/m.test(mail.body);
}

export function isPatchMail(mail: Mail): boolean {
  const t = subjectTags(mail.subject);
  return !t.reply && t.counter !== null && t.counter > 0 && hasPatch(mail);
}

export function patchIdOf(mail: Mail): string {
  const files = parseDiff(mail.body);
  if (files.length) return patchId(files);
  // Mangled diffs (b4's "@@@" samples): hash the text from the first diff line.
  const at = mail.body.search(/^(?:diff --git |--- a\/)/m);
  return createHash('sha1').update(at >= 0 ? mail.body.slice(at) : mail.body).digest('hex');
}

export interface AssembledSeries {
  input: SeriesTrailerInput;
  patches: Map<number, Mail>;
  cover: Mail | null;
}

/** The newest version of each patch number is the series; older patch mails are foreign patches. */
export function assembleSeries(mails: Mail[]): AssembledSeries {
  const patches = new Map<number, Mail>();
  let cover: Mail | null = null;
  for (const m of mails) {
    const t = subjectTags(m.subject);
    if (!t.reply && t.counter === 0) cover = cover ?? m;
    if (!isPatchMail(m)) continue;
    const prev = patches.get(t.counter as number);
    if (!prev || subjectTags(prev.subject).version <= t.version) patches.set(t.counter as number, m);
  }
  const patchIds = new Set([...patches.values()].map((m) => m.messageId));
  const input: SeriesTrailerInput = {
    patches: [...patches].map(([number, m]) => ({ number, messageId: m.messageId, patchId: patchIdOf(m) })),
    coverMessageId: cover?.messageId ?? null,
    messages: mails.map((m) => ({
      messageId: m.messageId,
      parentId: m.inReplyTo ?? m.references.at(-1) ?? null,
      from: m.from,
      ownTrailers: trailersGivenIn(m).trailers,
      isPatch: !patchIds.has(m.messageId) && isPatchMail(m),
    })),
  };
  return { input, patches, cover };
}
