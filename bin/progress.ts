/** A progress bar on a terminal, and a line every few seconds when output is a log. */
import cliProgress from 'cli-progress';

export interface ProgressState {
  messages: number;
  doneBytes: number;
  totalBytes: number | null;
}

export interface Progress {
  update(s: ProgressState): void;
  stop(): void;
}

const mb = (n: number) => (n / 1048576).toFixed(1);

export function createProgress(label: string): Progress {
  const started = Date.now();
  const rate = (n: number) => Math.round(n / Math.max((Date.now() - started) / 1000, 0.001));
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} {bar} {percentage}% | {done}/{total} MB | {messages} messages | {rate} msg/s | ETA {eta_formatted}`,
        stream: process.stderr,
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(s) {
        const total = s.totalBytes ?? Math.max(s.doneBytes, 1);
        const payload = { done: mb(s.doneBytes), total: mb(total), messages: s.messages, rate: rate(s.messages) };
        if (!started) {
          bar.start(total, s.doneBytes, payload);
          started = true;
        } else bar.update(s.doneBytes, payload);
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let last = 0;
  return {
    update(s) {
      if (Date.now() - last < 5000) return;
      last = Date.now();
      const pct = s.totalBytes ? ` ${Math.floor((100 * s.doneBytes) / s.totalBytes)}%` : '';
      process.stderr.write(`${label}${pct}: ${s.messages} messages, ${mb(s.doneBytes)} MB, ${rate(s.messages)} msg/s\n`);
    },
    stop() {},
  };
}
