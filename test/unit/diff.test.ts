import { describe, expect, it } from 'vitest';
import { findDiffs, patchId } from '../../lib/diff.ts';
import { describeCorpus, loadMails } from '../helpers/corpus.ts';
import { ownText } from '../../lib/mail/quote.ts';

const PATCH = `Some text

---
 a.c | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)

diff --git a/a.c b/a.c
index 1111111..2222222 100644
--- a/a.c
+++ b/a.c
@@ -1,3 +1,3 @@
 int a;
-int b;
+int c;

--
2.16.3
`;

describe('findDiffs', () => {
  it('finds a git diff and ends it by hunk counts', () => {
    const [block] = findDiffs(PATCH);
    expect(block.files).toHaveLength(1);
    expect(block.files[0]).toMatchObject({ path: 'a.c', added: 1, removed: 1, kind: 'modify' });
    expect(block.text).toBe('diff --git a/a.c b/a.c\nindex 1111111..2222222 100644\n--- a/a.c\n+++ b/a.c\n@@ -1,3 +1,3 @@\n int a;\n-int b;\n+int c;\n\n');
  });
  it('ignores the word diff in prose and broken hunks', () => {
    expect(findDiffs('--- a/x\n+++ b/x\nno hunk here\n')).toEqual([]);
    expect(findDiffs('@@ -1,2 +1,2 @@\n-a\n')).toEqual([]);
  });
  it('gives the same patch id whatever the line numbers', () => {
    const moved = PATCH.replace('@@ -1,3 +1,3 @@', '@@ -10,3 +10,3 @@');
    expect(patchId(findDiffs(moved)[0].files)).toBe(patchId(findDiffs(PATCH)[0].files));
  });
  it('handles new files and renames', () => {
    const t = 'diff --git a/x b/y\nsimilarity index 100%\nrename from x\nrename to y\ndiff --git a/n b/n\nnew file mode 100644\nindex 0000000..1111111\n--- /dev/null\n+++ b/n\n@@ -0,0 +1 @@\n+hi\n';
    const [block] = findDiffs(t);
    expect(block.files.map((f) => [f.kind, f.oldPath, f.newPath])).toEqual([['rename', 'x', 'y'], ['add', null, 'n']]);
  });
});

describeCorpus('diffs in corpus mail', () => {
  it('finds every file of the git rename and binary fixtures', async () => {
    const [mail] = await loadMails('patchwork-mail/mail/0026-git-add-mixed-binary-text-files.mbox');
    const files = findDiffs(ownText(mail.body)).flatMap((b) => b.files);
    expect(files.some((f) => f.binary)).toBe(true);
    expect(files.some((f) => !f.binary)).toBe(true);
  });
});
