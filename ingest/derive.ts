/**
 * Recomputing derived data after mail arrives. First each touched thread is analysed on
 * its own (lib/analyse.ts) and its rows replaced; then a cross-thread pass, scoped to
 * what those threads touch, links versions, carries trailers over, marks applied patches,
 * groups build failures and decides fixup states and series status. Everything here can
 * be rebuilt from raw mail (`patchloom reindex`).
 */
import type { Sql } from 'postgres';
import { analyseThread, indexableKey, type ThreadAnalysis } from '../lib/analyse.ts';
import type { Mail } from '../lib/mail/types.ts';
import { candidatesForNotice, indexNoticeCandidates, matchNoticeToPatches, patchNumberOfMessageId, type CommitNotice } from '../lib/applied.ts';
import { breakageStatus } from '../lib/buildlog/index.ts';
import { applyFixupTargets, factArrivals, linkedSignatures, loadManualState, type ManualState } from '../lib/db/actions.ts';
import { clearThreads, loadMails, loadThreads, writeThreadAnalyses } from '../lib/db/derived.ts';
import * as g from '../lib/db/global.ts';
import { isTransientError } from '../lib/db/store.ts';
import { fixupState, type FixupDraft, type FixupForm } from '../lib/fixups/index.ts';
import { groupBy } from '../lib/group.ts';
import { patchFiles } from '../lib/series.ts';
import { deriveStatus } from '../lib/status.ts';
import { linkedMessageIds, linkVersions, supersededBy, versionChains, type VersionCandidate } from '../lib/versions.ts';

const THREADS_PER_CHUNK = 50;
/** A report that names no series is tied to the series that changed its files in the days before it, */
const FILE_LINK_DAYS = 60;
const FILE_LINK_WINDOW_MS = FILE_LINK_DAYS * 86_400_000;
/** ...when few did: a file that many series change does not say which one broke the build. */
const MAX_FILE_LINKED_SERIES = 5;

type ThreadOutcome = { threadId: number; analysis: ThreadAnalysis } | { threadId: number; error: Error };

/** Analyse a chunk of loaded threads; a thread whose analysis throws is reported, not fatal. */
function analyseChunk(chunk: number[], threads: Map<number, Mail[]>): { empty: number[]; outcomes: ThreadOutcome[] } {
  const empty = chunk.filter((t) => (threads.get(t) ?? []).length === 0);
  const outcomes = chunk
    .filter((t) => (threads.get(t) ?? []).length > 0)
    .map((threadId): ThreadOutcome => {
      try {
        return { threadId, analysis: analyseThread(threads.get(threadId) ?? []) };
      } catch (err) {
        return { threadId, error: err as Error };
      }
    });
  return { empty, outcomes };
}

async function writeChunk(sql: Sql, { empty, outcomes }: ReturnType<typeof analyseChunk>, touchedSeries: Set<number>) {
  const warn = (threadId: number, err: Error) =>
    process.stderr.write(`patchloom: warning: thread ${threadId} could not be analysed (${err.message}); its messages are stored, its series, fixups and reports are left out\n`);
  const failed = outcomes.flatMap((o) => ('error' in o ? [o] : []));
  for (const f of failed) warn(f.threadId, f.error);
  const analysed = outcomes.flatMap((o) => ('analysis' in o ? [o] : []));
  const write = (entries: typeof analysed, clear: number[]) =>
    sql.begin(async (tx) => {
      await clearThreads(tx, clear);
      for (const id of await writeThreadAnalyses(tx, entries)) touchedSeries.add(id);
    });
  try {
    await write(analysed, [...empty, ...failed.map((f) => f.threadId)]);
  } catch (err) {
    if (isTransientError(err)) throw err;
    // One hostile thread (a value PostgreSQL cannot index) must not stop the import: write
    // thread by thread, and leave only the failing one without derived data.
    await sql.begin((tx) => clearThreads(tx, [...empty, ...failed.map((f) => f.threadId)]));
    for (const entry of analysed) {
      try {
        await write([entry], []);
      } catch (one) {
        if (isTransientError(one)) throw one;
        warn(entry.threadId, one as Error);
        await sql.begin((tx) => clearThreads(tx, [entry.threadId]));
      }
    }
  }
}

