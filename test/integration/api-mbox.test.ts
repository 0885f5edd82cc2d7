/**
 * The series mbox, checked the way a maintainer uses it: `git am` onto the tree the seed's
 * patches apply to, then `git rebase --autosquash`. v1 plus Dominik's fixup must give exactly
 * the tree v2 gives (test/fixtures/seed/README.md: "the same tree").
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDb, type TestDatabase } from '../helpers/db.ts';
import { splitMbox } from '../../lib/mail/mbox.ts';
import { databaseWith, get, getJson, seriesIdOfVersion, teardown, V1, type Handler } from './api-helpers.ts';

const PREIMAGE = 'test/fixtures/seed/preimage';
const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.com', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.com', GIT_SEQUENCE_EDITOR: 'true', GIT_EDITOR: 'true' };

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, env: GIT_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** A git repository holding the preimage as its one commit. */
function baseRepo(root: string, name: string): string {
  const dir = join(root, name);
  cpSync(PREIMAGE, dir, { recursive: true });
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'base');
  return dir;
}

/** v2's eight patch mails from the fixture, as a maildir (so no mbox code of ours is involved). */
function v2Maildir(root: string): string {
  const dir = join(root, 'v2-maildir');
  mkdirSync(join(dir, 'cur'), { recursive: true });
  mkdirSync(join(dir, 'new'), { recursive: true });
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  const patches = splitMbox(readFileSync('test/fixtures/seed/v2.mbox')).filter((m) => /^Subject: \[PATCH v2 [1-8]\/8\]/m.test(m.bytes.toString('latin1')));
  expect(patches).toHaveLength(8);
  patches.forEach((m, i) => writeFileSync(join(dir, 'new', `${String(i).padStart(2, '0')}.eml`), m.bytes));
  return dir;
}

describeDb('series mbox (git am)', () => {
  let t: TestDatabase;
  let mbox: Handler<{ id: string }>;
  let v1: number;
  let root: string;
  const download = (id: number | string, query = '') => get(mbox, `/api/series/${id}/mbox${query}`, { id: String(id) });

  beforeAll(async () => {
    // Only v1: the fixup is still pending, so autosquash has something to fold.
    t = await databaseWith([V1]);
    mbox = (await import('../../app/api/series/[id]/mbox/route.ts')).GET;
    v1 = await seriesIdOfVersion(t, 1);
    root = mkdtempSync(join(tmpdir(), 'patchloom-am-'));
  });
  afterAll(async () => {
    rmSync(root, { recursive: true, force: true });
    await teardown(t);
  });

  it('is an mbox attachment with a safe filename', async () => {
    const res = await download(v1);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/mbox');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="v1-use_struct_pt_regs_based_syscall_calling_for_x86-64-autosquash.mbox"');
    const none = await download(v1, '?fixups=none');
    expect(none.headers.get('content-disposition')).toMatch(/^attachment; filename="[A-Za-z0-9._-]+\.mbox"$/);
  });

  it('autosquash: git am applies 8 patches and the fixup, and autosquash gives the v2 tree', async () => {
    const text = await (await download(v1)).text();
    expect(text.match(/^Subject: \[PATCH \d\/8\]/gm)).toHaveLength(8);
    expect(text.match(/^Subject: fixup! /gm)).toEqual(['Subject: fixup! ']);
    expect(text).toContain('Subject: fixup! syscalls/x86: use __sys_x86_*() entry points in syscall_64.tbl');
    // The fixup follows 8/8.
    expect(text.indexOf('Subject: fixup!')).toBeGreaterThan(text.indexOf('Subject: [PATCH 8/8]'));
    writeFileSync(join(root, 'v1.mbox'), text);

    const repo = baseRepo(root, 'v1');
    git(repo, 'am', '-q', join(root, 'v1.mbox'));
    expect(git(repo, 'rev-list', '--count', 'HEAD')).toBe('10');
    git(repo, 'rebase', '-q', '-i', '--autosquash', 'HEAD~9');
    expect(git(repo, 'rev-list', '--count', 'HEAD')).toBe('9');
    expect(git(repo, 'log', '-1', '--format=%s')).toBe('syscalls/x86: use __sys_x86_*() entry points in syscall_64.tbl');

    const ref = baseRepo(root, 'v2');
    git(ref, 'am', '-q', v2Maildir(root));
    expect(git(repo, 'rev-parse', 'HEAD^{tree}')).toBe(git(ref, 'rev-parse', 'HEAD^{tree}'));

    // Reviewers' trailers are in the commit messages: Peter's ack on 3/8 only, Andy's review on all.
    const message = (n: number) => git(repo, 'log', '-1', '--format=%B', `HEAD~${8 - n}`);
    expect(message(3)).toContain('Acked-by: Peter Zijlstra (Intel) <peterz@infradead.org>');
    for (const n of [1, 2, 4, 5, 6, 7, 8]) expect(message(n)).not.toContain('Acked-by: Peter Zijlstra');
    for (let n = 1; n <= 8; n++) expect(message(n)).toContain('Reviewed-by: Andy Lutomirski <luto@kernel.org>');
    // Added once each, and a quoted trailer is not one.
    expect(message(3).match(/Reviewed-by: Andy/g)).toHaveLength(1);
    expect(message(3)).not.toContain('bp@suse.de');
  });

  it('fixups=none: the eight patches only, which leave the UML fix out', async () => {
    const text = await (await download(v1, '?fixups=none')).text();
    expect(text).not.toContain('fixup!');
    writeFileSync(join(root, 'v1-none.mbox'), text);
    const repo = baseRepo(root, 'v1-none');
    git(repo, 'am', '-q', join(root, 'v1-none.mbox'));
    expect(git(repo, 'rev-list', '--count', 'HEAD')).toBe('9');
    expect(readFileSync(join(repo, 'arch/x86/entry/syscalls/syscalltbl.sh'), 'utf8')).not.toContain('umlentry');
    expect(readFileSync(join(repo, 'arch/x86/entry/syscalls/syscall_64.tbl'), 'utf8')).toContain('__sys_x86_mprotect');
  });

  it('answers bad parameters and unknown series with JSON errors', async () => {
    const bad = await getJson<{ error: string; hint: string }>(mbox, `/api/series/${v1}/mbox?fixups=squash`, { id: String(v1) });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('fixups');
    expect(bad.body.hint).toContain('autosquash');
    expect((await download('x1')).status).toBe(400);
    const missing = await download(987654);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/json');
  });
});
