/**
 * The seed thread (test/fixtures/seed/, see its README): Dominik's inline fixup in v1 #13,
 * "could be folded with patch 8/8", folded into v2 8/8.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesTouched, findDiffs } from '../../lib/diff.ts';
import { extractFixups, fixupState, targetFixup, type SeriesPatchRef } from '../../lib/fixups/index.ts';
import { messagesOfFile } from '../../lib/mail/read.ts';
import { parseMail } from '../../lib/mail/parse.ts';
import type { Mail } from '../../lib/mail/types.ts';
import { parseSubject } from '../../lib/subject.ts';

const SEED = resolve(import.meta.dirname, '../fixtures/seed');
const present = existsSync(join(SEED, 'v1.mbox')) && existsSync(join(SEED, 'v2.mbox'));
if (!present) console.warn(`skipping the seed fixup tests: ${SEED} is not there yet`);

const FIXUP_ID = '20180405204102.GA7395@light.dominikbrodowski.net';

async function load(name: string): Promise<Mail[]> {
  return Promise.all(messagesOfFile(readFileSync(join(SEED, name))).map((m) => parseMail(m.bytes)));
}

function patchesOf(mails: Mail[]): (SeriesPatchRef & { mail: Mail })[] {
  return mails.flatMap((mail) => {
    const s = parseSubject(mail.subject);
    if (s.isReply || !s.number) return [];
    const files = findDiffs(mail.body).flatMap((b) => b.files);
    return [{ number: s.number, messageId: mail.messageId, subject: mail.subject, title: s.title, files: filesTouched(files), diff: files, mail }];
  });
}

/** `git apply` each diff in order onto a copy of preimage/; then `--check` the last one. Returns git's stderr ('' = applies). */
function checkOnTopOf(diffs: string[], last: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'patchloom-seed-'));
  const git = (args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe', env: { ...process.env, GIT_CEILING_DIRECTORIES: dirname(dir) } });
  try {
    cpSync(join(SEED, 'preimage'), dir, { recursive: true });
    diffs.forEach((d, i) => {
      writeFileSync(join(dir, `p${i}.diff`), d);
      git(['apply', `p${i}.diff`]);
    });
    writeFileSync(join(dir, 'fixup.diff'), last);
    try {
      git(['apply', '--check', 'fixup.diff']);
      return '';
    } catch (err) {
      return (err as { stderr?: Buffer }).stderr?.toString() || 'failed';
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(!present)('the seed thread', () => {
  it('only v1 #13 carries a fixup: dashes, then From:, Date:, Subject: pseudo-headers', async () => {
    const v1 = await load('v1.mbox');
    expect(v1).toHaveLength(15);
    const carrying = v1.filter((m) => extractFixups(m).length > 0).map((m) => m.messageId);
    // #14 quotes "> Subject: [PATCH] syscalls/x86: fix UML syscall table" and #15 quotes it again: no fixup of their own.
    expect(carrying).toEqual([FIXUP_ID]);
    const [f] = extractFixups(v1[12]);
    expect(f).toMatchObject({
      messageId: FIXUP_ID,
      form: 'dashes-headers',
      subject: 'syscalls/x86: fix UML syscall table',
      author: { name: 'Dominik Brodowski', email: 'linux@dominikbrodowski.net' },
      index: 0,
    });
    expect(f.date?.toISOString()).toBe('2018-04-05T20:39:33.000Z');
    expect(f.files).toEqual(['arch/x86/entry/syscalls/syscall_64.tbl', 'arch/x86/entry/syscalls/syscalltbl.sh']);
    expect(f.trailers).toEqual([{ kind: 'Signed-off-by', name: 'Dominik Brodowski', email: 'linux@dominikbrodowski.net' }]);
    expect(f.description.startsWith('UML re-uses syscall_64.tbl')).toBe(true);
    expect(f.description.endsWith('when generating the syscall table for CONFIG_UML.')).toBe(true);
    expect(f.explicitTargets).toEqual([{ number: 8, total: 8, subjectQuote: null, phrase: 'could be folded with patch 8/8' }]);
    // Byte-exact: the diff is the body from "diff --git" on, as the fixture README's verification cut it.
    const body = v1[12].body;
    expect(f.diff).toBe(body.slice(body.indexOf('diff --git ')).replace(/\n*$/, '\n'));
    for (const m of [...(await load('v2.mbox')), ...(await load('tip-bot.eml'))]) expect(extractFixups(m)).toEqual([]);
  });

  it('the diff applies on top of v1 1/8..8/8 and not without 8/8', async () => {
    const v1 = await load('v1.mbox');
    const [f] = extractFixups(v1[12]);
    const diffs = patchesOf(v1)
      .sort((a, b) => a.number - b.number)
      .map((p) => findDiffs(p.mail.body).map((b) => b.text).join(''));
    expect(diffs).toHaveLength(8);
    expect(checkOnTopOf(diffs, f.diff)).toBe('');
    expect(checkOnTopOf(diffs.slice(0, 7), f.diff)).toMatch(/error/);
  });

  it('targets patch 8/8 by the explicit words, and by file overlap when the words are gone', async () => {
    const v1 = await load('v1.mbox');
    const [f] = extractFixups(v1[12]);
    const seriesPatches = patchesOf(v1).map(({ mail: _m, ...p }) => p);
    const ctx = { seriesPatches, parentMessageId: v1[12].inReplyTo, parentIsCover: false, parentPatchNumber: null };
    expect(ctx.parentMessageId).toBe('20180405151933.GA19273@gmail.com');
    const t = targetFixup(f, ctx);
    expect(t).toMatchObject({ number: 8, messageId: '20180405095307.3730-9-linux@dominikbrodowski.net', evidence: 'explicit', reason: "explicit: 'could be folded with patch 8/8'" });
    expect(t.candidates[0].number).toBe(8);
    const byFiles = targetFixup({ ...f, explicitTargets: [] }, ctx);
    expect(byFiles).toMatchObject({ number: 8, evidence: 'file-overlap' });
    expect(byFiles.reason).toBe(
      'file-overlap: only patch 8/8 ("syscalls/x86: use __sys_x86_*() entry points in syscall_64.tbl") added the lines the fixup rewrites in arch/x86/entry/syscalls/syscall_64.tbl',
    );
  });

  it("is folded into v2 8/8; against v1 8/8 alone, with only the tip-bot notice for 1/8, it is pending", async () => {
    const v1 = await load('v1.mbox');
    const v2 = await load('v2.mbox');
    const [f] = extractFixups(v1[12]);
    const v1p8 = patchesOf(v1).find((p) => p.number === 8);
    const v2p8 = patchesOf(v2).find((p) => p.number === 8);
    if (!v1p8?.diff || !v2p8?.diff) throw new Error('8/8 missing from the seed fixture');
    const [tip] = await load('tip-bot.eml');
    const commitNotices = [{ title: parseSubject(tip.subject).title, commit: '1bd21c6c21e848996339508d3ffb106d505256a8' }];
    expect(fixupState({ fixup: f, laterVersionsOfTarget: [{ version: 1, messageId: v1p8.messageId, diff: v1p8.diff }], commitNotices, laterFixups: [] }).state).toBe('pending');
    const s = fixupState({ fixup: f, laterVersionsOfTarget: [{ version: 2, messageId: v2p8.messageId, diff: v2p8.diff }], commitNotices, laterFixups: [] });
    expect(s.state).toBe('folded');
    expect(s.by).toBe('20180409105145.5364-9-linux@dominikbrodowski.net');
    expect(s.reason).toMatch(/^folded: v2 of the target patch contains (\d+) of the \1 lines the fixup adds/);
  });
});
