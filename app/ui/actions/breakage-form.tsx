/** A maintainer's say on a breakage: its status with a note, and which series it belongs to. */
import { BREAKAGE_STATUS_VALUES } from '../../../lib/db/actions.ts';
import { pageSession } from '../../lib/session.ts';
import { buttonClass } from '../controls.tsx';
import { actionBoxClass, FormSecrets, smallInputClass } from './hidden.tsx';

export async function BreakageActionForm({
  breakageId,
  status,
  series,
  back,
}: {
  breakageId: number;
  status: string;
  series: { id: number; version: number; title: string }[];
  back: string;
}) {
  const session = await pageSession();
  if (!session) return null;
  const action = `/api/breakages/${breakageId}`;
  return (
    <div className="space-y-1.5">
      <form method="post" action={action} className={`flex flex-wrap items-center gap-2 text-sm ${actionBoxClass}`} aria-label="Set the breakage status">
        <FormSecrets csrf={session.csrf} back={back} />
        <select name="status" defaultValue={status} aria-label="Status" className={smallInputClass}>
          {BREAKAGE_STATUS_VALUES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
          <option value="auto">derived (clear)</option>
        </select>
        <input name="note" maxLength={2000} placeholder="note, e.g. where it was fixed" aria-label="Note" className={`${smallInputClass} min-w-48 flex-1`} />
        <button type="submit" className={buttonClass}>
          Set status
        </button>
      </form>
      <form method="post" action={action} className={`flex flex-wrap items-center gap-2 text-sm ${actionBoxClass}`} aria-label="Link or unlink a series">
        <FormSecrets csrf={session.csrf} back={back} />
        <label className="flex items-center gap-1">
          Link to series id
          <input name="seriesId" inputMode="numeric" pattern="[0-9]*" size={6} className={smallInputClass} />
        </label>
        {series.length ? (
          <select name="unlinkSeriesId" defaultValue="" aria-label="Unlink a series" className={smallInputClass}>
            <option value="">or unlink…</option>
            {series.map((s) => (
              <option key={s.id} value={s.id}>
                v{s.version} {s.title.length > 50 ? `${s.title.slice(0, 49)}…` : s.title}
              </option>
            ))}
          </select>
        ) : null}
        <input name="note" maxLength={2000} placeholder="why" aria-label="Note" className={`${smallInputClass} min-w-32 flex-1`} />
        <button type="submit" className={buttonClass}>
          Save
        </button>
      </form>
    </div>
  );
}
