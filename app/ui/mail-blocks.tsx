/**
 * Drawing mail text already cut into blocks (app/ui/mail-lines.ts): preformatted runs colored
 * by kind, quoted runs folded into <details>. No server-only imports, so the lazily loaded
 * bodies on the series page (a client component) draw exactly as server-rendered ones.
 * Everything is a React text node, so markup in mail stays text.
 */
import type { LineKind, MailBlock, Run } from './mail-lines.ts';

const LINE_CLASS: Record<LineKind, string> = {
  text: '',
  quote: 'text-zinc-500 dark:text-zinc-400',
  meta: 'font-semibold text-zinc-700 dark:text-zinc-300',
  hunk: 'bg-sky-50 text-sky-800 dark:bg-sky-950/60 dark:text-sky-300',
  add: 'bg-green-50 text-green-800 dark:bg-green-950/50 dark:text-green-300',
  del: 'bg-red-50 text-red-800 dark:bg-red-950/50 dark:text-red-300',
  ctx: 'text-zinc-700 dark:text-zinc-300',
};

function Pre({ runs }: { runs: Run[] }) {
  return (
    <pre className="mail-text overflow-x-auto font-mono text-[13px] leading-snug">
      <code className="block w-max min-w-full">
        {runs.map((r, i) => (
          <span key={i} className={`block pr-2 ${LINE_CLASS[r.kind]}`}>
            {/* A block drops its final line break, so an empty last line needs one more (and a lone one a space). */}
            {r.text === '' ? ' ' : r.text.endsWith('\n') ? `${r.text}\n` : r.text}
          </span>
        ))}
      </code>
    </pre>
  );
}

export function MailBlocks({ blocks, cutLines, rawHref }: { blocks: MailBlock[]; cutLines: number; rawHref?: string }) {
  return (
    <div className="min-w-0">
      {blocks.map((b, i) =>
        b.folded ? (
          <details key={i} className="my-0.5">
            <summary className="cursor-pointer font-mono text-xs text-zinc-500 select-none hover:text-zinc-800 dark:text-zinc-400 dark:hover:text-zinc-200">{b.lines} quoted lines</summary>
            <Pre runs={b.runs} />
          </details>
        ) : (
          <Pre key={i} runs={b.runs} />
        ),
      )}
      {cutLines ? (
        <p className="mt-1 text-xs text-zinc-500">
          {cutLines} more lines not shown
          {rawHref ? (
            <>
              {' '}
              ·{' '}
              <a className="underline" href={rawHref}>
                raw message
              </a>
            </>
          ) : null}
        </p>
      ) : null}
    </div>
  );
}
