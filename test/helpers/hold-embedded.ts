// Opens the embedded database and holds it until SIGTERM: a stand-in for a long-running web server in tests.
import { openDatabase } from '../../lib/db/client.ts';

const database = await openDatabase();
process.stdout.write(`ready ${database.embedded?.port}\n`);
const timer = setInterval(() => {}, 1000);
process.on('SIGTERM', async () => {
  clearInterval(timer);
  await database.close();
  process.exit(0);
});
