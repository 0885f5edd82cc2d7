import { countMessages } from '../../../lib/db/queries/messages.ts';
import { handle } from '../../lib/http.ts';
import { sql } from '../../lib/database.ts';

export const dynamic = 'force-dynamic';

export async function GET() {
  return handle(async () => Response.json({ status: 'ok', messages: await countMessages(await sql()) }));
}
