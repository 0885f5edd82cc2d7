/**
 * GET /api/fixups/{id}: one fixup. POST /api/fixups/{id} {state?, targetPatch?, note?}: a
 * maintainer sets its state (including "dropped", which only a maintainer sets) or corrects
 * the patch it should be folded into; "auto" clears either.
 */
import { deriveThreads } from '../../../../ingest/derive.ts';
import { fixupTarget, recordAction } from '../../../../lib/db/actions.ts';
import { fixupById } from '../../../../lib/db/queries/fixups.ts';
import { positiveInt } from '../../../../lib/db/queries/params.ts';
import { fixupInput } from '../../../lib/action-input.ts';
import { sql } from '../../../lib/database.ts';
import { handle, jsonError } from '../../../lib/http.ts';
import { authorizeWrite, done, invalid } from '../../../lib/write-request.ts';

export const dynamic = 'force-dynamic';

export async function GET(_req: Request, ctx: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const id = positiveInt((await ctx.params).id, 'fixup id');
    if (!id.ok) return jsonError(400, id.error, id.hint);
    const f = await fixupById(await sql(), id.value);
    if (!f) return jsonError(404, `no fixup with id ${id.value}`, 'List fixups with GET /api/fixups.');
    return Response.json(f);
  });
}

export async function POST(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const db = await sql();
    const auth = await authorizeWrite(db, req, '/fixups');
    if (!auth.ok) return auth.response;
    const { w } = auth;
    const id = positiveInt((await ctx.params).id, 'fixup id');
    if (!id.ok) return invalid(w, id.error, id.hint);
    const target = await fixupTarget(db, id.value);
    if (!target) return jsonError(404, `no fixup with id ${id.value}`, 'List fixups with GET /api/fixups.');
    const input = fixupInput(w.body, target.total);
    if (!input.ok) return invalid(w, input.error, input.hint);
    const base = { actor: w.actor.user.name, via: w.actor.via, targetKind: 'fixup' as const, targetKey: target.key, note: input.value.note };
    if (input.value.state !== undefined) await recordAction(db, { ...base, action: 'set-state', value: { state: input.value.state } });
    if (input.value.targetPatch !== undefined) await recordAction(db, { ...base, action: 'set-target', value: { patch: input.value.targetPatch } });
    // The thread is analysed again: clearing a corrected target needs the derived one back.
    await deriveThreads(db, [target.threadId]);
    return done(w, await fixupById(db, id.value));
  });
}
