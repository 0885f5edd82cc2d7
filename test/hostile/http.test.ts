/**
 * The real server (`next start`) against a throwaway database: security headers on pages and
 * API answers (a per-request nonce CSP that forbids inline script, nosniff, frame-ancestors),
 * mail content that tries to script the page, safe Content-Disposition names for raw
 * downloads of hostile Message-IDs, and malformed URLs. Builds first if there is no build.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeDb, type TestDatabase } from '../helpers/db.ts';
import { importFiles } from '../../ingest/import-files.ts';
import { createLedger, freePort, mailText, pidAlive, ROOT, scratchDir, storedForm, waitFor, withEnv } from './helpers.ts';

const ledger = createLedger(import.meta.filename);
afterAll(() => ledger.finish());

const NEXT = join(ROOT, 'node_modules/next/dist/bin/next');

/** Message-IDs that a careless Content-Disposition would turn into header injection or a path. */
const HOSTILE_IDS = [
  'quo"te"s@patchloom.test',
  '..\\..\\windows\\win.ini@patchloom.test',
  '../../etc/passwd@patchloom.test',
  '.hidden;filename=evil.exe@patchloom.test',
  'ünïcødé-✓-😀@patchloom.test',
  '%0d%0aSet-Cookie:x=1@patchloom.test',
  `${'long'.repeat(200)}@patchloom.test`,
];
const XSS = {
  id: 'xss@patchloom.test',
  subject: `<script>alert('subject')</script><img src=x onerror=alert(1)>`,
  from: `"<svg onload=alert('from')>" <evil@patchloom.test>`,
  body: `<script>alert('body')</script>\n<a href="javascript:alert(1)">click</a>\n]]><!--\n`,
};

function newerThan(path: string, ms: number): string[] {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs > ms ? [path] : [];
  return readdirSync(path).flatMap((n) => newerThan(join(path, n), ms));
}

