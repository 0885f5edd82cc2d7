import { looksLikeMbox, splitMbox, type RawMessage } from './mbox.ts';

/** The messages held in one file's bytes: an mbox is split, anything else is one message. */
export function messagesOfFile(data: Buffer): RawMessage[] {
  if (looksLikeMbox(data)) return splitMbox(data);
  return data.length ? [{ offset: 0, bytes: data }] : [];
}
