/**
 * Memory stays bounded: `patchloom import` of a 200 MB mbox of ordinary patch mail grows
 * its resident set by far less than the file, because the file is streamed and each batch
 * is let go once stored. Measured from outside, on the CLI process (/proc/<pid>/status).
 */
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeDb, type TestDatabase } from '../helpers/db.ts';
import { createLedger, mailText, scratchDir, seriesArchive, spawnCli, writeMboxFile, type Exited } from './helpers.ts';

const ledger = createLedger(import.meta.filename);
afterAll(() => ledger.finish());

const MB = 1 << 20;
const TARGET = 200 * MB;

/** Peak resident set of a running process in bytes, sampled until it exits. */
async function importPeak(file: string, url: string): Promise<{ peak: number; exit: Exited; seconds: number }> {
  const start = Date.now();
  const run = spawnCli(['import', file], { DATABASE_URL: url });
  let peak = 0;
  const timer = setInterval(() => {
    try {
      const status = readFileSync(`/proc/${run.child.pid}/status`, 'utf8');
      const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
      peak = Math.max(peak, hwm);
    } catch {
      /* exited */
    }
  }, 50);
  const exit = await run.exited;
  clearInterval(timer);
  return { peak, exit, seconds: (Date.now() - start) / 1000 };
}

describeDb.runIf(process.platform === 'linux')('importing a 200 MB mbox', () => {
  let t: TestDatabase;
  let small: TestDatabase;
  let dir: string;
  let big: string;
  let messages = 0;

  beforeAll(async () => {
    [t, small] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    dir = scratchDir('memory');
    big = join(dir, 'big.mbox');
    // Patches of ~40 KB with their covers and reviews: about 8,000 messages.
    const archive = seriesArchive({ messages: 1_000_000, seed: 2026, diffLines: 350 });
    function* upTo(): Generator<string> {
      let bytes = 0;
      for (const m of archive) {
        if (bytes >= TARGET) return;
        bytes += m.length + 60;
        yield m;
      }
    }
    messages = writeMboxFile(big, upTo()).messages;
    writeFileSync(join(dir, 'one.eml'), mailText({ id: 'baseline@patchloom.test' }));
  }, 300_000);

  afterAll(async () => {
    await t?.drop();
    await small?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('grows the importer by far less than the file', async () => {
    const size = statSync(big).size;
    expect(size).toBeGreaterThanOrEqual(TARGET);
    const baseline = await importPeak(join(dir, 'one.eml'), small.url);
    expect(baseline.exit.code, baseline.exit.stderr).toBe(0);
    const run = await importPeak(big, t.url);
    expect(run.exit.code, run.exit.stderr).toBe(0);
    const [{ n }] = await t.sql<{ n: number }[]>`select count(*)::int as n from raw_messages`;
    const growth = run.peak - baseline.peak;
    console.log(
      `200 MB mbox (${messages} messages, ${(size / MB).toFixed(0)} MB) in ${run.seconds.toFixed(0)} s: peak RSS ${(run.peak / MB).toFixed(0)} MB, ` +
        `${(growth / MB).toFixed(0)} MB above a one-message import (${(baseline.peak / MB).toFixed(0)} MB)`,
    );
    ledger.input('200 MB mbox of ordinary mail (memory)', { crashed: run.exit.code !== 0, lost: n !== messages });
    expect(n).toBe(messages);
    expect(growth).toBeLessThan(size / 2);
  }, 900_000);
});
