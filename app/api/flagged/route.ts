import { flaggedMessages } from '../../../lib/db/queries/messages.ts';
import { handle } from '../../lib/http.ts';
import { sql } from '../../lib/database.ts';

export const dynamic = 'force-dynamic';

/** Messages stored but flagged (no Message-ID, conflicting copies, unreadable, too large), each with its reasons. */
export async function GET() {
  return handle(async () => Response.json({ flagged: await flaggedMessages(await sql()) }));
}
