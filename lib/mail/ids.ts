import { createHash } from 'node:crypto';

/** Message-IDs longer than this are not usable as keys; such messages get a synthetic id. */
export const MAX_MESSAGE_ID_LENGTH = 900;

/** All `<id>` tokens of a References/In-Reply-To style header, in order, deduplicated. */
export function extractMessageIds(value: string | undefined | null): string[] {
  if (!value) return [];
  const ids: string[] = [];
  const seen = new Set<string>();
  for (const m of value.matchAll(/<([^<>\s]{1,998})>/g)) {
    const id = m[1];
    if (id.length > MAX_MESSAGE_ID_LENGTH || seen.has(id)) continue;
    seen.add(id);
    ids.push(id);
  }
  return ids;
}

/** The Message-ID of a header value, tolerant of missing angle brackets. */
export function parseMessageId(value: string | undefined | null): string | null {
  if (!value) return null;
  const bracketed = /<([^<>\s]{1,998})>/.exec(value);
  const id = bracketed ? bracketed[1] : value.trim().split(/\s+/)[0];
  if (!id || id.length > MAX_MESSAGE_ID_LENGTH) return null;
  return id;
}

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A stable id for a message that has none: the same bytes always get the same id. */
export function syntheticMessageId(sha256: string): string {
  return `${sha256.slice(0, 32)}@patchloom.invalid`;
}
