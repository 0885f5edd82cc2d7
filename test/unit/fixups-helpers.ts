/**
 * Test helpers for fixups: rebuild a preimage from a diff's context and '-' lines and run
 * `git apply --check` against it in a temp dir, so a test proves the extracted bytes apply.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findDiffs } from '../../lib/diff.ts';

/** Each old file of the diff, rebuilt: hunk context and '-' lines at their line numbers, filler lines between. */
export function preimages(diff: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of findDiffs(diff).flatMap((b) => b.files)) {
    if (f.oldPath === null || f.binary) continue;
    const lines: string[] = [];
    let noNewlineAtEnd = false;
    let atEnd = false;
    for (const h of f.hunks) {
      while (lines.length < h.oldStart - 1) lines.push(`filler line ${lines.length + 1} of ${f.oldPath}`);
      let lastOld = false;
      let trailingContext = 0;
      for (const l of h.lines) {
        if (l[0] === ' ' || l[0] === '-') {
          lines.push(l.slice(1));
          lastOld = true;
          trailingContext = l[0] === ' ' ? trailingContext + 1 : 0;
        } else if (l[0] === '+') {
          lastOld = false;
          trailingContext = 0;
        } else if (l[0] === '\\' && lastOld) noNewlineAtEnd = true;
      }
      // git apply anchors a hunk without trailing context at the end of the file.
      atEnd = trailingContext === 0 || noNewlineAtEnd;
    }
    if (!atEnd) for (let i = 0; i < 3; i++) lines.push(`trailing filler ${i} of ${f.oldPath}`);
    out.set(f.oldPath, lines.join('\n') + (noNewlineAtEnd ? '' : '\n'));
  }
  return out;
}

/**
 * Runs `git apply --check` of the diff against the preimage rebuilt from `preimageOf`
 * (the diff itself by default); returns git's stderr, '' when it applies.
 */
export function gitApplyCheck(diff: string, preimageOf: string = diff): string {
  const dir = mkdtempSync(join(tmpdir(), 'patchloom-fixup-'));
  try {
    for (const [path, text] of preimages(preimageOf)) {
      const p = join(dir, path);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, text);
    }
    writeFileSync(join(dir, 'fixup.diff'), diff);
    try {
      execFileSync('git', ['apply', '--check', 'fixup.diff'], { cwd: dir, stdio: 'pipe', env: { ...process.env, GIT_CEILING_DIRECTORIES: dirname(dir) } });
      return '';
    } catch (err) {
      const e = err as { stderr?: Buffer; message: string };
      return e.stderr?.toString() || e.message;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const DOMINIK_FIX = `diff --git a/arch/x86/um/sys_call_table_64.c b/arch/x86/um/sys_call_table_64.c
index 9e8a2c2d7a2c..d5cd4e8d8c2c 100644
--- a/arch/x86/um/sys_call_table_64.c
+++ b/arch/x86/um/sys_call_table_64.c
@@ -37,6 +37,9 @@
 #define stub_execveat sys_execveat
 #define stub_rt_sigreturn sys_rt_sigreturn
 
+/* UML uses the generic syscall stubs, not the x86-specific __sys_x86_ ones */
+#define __SYSCALL_64(nr, sym, qual) __UML_SYSCALL_64(nr, sym, qual)
+
 #define __SYSCALL_64(nr, sym, qual) extern asmlinkage long sym(unsigned long, unsigned long, unsigned long, unsigned long, unsigned long, unsigned long) ;
 #include <asm/syscalls_64.h>
 
`;

/** Hand-written in the shape of Dominik Brodowski's 2018 reply (the seed thread); the diff is made up. */
export const DASHES_REPLY = `From: Dominik Brodowski <linux@dominikbrodowski.net>
To: Ingo Molnar <mingo@kernel.org>
Subject: Re: [PATCH 0/8] use struct pt_regs based syscall calling for x86-64
Date: Thu, 5 Apr 2018 22:43:19 +0200
Message-ID: <20180405204319.GA21349@example.dominikbrodowski.net>
In-Reply-To: <20180405151933.GA23470@gmail.com>
References: <20180405095307.3730-1-linux@dominikbrodowski.net> <20180405151933.GA23470@gmail.com>

On Thu, Apr 05, 2018 at 05:19:33PM +0200, Ingo Molnar wrote:
> Ok, this series looks mostly good to me, but AFAICS this breaks the UML build:
>
> make[2]: *** No rule to make target 'archheaders'. Stop.

Ah, that's caused by patch 8/8 which I did and do not like all that much
anyway: UML re-uses syscall_64.tbl which now has x86-specific entries like
__sys_x86_pread64, but expects the generic syscall stub sys_pread64
referenced there. Fixup patch below; could be folded with patch 8/8. Or
patch 8/8 could simply be dropped from the series altogether...

Thanks,
	Dominik

------------------------------------------------------------------------
From: Dominik Brodowski <linux@dominikbrodowski.net>
Date: Thu, 5 Apr 2018 22:36:03 +0200
Subject: [PATCH] syscalls/x86: fix UML syscall table

UML expects the generic syscall stubs in the syscall table.

Signed-off-by: Dominik Brodowski <linux@dominikbrodowski.net>

${DOMINIK_FIX}`;
