/**
 * A series' timeline: what happened to it, in order, each event linking the message that
 * says so (or naming the maintainer who acted). Built from facts the database already
 * holds; no I/O here.
 */
import type { Address } from './mail/types.ts';

export type TimelineKind =
  | 'posted'
  | 'version-posted'
  | 'trailer'
  | 'nack'
  | 'objection'
  | 'withdrawn'
  | 'fixup-posted'
  | 'fixup-folded'
  | 'fixup-applied'
  | 'breakage-reported'
  | 'breakage-fix-proposed'
  | 'breakage-fixed'
  | 'breakage-pre-existing'
  | 'breakage-invalid'
  | 'applied'
  | 'manual';

/** Order of events that carry the same time: a posting before what answers it. */
const KIND_ORDER: readonly TimelineKind[] = [
  'posted',
  'version-posted',
  'trailer',
  'nack',
  'objection',
  'withdrawn',
  'fixup-posted',
  'breakage-reported',
  'breakage-fix-proposed',
  'breakage-pre-existing',
  'breakage-invalid',
  'fixup-folded',
  'fixup-applied',
  'breakage-fixed',
  'applied',
  'manual',
];

export interface TimelineRef {
  kind: 'series' | 'fixup' | 'breakage';
  id: number;
}

export interface TimelineEvent {
  /** Stable across reindex: built from Message-IDs, keys and action ids, never row ids. */
  id: string;
  /** ISO time: the mail's Date, or when the maintainer acted. */
  at: string | null;
  kind: TimelineKind;
  text: string;
  messageId: string | null;
  /** Who: the mail's author, or the maintainer. */
  by: string | null;
  /** What the event is about besides the series (a fixup, a breakage, another version). */
  ref: TimelineRef | null;
}

export interface MailRef {
  messageId: string;
  date: Date | null;
  by: Address | null;
}

export interface TrailerFact {
  kind: string;
  name: string;
  email: string;
  patchNumber: number;
  messageId: string;
  date: Date | null;
  /** Given on an earlier version and carried over (the patch did not change): that version's number, 0 when unknown. */
  carriedFromVersion: number | null;
}

export interface ReviewFact extends MailRef {
  kind: 'nack' | 'objection' | 'withdrawn';
  quote: string | null;
}

export interface FixupFact {
  id: number;
  key: string;
  subject: string | null;
  posted: MailRef;
  targetPatch: number | null;
  state: string;
  /** The later version's patch that contains it, when folded. */
  folded: (MailRef & { version: number }) | null;
  /** The commit notice that names it, when applied on its own. */
  applied: (MailRef & { commit: string | null }) | null;
}

export interface BreakageFact {
  id: number;
  signature: string;
  title: string;
  status: string;
  reports: MailRef[];
  /** Fixes claimed for it; fixupKey when the fix is an inline fixup. */
  fixes: (MailRef & { via: string; fixupKey: string | null })[];
  verdicts: (MailRef & { kind: 'pre-existing' | 'invalid'; ref: string | null; quote: string })[];
}

export interface AppliedFact extends MailRef {
  commit: string | null;
  branch: string | null;
  patchNumbers: number[];
}

export interface ActionFact {
  id: number;
  at: Date;
  actor: string;
  targetKind: 'series' | 'fixup' | 'breakage';
  action: string;
  value: Record<string, unknown>;
  note: string;
  /** How to name the target in text: "fixup 'x86: fix UML'", "breakage 'No rule to make target'". */
  targetLabel: string;
  ref: TimelineRef | null;
}

export interface TimelineFacts {
  series: { id: number; version: number; total: number; title: string; posted: MailRef | null };
  /** The other versions of the series (previous and later). */
  versions: { id: number; version: number; posted: MailRef | null }[];
  /** The series' trailers, including those carried over from an earlier version. */
  trailers: TrailerFact[];
  review: ReviewFact[];
  fixups: FixupFact[];
  breakages: BreakageFact[];
  applied: AppliedFact[];
  actions: ActionFact[];
  /** Message-IDs of the series' cover and patches: trailers written into them are grouped. */
  ownMessageIds: string[];
}

