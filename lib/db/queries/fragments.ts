/** Building WHERE clauses from postgres.js fragments: every value stays a bound parameter. */
import type { Fragment, Sql } from 'postgres';

/** The conjunction of conditions; `true` when there are none. */
export function allOf(sql: Sql, conditions: Fragment[]): Fragment {
  return conditions.reduce((acc, c) => sql`${acc} and ${c}`, sql`true`);
}
