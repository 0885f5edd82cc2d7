/**
 * The maintainer's status control on the series page: pick a status (or "derived" to clear
 * a manual one) with a note. Shown only to a logged-in maintainer; a plain form, so it works
 * without JavaScript.
 */
import { SERIES_STATUS_VALUES } from '../../../lib/db/actions.ts';
import { pageSession } from '../../lib/session.ts';
import { buttonClass } from '../controls.tsx';
import { actionBoxClass, FormSecrets, smallInputClass } from './hidden.tsx';

export async function SeriesStatusForm({ seriesId, status }: { seriesId: number; status: string }) {
  const session = await pageSession();
  if (!session) return null;
  const back = `/series/${seriesId}`;
  return (
    <form method="post" action={`/api/series/${seriesId}/status`} className={`flex flex-wrap items-center gap-2 text-sm ${actionBoxClass}`} aria-label="Set the status">
      <FormSecrets csrf={session.csrf} back={back} />
      <label htmlFor={`status-${seriesId}`} className="text-zinc-600 dark:text-zinc-400">
        Status
      </label>
      <select id={`status-${seriesId}`} name="status" defaultValue={status} className={smallInputClass}>
        {SERIES_STATUS_VALUES.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
        <option value="auto">derived (clear the manual status)</option>
      </select>
      <input name="note" maxLength={2000} placeholder="why (shown with the status)" aria-label="Note" className={`${smallInputClass} min-w-48 flex-1`} />
      <button type="submit" className={buttonClass}>
        Set status
      </button>
      <span className="w-full text-xs text-zinc-500 dark:text-zinc-400">
        A status you set stays until newer mail (a new version, a trailer, a report, a commit notice) arrives; then the derived status returns and says why.
      </span>
    </form>
  );
}
