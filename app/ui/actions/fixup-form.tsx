/** A maintainer's correction of a fixup: its state (dropped is only ever set by hand) and the patch it belongs to. */
import { FIXUP_STATE_VALUES } from '../../../lib/db/actions.ts';
import { pageSession } from '../../lib/session.ts';
import { buttonClass } from '../controls.tsx';
import { actionBoxClass, FormSecrets, smallInputClass } from './hidden.tsx';

export async function FixupActionForm({ fixupId, state, targetPatch, total, back }: { fixupId: number; state: string; targetPatch: number | null; total: number | null; back: string }) {
  const session = await pageSession();
  if (!session) return null;
  return (
    <form method="post" action={`/api/fixups/${fixupId}`} className={`flex flex-wrap items-center gap-2 text-sm ${actionBoxClass}`} aria-label="Correct this fixup">
      <FormSecrets csrf={session.csrf} back={back} />
      <select name="state" defaultValue="" aria-label="State" className={smallInputClass}>
        <option value="">state: keep ({state})</option>
        {FIXUP_STATE_VALUES.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
        <option value="auto">derived (clear)</option>
      </select>
      {total ? (
        <select name="targetPatch" defaultValue="" aria-label="Target patch" className={smallInputClass}>
          <option value="">target: keep ({targetPatch ? `${targetPatch}/${total}` : 'none'})</option>
          {Array.from({ length: total }, (_, i) => i + 1).map((n) => (
            <option key={n} value={n}>
              patch {n}/{total}
            </option>
          ))}
          <option value="auto">derived (clear)</option>
        </select>
      ) : null}
      <input name="note" maxLength={2000} placeholder="why" aria-label="Note" className={`${smallInputClass} min-w-32 flex-1`} />
      <button type="submit" className={buttonClass}>
        Save
      </button>
    </form>
  );
}
