import { createTestDatabase } from './test/helpers/db.ts';
import { importFiles } from './ingest/import-files.ts';
import { writeMbox } from './bench/generate.ts';
writeMbox('/tmp/p.mbox', { messages: 2000, seed: 3 });
const t = await createTestDatabase();
const timings: Record<string, number> = {};
const { deriveThreads } = await import('./ingest/derive.ts');
try {
  const t0 = performance.now();
  await importFiles(t.sql, ['/tmp/p.mbox'], { derive: async (ids) => { const s = performance.now(); await deriveThreads(t.sql, ids); timings.derive = (timings.derive ?? 0) + performance.now() - s; } });
  console.log('total', Math.round(performance.now() - t0), 'derive', Math.round(timings.derive));
} finally { await t.drop(); }
