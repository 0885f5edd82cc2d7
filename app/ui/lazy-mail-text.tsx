'use client';
/**
 * A message body that is fetched only when its <details> is first opened (from
 * GET /api/messages/{id}/lines), so a page listing hundreds of messages sends only their
 * headers. Without script, the summary's link still leads to the message page.
 */
import { useState } from 'react';
import { MailBlocks } from './mail-blocks.tsx';
import type { MailBlock } from './mail-lines.ts';

type State = { kind: 'idle' } | { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'loaded'; blocks: MailBlock[]; cutLines: number };

const SUMMARY_CLASS = 'cursor-pointer text-xs text-zinc-600 select-none hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100';

export function LazyMailText({
  messageId,
  summary,
  fold = true,
  className = '',
  summaryClassName = SUMMARY_CLASS,
}: {
  messageId: string;
  /** What the closed <details> shows: a label, or a whole line (a thread entry). */
  summary: React.ReactNode;
  fold?: boolean;
  className?: string;
  summaryClassName?: string;
}) {
  const [state, setState] = useState<State>({ kind: 'idle' });
  const id = encodeURIComponent(messageId);

  async function load() {
    setState({ kind: 'loading' });
    try {
      const res = await fetch(`/api/messages/${id}/lines?fold=${fold ? 1 : 0}`);
      const json = (await res.json()) as { blocks?: MailBlock[]; cutLines?: number; error?: string };
      if (!res.ok || !json.blocks) throw new Error(json.error ?? `HTTP ${res.status}`);
      setState({ kind: 'loaded', blocks: json.blocks, cutLines: json.cutLines ?? 0 });
    } catch (err) {
      setState({ kind: 'error', message: (err as Error).message });
    }
  }

  return (
    <details
      className={className}
      onToggle={(e) => {
        if ((e.currentTarget as HTMLDetailsElement).open && (state.kind === 'idle' || state.kind === 'error')) void load();
      }}
    >
      <summary className={summaryClassName}>{summary}</summary>
      {state.kind === 'loaded' ? (
        <MailBlocks blocks={state.blocks} cutLines={state.cutLines} rawHref={`/api/messages/${id}/raw`} />
      ) : state.kind === 'error' ? (
        <p className="text-xs text-red-700 dark:text-red-400">
          Could not load the message ({state.message}).{' '}
          <a className="underline" href={`/m/${id}`}>
            Open it
          </a>
        </p>
      ) : (
        <p className="text-xs text-zinc-500">Loading…</p>
      )}
    </details>
  );
}
