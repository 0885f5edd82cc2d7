/** What to do when a page has nothing to show yet. */
export function EmptyState({ title, children }: { title: string; children?: React.ReactNode }) {
  return (
    <div className="rounded border border-dashed border-zinc-300 p-6 text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
      <p className="font-medium text-zinc-800 dark:text-zinc-200">{title}</p>
      {children ? <div className="mt-1">{children}</div> : null}
    </div>
  );
}

export function NoMail() {
  return (
    <EmptyState title="No mail yet">
      Run <code className="rounded bg-zinc-100 px-1 dark:bg-zinc-800">npx patchloom import &lt;mbox&gt;</code> or configure IMAP (see the README).
    </EmptyState>
  );
}