/**
 * Recompute the derived data of the given threads, 50 at a time: the next chunk loads and
 * the previous one is written while this one is analysed, so the database and the CPU work
 * side by side. Then the cross-thread pass over what they touched.
 */
export async function deriveThreads(sql: Sql, threadIds: number[]): Promise<void> {
  const unique = [...new Set(threadIds)];
  const touchedSeries = new Set<number>();
  // Failures these threads reported before: a report that is gone must leave its group.
  const formerSignatures = await g.signaturesOfThreads(sql, unique);
  const chunks: number[][] = [];
  for (let i = 0; i < unique.length; i += THREADS_PER_CHUNK) chunks.push(unique.slice(i, i + THREADS_PER_CHUNK));
  // A promise that is awaited only later must not count as an unhandled rejection meanwhile.
  const settled = <T>(p: Promise<T>) => (p.catch(() => {}), p);
  let loading = chunks.length ? settled(loadThreads(sql, chunks[0])) : null;
  let writing: Promise<void> = Promise.resolve();
  for (let c = 0; c < chunks.length; c++) {
    const threads = (await loading) as Map<number, Mail[]>;
    loading = c + 1 < chunks.length ? settled(loadThreads(sql, chunks[c + 1])) : null;
    const analysed = analyseChunk(chunks[c], threads);
    await writing;
    writing = settled(writeChunk(sql, analysed, touchedSeries));
  }
  await writing;
  await crossThreadPass(sql, unique, [...touchedSeries], formerSignatures);
}

/** Re-run the cross-thread pass after a maintainer's action: the series, and the threads (fixups, build reports) it touched. */
export async function rederive(sql: Sql, scope: { seriesIds?: number[]; threadIds?: number[] }): Promise<void> {
  await crossThreadPass(sql, [...new Set(scope.threadIds ?? [])], [...new Set(scope.seriesIds ?? [])]);
}

async function crossThreadPass(sql: Sql, threadIds: number[], seriesIds: number[], formerSignatures: string[] = []) {
  // Maintainers' decisions, read once per pass; they win where the derivation decides.
  const manual = await loadManualState(sql);
  const affected = new Set(seriesIds);
  const notices = await g.noticesOfThreads(sql, threadIds);
  for (const id of await g.seriesNamedByNotices(sql, notices)) affected.add(id);
  for (const id of await linkAllVersions(sql, [...affected])) affected.add(id);
  const ids = [...affected];
  await carryTrailers(sql, ids);
  await markApplied(sql, ids);
  await decideFixupStates(sql, ids, threadIds, manual);
  const signatures = [...new Set([...(await g.signaturesToRegroup(sql, threadIds, ids, FILE_LINK_DAYS)), ...formerSignatures])];
  if (manual.breakageLinks.size) {
    // A breakage linked by hand to one of these series: regroup it even if the series came back (reindex) after it.
    const keys = new Set((await g.seriesByIds(sql, ids)).map((s) => s.key));
    for (const sig of linkedSignatures(manual, keys)) if (!signatures.includes(sig)) signatures.push(sig);
  }
  await regroupBreakages(sql, signatures, manual);
  for (const id of await g.seriesOfBreakages(sql, signatures)) affected.add(id);
  await decideStatus(sql, [...affected], manual);
}

