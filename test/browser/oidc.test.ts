/**
 * R35: sign-in with the company's identity provider. A real OpenID Connect provider (oidc-provider,
 * panva's certified implementation, with its development login pages) runs on this machine; a real
 * chromium signs in through it. The provider proves who someone is; only people with an active
 * Loopdesk account get in, the token reaches the app in the URL fragment and leaves the address
 * bar at once, and a replayed callback is refused. A server without OIDC says so and has no routes.
 */
import { createServer, type Server } from 'node:http';
import Provider from 'oidc-provider';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { within } from '../helpers/bounded.ts';
import { freePort } from '../helpers/processes.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { assertChromium, launchChromium, rememberEnv } from './chromium.ts';
import { buildRuntimeUi } from './runtime-ui/build.ts';


let s: TestServer;
let plain: TestServer;
let idp: Server;
let browser: Browser;
const problems: string[] = [];
const restoreEnv = rememberEnv('LOOPDESK_UI_DIR', 'LOOPDESK_MAX_EVENT_LOOP_DELAY_MS');

let setupError: unknown;
beforeAll(async () => {
  try {
    assertChromium();
    const built = await buildRuntimeUi();
    process.env.LOOPDESK_UI_DIR = built.dir;
    process.env.LOOPDESK_MAX_EVENT_LOOP_DELAY_MS = '60000';
    const idpPort = await freePort();
    const loopdeskPort = await freePort();
    const issuer = `http://127.0.0.1:${idpPort}`;
    const callback = `http://127.0.0.1:${loopdeskPort}/api/auth/oidc/callback`;
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: 'loopdesk',
          client_secret: 'loopdesk-test-secret',
          redirect_uris: [callback],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_post',
        },
      ],
      // The development login page accepts any name; the account's user name claim is that name.
      findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id, preferred_username: id }) }),
      claims: { openid: ['sub'], profile: ['preferred_username'] },
      // Put the profile claims in the ID token, which is what Loopdesk reads.
      conformIdTokenClaims: false,
      pkce: { required: () => true },
      ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
    });
    idp = createServer(provider.callback());
    await new Promise<void>((done) => idp.listen(idpPort, '127.0.0.1', done));
    s = await startTestServer('sqlite', {
      port: loopdeskPort,
      env: {
        LOOPDESK_OIDC_ISSUER: issuer,
        LOOPDESK_OIDC_CLIENT_ID: 'loopdesk',
        LOOPDESK_OIDC_CLIENT_SECRET: 'loopdesk-test-secret',
        LOOPDESK_OIDC_REDIRECT_URI: callback,
      },
    });
    await s.user('sun', { teams: ['desk'] });
    plain = await startTestServer('sqlite');
    browser = await launchChromium();
  } catch (error) {
    setupError = error;
  }
}, 120_000);

afterAll(async () => {
  await within('closing chromium', browser?.close());
  await within('closing the servers', Promise.all([s?.close(), plain?.close()]));
  await new Promise((done) => (idp ? idp.close(done) : done(undefined)));
  restoreEnv();
});

async function newPage(who: string): Promise<Page> {
  const page = await (await browser.newContext({ locale: 'zh-CN' })).newPage();
  page.on('pageerror', (e) => problems.push(`${who} pageerror: ${e.message}`));
  return page;
}

/** Goes through the provider's development login and consent pages as `login`. */
async function signInAtProvider(page: Page, login: string): Promise<void> {
  await page.goto(`${s.url}/inbox`);
  await page.getByTestId('oidc-login').click();
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('anything');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
}

describe('R35: sign-in through an OpenID Connect provider', () => {
  it('R35: a person with a Loopdesk account signs in at the provider and lands in the inbox; the callback cannot be replayed', async () => {
    if (setupError) throw setupError;
    const page = await newPage('sun');
    const callbacks: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/auth/oidc/callback')) callbacks.push(r.url());
    });
    await signInAtProvider(page, 'sun');
    await page.getByRole('heading', { name: '我的待办' }).waitFor();
    // The token was taken from the fragment and is gone from the address bar.
    expect(new URL(page.url()).hash).toBe('');
    const token = await page.evaluate(() => Object.values(sessionStorage).find((v) => v.length > 30));
    const me = await s.api('GET', '/api/auth/me', { token });
    expect(me.body.username).toBe('sun');
    const trail = await s.api('GET', '/api/audit?entityType=user', { token: s.adminToken });
    expect(trail.body.some((a: { action: string; actor: string }) => a.action === 'auth.oidc-login' && a.actor === 'sun')).toBe(true);

    // The same callback again (a leaked URL, a reload): its state was used once and is gone.
    expect(callbacks).toHaveLength(1);
    const replay = await fetch(callbacks[0]!, { redirect: 'manual' });
    expect(replay.status).toBe(302);
    expect(replay.headers.get('location')).toBe('/inbox?oidcError=expired');
    expect(problems).toEqual([]);
  }, 90_000);

  it('R35: someone the provider knows but Loopdesk does not is not let in, and is told why', async () => {
    if (setupError) throw setupError;
    const page = await newPage('stranger');
    await signInAtProvider(page, 'stranger');
    await page.getByTestId('oidc-error').waitFor();
    expect(new URL(page.url()).searchParams.get('oidcError')).toBe('unknown-user');
    expect(await page.getByTestId('oidc-error').textContent()).toContain('没有对应的 Loopdesk 用户');
    expect(await page.getByRole('heading', { name: '我的待办' }).count()).toBe(0);
    expect(problems).toEqual([]);
  }, 90_000);

  it('R35: a callback with a made-up state is refused; a server without OIDC has no button and no routes', async () => {
    if (setupError) throw setupError;
    const forged = await fetch(`${s.url}/api/auth/oidc/callback?code=abc&state=forged`, { redirect: 'manual' });
    expect(forged.headers.get('location')).toBe('/inbox?oidcError=expired');
    expect((await plain.api('GET', '/api/auth/oidc')).body).toEqual({ enabled: false });
    const start = await fetch(`${plain.url}/api/auth/oidc/start`, { redirect: 'manual' });
    expect(start.status).toBe(404);
    const page = await newPage('plain');
    await page.goto(`${plain.url}/inbox`);
    await page.getByLabel('用户名').waitFor();
    expect(await page.getByTestId('oidc-login').count()).toBe(0);
  }, 60_000);
});
