import type { Metadata } from 'next';
import Link from 'next/link';
import './globals.css';
import { AccountLinks } from './ui/actions/account.tsx';

export const metadata: Metadata = {
  title: { default: 'Patchloom', template: '%s · Patchloom' },
  description: 'Patch series, inline fixups and build failures on kernel mailing lists',
};

const NAV = [
  { href: '/', label: 'Series' },
  { href: '/fixups', label: 'Fixups' },
  { href: '/breakages', label: 'Breakages' },
  { href: '/syscalls', label: 'Syscalls' },
  { href: '/messages', label: 'Messages' },
  { href: '/ingest', label: 'Ingest' },
];

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-white text-zinc-900 antialiased dark:bg-zinc-950 dark:text-zinc-100">
        <header className="border-b border-zinc-200 dark:border-zinc-800">
          <nav aria-label="Main" className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-5 gap-y-1 px-4 py-2 text-sm">
            <Link href="/" className="font-semibold tracking-tight">
              Patchloom
            </Link>
            {NAV.map((n) => (
              <Link key={n.href} href={n.href} className="text-zinc-600 hover:text-zinc-950 dark:text-zinc-400 dark:hover:text-white">
                {n.label}
              </Link>
            ))}
            <span className="ml-auto">
              <AccountLinks />
            </span>
          </nav>
        </header>
        <main className="mx-auto max-w-7xl px-4 py-4">{children}</main>
      </body>
    </html>
  );
}
