'use client';
/**
 * Keyboard navigation of a list: j / ArrowDown and k / ArrowUp move the focus between the
 * elements marked data-list-item (the row's main link), Enter opens it as any focused link.
 * Arrow keys are taken over only once an item has focus, so the page still scrolls before that.
 */
import { useEffect, useRef } from 'react';

export function KeyboardList({ children, className }: { children: React.ReactNode; className?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
      const target = e.target as HTMLElement | null;
      if (target?.closest('input, textarea, select, [contenteditable="true"]')) return;
      const root = ref.current;
      if (!root) return;
      const items = Array.from(root.querySelectorAll<HTMLElement>('[data-list-item]'));
      if (items.length === 0) return;
      const active = document.activeElement;
      const at = items.findIndex((el) => el === active);
      const down = e.key === 'j' || e.key === 'ArrowDown';
      const up = e.key === 'k' || e.key === 'ArrowUp';
      if (!down && !up) return;
      if (at < 0 && e.key.startsWith('Arrow')) return;
      e.preventDefault();
      const next = at < 0 ? 0 : down ? Math.min(items.length - 1, at + 1) : Math.max(0, at - 1);
      items[next].focus();
      items[next].scrollIntoView({ block: 'nearest' });
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  return (
    <div ref={ref} className={className}>
      {children}
    </div>
  );
}
