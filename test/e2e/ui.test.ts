/**
 * The web UI in a real browser: Debian's Chromium driven by playwright-core (never a downloaded
 * browser), against `next start` on a throwaway database holding the seed fixture and a hostile
 * series whose subject, author and body carry markup. Screenshots go to test-output/screenshots/.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresAvailable, type TestDatabase } from '../helpers/db.ts';
import { importFiles } from '../../ingest/import-files.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
];
const SHOTS = 'test-output/screenshots';
const NEXT_BIN = 'node_modules/next/dist/bin/next';

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI === 'true') {
  throw new Error(`CI=true but ${CHROMIUM} is missing: apt-get install -y chromium (never a downloaded browser).`);
}
const describeUi: typeof describe =
  haveChromium && postgresAvailable
    ? describe
    : (((name: string, fn: () => void) => {
        console.warn(`skipping "${name}": ${haveChromium ? 'no PostgreSQL' : `no browser at ${CHROMIUM} (apt-get install -y chromium)`}`);
        return describe.skip(name, fn);
      }) as typeof describe);

// ---------------------------------------------------------------- hostile mail

const XSS = {
  subject: '<script>alert("xss-subject")</script><img src=x onerror=alert(1)>',
  name: '<img src=x onerror=alert(2)>',
  body: '<script>alert("xss-body")</script> and <img src=x onerror=alert(3)> and <a href="javascript:alert(4)">click</a>',
};

function hostileMbox(): string {
  const cover = [
    'From mboxrd@z Thu Jan  1 00:00:00 1970',
    `From: "${XSS.name}" <evil@example.com>`,
    `Subject: [PATCH 0/1] ${XSS.subject}`,
    'Date: Mon, 1 Jan 2024 10:00:00 +0000',
    'Message-ID: <xss-0@example.com>',
    'Content-Type: text/plain; charset=utf-8',
    '',
    XSS.body,
    '',
  ];
  const patch = [
    'From mboxrd@z Thu Jan  1 00:00:00 1970',
    `From: "${XSS.name}" <evil@example.com>`,
    `Subject: [PATCH 1/1] ${XSS.subject}`,
    'Date: Mon, 1 Jan 2024 10:00:01 +0000',
    'Message-ID: <xss-1@example.com>',
    'In-Reply-To: <xss-0@example.com>',
    'References: <xss-0@example.com>',
    'Content-Type: text/plain; charset=utf-8',
    '',
    XSS.body,
    '',
    'Signed-off-by: Evil <evil@example.com>',
    '---',
    ' evil.c | 1 +',
    ' 1 file changed, 1 insertion(+)',
    '',
    'diff --git a/evil.c b/evil.c',
    'index 1111111..2222222 100644',
    '--- a/evil.c',
    '+++ b/evil.c',
    '@@ -1,1 +1,2 @@',
    ' int x;',
    '+/* <script>alert("xss-diff")</script><img src=x onerror=alert(5)> */',
    '',
  ];
  return [...cover, ...patch].join('\n');
}

// ---------------------------------------------------------------- the server

/** The newest modification time under a path (files only). */
function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = 0;
  for (const entry of readdirSync(path)) max = Math.max(max, newest(join(path, entry)));
  return max;
}

