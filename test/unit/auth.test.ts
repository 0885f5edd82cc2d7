import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bearerToken,
  clearedSessionCookie,
  csrfMatches,
  DUMMY_PASSWORD_HASH,
  hashPassword,
  isCrossOrigin,
  isHttps,
  isTokenShaped,
  newCsrfSecret,
  newToken,
  parseCookies,
  passwordProblem,
  safeEqual,
  safeRedirectPath,
  sessionCookie,
  tokenHash,
  userNameProblem,
  verifyPassword,
} from '../../lib/auth.ts';

/** Cheap parameters: the tests check the format and the comparison, not the cost. */
const FAST = { N: 1024, r: 8, p: 1 };

describe('password hashes', () => {
  it('hash with a random salt in a self-describing format and verify only the right password', async () => {
    const a = await hashPassword('correct horse battery staple', FAST);
    const b = await hashPassword('correct horse battery staple', FAST);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery staple', a)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', a)).toBe(false);
    expect(await verifyPassword('Correct horse battery staple', b)).toBe(false);
  });

  it('uses scrypt with N=2^15 by default', async () => {
    const h = await hashPassword('a default-cost password');
    expect(h.startsWith('scrypt$32768$8$1$')).toBe(true);
    expect(await verifyPassword('a default-cost password', h)).toBe(true);
  });

  it('treats canonically equal Unicode passwords alike (NFC)', async () => {
    const h = await hashPassword('Dominik Brodowski: caf\u00e9', FAST);
    expect(await verifyPassword('Dominik Brodowski: cafe\u0301', h)).toBe(true);
  });

  it('rejects malformed or dangerous stored hashes without throwing', async () => {
    for (const stored of ['', 'plain', 'scrypt$1024$8$1$x$y', 'scrypt$1000$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', `scrypt$${2 ** 24}$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`, 'bcrypt$...']) {
      expect(await verifyPassword('whatever', stored)).toBe(false);
    }
    // The dummy hash parses (so an unknown user costs a real scrypt run) and matches nothing typed.
    expect(await verifyPassword('', DUMMY_PASSWORD_HASH)).toBe(false);
  });

  it('says what is wrong with a password or a user name', () => {
    expect(passwordProblem('short')).toBe('the password needs at least 8 characters');
    expect(passwordProblem('x'.repeat(1025))).toBe('the password may have at most 1024 characters');
    expect(passwordProblem('long enough')).toBeNull();
    expect(userNameProblem('alice')).toBeNull();
    expect(userNameProblem('mingo.kernel-org_1')).toBeNull();
    for (const bad of ['', '-alice', 'a b', 'root;drop', '../x', 'x'.repeat(65)]) expect(userNameProblem(bad)).not.toBeNull();
  });
});

describe('tokens and CSRF', () => {
  it('makes prefixed 256-bit tokens, stored as SHA-256 hex', () => {
    const s = newToken('session');
    const a = newToken('api');
    expect(s).toMatch(/^pls_[A-Za-z0-9_-]{43}$/);
    expect(a).toMatch(/^plt_[A-Za-z0-9_-]{43}$/);
    expect(isTokenShaped('api', a)).toBe(true);
    expect(isTokenShaped('api', s)).toBe(false);
    expect(newToken('api')).not.toBe(a);
    expect(tokenHash('plt_x')).toBe('aa17e199104573e9042892288a3187c91fb61293e917d7cf4b75897ad24060a2'); // sha256sum of "plt_x"
    expect(tokenHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenHash(a)).not.toBe(tokenHash(s));
  });

  it('checks the CSRF token exactly', () => {
    const secret = newCsrfSecret();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(csrfMatches(secret, secret)).toBe(true);
    expect(csrfMatches(secret, secret.slice(0, -1))).toBe(false);
    expect(csrfMatches(secret, `${secret}x`)).toBe(false);
    expect(csrfMatches(secret, null)).toBe(false);
    expect(csrfMatches(secret, '')).toBe(false);
    expect(csrfMatches('', '')).toBe(false);
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
  });
});