/** Trailers that are someone's verdict; Signed-off-by, Cc, Suggested-by are authorship, not review. */
const REVIEW_TRAILERS = new Set(['reviewed-by', 'acked-by', 'tested-by']);

function who(a: Address | null): string | null {
  if (!a) return null;
  return a.name || a.email || null;
}

function iso(d: Date | null): string | null {
  return d && !Number.isNaN(d.getTime()) ? d.toISOString() : null;
}

function clip(s: string, n = 120): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > n ? `${flat.slice(0, n - 1)}…` : flat;
}

/** "1-7, 9": ascending numbers as ranges. */
export function numberRanges(nums: number[]): string {
  const sorted = [...new Set(nums)].filter((n) => Number.isInteger(n)).sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j > i ? `${sorted[i]}-${sorted[j]}` : `${sorted[i]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/** "all 8 patches", "patch 3/8", "patches 1-7 of 8". */
export function patchScope(nums: number[], total: number): string {
  const set = [...new Set(nums)].filter((n) => n >= 1 && (total < 1 || n <= total));
  if (total > 1 && set.length === total) return `all ${total} patches`;
  if (total <= 1 && set.length <= 1) return 'the patch';
  if (set.length === 1) return `patch ${set[0]}/${total}`;
  return `patches ${numberRanges(set)} of ${total}`;
}

function trailerEvents(f: TimelineFacts): TimelineEvent[] {
  const own = new Set(f.ownMessageIds);
  const groups = new Map<string, { t: TrailerFact; patches: number[]; how: 'reply' | 'own' | 'carried' }>();
  for (const t of f.trailers) {
    if (!REVIEW_TRAILERS.has(t.kind.toLowerCase())) continue;
    // A reply's trailers are one event per reply; those written into the patches, or carried over, one per person.
    const how = t.carriedFromVersion !== null ? 'carried' : own.has(t.messageId) ? 'own' : 'reply';
    const key = `${how === 'reply' ? t.messageId : how}:${t.kind.toLowerCase()}:${t.email.toLowerCase()}`;
    const g = groups.get(key);
    if (g) {
      g.patches.push(t.patchNumber);
      if ((t.date?.getTime() ?? Infinity) < (g.t.date?.getTime() ?? Infinity)) g.t = t;
    } else groups.set(key, { t, patches: [t.patchNumber], how });
  }
  return [...groups.entries()].map(([key, { t, patches, how }]) => ({
    id: `trailer:${key}`,
    // Carried trailers count from this version's posting; the link still points at the reply that gave them.
    at: how === 'carried' ? iso(f.series.posted?.date ?? null) : iso(t.date),
    kind: 'trailer',
    text: `${t.kind}: ${t.name || t.email} on ${patchScope(patches, f.series.total)}${how === 'carried' ? `, carried over from ${t.carriedFromVersion ? `v${t.carriedFromVersion}` : 'an earlier version'}` : how === 'own' ? ' (in the posted patches)' : ''}`,
    messageId: t.messageId,
    by: t.name || t.email,
    ref: null,
  }));
}

function fixupEvents(x: FixupFact, total: number): TimelineEvent[] {
  const name = x.subject ? `"${clip(x.subject, 80)}"` : 'an inline fixup';
  const target = x.targetPatch ? ` for patch ${x.targetPatch}${total > 0 ? `/${total}` : ''}` : '';
  const ref: TimelineRef = { kind: 'fixup', id: x.id };
  const out: TimelineEvent[] = [
    { id: `fixup-posted:${x.key}`, at: iso(x.posted.date), kind: 'fixup-posted', text: `fixup ${name} posted${target}`, messageId: x.posted.messageId, by: who(x.posted.by), ref },
  ];
  if (x.folded && x.state === 'folded') {
    out.push({ id: `fixup-folded:${x.key}`, at: iso(x.folded.date), kind: 'fixup-folded', text: `fixup ${name} folded into v${x.folded.version}`, messageId: x.folded.messageId, by: who(x.folded.by), ref });
  }
  if (x.applied && x.state === 'applied') {
    const commit = x.applied.commit ? ` as ${x.applied.commit.slice(0, 12)}` : '';
    out.push({ id: `fixup-applied:${x.key}`, at: iso(x.applied.date), kind: 'fixup-applied', text: `fixup ${name} applied${commit}`, messageId: x.applied.messageId, by: who(x.applied.by), ref });
  }
  return out;
}

/** A breakage's events; `fixups` lets a fix that was folded or applied mark it fixed. */
export function breakageEvents(b: BreakageFact, fixups: FixupFact[]): TimelineEvent[] {
  const title = `"${clip(b.title, 100)}"`;
  const ref: TimelineRef = { kind: 'breakage', id: b.id };
  const out: TimelineEvent[] = b.reports.map((r, i) => ({
    id: `breakage-reported:${b.signature}:${r.messageId}`,
    at: iso(r.date),
    kind: 'breakage-reported' as const,
    text: `${i === 0 ? 'build failure reported' : 'build failure reported again'}: ${title}`,
    messageId: r.messageId,
    by: who(r.by),
    ref,
  }));
  for (const x of b.fixes) {
    out.push({ id: `breakage-fix-proposed:${b.signature}:${x.messageId}`, at: iso(x.date), kind: 'breakage-fix-proposed', text: `fix proposed for ${title} (${x.via})`, messageId: x.messageId, by: who(x.by), ref });
    const fixup = x.fixupKey ? fixups.find((f) => f.key === x.fixupKey) : undefined;
    const done = fixup?.state === 'folded' ? fixup.folded : fixup?.state === 'applied' ? fixup.applied : null;
    if (done && b.status === 'fixed') {
      const how = fixup?.state === 'folded' ? 'its fix was folded into the next version' : 'its fix was applied';
      out.push({ id: `breakage-fixed:${b.signature}:${done.messageId}`, at: iso(done.date), kind: 'breakage-fixed', text: `${title} fixed: ${how}`, messageId: done.messageId, by: who(done.by), ref });
    }
  }
  for (const v of b.verdicts) {
    const kind = v.kind === 'pre-existing' ? 'breakage-pre-existing' : 'breakage-invalid';
    const text = v.kind === 'pre-existing' ? `${title} marked pre-existing${v.ref ? ` (already in ${v.ref})` : ''}` : `${title} declared invalid: "${clip(v.quote, 100)}"`;
    out.push({ id: `${kind}:${b.signature}:${v.messageId}`, at: iso(v.date), kind, text, messageId: v.messageId, by: who(v.by), ref });
  }
  return out;
}

/** What a maintainer's action says, in one line. */
export function actionText(a: Pick<ActionFact, 'targetKind' | 'action' | 'value' | 'note' | 'targetLabel' | 'actor'>): string {
  const v = a.value;
  const note = a.note ? `: ${clip(a.note, 200)}` : '';
  const auto = (x: unknown) => (x === null || x === undefined ? 'derived again (manual setting cleared)' : String(x));
  let what: string;
  if (a.action === 'set-status' && a.targetKind === 'series') what = `status set to ${auto(v.status)}`;
  else if (a.action === 'set-status') what = `${a.targetLabel} status set to ${auto(v.status)}`;
  else if (a.action === 'set-state') what = `${a.targetLabel} state set to ${auto(v.state)}`;
  else if (a.action === 'set-target') what = v.patch === null || v.patch === undefined ? `${a.targetLabel} target ${auto(null)}` : `${a.targetLabel} target set to patch ${String(v.patch)}`;
  else if (a.action === 'link') what = `${a.targetLabel} linked to ${typeof v.seriesLabel === 'string' ? v.seriesLabel : 'a series'}`;
  else if (a.action === 'unlink') what = `${a.targetLabel} unlinked from ${typeof v.seriesLabel === 'string' ? v.seriesLabel : 'a series'}`;
  else what = `${a.action} on ${a.targetLabel}`;
  return `${what} by ${a.actor}${note}`;
}

function actionEvent(a: ActionFact): TimelineEvent {
  return { id: `action:${a.id}`, at: a.at.toISOString(), kind: 'manual', text: actionText(a), messageId: null, by: a.actor, ref: a.ref };
}

/**
 * Sort in time; events without a date go last; ties by kind (a posting before its answers),
 * then id, numbers compared as numbers (two actions in one millisecond: action:9 before action:10).
 */
export function sortEvents(events: TimelineEvent[]): TimelineEvent[] {
  const rank = (k: TimelineKind) => KIND_ORDER.indexOf(k);
  return [...events].sort((a, b) => {
    if (a.at !== b.at) {
      if (a.at === null) return 1;
      if (b.at === null) return -1;
      return a.at < b.at ? -1 : 1;
    }
    return rank(a.kind) - rank(b.kind) || ID_ORDER.compare(a.id, b.id);
  });
}

const ID_ORDER = new Intl.Collator('en', { numeric: true });

/** The series' events in order. Each mail event links its message; each manual event names the maintainer. */
export function buildTimeline(f: TimelineFacts): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  const s = f.series;
  if (s.posted) {
    events.push({ id: `posted:${s.posted.messageId}`, at: iso(s.posted.date), kind: 'posted', text: `v${s.version} posted: ${s.total === 1 ? '1 patch' : `${s.total} patches`}`, messageId: s.posted.messageId, by: who(s.posted.by), ref: null });
  }
  for (const v of f.versions) {
    if (!v.posted || v.id === s.id) continue;
    const rel = v.version > s.version ? 'newer version' : v.version < s.version ? 'earlier version' : 'another posting';
    events.push({ id: `version-posted:${v.posted.messageId}`, at: iso(v.posted.date), kind: 'version-posted', text: `v${v.version} posted (${rel})`, messageId: v.posted.messageId, by: who(v.posted.by), ref: { kind: 'series', id: v.id } });
  }
  events.push(...trailerEvents(f));
  for (const r of f.review) {
    const by = who(r.by) ?? 'someone';
    const text = r.kind === 'nack' ? `NAKed by ${by}` : r.kind === 'objection' ? `${by} asked for changes${r.quote ? `: "${clip(r.quote)}"` : ''}` : `withdrawn by the author${r.quote ? `: "${clip(r.quote)}"` : ''}`;
    events.push({ id: `${r.kind}:${r.messageId}`, at: iso(r.date), kind: r.kind, text, messageId: r.messageId, by: who(r.by), ref: null });
  }
  for (const x of f.fixups) events.push(...fixupEvents(x, s.total));
  for (const b of f.breakages) events.push(...breakageEvents(b, f.fixups));
  for (const a of f.applied) {
    const commit = a.commit ? ` as ${a.commit.slice(0, 12)}` : '';
    const branch = a.branch ? ` to ${a.branch}` : '';
    events.push({ id: `applied:${a.messageId}`, at: iso(a.date), kind: 'applied', text: `${patchScope(a.patchNumbers, s.total)} applied${branch}${commit}`, messageId: a.messageId, by: who(a.by), ref: null });
  }
  events.push(...f.actions.map(actionEvent));
  // One event per id: a fix claimed by two reports of the same breakage is one event.
  const seen = new Set<string>();
  return sortEvents(events.filter((e) => (seen.has(e.id) ? false : (seen.add(e.id), true))));
}