function candidate(s: g.SeriesRow, own: g.PatchRow[], coverBody: string | undefined): VersionCandidate {
  return {
    key: s.key,
    title: s.title,
    version: s.version,
    versionLabel: s.version_label,
    author: { name: s.author_name, email: s.author_email },
    date: s.date,
    changeId: s.change_id,
    inReplyTo: s.in_reply_to,
    messageIds: s.message_ids,
    coverBody,
    total: s.total,
    resend: s.resend,
    isPullRequest: s.is_pull_request,
    patchTitles: own.map((p) => p.title),
    patchIds: Object.fromEntries(own.filter((p) => p.patch_id).map((p) => [p.number, p.patch_id])),
  };
}

/** Link versions among the affected series and everything that could be another version of them. Returns every series whose links were set. */
async function linkAllVersions(sql: Sql, ids: number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const affected = await g.seriesByIds(sql, ids);
  const covers = await g.messageBodies(sql, affected.map((s) => s.cover_message_id ?? s.key));
  const linked = [...new Set([...covers.values()].flatMap((body) => linkedMessageIds(body)))];
  const pool = await g.versionCandidates(sql, ids, linked);
  if (pool.length === 0) return [];
  const patches = groupBy(await g.patchesOfSeries(sql, pool.map((s) => s.id)), (p) => p.series_id);
  const coverKey = (s: g.SeriesRow) => s.cover_message_id ?? s.key;
  const bodies = new Map([...covers, ...(await g.messageBodies(sql, pool.map(coverKey).filter((k) => !covers.has(k))))]);
  const candidates = pool.map((s) => candidate(s, patches.get(s.id) ?? [], bodies.get(coverKey(s))));
  const links = linkVersions(candidates);
  const chains = versionChains(candidates, links);
  const superseded = supersededBy(chains);
  const idOf = new Map(pool.map((s) => [s.key, s.id]));
  const evidenceOf = new Map(links.map((l) => [l.newerKey, l.evidence]));
  const rows: Parameters<typeof g.setVersionLinks>[1] = [];
  const inChain = new Set<string>();
  for (const chain of chains) {
    chain.forEach((key, i) => {
      inChain.add(key);
      const sup = superseded.get(key);
      rows.push({
        id: idOf.get(key) as number,
        previous: i > 0 ? (idOf.get(chain[i - 1]) ?? null) : null,
        next: i + 1 < chain.length ? (idOf.get(chain[i + 1]) ?? null) : null,
        supersededBy: sup ? (idOf.get(sup.latest) ?? null) : null,
        evidence: evidenceOf.get(key) ?? null,
      });
    });
  }
  for (const s of pool) if (!inChain.has(s.key)) rows.push({ id: s.id, previous: null, next: null, supersededBy: null, evidence: null });
  await g.setVersionLinks(sql, rows);
  return pool.map((s) => s.id);
}

async function carryTrailers(sql: Sql, ids: number[]) {
  const rows = await g.seriesByIds(sql, ids);
  // Oldest first, so trailers carried into v2 travel on into v3.
  const ordered = rows.sort((a, b) => a.version - b.version || (a.date?.getTime() ?? 0) - (b.date?.getTime() ?? 0));
  await g.carryTrailers(sql, ordered.filter((s) => s.previous_version_id !== null).map((s) => s.id));
}

function toNotice(n: g.NoticeRow): CommitNotice {
  return {
    kind: n.kind as CommitNotice['kind'],
    commit: n.commit,
    branch: n.branch,
    tree: n.tree,
    title: n.title,
    links: n.links,
    author: n.author_email ? { name: n.author_name ?? '', email: n.author_email } : null,
    committer: null,
    inReplyTo: n.in_reply_to,
    listed: [],
  };
}

