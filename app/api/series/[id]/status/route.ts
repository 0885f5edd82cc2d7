/** POST /api/series/{id}/status {status, note?}: a maintainer sets (or with "auto" clears) a series' status. */
import { rederive } from '../../../../../ingest/derive.ts';
import { recordAction } from '../../../../../lib/db/actions.ts';
import { positiveInt } from '../../../../../lib/db/queries/params.ts';
import { seriesById, seriesDetailView } from '../../../../../lib/db/queries/series.ts';
import { seriesKeyOf } from '../../../../../lib/db/actions.ts';
import { seriesStatusInput } from '../../../../lib/action-input.ts';
import { sql } from '../../../../lib/database.ts';
import { handle, jsonError } from '../../../../lib/http.ts';
import { authorizeWrite, done, invalid } from '../../../../lib/write-request.ts';

export const dynamic = 'force-dynamic';

export async function POST(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const db = await sql();
    const rawId = (await ctx.params).id;
    const auth = await authorizeWrite(db, req, `/series/${encodeURIComponent(rawId)}`);
    if (!auth.ok) return auth.response;
    const { w } = auth;
    const id = positiveInt(rawId, 'series id');
    if (!id.ok) return invalid(w, id.error, id.hint);
    const target = await seriesKeyOf(db, id.value);
    if (!target) return jsonError(404, `no series with id ${id.value}`, 'List series with GET /api/series.');
    const input = seriesStatusInput(w.body);
    if (!input.ok) return invalid(w, input.error, input.hint);
    await recordAction(db, {
      actor: w.actor.user.name,
      via: w.actor.via,
      targetKind: 'series',
      targetKey: target.key,
      action: 'set-status',
      value: { status: input.value.status },
      note: input.value.note,
    });
    await rederive(db, { seriesIds: [id.value] });
    const s = await seriesById(db, id.value);
    return done(w, s ? seriesDetailView(s) : null);
  });
}
