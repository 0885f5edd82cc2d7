/** Small colored labels for states: series status, breakage status, fixup state. */

type Tone = 'neutral' | 'info' | 'warn' | 'bad' | 'good' | 'accent' | 'muted';

const TONES: Record<Tone, string> = {
  neutral: 'bg-zinc-100 text-zinc-800 ring-zinc-300 dark:bg-zinc-800 dark:text-zinc-200 dark:ring-zinc-700',
  info: 'bg-sky-50 text-sky-800 ring-sky-200 dark:bg-sky-950 dark:text-sky-200 dark:ring-sky-800',
  warn: 'bg-amber-50 text-amber-900 ring-amber-200 dark:bg-amber-950 dark:text-amber-200 dark:ring-amber-800',
  bad: 'bg-red-50 text-red-800 ring-red-200 dark:bg-red-950 dark:text-red-200 dark:ring-red-800',
  good: 'bg-emerald-50 text-emerald-800 ring-emerald-200 dark:bg-emerald-950 dark:text-emerald-200 dark:ring-emerald-800',
  accent: 'bg-violet-50 text-violet-800 ring-violet-200 dark:bg-violet-950 dark:text-violet-200 dark:ring-violet-800',
  muted: 'bg-transparent text-zinc-500 ring-zinc-200 dark:text-zinc-400 dark:ring-zinc-700',
};

export function Badge({ tone = 'neutral', title, children }: { tone?: Tone; title?: string; children: React.ReactNode }) {
  return (
    <span title={title} className={`inline-flex items-center whitespace-nowrap rounded px-1.5 py-px text-xs font-medium ring-1 ring-inset ${TONES[tone]}`}>
      {children}
    </span>
  );
}

const SERIES_TONE: Record<string, Tone> = {
  new: 'neutral',
  'under-review': 'info',
  'changes-requested': 'warn',
  'fixups-pending': 'accent',
  reviewed: 'good',
  'partially-applied': 'good',
  applied: 'good',
  superseded: 'muted',
  rejected: 'bad',
  withdrawn: 'muted',
};

export function SeriesStatusBadge({ status }: { status: string }) {
  return <Badge tone={SERIES_TONE[status] ?? 'neutral'}>{status}</Badge>;
}

const BREAKAGE_TONE: Record<string, Tone> = { open: 'bad', 'fix-proposed': 'warn', fixed: 'good', 'pre-existing': 'muted', invalid: 'muted' };

export function BreakageStatusBadge({ status }: { status: string }) {
  return <Badge tone={BREAKAGE_TONE[status] ?? 'neutral'}>{status}</Badge>;
}

const FIXUP_TONE: Record<string, Tone> = { pending: 'accent', folded: 'good', applied: 'good', superseded: 'muted', dropped: 'muted' };

export function FixupStateBadge({ state }: { state: string }) {
  return <Badge tone={FIXUP_TONE[state] ?? 'neutral'}>{state}</Badge>;
}

/** "v2", with RFC/RESEND shown by the caller if wanted. */
export function VersionBadge({ version }: { version: number }) {
  return <span className="font-mono text-xs text-zinc-500 dark:text-zinc-400">v{version}</span>;
}