async function markApplied(sql: Sql, ids: number[]) {
  if (ids.length === 0) return;
  const series = await g.seriesByIds(sql, ids);
  const notices = await g.noticesForSeriesOrCovers(sql, ids);
  // Patches we never received but a notice names by a sibling Message-ID of the cover.
  const received = groupBy(await g.patchesOfSeries(sql, ids), (p) => p.series_id);
  const placeholders: Parameters<typeof g.setPlaceholderPatches>[2] = [];
  for (const s of series) {
    if (!s.cover_message_id) continue;
    const own = received.get(s.id) ?? [];
    for (const n of notices) {
      for (const link of n.links) {
        const number = patchNumberOfMessageId(s.cover_message_id, link, s.total);
        if (number === null || own.some((p) => p.number === number || p.message_id === link)) continue;
        if (placeholders.some((p) => p.seriesId === s.id && p.number === number)) continue;
        placeholders.push({ seriesId: s.id, number, messageId: link, title: n.title, authorName: n.author_name ?? s.author_name, authorEmail: n.author_email ?? s.author_email });
      }
    }
  }
  await g.setPlaceholderPatches(sql, ids, placeholders);
  const patches = await g.patchesOfSeries(sql, ids);
  const candidateOf = (p: g.PatchRow) => ({ messageId: p.message_id, title: p.title, author: { name: p.author_name, email: p.author_email } });
  const index = indexNoticeCandidates(patches.map(candidateOf));
  const patchOf = new Map<string, g.PatchRow>();
  for (const p of patches) if (!patchOf.has(p.message_id)) patchOf.set(p.message_id, p);
  const bySeries = groupBy(patches, (p) => p.series_id);
  const coverOf = new Map(series.filter((s) => s.cover_message_id).map((s) => [s.cover_message_id as string, s]));
  const marked = new Map<string, Parameters<typeof g.setApplied>[2][number]>();
  for (const n of notices) {
    const notice = toNotice(n);
    // All candidate patches at once, so a Link: to one version's patch is not also matched by title in another.
    const cover = n.in_reply_to ? coverOf.get(n.in_reply_to) : undefined;
    const pool = cover ? (bySeries.get(cover.id) ?? []).map(candidateOf) : candidatesForNotice(index, notice);
    for (const m of matchNoticeToPatches(notice, pool, { coverMessageId: cover?.cover_message_id ?? null })) {
      const p = patchOf.get(m.messageId);
      if (p && !marked.has(`${p.series_id}/${p.number}`)) {
        marked.set(`${p.series_id}/${p.number}`, { seriesId: p.series_id, number: p.number, commit: n.commit, branch: n.branch, messageId: n.message_id });
      }
    }
  }
  const marks = [...marked.values()];
  await g.setApplied(sql, ids, marks);
}

function draftOf(f: g.FixupRow): FixupDraft {
  return {
    messageId: f.message_id,
    form: f.form as FixupForm,
    subject: f.subject,
    description: f.description,
    author: { name: f.author_name, email: f.author_email },
    date: f.date,
    trailers: f.trailers as FixupDraft['trailers'],
    files: f.files,
    diff: f.diff,
    patchId: f.patch_id,
    explicitTargets: f.explicit_targets as FixupDraft['explicitTargets'],
    index: Number(f.key.slice(f.key.lastIndexOf('#') + 1)),
    preamble: f.preamble,
  };
}

