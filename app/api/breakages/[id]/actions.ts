/**
 * POST /api/breakages/{id} {status?, note?, seriesId?, unlinkSeriesId?}: a maintainer sets a
 * breakage's status with a note ("auto" clears it), or links it to a series / unlinks it.
 * Re-exported by the route file next to this one.
 */
import { rederive } from '../../../../ingest/derive.ts';
import { breakageTarget, recordAction, seriesKeyOf } from '../../../../lib/db/actions.ts';
import { breakageById, breakageView } from '../../../../lib/db/queries/breakages.ts';
import { positiveInt } from '../../../../lib/db/queries/params.ts';
import { seriesRefs } from '../../../../lib/db/queries/series.ts';
import { breakageInput } from '../../../lib/action-input.ts';
import { sql } from '../../../lib/database.ts';
import { handle, jsonError } from '../../../lib/http.ts';
import { authorizeWrite, done, invalid } from '../../../lib/write-request.ts';

export async function POST(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const db = await sql();
    const rawId = (await ctx.params).id;
    const auth = await authorizeWrite(db, req, `/breakages/${encodeURIComponent(rawId)}`);
    if (!auth.ok) return auth.response;
    const { w } = auth;
    const id = positiveInt(rawId, 'breakage id');
    if (!id.ok) return invalid(w, id.error, id.hint);
    const target = await breakageTarget(db, id.value);
    if (!target) return jsonError(404, `no breakage with id ${id.value}`, 'Search breakages with GET /api/breakages?q=...');
    const input = breakageInput(w.body);
    if (!input.ok) return invalid(w, input.error, input.hint);
    const { status, linkSeriesId, unlinkSeriesId, note } = input.value;
    const link = linkSeriesId ? await seriesKeyOf(db, linkSeriesId) : null;
    if (linkSeriesId && !link) return invalid(w, `no series with id ${linkSeriesId} to link`);
    const unlink = unlinkSeriesId ? await seriesKeyOf(db, unlinkSeriesId) : null;
    if (unlinkSeriesId && !unlink) return invalid(w, `no series with id ${unlinkSeriesId} to unlink`);
    const refs = await seriesRefs(db, [linkSeriesId, unlinkSeriesId].filter((x): x is number => x !== undefined));
    const seriesLabel = (sid: number) => {
      const r = refs.get(sid);
      return r ? `v${r.version} "${r.title.length > 70 ? `${r.title.slice(0, 69)}…` : r.title}"` : `series ${sid}`;
    };
    const base = { actor: w.actor.user.name, via: w.actor.via, targetKind: 'breakage' as const, targetKey: target.signature, note };
    if (status !== undefined) await recordAction(db, { ...base, action: 'set-status', value: { status } });
    if (link) await recordAction(db, { ...base, action: 'link', value: { seriesKey: link.key, seriesLabel: seriesLabel(link.id) } });
    if (unlink) await recordAction(db, { ...base, action: 'unlink', value: { seriesKey: unlink.key, seriesLabel: seriesLabel(unlink.id) } });
    await rederive(db, {
      seriesIds: [...target.seriesIds, ...(link ? [link.id] : []), ...(unlink ? [unlink.id] : [])],
      threadIds: target.threadIds,
    });
    const b = await breakageById(db, id.value);
    return done(w, b ? breakageView(b) : null);
  });
}
