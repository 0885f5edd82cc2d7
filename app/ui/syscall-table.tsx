/** Syscall-table changes as rows: number, ABI, name, old entry → new entry, and what links to them. */
import Link from 'next/link';
import type { SyscallChangeView } from '../../lib/db/queries/syscalls.ts';
import { breakageHref, messageHref, seriesHref, shortDate } from './format.ts';

const KIND_MARK: Record<string, string> = { added: '+', removed: '−', changed: '~' };

export function SyscallChangeTable({ changes, showSeries = false, caption }: { changes: SyscallChangeView[]; showSeries?: boolean; caption?: string }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full border-collapse text-xs">
        {caption ? <caption className="sr-only">{caption}</caption> : null}
        <thead className="border-b border-zinc-200 text-left text-zinc-500 dark:border-zinc-800 dark:text-zinc-400">
          <tr>
            {showSeries ? <th scope="col" className="px-2 py-1 font-medium">Series</th> : null}
            <th scope="col" className="px-2 py-1 font-medium">Patch</th>
            <th scope="col" className="px-2 py-1 font-medium">Table</th>
            <th scope="col" className="px-2 py-1 text-right font-medium">Nr</th>
            <th scope="col" className="px-2 py-1 font-medium">ABI</th>
            <th scope="col" className="px-2 py-1 font-medium">Name</th>
            <th scope="col" className="px-2 py-1 font-medium">Entry: old → new</th>
            <th scope="col" className="px-2 py-1 font-medium">Linked</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100 font-mono whitespace-nowrap dark:divide-zinc-800/70">
          {changes.map((c) => (
            <tr key={c.id} className="align-top">
              {showSeries ? (
                <td className="max-w-72 truncate px-2 py-0.5 font-sans">
                  <Link prefetch={false} className="hover:underline" href={seriesHref(c.series.id)}>
                    v{c.series.version} {c.series.title}
                  </Link>
                  <div className="text-zinc-500">{shortDate(c.date)}</div>
                </td>
              ) : null}
              <td className="px-2 py-0.5 whitespace-nowrap">
                <Link prefetch={false} className="hover:underline" href={showSeries ? messageHref(c.messageId) : `#patch-${c.patchNumber}`}>
                  {c.patchNumber}
                </Link>
              </td>
              <td className="px-2 py-0.5 whitespace-nowrap text-zinc-500" title={c.table}>
                {c.table.split('/').at(-1)}
              </td>
              <td className="px-2 py-0.5 text-right tabular-nums">{c.number}</td>
              <td className="px-2 py-0.5">{c.abi}</td>
              <td className="px-2 py-0.5">
                <Link prefetch={false} className="hover:underline" href={`/syscalls?q=${encodeURIComponent(c.name)}`}>
                  {c.name}
                </Link>
              </td>
              <td className="px-2 py-0.5 whitespace-nowrap">
                <span title={c.kind} className="mr-1 text-zinc-400">
                  {KIND_MARK[c.kind] ?? c.kind}
                </span>
                {c.oldEntry !== null ? <span className="text-red-700 dark:text-red-400">{c.oldEntry}</span> : <span className="text-zinc-400">—</span>}
                <span className="px-1 text-zinc-400">→</span>
                {c.newEntry !== null ? <span className="text-green-700 dark:text-green-400">{c.newEntry}</span> : <span className="text-zinc-400">—</span>}
              </td>
              <td className="px-2 py-0.5 font-sans whitespace-nowrap">
                {c.breakages.map((id) => (
                  <Link prefetch={false} key={`b${id}`} className="mr-1 text-red-700 hover:underline dark:text-red-400" href={breakageHref(id)}>
                    breakage #{id}
                  </Link>
                ))}
                {c.fixups.map((id) => (
                  <Link prefetch={false} key={`f${id}`} className="mr-1 text-violet-700 hover:underline dark:text-violet-400" href={showSeries ? `/fixups?state=#fixup-${id}` : `#fixup-${id}`}>
                    fixup #{id}
                  </Link>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
