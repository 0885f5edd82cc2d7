/** `patchloom import`: files and folders through the pipeline, with progress and a summary. */
import type { Sql } from 'postgres';
import { listFiles, readPaths } from './sources/files.ts';
import { runPipeline, type PipelineProgress, type PipelineSummary } from './pipeline.ts';

export interface FileImportSummary extends PipelineSummary {
  files: number;
  skipped: { path: string; reason: string }[];
  fileErrors: { path: string; message: string }[];
}

export async function importFiles(
  sql: Sql,
  paths: string[],
  opts: { onProgress?(p: PipelineProgress): void; derive?: (threadIds: number[]) => Promise<void>; batchSize?: number } = {},
): Promise<FileImportSummary> {
  const files = await listFiles(paths);
  const totalBytes = files.reduce((n, f) => n + f.size, 0);
  let bytesDone = 0;
  const skipped: FileImportSummary['skipped'] = [];
  const fileErrors: FileImportSummary['fileErrors'] = [];
  const input = readPaths(files, {
    onBytes: (d) => (bytesDone += d),
    onSkip: (path, reason) => skipped.push({ path, reason }),
    onFileError: (path, message) => fileErrors.push({ path, message }),
  });
  const summary = await runPipeline(sql, input, {
    kind: 'file',
    label: paths.join(', '),
    totalBytes,
    bytesDone: () => bytesDone,
    onProgress: opts.onProgress,
    derive: opts.derive,
    batchSize: opts.batchSize,
  });
  return { ...summary, files: files.length, skipped, fileErrors };
}

export function describeSummary(s: FileImportSummary): string {
  const lines = [`${s.added} new, ${s.duplicates} already stored, ${s.flagged} flagged (${s.messages} messages in ${s.files} files)`];
  if (s.skipped.length) lines.push(`skipped ${s.skipped.length} files that are not mail, e.g. ${s.skipped[0].path}: ${s.skipped[0].reason}`);
  for (const e of s.fileErrors) lines.push(`warning: ${e.message}`);
  if (s.flagged) lines.push('flagged messages are listed with their reasons on the ingest page (/ingest) and by GET /api/flagged');
  return lines.join('\n');
}
