/**
 * Reading syscall-table changes. A search by name, number or any symbol of a syscall
 * (`mprotect`, `sys_mprotect`, `__x64_sys_mprotect`, `10`) finds the same rows: the query is
 * reduced to a syscall name with lib/syscalls, and rows match by their name column or by the
 * name behind their old or new entry point.
 */
import type { Fragment, Sql } from 'postgres';
import { parseSyscallQuery, symbolVariants, type SyscallQuery } from '../../syscalls/index.ts';
import { allOf } from './fragments.ts';
import { ok, textParam, type Parsed } from './params.ts';
import type { SeriesRef } from './series.ts';

/** A search never returns more than this many changes. */
export const SYSCALL_LIMIT = 500;

export interface SyscallChangeView {
  id: number;
  table: string;
  number: number;
  abi: string;
  name: string;
  oldEntry: string | null;
  newEntry: string | null;
  kind: string;
  series: SeriesRef;
  patchNumber: number;
  messageId: string;
  date: string | null;
  breakages: number[];
  fixups: number[];
}

export function syscallQueryFromParams(params: URLSearchParams): Parsed<string | null> {
  const q = textParam(params, 'q');
  return q.ok ? ok(q.value) : q;
}

interface ChangeRow {
  id: number;
  table_path: string;
  number: number;
  abi: string;
  name: string;
  old_entry: string | null;
  new_entry: string | null;
  kind: string;
  series_id: number;
  title: string;
  version: number;
  patch_number: number;
  message_id: string;
  date: Date | null;
  breakages: number[];
  fixups: number[];
}

async function selectChanges(sql: Sql, where: Fragment, order: Fragment, limit = SYSCALL_LIMIT): Promise<SyscallChangeView[]> {
  const rows = await sql<ChangeRow[]>`
    select c.id, c.table_path, c.number, c.abi, c.name, c.old_entry, c.new_entry, c.kind, c.series_id, s.title, s.version,
           c.patch_number, c.message_id, coalesce(c.date, s.date) as date,
           array(select distinct br.breakage_id from syscall_links l
                   join build_reports r on r.message_id = l.target_id join breakage_reports br on br.report_id = r.id
                 where l.change_id = c.id and l.target_kind = 'report' order by br.breakage_id) as breakages,
           array(select distinct f.id from syscall_links l join fixups f on f.key = l.target_id
                 where l.change_id = c.id and l.target_kind = 'fixup' order by f.id) as fixups
    from syscall_changes c join series s on s.id = c.series_id
    where ${where}
    order by ${order}
    limit ${limit}`;
  return rows.map((r) => ({
    id: r.id,
    table: r.table_path,
    number: r.number,
    abi: r.abi,
    name: r.name,
    oldEntry: r.old_entry,
    newEntry: r.new_entry,
    kind: r.kind,
    series: { id: r.series_id, title: r.title, version: r.version },
    patchNumber: r.patch_number,
    messageId: r.message_id,
    date: r.date ? r.date.toISOString() : null,
    breakages: r.breakages,
    fixups: r.fixups,
  }));
}

/** What a search asks for: a syscall name and/or number. A pasted table entry may carry a qualifier ("sys_rt_sigreturn/ptregs"); the name is before it. */
export function understoodQuery(q: string): SyscallQuery {
  return parseSyscallQuery(q.replace(/([A-Za-z0-9_])\/[A-Za-z]+\b/g, '$1'));
}

/** Changes for a search (newest first); without a query, the newest changes; a query naming no syscall finds nothing. */
export async function searchSyscallChanges(sql: Sql, q: string | null): Promise<SyscallChangeView[]> {
  const conditions: Fragment[] = [];
  if (q) {
    const { name, number } = understoodQuery(q);
    if (name === null && number === null) return [];
    if (name !== null) {
      // Entry points may carry a qualifier: "sys_rt_sigreturn/ptregs".
      const symbols = symbolVariants(name);
      conditions.push(sql`(c.name = ${name} or split_part(c.old_entry, '/', 1) = any(${symbols}::text[]) or split_part(c.new_entry, '/', 1) = any(${symbols}::text[]))`);
    }
    if (number !== null) conditions.push(sql`c.number = ${number}`);
  }
  return selectChanges(sql, allOf(sql, conditions), sql`coalesce(c.date, s.date) desc nulls last, c.series_id desc, c.table_path, c.number, c.abi`);
}

/** A series' changes in patch and table order. */
export async function syscallChangesOfSeries(sql: Sql, seriesId: number): Promise<SyscallChangeView[]> {
  return selectChanges(sql, sql`c.series_id = ${seriesId}`, sql`c.patch_number, c.table_path, c.number, c.abi, c.id`, 5000);
}