async function decideFixupStates(sql: Sql, seriesIds: number[], threadIds: number[], manual: ManualState) {
  const fixups = await g.fixupsOf(sql, seriesIds, threadIds);
  if (fixups.length === 0) return;
  // A maintainer's target correction replaces the derived target before the state is decided.
  const targets = fixups.flatMap((f) => {
    const m = manual.fixupTarget.get(f.key);
    if (!m) return [];
    f.target_number = m.patch;
    return [{ id: f.id, patch: m.patch, reason: `patch ${m.patch}, set by ${m.by}${m.note ? `: ${m.note}` : ''}` }];
  });
  if (targets.length) await applyFixupTargets(sql, targets);
  const series = await g.seriesByIds(sql, [...new Set(fixups.map((f) => f.series_id).filter((x): x is number => x !== null))]);
  // Later versions of each fixup's series, following next_version_id.
  const chainIds = new Set<number>();
  const byId = new Map(series.map((s) => [s.id, s]));
  const later = new Map<number, g.SeriesRow[]>();
  for (const s of series) {
    const list: g.SeriesRow[] = [];
    let next = s.next_version_id;
    while (next !== null && !list.some((x) => x.id === next) && list.length < 50) {
      const row = byId.get(next) ?? (await g.seriesByIds(sql, [next]))[0];
      if (!row) break;
      byId.set(row.id, row);
      list.push(row);
      chainIds.add(row.id);
      next = row.next_version_id;
    }
    later.set(s.id, list);
  }
  const laterPatches = await g.patchesOfSeries(sql, [...chainIds]);
  const laterMails = await loadMails(sql, laterPatches.map((p) => p.message_id));
  const patchAt = new Map<string, g.PatchRow>();
  for (const p of laterPatches) if (!patchAt.has(`${p.series_id}/${p.number}`)) patchAt.set(`${p.series_id}/${p.number}`, p);
  const notices = await g.noticesByTitles(sql, fixups.map((f) => f.subject).filter((s): s is string => !!s));
  const drafts = new Map(fixups.map((f) => [f.id, draftOf(f)]));
  const inThread = groupBy(fixups, (f) => f.thread_id);
  const states = fixups.map((f) => {
    const versions = f.series_id !== null && f.target_number !== null
      ? (later.get(f.series_id) ?? []).flatMap((s) => {
          const p = patchAt.get(`${s.id}/${f.target_number}`);
          const mail = p ? laterMails.get(p.message_id) : undefined;
          return p && mail ? [{ version: s.version, messageId: p.message_id, diff: patchFiles(mail) }] : [];
        })
      : [];
    const laterFixups = (inThread.get(f.thread_id) ?? [])
      .filter((o) => o.id !== f.id && (o.date?.getTime() ?? 0) > (f.date?.getTime() ?? 0))
      .map((o) => drafts.get(o.id) as FixupDraft);
    const m = manual.fixupState.get(f.key);
    if (m) return { id: f.id, state: m.state, reason: `set to ${m.state} by ${m.by}${m.note ? `: ${m.note}` : ''}` };
    const s = fixupState({ fixup: drafts.get(f.id) as FixupDraft, laterVersionsOfTarget: versions, commitNotices: notices.map((n) => ({ title: n.title, commit: n.commit })), laterFixups });
    return { id: f.id, state: s.state, reason: s.reason };
  });
  await g.setFixupStates(sql, states);
}

