/** The subject a reply shares with its parent: reply and forward prefixes removed, case and spacing normalised. */
export function threadSubjectKey(subject: string): string {
  let s = subject.trim();
  for (;;) {
    const next = s.replace(/^\s*(re|aw|fwd?|sv|antw)\s*(\[\d+\])?\s*:\s*/i, '');
    if (next === s) break;
    s = next;
  }
  return s.replace(/\s+/g, ' ').toLowerCase();
}
