/** The hidden fields every action form carries: the session's CSRF token and the page to return to. */
export function FormSecrets({ csrf, back }: { csrf: string; back: string }) {
  return (
    <>
      <input type="hidden" name="_csrf" value={csrf} />
      <input type="hidden" name="_redirect" value={back} />
    </>
  );
}

export const actionBoxClass = 'rounded border border-dashed border-zinc-300 p-2 dark:border-zinc-700';
export const smallInputClass =
  'rounded border border-zinc-300 bg-white px-1.5 py-0.5 text-sm text-zinc-900 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100';
