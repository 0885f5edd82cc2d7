/**
 * Memory stays bounded: `patchloom import` of a 200 MB mbox of ordinary patch mail runs with
 * its JavaScript heap capped at 128 MB (so it cannot hold the file), and its resident set grows
 * by far less than the file, because the file is streamed and each batch is let go once stored.
 * Measured from outside, on the CLI process (/proc/<pid>/status).
 */
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeDb, type TestDatabase } from '../helpers/db.ts';
import { createLedger, mailText, mboxEntry, scratchDir, seriesArchive, spawnCli, writeMboxFile, type Exited } from './helpers.ts';

const ledger = createLedger(import.meta.filename);
afterAll(() => ledger.finish());

const MB = 1 << 20;
const TARGET = 200 * MB;
/** Old-generation heap cap of the importer: well below the file. */
const HEAP_MB = 128;

interface Sampled {
  exit: Exited;
  seconds: number;
  peak: number;
}

/** Run `patchloom import` and sample its resident set (VmRSS) every 50 ms until it exits. */
async function sampledImport(file: string, url: string): Promise<Sampled> {
  const start = Date.now();
  const run = spawnCli(['import', file], { DATABASE_URL: url, NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}` });
  const samples: { t: number; rss: number }[] = [];
  const timer = setInterval(() => {
    try {
      const status = readFileSync(`/proc/${run.child.pid}/status`, 'utf8');
      samples.push({ t: Date.now() - start, rss: Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024 });
    } catch {
      /* exited */
    }
  }, 50);
  const exit = await run.exited;
  clearInterval(timer);
  const total = Date.now() - start;
  const max = (xs: number[]) => xs.reduce((a, b) => Math.max(a, b), 0);
  return { exit, seconds: total / 1000, peak: max(samples.map((x) => x.rss)) };
}

describeDb.runIf(process.platform === 'linux')('importing a 200 MB mbox', () => {
  let t: TestDatabase;
  let small: TestDatabase;
  let half: TestDatabase;
  let dir: string;
  let big: string;
  let part: string;
  let messages = 0;

  beforeAll(async () => {
    [t, small, half] = await Promise.all([createTestDatabase(), createTestDatabase(), createTestDatabase()]);
    dir = scratchDir('memory');
    big = join(dir, 'big.mbox');
    part = join(dir, 'half.mbox');
    // Patches of ~40 KB with their covers and reviews: about 8,000 messages.
    const archive = seriesArchive({ messages: 1_000_000, seed: 2026, diffLines: 350 });
    const head: string[] = [];
    function* upTo(): Generator<string> {
      let bytes = 0;
      for (const m of archive) {
        if (bytes >= TARGET) return;
        bytes += mboxEntry(m).length;
        if (bytes <= TARGET / 2) head.push(m);
        yield m;
      }
    }
    messages = writeMboxFile(big, upTo()).messages;
    writeMboxFile(part, head);
    writeFileSync(join(dir, 'one.eml'), mailText({ id: 'baseline@patchloom.test' }));
  }, 300_000);

  afterAll(async () => {
    await t?.drop();
    await small?.drop();
    await half?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`imports it with a ${HEAP_MB} MB heap, and its resident set does not grow with the file`, async () => {
    const size = statSync(big).size;
    expect(size).toBeGreaterThanOrEqual(TARGET);
    const baseline = await sampledImport(join(dir, 'one.eml'), small.url);
    expect(baseline.exit.code, baseline.exit.stderr).toBe(0);
    const warm = await sampledImport(part, half.url);
    expect(warm.exit.code, warm.exit.stderr).toBe(0);
    const run = await sampledImport(big, t.url);
    expect(run.exit.code, run.exit.stderr).toBe(0);
    const [{ n }] = await t.sql<{ n: number }[]>`select count(*)::int as n from raw_messages`;
    // Half of the file brings the whole working set (batches of raw and parsed mail in
    // flight, their SQL, the derive worker and its threads); what twice the mail adds on
    // top of that is the growth that would show a leak.
    const growth = run.peak - warm.peak;
    console.log(
      `200 MB mbox (${messages} messages, ${(size / MB).toFixed(0)} MB) with a ${HEAP_MB} MB heap, in ${run.seconds.toFixed(0)} s: peak RSS ${(run.peak / MB).toFixed(0)} MB, ` +
        `${(warm.peak / MB).toFixed(0)} MB for its first half (growth ${(growth / MB).toFixed(0)} MB); a one-message import peaks at ${(baseline.peak / MB).toFixed(0)} MB`,
    );
    ledger.input('200 MB mbox of ordinary mail (memory)', { crashed: run.exit.code !== 0, lost: n !== messages });
    expect(n).toBe(messages);
    // Holding the second half's mail would add its raw bytes and more (parsed bodies and headers):
    // over 100 MB. The derive worker's heap grows lazily towards its limit, so allow some of that.
    expect(growth).toBeLessThan(size / 2);
  }, 900_000);
});