describeDb('the running server', () => {
  let t: TestDatabase;
  let server: ChildProcess;
  let base: string;
  let log = '';
  let dir: string;

  beforeAll(async () => {
    if (!existsSync(join(ROOT, '.next', 'BUILD_ID'))) {
      const built = spawnSync(process.execPath, [NEXT, 'build'], { cwd: ROOT, env: withEnv({}), encoding: 'utf8', timeout: 900_000 });
      if (built.status !== 0) throw new Error(`next build failed: ${built.stdout.slice(-2000)}${built.stderr.slice(-2000)}`);
    }
    const built = statSync(join(ROOT, '.next', 'BUILD_ID')).mtimeMs;
    const newer = ['app', 'lib', 'proxy.ts', 'next.config.js'].flatMap((p) => newerThan(join(ROOT, p), built));
    if (newer.length) console.warn(`note: .next was built before ${newer.length} source files changed (e.g. ${newer[0]}); this tests the build, so run \`next build\` to test the current tree`);
    t = await createTestDatabase();
    dir = scratchDir('http');
    HOSTILE_IDS.forEach((id, i) => writeFileSync(join(dir, `id-${i}.eml`), mailText({ id, subject: `hostile id ${i}` })));
    writeFileSync(
      join(dir, 'xss.eml'),
      mailText({
        id: XSS.id,
        subject: XSS.subject,
        from: XSS.from,
        headers: ['MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary=b'],
        body: `--b\nContent-Type: text/plain\n\n${XSS.body}\n--b\nContent-Type: text/plain\nContent-Disposition: attachment; filename="\\"><script>alert(2)</script>.txt"\n\nhi\n--b--\n`,
      }),
    );
    await importFiles(t.sql, [join(ROOT, 'test/fixtures/seed'), dir]);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // Through bin/web.js, as `patchloom serve` runs it: two Next.js servers sharing the port.
    server = spawn(process.execPath, [join(ROOT, 'bin/web.js'), '-p', String(port), '-H', '127.0.0.1'], {
      cwd: ROOT,
      env: withEnv({ DATABASE_URL: t.url, PORT: String(port), PATCHLOOM_WEB_WORKERS: '2' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    server.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    await waitFor(
      'next start to answer /api/health',
      async () => {
        if (server.exitCode !== null) throw new Error(`next start exited: ${log}`);
        return (await fetch(`${base}/api/health`).catch(() => null))?.ok === true;
      },
      180_000,
      250,
    );
  }, 1_200_000);

  afterAll(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
    await t?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const csp = (res: Response) => Object.fromEntries((res.headers.get('content-security-policy') ?? '').split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));

  it('serves pages with a per-request nonce CSP that forbids inline script, nosniff, and no framing', async () => {
    const [a, b] = await Promise.all([fetch(`${base}/`), fetch(`${base}/`)]);
    expect(a.status).toBe(200);
    const policy = csp(a);
    const nonce = policy['script-src']?.find((s: string) => s.startsWith("'nonce-"))?.slice(7, -1);
    expect(nonce).toMatch(/^[A-Za-z0-9+/=]{16,}$/);
    expect(policy['script-src']).not.toContain("'unsafe-inline'");
    expect(policy['script-src']).not.toContain("'unsafe-eval'");
    expect(policy['frame-ancestors']).toEqual(["'none'"]);
    expect(policy['object-src']).toEqual(["'none'"]);
    expect(policy['base-uri']).toEqual(["'self'"]);
    expect(csp(b)['script-src']).not.toContain(`'nonce-${nonce}'`); // fresh per request
    expect(a.headers.get('x-content-type-options')).toBe('nosniff');
    expect(a.headers.get('x-frame-options')).toBe('DENY');
    // Every script the page carries is Next's own and carries the nonce; nothing else could run.
    const html = await a.text();
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const s of scripts) expect(s).toContain(`nonce="${nonce}"`);
  });

  it('gives API answers the strictest policy', async () => {
    for (const path of ['/api/health', '/api/series', `/api/messages/${encodeURIComponent(XSS.id)}`]) {
      const res = await fetch(`${base}${path}`);
      expect([path, res.status]).toEqual([path, 200]);
      expect(csp(res)['default-src']).toEqual(["'none'"]);
      expect(csp(res)['frame-ancestors']).toEqual(["'none'"]);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('shows mail that tries to script the page as text', async () => {
    const res = await fetch(`${base}/m/${encodeURIComponent(XSS.id)}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const bad of ["<script>alert('subject')", '<img src=x onerror', "<svg onload=alert('from')>", "<script>alert('body')", 'href="javascript:', '<script>alert(2)']) {
      expect([bad, html.includes(bad)]).toEqual([bad, false]);
    }
    expect(html).toContain('&lt;script&gt;alert(&#x27;subject&#x27;)&lt;/script&gt;');
    for (const s of [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0])) expect(s).toMatch(/nonce="/);
    const list = await (await fetch(`${base}/messages`)).text();
    expect(list.includes("<script>alert('subject')")).toBe(false);
    ledger.input('script in subject, From, body and attachment name (pages)', { crashed: false, lost: false });
  });

  it('names raw downloads safely, whatever the Message-ID holds, and serves the exact bytes', async () => {
    for (const [i, sent] of HOSTILE_IDS.entries()) {
      // Non-ASCII header bytes are read as Latin-1 by the parser (reported), so ask for the id as stored.
      const [{ id }] = await t.sql<{ id: string }[]>`select message_id as id from messages where subject = ${`hostile id ${i}`}`;
      const res = await fetch(`${base}/api/messages/${encodeURIComponent(id)}/raw`);
      expect([id, res.status]).toEqual([id, 200]);
      const cd = res.headers.get('content-disposition') ?? '';
      expect(cd).toMatch(/^inline; filename="[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}\.eml"$/);
      expect(res.headers.get('content-type')).toBe('message/rfc822');
      expect(res.headers.get('set-cookie')).toBeNull();
      expect(Buffer.from(await res.arrayBuffer()).equals(storedForm(mailText({ id: sent, subject: `hostile id ${i}` })))).toBe(true);
      ledger.input(`raw download of Message-ID ${JSON.stringify(sent).slice(0, 40)}`, { crashed: false, lost: false });
    }
  });

  it('answers malformed and hostile URLs without a 5xx or a stack trace', async () => {
    const paths = [
      '/api/messages/%00/raw',
      '/api/messages/%25/raw',
      '/api/messages/%2525%25/raw',
      '/api/messages/a%0d%0aSet-Cookie:%20x=1/raw',
      '/api/series?q=%',
      '/api/series?q=%ff%fe',
      "/api/series?q=%27%20OR%201%3D1%20--",
      '/api/series/1%20OR%201=1',
      '/api/series/..%2F..%2Fetc%2Fpasswd',
      '/api/no-such-route',
      '/m/%00',
      '/m/%25',
      `/m/${'x'.repeat(8000)}`,
      '/series/-1',
      '/series/99999999999999999999',
    ];
    const bad: string[] = [];
    for (const p of paths) {
      const res = await fetch(`${base}${p}`);
      const text = await res.text();
      if (res.status >= 500) bad.push(`${p} → ${res.status}`);
      if (/\bat [^\s()]+ \([^)]*:\d+:\d+\)|node_modules\//.test(text)) bad.push(`${p} leaks a stack trace`);
      if (res.headers.get('set-cookie')) bad.push(`${p} set a cookie`);
    }
    ledger.input(`malformed URLs through next start (${paths.length})`, { crashed: bad.length > 0, lost: false });
    expect(bad).toEqual([]);
  });

  // Known Next.js bug (vercel/next.js#92527, fix proposed in #92557): a dynamic segment with a
  // percent sequence that does not decode is a bare 500 in production, before any code of ours runs.
  it.fails('answers an undecodable percent sequence in a dynamic segment with a 4xx (upstream bug)', async () => {
    for (const p of ['/api/messages/%/raw', '/api/messages/%E0%A4%A/raw', '/m/%']) {
      const res = await fetch(`${base}${p}`);
      expect([p, res.status < 500]).toEqual([p, true]);
    }
  });

  it('serves from two processes sharing the port, and stops both on SIGTERM', async () => {
    const children = () => (spawnSync('pgrep', ['-P', String(server.pid)], { encoding: 'utf8' }).stdout.match(/\d+/g) ?? []).map(Number);
    const workers = children();
    expect(workers).toHaveLength(2);
    const answers = await Promise.all(Array.from({ length: 32 }, () => fetch(`${base}/api/health`).then((r) => r.status)));
    expect(new Set(answers)).toEqual(new Set([200]));
    server.kill('SIGTERM');
    await new Promise((r) => (server.exitCode !== null ? r(null) : server.once('exit', r)));
    await waitFor('both servers to exit', () => workers.every((pid) => !pidAlive(pid)), 15_000);
  });
});
