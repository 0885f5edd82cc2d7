// Open the database (and apply migrations) when the server starts, not on the first request.
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { database } = await import('./app/lib/database.ts');
    await database();
  }
}
