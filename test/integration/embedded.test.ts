import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const dataDir = mkdtempSync(join(tmpdir(), 'patchloom-embedded-'));
const env = { ...process.env, PATCHLOOM_DATA_DIR: dataDir, DATABASE_URL: '' };
delete (env as Record<string, string | undefined>).DATABASE_URL;

function postgresProcesses(): number {
  try {
    return execFileSync('pgrep', ['-f', `postgres -D ${dataDir}/pg`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

function startHolder(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['bin/run-ts.js', 'test/helpers/hold-embedded.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((res, rej) => {
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
      const m = /ready (\d+)/.exec(out);
      if (m) res({ child, port: Number(m[1]) });
    });
    child.once('exit', (code) => rej(new Error(`holder exited early with ${code}`)));
  });
}

function cli(...args: string[]): string {
  return execFileSync(process.execPath, ['bin/patchloom.js', ...args], { cwd: root, env, encoding: 'utf8' });
}

async function waitFor(cond: () => boolean, ms = 20_000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the embedded PostgreSQL default', () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('is shared by a second process and stopped by the last one to leave', async () => {
    const holder = await startHolder();
    expect(postgresProcesses()).toBe(1);
    const mail = join(dataDir, 'one.eml');
    writeFileSync(mail, 'Message-ID: <embedded-test@example.com>\nFrom: A <a@example.com>\nSubject: hello\nDate: Thu, 26 Nov 2026 10:00:00 +0000\n\nbody\n');
    expect(cli('import', mail)).toContain('1 new, 0 already stored');
    const state = JSON.parse(readFileSync(join(dataDir, 'server.json'), 'utf8')) as { port: number };
    expect(state.port).toBe(holder.port);
    expect(postgresProcesses()).toBe(1); // reused, not started again, and still running after the CLI left
    holder.child.kill('SIGTERM');
    await waitFor(() => postgresProcesses() === 0);
  });

  it('recovers a server left running by a crashed process', async () => {
    const holder = await startHolder();
    holder.child.kill('SIGKILL');
    await new Promise((r) => holder.child.once('exit', r));
    expect(postgresProcesses()).toBe(1); // orphaned
    expect(cli('import', join(dataDir, 'one.eml'))).toContain('0 new, 1 already stored');
    await waitFor(() => postgresProcesses() === 0);
    // and a fresh start afterwards works
    expect(cli('migrate')).toContain('up to date');
  });
});
