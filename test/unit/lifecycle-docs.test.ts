/** The precedence table in README.md is STATUS_PRECEDENCE, rendered: the docs cannot drift from the code. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { STATUS_PRECEDENCE } from '../../lib/status.ts';

function precedenceTable(): string {
  const rows = STATUS_PRECEDENCE.map((r, i) => `| ${i + 1} | \`${r.status}\` | ${r.when} | ${r.rationale} |`);
  return ['| # | status | when | why this rank |', '|---|---|---|---|', ...rows].join('\n');
}

it('README.md holds the precedence table exactly as STATUS_PRECEDENCE says, once', () => {
  const doc = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
  const table = precedenceTable();
  expect(doc).toContain(table);
  expect(doc.split('| # | status |').length - 1).toBe(1);
  expect(table.split('\n')).toHaveLength(STATUS_PRECEDENCE.length + 2);
});
