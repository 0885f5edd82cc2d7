/**
 * The patchloom command line. Every command that touches the database opens it through
 * openDatabase(), which applies pending migrations first.
 */
import { parseArgs } from 'node:util';
import { explainFailure, openDatabase, redact } from '../lib/db/client.ts';
import { importFiles, describeSummary } from '../ingest/import-files.ts';
import { reindex } from '../ingest/reindex.ts';
import { startDeriveWorker } from '../ingest/derive-worker.ts';
import { createProgress } from './progress.ts';
import { createSyncProgress, describeSync, loadImapAccounts, NOT_CONFIGURED, runSync } from '../ingest/sync.ts';
import { serve } from './serve.ts';
import { tokenCommand, userCommand } from './accounts.ts';

const HELP = `patchloom: track patch series, inline fixups and build failures on kernel mailing lists

Usage:
  patchloom import <file or folder>...   Import mbox (mboxo/mboxrd), maildir, .eml/.patch files,
                                         folders (recursively) and .gz files. Idempotent: importing
                                         the same files again adds nothing.
  patchloom serve [--port N]             Start the web UI and JSON API (npm start runs this),
                                         building the app first if no build exists. Follows the
                                         IMAP mailboxes too when IMAP is configured.
  patchloom sync [--once] [--config FILE]
                                         Fetch mail from IMAP (PATCHLOOM_IMAP_* or the "imap" section
                                         of patchloom.config.json), then follow new mail until Ctrl-C;
                                         --once stops after the fetch. Resumes where it stopped; any
                                         number of workers may share one database (docs/imap.md).
  patchloom migrate                      Apply pending database migrations (every command also does).
  patchloom reindex                      Rebuild everything derived from the stored raw mail.
  patchloom user add <name> [--password-file F]
                                         Create a local account (maintainers' changes need one). The
                                         password is prompted for, or read from stdin or the file.
  patchloom user passwd <name> | user list
  patchloom token create <user> [--name N]
                                         Print a new API token for scripts (Authorization: Bearer).
                                         It is shown once. Also: token list <user>, token revoke <user> <id>.
  patchloom help                         This text.

Environment:
  DATABASE_URL          PostgreSQL to use (postgres://user:pass@host:port/db). Unset: an embedded
                        PostgreSQL is started with its data in PATCHLOOM_DATA_DIR and shared by
                        every patchloom process on this machine.
  PATCHLOOM_DATA_DIR    Where the embedded database lives (default ./.data).
  PORT                  Port of the web server (default 3000).
  PATCHLOOM_WEB_WORKERS Web server processes sharing the port (default: one per core).
  PATCHLOOM_MAX_MESSAGE_BYTES
                        Messages above this size are stored raw and flagged, not parsed (default 25 MB).
  PATCHLOOM_IMAP_HOST, _PORT, _TLS, _USER, _PASSWORD or _PASSWORD_FILE, _MAILBOXES
                        The IMAP account of \`patchloom sync\` and \`serve\` (see docs/imap.md); when
                        PATCHLOOM_IMAP_HOST is set they win over patchloom.config.json.
`;

function fail(message: string): never {
  process.stderr.write(`patchloom: ${message}\n`);
  process.exit(1);
}

async function withDatabase<T>(fn: (d: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
  const database = await openDatabase();
  const stop = () => {
    database.embedded?.release();
    process.exit(130);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await fn(database);
  } catch (err) {
    throw explainFailure(err, database);
  } finally {
    await database.close();
  }
}

async function main(argv: string[]) {
  const [command, ...rest] = argv;
  switch (command) {
    case 'import': {
      const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
      if (positionals.length === 0) fail('import needs at least one file or folder, e.g. `patchloom import ~/mail/lkml.mbox`.');
      await withDatabase(async ({ sql, url }) => {
        const progress = createProgress('importing');
        // Analysis runs on a worker thread, beside reading, parsing and storing.
        const worker = startDeriveWorker(url);
        try {
          const summary = await importFiles(sql, positionals, { onProgress: (p) => progress.update(p), derive: worker.derive });
          progress.stop();
          process.stdout.write(describeSummary(summary) + '\n');
        } finally {
          await worker.close();
        }
      });
      return;
    }
    case 'migrate':
      await withDatabase(async ({ url }) => {
        process.stdout.write(`database is up to date (${redact(url)})\n`);
      });
      return;
    case 'sync': {
      const { values } = parseArgs({ args: rest, options: { once: { type: 'boolean' }, config: { type: 'string' } } });
      const { accounts } = loadImapAccounts({ configPath: values.config });
      if (accounts.length === 0) fail(NOT_CONFIGURED);
      const once = values.once === true;
      const database = await openDatabase();
      const stop = new AbortController();
      const onSignal = () => {
        if (stop.signal.aborted) {
          database.embedded?.release();
          process.exit(130);
        }
        process.stderr.write('\nstopping after the batch in flight (Ctrl-C again to quit at once)\n');
        stop.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      const progress = createSyncProgress(once ? 'syncing' : 'initial sync');
      try {
        const summary = await runSync(database, accounts, {
          once,
          signal: stop.signal,
          log: (line) => progress.log(line),
          onProgress: (p) => progress.update(p),
          onCaughtUp: (s) => {
            progress.stop();
            process.stderr.write(`initial sync done: ${describeSync(s)}; following new mail (Ctrl-C to stop)\n`);
          },
        });
        progress.stop();
        process.stdout.write(`${describeSync(summary)}${summary.stopped && once ? ' (stopped early; the next sync continues from there)' : ''}\n`);
        if (summary.stopped && once) process.exitCode = 130;
      } finally {
        progress.stop();
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await database.close();
      }
      return;
    }
    case 'user':
    case 'token':
      await withDatabase(async ({ sql }) => {
        const run = command === 'user' ? userCommand : tokenCommand;
        const r = await run(sql, rest, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
        if (!r.ok) {
          process.stderr.write(`patchloom: ${r.message}\n`);
          process.exitCode = 1;
        }
      });
      return;
    case 'reindex':
      await withDatabase(async ({ sql }) => {
        const progress = createProgress('reindexing');
        const counts = await reindex(sql, { onProgress: (p) => progress.update(p) });
        progress.stop();
        process.stdout.write(`reindexed ${counts.messages} messages (${counts.flagged} flagged); manual actions are kept\n`);
      });
      return;
    case 'serve': {
      const { values } = parseArgs({ args: rest, options: { port: { type: 'string' } } });
      await serve({ port: Number(values.port ?? process.env.PORT ?? 3000) });
      return;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(HELP);
      return;
    default:
      fail(`unknown command "${command}". Run \`patchloom --help\` for the list of commands.`);
  }
}

main(process.argv.slice(2)).catch((err: Error) => fail(process.env.PATCHLOOM_DEBUG ? String(err.stack) : err.message));