async function regroupBreakages(sql: Sql, signatures: string[], manual: ManualState) {
  if (signatures.length === 0) return;
  const manualLinkKeys = signatures.flatMap((sig) => (manual.breakageLinks.get(sig) ?? []).map((l) => l.seriesKey));
  const reports = await g.reportsWithSignatures(sql, signatures);
  const reportIds = reports.map((r) => r.message_id);
  const verdicts = await g.verdictsAbout(sql, reportIds);
  const claims = await g.claimsAbout(sql, reportIds);
  const located = await g.locateReports(
    sql,
    [...new Set([...reports.map((r) => r.series_key).filter((k): k is string => !!k), ...manualLinkKeys])],
    reports.map((r) => r.patch_link).filter((l): l is string => !!l),
    reports.map((r) => r.patch_subject).filter((l): l is string => !!l),
  );
  // Reports that name no series (a linux-next mail, a robot's branch report) are tied to the
  // series whose patches touch the file of the error, posted in the 60 days before the report.
  const unplaced = reports.filter((r) => !r.series_key && !r.patch_link && !r.patch_subject);
  const touching = await g.patchesTouching(sql, [...new Set(unplaced.flatMap((r) => r.errors.map((e) => e.file).filter((f): f is string => !!f && !/\.(o|ko|a)$/.test(f))))]);
  const reportsOf = groupBy(reports, (r) => r.primary_signature);
  const verdictsOf = groupBy(verdicts, (v) => v.report_message_id);
  const claimsOf = groupBy(claims, (c) => c.report_message_id);
  const seriesOfKey = new Map(located.series.map((x) => [x.key, x]));
  const patchOfLink = new Map<string, (typeof located.patches)[number]>();
  for (const p of located.patches) if (!patchOfLink.has(p.message_id)) patchOfLink.set(p.message_id, p);
  const touchingFile = groupBy(touching, (p) => p.file);
  const touchingOrder = new Map(touching.map((p, i) => [p, i]));
  const verdictOrder = new Map(verdicts.map((v, i) => [v, i]));
  const claimOrder = new Map(claims.map((c, i) => [c, i]));
  const writes: g.BreakageWrite[] = [];
  for (const signature of signatures) {
    const own = reportsOf.get(signature) ?? [];
    if (own.length === 0) continue;
    const first = own[0];
    const primary = first.errors.find((e) => e.signature === signature) ?? first.errors[0];
    // In report order, then each report's verdicts in date order, as the queries return them.
    const ownVerdicts = own.flatMap((r) => verdictsOf.get(r.message_id) ?? []).sort((a, b) => (verdictOrder.get(a) ?? 0) - (verdictOrder.get(b) ?? 0));
    const pre = ownVerdicts.find((v) => v.kind === 'pre-existing');
    const invalid = ownVerdicts.find((v) => v.kind === 'invalid');
    const ownClaims = [...new Set(own.map((r) => r.message_id))].flatMap((id) => claimsOf.get(id) ?? []).sort((a, b) => (claimOrder.get(a) ?? 0) - (claimOrder.get(b) ?? 0));
    const status = breakageStatus({
      reports: own.map((r) => ({ reportId: r.message_id })),
      fixProposedBy: ownClaims.map((c) => ({ messageId: c.message_id, via: c.via })),
      fixedBy: ownClaims.filter((c) => c.fixup_state === 'folded' || c.fixup_state === 'applied').map((c) => ({ messageId: c.message_id, via: `fix ${c.fixup_state}` })),
      preExisting: pre ? { ref: pre.ref, quote: pre.quote, messageId: pre.message_id } : null,
      invalid: invalid ? { quote: invalid.quote, messageId: invalid.message_id } : null,
      laterVersionStillFails: null,
      manual: manualBreakageStatus(manual, signature),
    });
    const links: g.BreakageWrite['links'] = [];
    const addLink = (seriesId: number, patchNumber: number | null, via: string) => {
      if (!links.some((l) => l.seriesId === seriesId && l.patchNumber === patchNumber)) links.push({ seriesId, patchNumber, via });
    };
    for (const r of own) {
      const s = r.series_key ? seriesOfKey.get(r.series_key) : undefined;
      if (s) addLink(s.id, r.patch_number, r.patch_number ? `reply to patch ${r.patch_number}` : 'reply in the series thread');
      const byLink = r.patch_link ? patchOfLink.get(r.patch_link) : undefined;
      if (byLink) addLink(byLink.series_id, byLink.number, 'robot "patch link:"');
      else if (r.patch_subject) {
        const byTitle = located.patches.find((p) => r.patch_subject?.toLowerCase().includes(p.title.toLowerCase()));
        if (byTitle) addLink(byTitle.series_id, byTitle.number, 'robot "patch subject:"');
      }
      if (!r.series_key && !r.patch_link && !r.patch_subject && r.date) {
        const reported = r.date.getTime();
        const files = new Set(r.errors.map((e) => e.file).filter((f): f is string => !!f));
        const before = [...files]
          .flatMap((f) => touchingFile.get(f) ?? [])
          .filter((p) => {
            const posted = p.date?.getTime();
            return posted !== undefined && posted <= reported && reported - posted <= FILE_LINK_WINDOW_MS;
          })
          .sort((a, b) => (touchingOrder.get(a) ?? 0) - (touchingOrder.get(b) ?? 0));
        // A file that many series changed says nothing about which of them broke the build.
        if (new Set(before.map((p) => p.series_id)).size <= MAX_FILE_LINKED_SERIES) {
          for (const p of before) addLink(p.series_id, p.number, `patch ${p.number} changes ${p.file}, named in the error`);
        }
      }
    }
    for (const m of manual.breakageLinks.get(signature) ?? []) {
      const s = seriesOfKey.get(m.seriesKey);
      if (!s) continue;
      if (m.linked) addLink(s.id, null, `linked by ${m.by}${m.note ? `: ${m.note}` : ''}`);
      else for (let i = links.length - 1; i >= 0; i--) if (links[i].seriesId === s.id) links.splice(i, 1);
    }
    writes.push({
      signature,
      kind: primary.kind,
      message: primary.message,
      file: primary.file,
      line: primary.line,
      symbol: primary.symbol,
      // The failure's own lines (each distinct text once), not every log it came with: what search reads.
      errorText: [...new Set(own.flatMap((r) => r.errors.filter((e) => indexableKey(e.signature) === signature).map((e) => e.text)))].join('\n').slice(0, 8000),
      arch: first.context.arch ?? null,
      config: first.context.config ?? null,
      compiler: first.context.compiler ? `${first.context.compiler}${first.context.compilerVersion ? `-${first.context.compilerVersion}` : ''}` : null,
      status: status.status,
      statusReason: status.reason,
      baseline: pre ? { ref: pre.ref, refs: pre.refs, quote: pre.quote, messageId: pre.message_id } : null,
      firstReportMessageId: first.message_id,
      firstReportDate: first.date,
      reportIds: own.map((r) => r.id),
      links,
    });
  }
  await g.writeBreakages(sql, signatures, writes);
}

