/**
 * Deriving on a worker thread. Per-thread analysis is CPU-bound (about half a millisecond a
 * message), so a bulk import runs it on a core of its own while the main thread reads, parses
 * and stores the next batches. The worker has its own database connections; the main thread
 * sends thread ids and waits for the answer, exactly as it would await deriveThreads().
 */
import { parentPort, Worker, workerData } from 'node:worker_threads';
import { connect } from '../lib/db/client.ts';
import { deriveThreads } from './derive.ts';

interface DeriveRequest {
  id: number;
  threadIds: number[];
}

interface DeriveAnswer {
  id: number;
  error?: { message: string; code?: string; stack?: string };
}

export interface DeriveWorker {
  derive(threadIds: number[]): Promise<void>;
  close(): Promise<void>;
}

/** Heap limit of the worker: a derive covers about 5,000 messages, 200 threads at a time; the limit keeps V8 collecting. */
const WORKER_HEAP_MB = 192;
const CLOSE_TIMEOUT_MS = 10_000;

export function startDeriveWorker(url: string): DeriveWorker {
  const worker = new Worker(new URL('./derive-worker.boot.js', import.meta.url), {
    workerData: { url },
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
  });
  const waiting = new Map<number, { resolve(): void; reject(err: Error): void }>();
  let next = 0;
  let exited: Error | null = null;
  worker.on('message', (answer: DeriveAnswer) => {
    const w = waiting.get(answer.id);
    waiting.delete(answer.id);
    if (!answer.error) return w?.resolve();
    // Keep the code: the pipeline retries transient database errors by it.
    w?.reject(Object.assign(new Error(answer.error.message), { code: answer.error.code, stack: answer.error.stack }));
  });
  const fail = (err: Error) => {
    exited ??= err; // 'error' comes before 'exit' and says more
    for (const w of waiting.values()) w.reject(exited);
    waiting.clear();
  };
  worker.on('error', (err) => fail(new Error(`the derive worker failed: ${err.message}. What was stored is kept; run the import again to derive the rest`)));
  worker.on('exit', (code) => fail(new Error(`the derive worker exited (code ${code}); run the import again to finish deriving`)));
  return {
    derive(threadIds) {
      if (exited) return Promise.reject(exited);
      const id = next++;
      return new Promise<void>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage({ id, threadIds } satisfies DeriveRequest);
      });
    },
    async close() {
      if (exited) return;
      const gone = new Promise((r) => worker.once('exit', r));
      worker.postMessage('close');
      // It closes its connections first; one stuck on a dead server must not hold the process.
      const timer = setTimeout(() => void worker.terminate(), CLOSE_TIMEOUT_MS);
      await gone;
      clearTimeout(timer);
    },
  };
}

/** The worker's side: derive what it is sent until told to close. */
export function runDeriveWorker() {
  const port = parentPort;
  if (!port) throw new Error('runDeriveWorker runs on a worker thread');
  const { sql, drizzleClient } = connect((workerData as { url: string }).url, 4);
  // One request at a time, in order, as the pipeline sends them.
  let queue = Promise.resolve();
  port.on('message', (msg: DeriveRequest | 'close') => {
    queue = queue.then(async () => {
      if (msg === 'close') {
        await Promise.all([sql.end({ timeout: 5 }), drizzleClient.end({ timeout: 5 })]);
        port.close();
        return;
      }
      try {
        await deriveThreads(sql, msg.threadIds);
        port.postMessage({ id: msg.id } satisfies DeriveAnswer);
      } catch (err) {
        const e = err as Error & { code?: unknown };
        port.postMessage({ id: msg.id, error: { message: e.message, code: typeof e.code === 'string' ? e.code : undefined, stack: e.stack } } satisfies DeriveAnswer);
      }
    });
  });
}
