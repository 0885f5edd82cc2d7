/**
 * Linking postings of one series across versions (v1 → v2 → …), resends of one version, and
 * partial rerolls ("[PATCH v5.1 10/12]"), from evidence found in series summaries of many threads.
 *
 * Each posting is linked to at most one predecessor: the newest earlier posting for which the
 * evidence is good enough. Evidence, strongest first: b4's change-id trailer, b4's Message-ID
 * stem, the cover threaded into the previous version, the cover linking to it ("Link to v4:
 * https://lore.kernel.org/r/<id>"); then the same (or a very similar) title and shared patch
 * titles; weakest, change notes that name the older version ("Changes since v4"). The same
 * author (email, or name) is required unless a change-id matches. A title change across
 * versions (getfsxattrat → file_getattr) therefore links through the other evidence.
 *
 * Unlabeled re-postings (patchwork's revision-unlabeled*.mbox: same title, no version labels)
 * are linked like versions, as patchwork's fixtures expect two series in order: as a `resend`
 * when their patches are unchanged, as a `version` when the content changed.
 */
import type { Address } from './mail/types.ts';
import { normalizeTitle } from './subject.ts';
import { b4MessageIdStem, type SeriesDraft } from './series.ts';

export interface VersionCandidate {
  key: string;
  title: string;
  normalizedTitle?: string;
  version: number;
  versionLabel: string;
  author: Address;
  date: Date | null;
  changeId: string | null;
  inReplyTo: string | null;
  messageIds: string[];
  /** The cover letter's text (or the single patch's), for change notes and links to older versions. */
  coverBody?: string;
  /** Optional extras that sharpen the decision when known. */
  total?: number;
  resend?: boolean;
  isPullRequest?: boolean;
  /** Set on a partial reroll: the version whose patches it replaces. */
  partialRerollOf?: number | null;
  patchTitles?: string[];
  /** patchId per patch number, to tell an unchanged resend from an unlabeled new revision. */
  patchIds?: Record<number, string>;
}

export type VersionLinkKind = 'version' | 'resend' | 'partial-reroll';

export interface VersionLink {
  olderKey: string;
  newerKey: string;
  evidence: string[];
  kind: VersionLinkKind;
}

/** Without stronger evidence, a same-title match older than this is a different series. */
/** Postings further apart than this are linked only on strong evidence (change-id, threading, links). */
export const TITLE_ONLY_MAX_GAP_DAYS = 365;
const TITLE_ONLY_MAX_GAP_MS = TITLE_ONLY_MAX_GAP_DAYS * 24 * 3600 * 1000;
const SAME_VERSION_MAX_GAP_MS = 90 * 24 * 3600 * 1000;
const MAX_BODY = 1 << 20;

/** The summary versions.ts needs, from an assembled draft (and its cover text, when the caller has it). */
export function candidateFromDraft(d: SeriesDraft, coverBody?: string): VersionCandidate {
  const rerolled = d.patches.find((p) => p.partialRerollOf !== undefined);
  const patchIds: Record<number, string> = {};
  for (const p of d.patches) if (p.patchId) patchIds[p.number] = p.patchId;
  return {
    key: d.key,
    title: d.title,
    version: d.version,
    versionLabel: d.versionLabel,
    author: d.author,
    date: d.date,
    changeId: d.changeId,
    inReplyTo: d.inReplyTo,
    messageIds: d.messageIds,
    coverBody,
    total: d.total,
    resend: d.resend,
    isPullRequest: d.isPullRequest,
    partialRerollOf: rerolled?.partialRerollOf ?? null,
    patchTitles: d.patches.map((p) => p.title),
    patchIds,
  };
}

interface Prepared {
  c: VersionCandidate;
  major: number;
  minor: number;
  time: number;
  title: string;
  tokens: Set<string>;
  patchTitles: Set<string>;
  stems: Set<string>;
  linkedIds: Set<string>;
  mentionedVersions: Set<number>;
  ids: Set<string>;
  email: string;
  name: string;
}

function timeOf(d: Date | null): number {
  const t = d ? d.getTime() : NaN;
  return Number.isFinite(t) ? t : Number.POSITIVE_INFINITY;
}

function versionParts(c: VersionCandidate): { major: number; minor: number } {
  const m = /^(\d{1,6})(?:\.(\d{1,4}))?$/.exec(c.versionLabel);
  if (m) return { major: Number(m[1]), minor: m[2] === undefined ? 0 : Number(m[2]) };
  return { major: c.version, minor: 0 };
}

