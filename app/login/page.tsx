/** Logging in: a plain HTML form posting to /api/session (works without JavaScript). */
import { safeRedirectPath } from '../../lib/auth.ts';
import { toSearchParams } from '../../lib/db/queries/params.ts';
import { pageSession } from '../lib/session.ts';
import { FormSecrets } from '../ui/actions/hidden.tsx';
import { buttonClass, Field, inputClass, primaryButtonClass } from '../ui/controls.tsx';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Log in' };

const ERRORS: Record<string, string> = {
  wrong: 'Wrong user name or password.',
  missing: 'Enter a user name and a password.',
};

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = toSearchParams(await searchParams);
  const next = safeRedirectPath(params.get('next'), '/');
  const error = ERRORS[params.get('error') ?? ''];
  const session = await pageSession();
  if (session) {
    return (
      <div className="mx-auto max-w-sm space-y-3 text-sm">
        <p>
          Logged in as <strong>{session.user}</strong>.
        </p>
        <form method="post" action="/api/session/logout">
          <FormSecrets csrf={session.csrf} back="/login" />
          <button type="submit" className={buttonClass}>
            Log out
          </button>
        </form>
      </div>
    );
  }
  return (
    <div className="mx-auto max-w-sm space-y-3">
      <h1 className="text-lg font-semibold">Log in</h1>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">Reading needs no account; changing a status, a fixup or a breakage does.</p>
      {error ? (
        <p role="alert" className="rounded border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-100">
          {error}
        </p>
      ) : null}
      <form method="post" action="/api/session" className="space-y-2">
        <input type="hidden" name="next" value={next} />
        <Field label="User name" htmlFor="name">
          <input id="name" name="name" autoComplete="username" required maxLength={64} className={inputClass} />
        </Field>
        <Field label="Password" htmlFor="password">
          <input id="password" name="password" type="password" autoComplete="current-password" required maxLength={1024} className={inputClass} />
        </Field>
        <button type="submit" className={primaryButtonClass}>
          Log in
        </button>
      </form>
      <p className="text-xs text-zinc-500 dark:text-zinc-400">
        Accounts are made on the server: <code>npx patchloom user add &lt;name&gt;</code>. Scripts use an API token instead (<code>npx patchloom token create &lt;name&gt;</code>).
      </p>
    </div>
  );
}
