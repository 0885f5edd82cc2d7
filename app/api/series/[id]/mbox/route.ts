import { seriesToMbox } from '../../../../../lib/am.ts';
import { seriesMboxInput } from '../../../../../lib/db/queries/series.ts';
import { enumParam, positiveInt } from '../../../../../lib/db/queries/params.ts';
import { handle, jsonError, safeFilename } from '../../../../lib/http.ts';
import { sql } from '../../../../lib/database.ts';

export const dynamic = 'force-dynamic';

/** The series as an mbox for `git am`; with fixups=autosquash each pending fixup follows its target as a "fixup!" commit. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const id = positiveInt((await ctx.params).id, 'series id');
    if (!id.ok) return jsonError(400, id.error, id.hint);
    const mode = enumParam(new URL(req.url).searchParams, 'fixups', ['autosquash', 'none'] as const);
    if (!mode.ok) return jsonError(400, mode.error, mode.hint);
    const loaded = await seriesMboxInput(await sql(), id.value, mode.value ?? 'autosquash');
    if (!loaded) return jsonError(404, `no series with id ${id.value}`, 'List series with GET /api/series.');
    if (loaded.input.patches.length === 0) return jsonError(404, `series ${id.value} has no stored patch mail`, 'Import the patch messages of the series first.');
    const mbox = await seriesToMbox(loaded.input);
    const { series } = loaded;
    const name = safeFilename(`v${series.version}-${series.title}`, `series-${series.id}`);
    const suffix = mode.value === 'none' ? '' : '-autosquash';
    return new Response(mbox, {
      headers: {
        'content-type': 'application/mbox',
        'content-disposition': `attachment; filename="${name}${suffix}.mbox"`,
      },
    });
  });
}