/** Build when there is no build, or when the app's sources changed since the last one. */
function ensureBuild() {
  const id = '.next/BUILD_ID';
  const sources = Math.max(newest('app'), newest('lib'), newest('proxy.ts'), newest('next.config.js'), newest('instrumentation.ts'));
  if (existsSync(id) && statSync(id).mtimeMs >= sources) return;
  const r = spawnSync(process.execPath, [NEXT_BIN, 'build'], { env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' }, encoding: 'utf8', timeout: 280_000 });
  if (r.status !== 0) throw new Error(`next build failed:\n${r.stdout}\n${r.stderr}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function waitForHealth(base: string, server: ChildProcess, log: () => string) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`next start exited with ${server.exitCode}:\n${log()}`);
    try {
      const res = await fetch(`${base}/api/health`);
      if (res.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`next start did not answer within 60 s:\n${log()}`);
}

// ---------------------------------------------------------------- the tests

describeUi('web UI in Chromium', () => {
  let t: TestDatabase;
  let server: ChildProcess;
  let browser: Browser;
  let context: BrowserContext;
  let base: string;
  let v1: number;
  let mailDir: string;
  let serverLog = '';
  const problems: string[] = [];

  /** A page that records script errors, CSP violations and dialogs (none may happen). */
  async function open(path: string, ctx: BrowserContext = context): Promise<Page> {
    const page = await ctx.newPage();
    page.on('pageerror', (e) => problems.push(`pageerror on ${path}: ${e.message}`));
    page.on('console', (m) => {
      // The app has no favicon; everything else that logs an error is a problem.
      if (m.type() === 'error' && !/favicon|status of 404/.test(m.text())) problems.push(`console on ${path}: ${m.text()}`);
    });
    page.on('dialog', async (d) => {
      problems.push(`dialog on ${path}: ${d.message()}`);
      await d.dismiss();
    });
    await page.goto(base + path, { waitUntil: 'networkidle' });
    return page;
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ensureBuild();
    t = await createTestDatabase();
    mailDir = mkdtempSync(join(tmpdir(), 'patchloom-e2e-'));
    writeFileSync(join(mailDir, 'hostile.mbox'), hostileMbox());
    await importFiles(t.sql, ['test/fixtures/seed', mailDir]);
    [{ id: v1 }] = await t.sql<{ id: number }[]>`select id from series where version = 1 and title like 'use struct pt_regs%'`;

    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, [NEXT_BIN, 'start', '-p', String(port), '-H', '127.0.0.1'], {
      env: { ...process.env, DATABASE_URL: t.url, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout?.on('data', (d: Buffer) => (serverLog += d.toString()));
    server.stderr?.on('data', (d: Buffer) => (serverLog += d.toString()));
    await waitForHealth(base, server, () => serverLog);

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
    rmSync(mailDir, { recursive: true, force: true });
    await t?.drop();
  });

  it('lists the series, filters them through the URL, and opens one from the keyboard', async () => {
    const page = await open('/');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(3);
    await expect.poll(() => page.getByRole('link', { name: /use struct pt_regs based syscall calling for x86-64/ }).count()).toBe(2);
    await shot(page, 'series-list');

    await page.getByLabel('Status').selectOption('superseded');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/status=superseded/);
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    expect(await page.locator('tbody').innerText()).toContain('v1');
    await shot(page, 'series-list-filtered');

    // j focuses the first row's link, Enter opens it.
    await page.locator('body').press('j');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('href'))).toBe(`/series/${v1}`);
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/series/${v1}$`));
    await page.close();
  });

  it('shows v1 with the fixup for patch 8/8, both breakages, and the version chain', async () => {
    const page = await open(`/series/${v1}`);
    const fixups = page.locator('section[aria-labelledby="fixups"]');
    expect(await fixups.innerText()).toContain('syscalls/x86: fix UML syscall table');
    expect(await fixups.getByRole('link', { name: 'patch 8/8' }).count()).toBe(1);
    const breakages = page.locator('section[aria-labelledby="breakages"]');
    const text = await breakages.innerText();
    expect(text).toContain("No rule to make target 'archheaders'");
    expect(text).toContain("dereferencing pointer to incomplete type 'struct ucontext'");
    expect(text).toContain('38c23685b273');
    expect(await page.getByRole('navigation', { name: 'Versions' }).innerText()).toMatch(/v1\s*→\s*v2/);
    // Diff lines are colored by kind.
    const added = page.locator('#patch-8 span.bg-green-50').first();
    expect(await added.innerText()).toMatch(/^\+/);
    await shot(page, 'series-v1');
    await page.close();
  });

  it('loads a reply and the timeline only when they are opened', async () => {
    const page = await open(`/series/${v1}`);
    const fixupReply = '20180405204102.GA7395@light.dominikbrodowski.net';
    const thread = page.locator('section[aria-labelledby="thread"]');
    const reply = thread.locator('li').filter({ has: page.locator(`a[href="/m/${encodeURIComponent(fixupReply)}"]`) });
    // One line per reply until it is opened; then its text, fetched, with the diff colored.
    expect(await reply.innerText()).not.toContain('could be folded with patch 8/8');
    // The line's left end (the marker): its subject is a link to the message page.
    await reply.locator('summary').first().click({ position: { x: 3, y: 8 } });
    await expect.poll(() => reply.innerText()).toContain('could be folded with patch 8/8');
    expect(await reply.locator('span.bg-green-50').count()).toBeGreaterThan(0);
    const timeline = page.locator('section[aria-labelledby="timeline"]');
    expect(await timeline.innerText()).not.toContain('posted');
    await timeline.locator('summary').click();
    await expect.poll(() => timeline.innerText()).toContain('v1 posted: 8 patches');
    await shot(page, 'series-v1-opened');
    await page.close();
  });

  it('follows a breakage to its page and to the search for similar failures', async () => {
    const page = await open(`/series/${v1}`);
    await page.getByRole('link', { name: "No rule to make target 'archheaders'" }).click();
    await page.waitForURL(/\/breakages\/\d+$/);
    expect(await page.locator('main').innerText()).toContain('make-no-rule');
    await shot(page, 'breakage');
    await page.getByRole('link', { name: 'Search similar failures' }).click();
    await page.waitForURL(/\/breakages\?q=archheaders/);
    expect(await page.getByLabel('Search error, symbol, file').inputValue()).toBe('archheaders');
    expect(await page.locator('main li').count()).toBe(1);
    await shot(page, 'breakages-search');

    const phrase = await open(`/breakages?q=${encodeURIComponent('"incomplete type"')}`);
    expect(await phrase.locator('main li').innerText()).toContain('struct ucontext');
    await page.close();
    await phrase.close();
  });

  it('downloads the series as an mbox', async () => {
    const page = await open(`/series/${v1}`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /mbox with fixups/ }).click()]);
    expect(download.suggestedFilename()).toBe('v1-use_struct_pt_regs_based_syscall_calling_for_x86-64-autosquash.mbox');
    const file = await download.path();
    const mbox = readFileSync(file, 'utf8');
    expect(mbox.match(/^Subject: \[PATCH \d\/8\]/gm)).toHaveLength(8);
    expect(mbox).toContain('Reviewed-by: Andy Lutomirski <luto@kernel.org>');
    await page.close();
  });

  it('renders the other pages, at desktop and phone width, light and dark', async () => {
    for (const [path, name, expected] of [
      ['/fixups?state=', 'fixups', 'fix UML syscall table'],
      ['/syscalls?q=__x64_sys_mprotect', 'syscalls', '__sys_x86_mprotect'],
      ['/ingest', 'ingest', 'test/fixtures/seed'],
      [`/m/${encodeURIComponent('20180405204102.GA7395@light.dominikbrodowski.net')}`, 'message', 'could be folded with patch 8/8'],
      ['/messages', 'messages', 'Re: [PATCH 0/8]'],
    ] as const) {
      const page = await open(path);
      expect(await page.locator('main').innerText(), path).toContain(expected);
      await shot(page, name);
      await page.close();
    }
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, colorScheme: 'dark' });
    for (const [path, name] of [
      ['/', 'phone-series-list'],
      [`/series/${v1}`, 'phone-series-v1'],
    ] as const) {
      const page = await open(path, phone);
      // Nothing but preformatted text scrolls sideways.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, path).toBeLessThanOrEqual(1);
      await shot(page, name);
      await page.close();
    }
    await phone.close();
  });

  it('shows markup from mail as text: no script runs, no element is injected', async () => {
    const [{ id }] = await t.sql<{ id: number }[]>`select id from series where cover_message_id = 'xss-0@example.com'`;
    for (const path of ['/', `/series/${id}`, `/m/${encodeURIComponent('xss-1@example.com')}`, '/messages']) {
      const page = await open(path);
      const text = await page.locator('main').innerText();
      expect(text, path).toContain('<script>alert("xss-subject")</script>');
      expect(text, path).toContain('<img src=x onerror=alert(');
      const injected = await page.evaluate(() => ({
        images: document.querySelectorAll('img').length,
        // Next's own inline data scripts carry the text JSON-escaped; a payload script would be just the call.
        scripts: [...document.scripts].filter((s) => /^\s*alert\(/.test(s.textContent ?? '')).length,
        javascriptLinks: document.querySelectorAll('a[href^="javascript:"]').length,
      }));
      expect(injected, path).toEqual({ images: 0, scripts: 0, javascriptLinks: 0 });
      // And the served HTML carries the markup only escaped.
      const html = await (await fetch(base + path)).text();
      expect(html, path).not.toContain('<script>alert');
      expect(html, path).not.toMatch(/<img src=x/i);
      if (path.startsWith('/series/')) {
        expect(text).toContain('+/* <script>alert("xss-diff")</script>');
        expect(text).toContain('<img src=x onerror=alert(2)>');
        await shot(page, 'xss-series');
      }
      await page.close();
    }
  });

  it('logged no script error, CSP violation or dialog on any page', () => {
    expect(problems).toEqual([]);
  });
});
