import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDb, type TestDatabase } from '../helpers/db.ts';
import { databaseWith, getJson, HOSTILE_QUERIES, ID, seriesIdOfVersion, SEED, teardown, type Handler } from './api-helpers.ts';

interface Change {
  id: number;
  table: string;
  number: number;
  abi: string;
  name: string;
  oldEntry: string | null;
  newEntry: string | null;
  kind: string;
  series: { id: number; title: string; version: number };
  patchNumber: number;
  messageId: string;
  date: string | null;
  breakages: number[];
  fixups: number[];
}

const KEYS = ['abi', 'breakages', 'date', 'fixups', 'id', 'kind', 'messageId', 'name', 'newEntry', 'number', 'oldEntry', 'patchNumber', 'series', 'table'];

describeDb('syscalls API', () => {
  let t: TestDatabase;
  let search: Handler<never>;
  let v1: number;
  let v2: number;
  const changes = async (q: string) => {
    const res = await getJson<{ changes: Change[] }>(search, `/api/syscalls?q=${encodeURIComponent(q)}`);
    expect(res.status, q).toBe(200);
    return res.body.changes;
  };

  beforeAll(async () => {
    t = await databaseWith([SEED]);
    search = (await import('../../app/api/syscalls/route.ts')).GET as Handler<never>;
    v1 = await seriesIdOfVersion(t, 1);
    v2 = await seriesIdOfVersion(t, 2);
  });
  afterAll(() => teardown(t));

  it('finds mprotect by name, number and every symbol spelling, newest first', async () => {
    const byName = await changes('mprotect');
    expect(byName).toHaveLength(2);
    expect(Object.keys(byName[0]).sort()).toEqual(KEYS);
    expect(byName.map((c) => c.series.id)).toEqual([v2, v1]);
    for (const c of byName) {
      expect(c).toMatchObject({ table: 'arch/x86/entry/syscalls/syscall_64.tbl', number: 10, abi: 'common', name: 'mprotect', oldEntry: 'sys_mprotect', newEntry: '__sys_x86_mprotect', kind: 'changed', patchNumber: 8 });
    }
    expect(byName[1].messageId).toBe(ID.v1Patch(8));
    expect(byName[0].messageId).toBe(ID.v2Patch(8));
    for (const q of ['sys_mprotect', '__x64_sys_mprotect', '__sys_x86_mprotect', '__se_sys_mprotect', 'SyS_mprotect', 'mprotect(2)', '__NR_mprotect', '10']) {
      expect(await changes(q), q).toEqual(byName);
    }
  });

  it('matches the entry point when it names the syscall differently from the row (stat → sys_newstat)', async () => {
    const byEntry = await changes('sys_newstat');
    expect(byEntry.map((c) => [c.number, c.name, c.oldEntry, c.newEntry])).toEqual([
      [4, 'stat', 'sys_newstat', '__sys_x86_newstat'],
      [4, 'stat', 'sys_newstat', '__sys_x86_newstat'],
    ]);
    // The table row says "sys_rt_sigreturn/ptregs": the entry is stored without the qualifier, and found by either spelling.
    const rt = await changes('rt_sigreturn');
    expect(rt.map((c) => [c.number, c.abi, c.oldEntry, c.newEntry])).toEqual([
      [15, '64', 'sys_rt_sigreturn', '__sys_x86_rt_sigreturn'],
      [15, '64', 'sys_rt_sigreturn', '__sys_x86_rt_sigreturn'],
    ]);
    expect(await changes('sys_rt_sigreturn/ptregs')).toEqual(rt);
  });

  it('links the v1 change to the UML breakage and the fixup', async () => {
    const [, old] = await changes('pread64');
    const [fixup] = await t.sql<{ id: number }[]>`select id from fixups`;
    const [archheaders] = await t.sql<{ id: number }[]>`select id from breakages where message like '%archheaders%'`;
    expect(old.series.id).toBe(v1);
    expect(old.fixups).toEqual([fixup.id]);
    expect(old.breakages).toEqual([archheaders.id]);
  });

  it('lists every change without a query and nothing for words that name no syscall', async () => {
    expect(await changes('')).toHaveLength(40);
    expect(await changes('no_such_syscall_at_all')).toEqual([]);
    expect(await changes('12345')).toEqual([]);
    expect(await changes('mprotect 11')).toEqual([]);
    for (const q of HOSTILE_QUERIES) expect(Array.isArray(await changes(q)), q).toBe(true);
    const long = await getJson<{ error: string }>(search, `/api/syscalls?q=${'m'.repeat(500)}`);
    expect(long.status).toBe(400);
    expect(long.body.error).toContain('q');
  });
});
