/** The benchmark harness works end to end at a tiny size. Nothing here is about speed. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeDb } from '../helpers/db.ts';

const root = join(import.meta.dirname, '../..');

describeDb('npm run bench', () => {
  it('generates, imports, measures and prints one JSON document', () => {
    // No HTTP part here: it would build the app, and the browser tests build it too.
    const out = execFileSync(process.execPath, ['bin/run-ts.js', 'bench/run.ts', '--messages', '300', '--no-append', '--no-http', '--no-side-by-side'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 240_000,
    });
    const result = JSON.parse(out) as Record<string, Record<string, number>>;
    expect(result.messages).toBe(300);
    expect(result.import.added).toBe(300);
    expect(result.import.messagesPerSecond).toBeGreaterThan(0);
    expect(result.derived.series).toBeGreaterThan(5);
    expect(result.incremental.n).toBeGreaterThan(0);
    expect(result.reindex.messagesPerSecond).toBeGreaterThan(0);
    expect(result.databaseBytesPerMessage).toBeGreaterThan(0);
  });
});