function manualBreakageStatus(manual: ManualState, signature: string) {
  const m = manual.breakageStatus.get(signature);
  return m ? { status: m.status, at: m.at, note: `${m.by}${m.note ? `: ${m.note}` : ''}` } : undefined;
}

async function decideStatus(sql: Sql, ids: number[], manual: ManualState) {
  if (ids.length === 0) return;
  const inputs = await g.statusInputs(sql, ids);
  const withManual = inputs.filter((i) => manual.seriesStatus.has(i.series.key)).map((i) => i.series.id);
  // For a manual status, "newer" means arrived later than the maintainer acted (mail Date headers are no clock for that).
  const arrivals = await factArrivals(sql, withManual);
  const rows = inputs.map((i) => {
    const s = i.series;
    const m = manual.seriesStatus.get(s.key);
    const newest = m ? (arrivals.get(s.id) ?? null) : null;
    const derived = deriveStatus({
      replyCount: s.reply_count,
      nacks: s.review_facts.nacks,
      objections: s.review_facts.objections,
      openBreakages: i.openBreakages,
      pendingFixups: i.pendingFixups,
      patchCount: s.total,
      reviewedPatchNumbers: i.reviewed,
      appliedPatchNumbers: i.applied,
      supersededBy: s.superseded_by_id !== null ? { seriesId: s.superseded_by_id, version: i.supersededByVersion ?? s.version + 1 } : null,
      withdrawn: s.review_facts.withdrawn,
      manual: m ? { status: m.status, at: m.at, by: m.by, note: m.note } : null,
      newestFactAt: m ? (newest?.at ?? null) : i.newestFactAt,
    });
    // The override reason comes last; let it link the message that reopened the question.
    const overridden = m && newest && newest.at.getTime() > m.at.getTime();
    const reasons = overridden ? derived.reasons.map((r, k) => (k === derived.reasons.length - 1 ? { ...r, messageId: newest.messageId } : r)) : derived.reasons;
    return { id: s.id, status: derived.status, reasons, openBreakages: i.openBreakages.length, pendingFixups: i.pendingFixups.length };
  });
  await g.setStatus(sql, rows);
}
