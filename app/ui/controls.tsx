/** Shared pieces of the pages: filter-form controls, section headings, the pager, the error note. */
import Link from 'next/link';
import type { ParamError } from '../../lib/db/queries/params.ts';

export const inputClass =
  'w-full rounded border border-zinc-300 bg-white px-2 py-1 text-sm text-zinc-900 placeholder:text-zinc-400 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100';

export const buttonClass =
  'inline-flex items-center gap-1 rounded border border-zinc-300 bg-zinc-50 px-2.5 py-1 text-sm font-medium text-zinc-800 hover:bg-zinc-100 dark:border-zinc-700 dark:bg-zinc-800 dark:text-zinc-100 dark:hover:bg-zinc-700';

export const primaryButtonClass =
  'inline-flex items-center gap-1 rounded bg-sky-700 px-2.5 py-1 text-sm font-medium text-white hover:bg-sky-800 dark:bg-sky-600 dark:hover:bg-sky-500';

export const linkClass = 'text-sky-700 hover:underline dark:text-sky-400';

export function Field({ label, htmlFor, children, className = '' }: { label: string; htmlFor: string; children: React.ReactNode; className?: string }) {
  return (
    <div className={`flex min-w-0 flex-col gap-0.5 ${className}`}>
      <label htmlFor={htmlFor} className="text-xs font-medium text-zinc-600 dark:text-zinc-400">
        {label}
      </label>
      {children}
    </div>
  );
}

export function Select({ id, name, value, options, allLabel }: { id: string; name: string; value: string | null; options: readonly string[]; allLabel: string }) {
  return (
    <select id={id} name={name} defaultValue={value ?? ''} className={inputClass}>
      <option value="">{allLabel}</option>
      {options.map((o) => (
        <option key={o} value={o}>
          {o}
        </option>
      ))}
    </select>
  );
}

export function Checkbox({ id, name, checked, label }: { id: string; name: string; checked: boolean; label: string }) {
  return (
    <label htmlFor={id} className="inline-flex items-center gap-1.5 text-sm">
      <input id={id} type="checkbox" name={name} value="true" defaultChecked={checked} className="size-4 accent-sky-700" />
      {label}
    </label>
  );
}

export function ParamErrorNote({ error }: { error: ParamError }) {
  return (
    <p role="alert" className="rounded border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-100">
      {error.error}
      {error.hint ? <span className="text-red-700 dark:text-red-300"> — {error.hint}</span> : null}
    </p>
  );
}

export function SectionHeading({ id, children, count }: { id?: string; children: React.ReactNode; count?: number }) {
  return (
    <h2 id={id} className="mb-1.5 flex items-baseline gap-2 border-b border-zinc-200 pb-1 text-sm font-semibold uppercase tracking-wide text-zinc-600 dark:border-zinc-800 dark:text-zinc-400">
      {children}
      {count !== undefined ? <span className="font-normal tabular-nums text-zinc-400 dark:text-zinc-500">{count}</span> : null}
    </h2>
  );
}

export function KeyboardHint() {
  const kbd = 'rounded border border-zinc-300 px-1 font-mono dark:border-zinc-700';
  return (
    <p className="hidden text-xs text-zinc-500 sm:block dark:text-zinc-400">
      <kbd className={kbd}>j</kbd> <kbd className={kbd}>k</kbd> move · <kbd className={kbd}>Enter</kbd> opens
    </p>
  );
}

/** Previous / next for lists that know only whether another page follows, not their total. */
export function PrevNext({ page, more, href }: { page: number; more: boolean; href: (page: number) => string }) {
  if (page <= 1 && !more) return null;
  return <PageNav page={page} more={more} href={href} label={`page ${page}`} />;
}

export function Pager({ page, pageSize, total, href }: { page: number; pageSize: number; total: number; href: (page: number) => string }) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  if (pages <= 1) return null;
  return <PageNav page={page} more={page < pages} href={href} label={`page ${page} of ${pages}`} />;
}

function PageNav({ page, more, href, label }: { page: number; more: boolean; href: (page: number) => string; label: string }) {
  return (
    <nav aria-label="Pages" className="mt-3 flex items-center gap-3 text-sm">
      {page > 1 ? (
        <Link prefetch={false} className={linkClass} href={href(page - 1)} rel="prev">
          ← Previous
        </Link>
      ) : null}
      <span className="tabular-nums text-zinc-500">{label}</span>
      {more ? (
        <Link prefetch={false} className={linkClass} href={href(page + 1)} rel="next">
          Next →
        </Link>
      ) : null}
    </nav>
  );
}
