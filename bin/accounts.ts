/**
 * `patchloom user ...` and `patchloom token ...`: local accounts and API tokens. Passwords
 * are read from the terminal without echo, from stdin when it is not a terminal, or from
 * --password-file; never from the command line, where `ps` and shell history would keep them.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Sql } from 'postgres';
import { passwordProblem, userNameProblem } from '../lib/auth.ts';
import { createApiToken, createUser, listApiTokens, listUsers, revokeApiToken, setPassword, userByName } from '../lib/db/accounts.ts';

export interface CommandIo {
  stdin: NodeJS.ReadStream | NodeJS.ReadableStream;
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

export type CommandResult = { ok: true } | { ok: false; message: string };

const fail = (message: string): CommandResult => ({ ok: false, message });

/** The first line of a password source: files and pipes end with a newline that is not part of it. */
function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0] ?? '';
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Ask on the terminal without echoing what is typed. */
function promptHidden(io: CommandIo, question: string): Promise<string> {
  const stdin = io.stdin as NodeJS.ReadStream;
  return new Promise((resolve, reject) => {
    io.stderr.write(question);
    let value = '';
    stdin.setRawMode?.(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const finish = (err: Error | null) => {
      stdin.setRawMode?.(false);
      stdin.pause();
      stdin.off('data', onData);
      io.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish(null);
        if (ch === '\u0003') return finish(new Error('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

async function readPassword(io: CommandIo, passwordFile: string | undefined): Promise<string> {
  if (passwordFile) return firstLine(readFileSync(passwordFile, 'utf8'));
  if ((io.stdin as NodeJS.ReadStream).isTTY) {
    const a = await promptHidden(io, 'Password: ');
    const b = await promptHidden(io, 'Again: ');
    if (a !== b) throw new Error('the two passwords differ');
    return a;
  }
  return firstLine(await readAll(io.stdin));
}

export async function userCommand(sql: Sql, args: string[], io: CommandIo): Promise<CommandResult> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { 'password-file': { type: 'string' } } });
  if (sub === 'list') {
    for (const u of await listUsers(sql)) io.stdout.write(`${u.name}\t${u.createdAt.toISOString()}\n`);
    return { ok: true };
  }
  if (sub !== 'add' && sub !== 'passwd') return fail('usage: patchloom user add <name> [--password-file F] | user passwd <name> [--password-file F] | user list');
  const [name] = positionals;
  if (!name || positionals.length > 1) return fail(`usage: patchloom user ${sub} <name> [--password-file F]`);
  const nameProblem = userNameProblem(name);
  if (nameProblem) return fail(nameProblem);
  if (sub === 'add' && (await userByName(sql, name))) return fail(`a user named "${name}" already exists (change the password with \`patchloom user passwd ${name}\`)`);
  if (sub === 'passwd' && !(await userByName(sql, name))) return fail(`no user named "${name}"`);
  const password = await readPassword(io, values['password-file']);
  const problem = passwordProblem(password);
  if (problem) return fail(problem);
  if (sub === 'add') {
    if (!(await createUser(sql, name, password))) return fail(`a user named "${name}" already exists`);
    io.stdout.write(`created user ${name}\n`);
  } else {
    await setPassword(sql, name, password);
    io.stdout.write(`changed the password of ${name}; their sessions were ended\n`);
  }
  return { ok: true };
}

export async function tokenCommand(sql: Sql, args: string[], io: CommandIo): Promise<CommandResult> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { name: { type: 'string' } } });
  const [user, id] = positionals;
  if (sub === 'create' && user) {
    const name = (values.name ?? 'cli').trim();
    if (name.length === 0 || name.length > 100) return fail('a token name has 1 to 100 characters');
    const t = await createApiToken(sql, user, name);
    if (!t) return fail(`no user named "${user}" (create one with \`patchloom user add ${user}\`)`);
    io.stderr.write(`token ${t.id} "${name}" for ${user}; it is shown only now, store it safely:\n`);
    io.stdout.write(`${t.token}\n`);
    return { ok: true };
  }
  if (sub === 'list' && user) {
    for (const t of await listApiTokens(sql, user)) {
      io.stdout.write(`${t.id}\t${t.name}\tcreated ${t.createdAt.toISOString()}\tlast used ${t.lastUsedAt ? t.lastUsedAt.toISOString() : 'never'}\n`);
    }
    return { ok: true };
  }
  if (sub === 'revoke' && user && id && /^\d{1,9}$/.test(id)) {
    return (await revokeApiToken(sql, user, Number(id))) ? (io.stdout.write(`revoked token ${id}\n`), { ok: true }) : fail(`${user} has no token ${id}`);
  }
  return fail('usage: patchloom token create <user> [--name N] | token list <user> | token revoke <user> <id>');
}