describe('headers', () => {
  it('reads bearer tokens and nothing else', () => {
    expect(bearerToken('Bearer plt_abc')).toBe('plt_abc');
    expect(bearerToken('bearer   plt_abc  ')).toBe('plt_abc');
    expect(bearerToken('Basic YWxpY2U6cHc=')).toBeNull();
    expect(bearerToken('Bearer')).toBeNull();
    expect(bearerToken('Bearer a b')).toBeNull();
    expect(bearerToken(null)).toBeNull();
    expect(bearerToken(`Bearer ${'x'.repeat(600)}`)).toBeNull();
  });

  it('parses cookies; the first of a repeated name wins', () => {
    const c = parseCookies('theme=dark; patchloom_session=pls_abc; patchloom_session=pls_evil; quoted="v"; junk; =x');
    expect(c.get('patchloom_session')).toBe('pls_abc');
    expect(c.get('theme')).toBe('dark');
    expect(c.get('quoted')).toBe('v');
    expect(c.has('junk')).toBe(false);
    expect(parseCookies(undefined).size).toBe(0);
  });

  it('writes the session cookie HttpOnly, SameSite=Strict, and Secure over https', () => {
    expect(sessionCookie('pls_t', { secure: false })).toBe('patchloom_session=pls_t; Path=/; Max-Age=1209600; HttpOnly; SameSite=Strict');
    expect(sessionCookie('pls_t', { secure: true })).toBe('patchloom_session=pls_t; Path=/; Max-Age=1209600; HttpOnly; SameSite=Strict; Secure');
    expect(clearedSessionCookie({ secure: true })).toBe('patchloom_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict; Secure');
    expect(isHttps('https://x/', null)).toBe(true);
    expect(isHttps('http://x/', 'https')).toBe(true);
    expect(isHttps('http://x/', 'http, https')).toBe(false);
    expect(isHttps('http://x/', null)).toBe(false);
  });

  it('only redirects to paths of this site', () => {
    expect(safeRedirectPath('/series/12?x=1#f')).toBe('/series/12?x=1#f');
    for (const bad of ['//evil.example', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)', 'series/1', '/a\nb', '']) {
      expect(safeRedirectPath(bad, '/home')).toBe('/home');
    }
  });

  it('tells cross-site requests by Origin', () => {
    expect(isCrossOrigin('https://evil.example', 'http://localhost:3000/api/session')).toBe(true);
    expect(isCrossOrigin('http://localhost:3000', 'http://localhost:3000/api/session')).toBe(false);
    expect(isCrossOrigin(null, 'http://localhost:3000/api/session')).toBe(false);
    expect(isCrossOrigin('null', 'http://localhost:3000/api/session')).toBe(true);
    expect(isCrossOrigin('https://patchloom.example', 'http://127.0.0.1:3000/api/session', 'patchloom.example')).toBe(false);
  });
});

describe('hostile headers', () => {
  it('never throw and return well-formed values on random and mutated input', () => {
    const real = 'theme=dark; patchloom_session=pls_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';
    const mutated = fc.tuple(fc.nat(real.length), fc.string({ maxLength: 8 })).map(([i, s]) => real.slice(0, i) + s + real.slice(i));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), mutated), (s) => {
        const c = parseCookies(s);
        for (const [k, v] of c) expect(typeof k === 'string' && k.length > 0 && typeof v === 'string').toBe(true);
        const b = bearerToken(s);
        expect(b === null || (b.length > 0 && !/\s/.test(b))).toBe(true);
        const r = safeRedirectPath(s, '/');
        expect(r === '/' || (r.startsWith('/') && !r.startsWith('//') && !r.includes('\\'))).toBe(true);
        expect(typeof isCrossOrigin(s, 'http://localhost/')).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });

  it('handles a 5 MB header quickly', () => {
    const huge = `a=${'x'.repeat(5 * 1024 * 1024)}; ${'b=1; '.repeat(100_000)}`;
    const started = performance.now();
    parseCookies(huge);
    bearerToken(`Bearer ${huge}`);
    safeRedirectPath(`/${huge}`);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