/** Message-IDs named by links in a cover letter: lore, lkml.kernel.org/r, msgid.link. */
export function linkedMessageIds(text: string): string[] {
  const out = new Set<string>();
  const body = text.length > MAX_BODY ? text.slice(0, MAX_BODY) : text;
  const re = /https?:\/\/(?:lore\.kernel\.org|lkml\.kernel\.org|(?:patch\.)?msgid\.link)\/(?:[\w.+-]{1,80}\/)?([^\s/<>"'()]{1,500})/g;
  for (const m of body.matchAll(re)) {
    let id = m[1];
    try {
      id = decodeURIComponent(id);
    } catch {
      /* keep as written */
    }
    if (id.includes('@')) out.add(id.replace(/[.,;:]+$/, ''));
  }
  return [...out];
}

/** Older versions named by change notes: "Changes since v4", "v3 -> v4", "v4:", "Link to v4". */
export function mentionedVersions(text: string): number[] {
  const out = new Set<number>();
  const body = text.length > MAX_BODY ? text.slice(0, MAX_BODY) : text;
  const patterns = [
    /\bchange(?:s|log)?\s+(?:since|from|vs\.?|against|compared\s+to|relative\s+to)\s+v(\d{1,4})\b/gi,
    /\bsince\s+v(\d{1,4})\b/gi,
    /\bv(\d{1,4})\s*(?:->|→|=>|\.\.)\s*v\d{1,4}\b/gi,
    /^[ \t]*[-*]?[ \t]*v(\d{1,4})[ \t]*:/gim,
    /\blink\s+to\s+v(\d{1,4})\b/gi,
    /\b(?:previous|prior|older)\s+version\s*\(?v(\d{1,4})\)?/gi,
  ];
  for (const re of patterns) for (const m of body.matchAll(re)) out.add(Number(m[1]));
  return [...out];
}

function prepare(c: VersionCandidate): Prepared {
  const { major, minor } = versionParts(c);
  const title = c.normalizedTitle ?? normalizeTitle(c.title);
  const stems = new Set<string>();
  for (const id of [c.key, ...c.messageIds.slice(0, 50)]) {
    const s = b4MessageIdStem(id);
    if (s) stems.add(s);
  }
  const body = c.coverBody ?? '';
  return {
    c,
    major,
    minor,
    time: timeOf(c.date),
    title,
    tokens: new Set(title.split(' ').filter(Boolean)),
    patchTitles: new Set((c.patchTitles ?? []).map(normalizeTitle).filter(Boolean)),
    stems,
    linkedIds: new Set(linkedMessageIds(body)),
    mentionedVersions: new Set(mentionedVersions(body)),
    ids: new Set([c.key, ...c.messageIds]),
    email: c.author.email.trim().toLowerCase(),
    name: c.author.name.trim().toLowerCase().replace(/\s+/g, ' '),
  };
}

function before(a: Prepared, b: Prepared): boolean {
  if (a.major !== b.major) return a.major < b.major;
  if (a.minor !== b.minor) return a.minor < b.minor;
  if (a.time !== b.time) return a.time < b.time;
  return a.c.key < b.c.key;
}

function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let inter = 0;
  for (const t of a) if (b.has(t)) inter++;
  return inter / (a.size + b.size - inter);
}

function contentChanged(a: VersionCandidate, b: VersionCandidate): boolean {
  if (!a.patchIds || !b.patchIds) return false;
  for (const [n, id] of Object.entries(b.patchIds)) {
    const other = a.patchIds[Number(n)];
    if (other && id && other !== id) return true;
  }
  return false;
}

interface Judgement {
  accept: boolean;
  strength: number;
  evidence: string[];
}

/** What speaks for `newer` being a later posting of `older`'s series. */
function judge(older: Prepared, newer: Prepared): Judgement {
  const evidence: string[] = [];
  const sameEmail = older.email !== '' && older.email === newer.email;
  const sameName = !sameEmail && older.name.length > 1 && older.name === newer.name;
  if (sameEmail) evidence.push(`same author (${older.email})`);
  else if (sameName) evidence.push(`same author name (${older.c.author.name})`);
  const sameAuthor = sameEmail || sameName;

  let strong = 0;
  let medium = 0;
  let weak = 0;
  const changeId = older.c.changeId && older.c.changeId === newer.c.changeId;
  if (changeId) {
    strong++;
    evidence.push(`b4 change-id ${older.c.changeId}`);
  }
  for (const s of newer.stems) {
    if (older.stems.has(s)) {
      strong++;
      evidence.push(`b4 Message-ID stem "${s}"`);
      break;
    }
  }
  const higher = newer.major > older.major || (newer.major === older.major && newer.minor > older.minor);
  const threaded = newer.c.inReplyTo !== null && older.ids.has(newer.c.inReplyTo);
  if (threaded) evidence.push('threaded into the older posting');
  for (const id of newer.linkedIds) {
    if (older.ids.has(id)) {
      strong++;
      evidence.push(`cover links to the older posting (${id})`);
      break;
    }
  }
  const pull = !!older.c.isPullRequest || !!newer.c.isPullRequest;
  const sameTitle = older.title !== '' && older.title === newer.title;
  const similarity = sameTitle ? 1 : jaccard(older.tokens, newer.tokens);
  if (sameTitle) {
    medium++;
    evidence.push('same title');
  } else if (!pull && similarity >= 0.8) {
    medium++;
    evidence.push(`similar title (${similarity.toFixed(2)})`);
  } else if (!pull && similarity >= 0.5) {
    weak++;
    evidence.push(`somewhat similar title (${similarity.toFixed(2)})`);
  }
  let shared = 0;
  for (const t of newer.patchTitles) if (older.patchTitles.has(t)) shared++;
  if (shared > 0) {
    const smaller = Math.min(older.patchTitles.size, newer.patchTitles.size);
    if (shared * 2 >= smaller) medium++;
    else weak++;
    evidence.push(`${shared} patch title${shared === 1 ? '' : 's'} shared`);
  }
  // Threading into an older posting of the same version is what extra patches and fixes do
  // too (patchwork's bugs-unnumbered); it only speaks for a re-posting with a matching title.
  if (threaded && (higher || medium > 0 || newer.c.resend)) strong++;
  if (newer.major > older.major && newer.mentionedVersions.has(older.major)) {
    weak++;
    evidence.push(`change notes mention v${older.major}`);
  }

  if (higher) {
    evidence.push(`higher version (v${older.c.versionLabel || older.major} → v${newer.c.versionLabel || newer.major})`);
  } else {
    evidence.push('same version');
  }
  if (newer.time > older.time && Number.isFinite(newer.time)) evidence.push('later date');

  // A later version dated before the older one is suspect; only strong evidence links it.
  const backwards = Number.isFinite(older.time) && Number.isFinite(newer.time) && newer.time < older.time;
  const gap = Math.abs(newer.time - older.time);
  const sameVersion = newer.major === older.major && newer.minor === older.minor;
  const maxGap = sameVersion && !newer.c.resend ? SAME_VERSION_MAX_GAP_MS : TITLE_ONLY_MAX_GAP_MS;
  let accept: boolean;
  if (changeId) accept = true;
  else if (!sameAuthor) accept = threaded && (sameTitle || similarity >= 0.8);
  else if (strong > 0) accept = true;
  else if (backwards) accept = false;
  else accept = (medium > 0 || weak >= 2) && !(gap > maxGap);
  if (pull && strong === 0 && !sameTitle) accept = false;
  return { accept, strength: strong * 100 + medium * 10 + weak, evidence };
}

/** Link every posting to its predecessor (at most one), with the evidence for each link. */
export function linkVersions(series: VersionCandidate[]): VersionLink[] {
  const seen = new Set<string>();
  const prepared: Prepared[] = [];
  for (const c of series) {
    if (!c || seen.has(c.key)) continue;
    seen.add(c.key);
    prepared.push(prepare(c));
  }
  prepared.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));

  // Only postings that share something can be related: index them by author, change-id and ids.
  const groups = new Map<string, Prepared[]>();
  const add = (k: string, p: Prepared) => {
    const list = groups.get(k);
    if (list) list.push(p);
    else groups.set(k, [p]);
  };
  const byId = new Map<string, Prepared>();
  for (const p of prepared) {
    if (p.email) add(`e:${p.email}`, p);
    if (p.name.length > 1) add(`n:${p.name}`, p);
    if (p.c.changeId) add(`c:${p.c.changeId}`, p);
    for (const id of p.ids) if (!byId.has(id)) byId.set(id, p);
  }

  const links: VersionLink[] = [];
  for (const newer of prepared) {
    const pool = new Set<Prepared>();
    for (const k of [`e:${newer.email}`, `n:${newer.name}`, newer.c.changeId ? `c:${newer.c.changeId}` : '']) {
      for (const p of groups.get(k) ?? []) pool.add(p);
    }
    for (const id of [newer.c.inReplyTo, ...newer.linkedIds]) {
      const p = id ? byId.get(id) : undefined;
      if (p) pool.add(p);
    }
    pool.delete(newer);

    const reroll = newer.c.partialRerollOf ?? null;
    let best: { p: Prepared; j: Judgement } | null = null;
    for (const older of pool) {
      if (!before(older, newer)) continue;
      if (older.c.partialRerollOf !== null && older.c.partialRerollOf !== undefined) continue;
      if (!!older.c.isPullRequest !== !!newer.c.isPullRequest) continue;
      if (reroll !== null && older.major !== reroll) continue;
      const j = judge(older, newer);
      if (!j.accept) continue;
      // The nearest earlier posting wins; among equals, the better evidence.
      if (!best || before(best.p, older) || (!before(older, best.p) && j.strength > best.j.strength)) best = { p: older, j };
    }
    if (!best) continue;
    const older = best.p;
    let kind: VersionLinkKind;
    const evidence = [...best.j.evidence];
    if (reroll !== null) {
      kind = 'partial-reroll';
      evidence.push(`partial reroll of v${reroll}`);
    } else if (older.major === newer.major && older.minor === newer.minor) {
      if (contentChanged(older.c, newer.c)) {
        kind = 'version';
        evidence.push('same version label but changed patches: an unlabeled new revision');
      } else {
        kind = 'resend';
      }
    } else {
      kind = 'version';
    }
    links.push({ olderKey: older.c.key, newerKey: newer.c.key, evidence, kind });
  }
  return links;
}

