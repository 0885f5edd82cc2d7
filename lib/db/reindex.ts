/** Reindex support: empty everything derived from raw mail, then walk the raw store in id order. */
import type { Sql } from 'postgres';
import type { MailFlag } from '../mail/types.ts';

/** Derived and parsed tables, emptied by a reindex. Raw mail, sources, checkpoints and maintainers' records stay. */
const DERIVED_TABLES = [
  'syscall_links',
  'syscall_changes',
  'breakage_links',
  'breakage_reports',
  'breakages',
  'fix_claims',
  'build_verdicts',
  'build_reports',
  'fixups',
  'trailers',
  'patches',
  'commit_notices',
  'series',
  'thread_links',
  'messages',
];

export async function clearDerived(sql: Sql) {
  await sql.unsafe(`truncate ${DERIVED_TABLES.join(', ')} restart identity cascade`);
}

export async function rawStoreSize(sql: Sql): Promise<{ messages: number; bytes: number }> {
  const [r] = await sql<{ n: string; b: string | null }[]>`select count(*) as n, sum(size) as b from raw_messages`;
  return { messages: Number(r.n), bytes: Number(r.b ?? 0) };
}

/** Raw messages after the given id, in id order: the reindex cursor. */
export async function rawBatch(sql: Sql, afterId: number, limit: number): Promise<{ id: number; raw: Buffer; sha256: string; flags: MailFlag[] }[]> {
  const rows = await sql<{ id: string; raw: Buffer; sha256: string; flags: MailFlag[] }[]>`
    select id, raw, sha256, flags from raw_messages where id > ${afterId} order by id limit ${limit}`;
  return rows.map((r) => ({ id: Number(r.id), raw: r.raw, sha256: r.sha256, flags: r.flags }));
}

/** Store the parse outcome of a reindexed message (its flags may differ from the first import's). */
export async function setParseOutcome(sql: Sql, rows: { id: number; status: string; flags: MailFlag[] }[]) {
  if (rows.length === 0) return;
  await sql`
    update raw_messages r set parse_status = v.status, flags = v.flags::jsonb
    from (select unnest(${rows.map((r) => r.id)}::bigint[]) as id, unnest(${rows.map((r) => r.status)}::text[]) as status,
                 unnest(${rows.map((r) => JSON.stringify(r.flags).replace(/\\u0000/g, '\\ufffd'))}::text[]) as flags) v
    where r.id = v.id`;
}