/**
 * Postings grouped into version chains, each oldest first (versions, then resends by date).
 * Every posting is in exactly one chain, except partial rerolls, which hang off their base
 * (see `partialRerolls`).
 */
export function versionChains(series: VersionCandidate[], links: VersionLink[]): string[][] {
  const byKey = new Map<string, Prepared>();
  for (const c of series) if (c && !byKey.has(c.key)) byKey.set(c.key, prepare(c));
  const parent = new Map<string, string>();
  const find = (k: string): string => {
    let r = k;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r) as string;
    let cur = k;
    while (cur !== r) {
      const next = parent.get(cur) as string;
      parent.set(cur, r);
      cur = next;
    }
    return r;
  };
  const rerolls = new Set(links.filter((l) => l.kind === 'partial-reroll').map((l) => l.newerKey));
  for (const [k, p] of byKey) if (p.c.partialRerollOf !== null && p.c.partialRerollOf !== undefined) rerolls.add(k);
  for (const k of byKey.keys()) parent.set(k, k);
  for (const l of links) {
    if (l.kind === 'partial-reroll' || !byKey.has(l.olderKey) || !byKey.has(l.newerKey)) continue;
    const a = find(l.olderKey);
    const b = find(l.newerKey);
    if (a !== b) parent.set(a < b ? b : a, a < b ? a : b);
  }
  const chains = new Map<string, Prepared[]>();
  for (const [k, p] of byKey) {
    if (rerolls.has(k)) continue;
    const r = find(k);
    const list = chains.get(r);
    if (list) list.push(p);
    else chains.set(r, [p]);
  }
  const out = [...chains.values()].map((list) => list.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0)));
  // Chains in the order their first postings were sent.
  out.sort((a, b) => a[0].time - b[0].time || (a[0].c.key < b[0].c.key ? -1 : a[0].c.key > b[0].c.key ? 1 : 0));
  return out.map((list) => list.map((p) => p.c.key));
}

/** For every posting but the newest of its chain: the next posting (`by`) and the newest (`latest`). */
export function supersededBy(chains: string[][]): Map<string, { by: string; latest: string }> {
  const out = new Map<string, { by: string; latest: string }>();
  for (const chain of chains) {
    const latest = chain[chain.length - 1];
    for (let i = 0; i + 1 < chain.length; i++) out.set(chain[i], { by: chain[i + 1], latest });
  }
  return out;
}

/** Base posting → the partial rerolls that replace some of its patches. */
export function partialRerolls(links: VersionLink[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const l of links) {
    if (l.kind !== 'partial-reroll') continue;
    const list = out.get(l.olderKey) ?? [];
    list.push(l.newerKey);
    out.set(l.olderKey, list);
  }
  return out;
}
