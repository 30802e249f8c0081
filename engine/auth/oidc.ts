/**
 * Sign-in with the company's identity provider (R35, optional): OpenID Connect authorization code
 * flow with PKCE, state and nonce, through openid-client (maintained, certified). The provider
 * proves who someone is; Loopdesk still decides what they may do: the claim named by
 * LOOPDESK_OIDC_USERNAME_CLAIM must match an active local account, whose roles, teams and
 * departments an admin set. Nobody gets an account just by having one at the provider.
 *
 * The login's state, PKCE verifier and nonce wait in the database (`oidc_logins`) rather than in
 * this process, so the callback may land on any node behind the load balancer; each is used once
 * and lives ten minutes.
 */
import * as client from 'openid-client';
import type { Db } from '../store/db.ts';
import { findUserByName, type UserRecord } from './users.ts';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  /** Where the provider sends the browser back: this server's /api/auth/oidc/callback. */
  redirectUri: string;
  /** The ID token claim holding the Loopdesk user name (preferred_username, email, sub…). */
  usernameClaim: string;
  scope: string;
}

const LOGIN_TTL_MS = 10 * 60 * 1000;

/** The settings from LOOPDESK_OIDC_*; undefined (OIDC off) unless issuer and client id are set. */
export function oidcSettingsFromEnv(env: NodeJS.ProcessEnv): OidcSettings | undefined {
  const issuer = env.LOOPDESK_OIDC_ISSUER;
  const clientId = env.LOOPDESK_OIDC_CLIENT_ID;
  if (!issuer || !clientId) return undefined;
  const redirectUri = env.LOOPDESK_OIDC_REDIRECT_URI;
  if (!redirectUri) throw new Error('LOOPDESK_OIDC_REDIRECT_URI is required with LOOPDESK_OIDC_ISSUER (https://loopdesk.example.com/api/auth/oidc/callback)');
  return {
    issuer,
    clientId,
    clientSecret: env.LOOPDESK_OIDC_CLIENT_SECRET || undefined,
    redirectUri,
    usernameClaim: env.LOOPDESK_OIDC_USERNAME_CLAIM || 'preferred_username',
    scope: env.LOOPDESK_OIDC_SCOPE || 'openid profile email',
  };
}

/** Why a sign-in did not work, as the login screen names it (never the provider's raw text). */
export type OidcFailure = 'expired' | 'denied' | 'unknown-user' | 'failed';

export class OidcLoginError extends Error {
  constructor(
    readonly reason: OidcFailure,
    detail: string,
  ) {
    super(detail);
  }
}

export class OidcLogin {
  private configuration: Promise<client.Configuration> | undefined;

  constructor(
    private readonly settings: OidcSettings,
    private readonly db: Db,
  ) {}

  /** The provider's metadata, fetched on first use; a failed fetch is retried on the next login. */
  private config(): Promise<client.Configuration> {
    if (!this.configuration) {
      const issuer = new URL(this.settings.issuer);
      // Plain http only for a provider on this machine (development, tests); anything else must be https.
      const local = issuer.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
      this.configuration = client
        .discovery(issuer, this.settings.clientId, this.settings.clientSecret, undefined, local ? { execute: [client.allowInsecureRequests] } : undefined)
        .catch((err: unknown) => {
          this.configuration = undefined;
          throw err;
        });
    }
    return this.configuration;
  }

  /** Starts a sign-in: stores state, verifier and nonce, and answers the provider URL to send the browser to. */
  async start(now: number): Promise<string> {
    const config = await this.config();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const verifier = client.randomPKCECodeVerifier();
    await this.db.run('DELETE FROM oidc_logins WHERE created_at < ?', [now - LOGIN_TTL_MS]);
    await this.db.run('INSERT INTO oidc_logins (state, code_verifier, nonce, created_at) VALUES (?, ?, ?, ?)', [state, verifier, nonce, now]);
    return client
      .buildAuthorizationUrl(config, {
        redirect_uri: this.settings.redirectUri,
        scope: this.settings.scope,
        state,
        nonce,
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      })
      .toString();
  }

  /** Finishes a sign-in from the callback's query string: the local user it proves, or OidcLoginError. */
  async finish(search: URLSearchParams, now: number): Promise<UserRecord> {
    if (search.get('error')) throw new OidcLoginError('denied', `provider answered ${search.get('error')}`);
    const state = search.get('state') ?? '';
    const pending = await this.db.get<{ code_verifier: string; nonce: string; created_at: number }>(
      'SELECT code_verifier, nonce, created_at FROM oidc_logins WHERE state = ?',
      [state],
    );
    // Used once: a replayed callback finds nothing.
    const taken = pending ? await this.db.run('DELETE FROM oidc_logins WHERE state = ?', [state]) : 0;
    if (!pending || taken !== 1 || Number(pending.created_at) < now - LOGIN_TTL_MS) throw new OidcLoginError('expired', 'unknown or expired login state');
    const callback = new URL(this.settings.redirectUri);
    callback.search = search.toString();
    let claims: client.IDToken | undefined;
    try {
      const tokens = await client.authorizationCodeGrant(await this.config(), callback, {
        pkceCodeVerifier: pending.code_verifier,
        expectedState: state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims();
    } catch (err) {
      throw new OidcLoginError('failed', `token exchange failed: ${(err as Error).message}`);
    }
    const username = claims?.[this.settings.usernameClaim];
    if (typeof username !== 'string' || !username) throw new OidcLoginError('unknown-user', `the ID token has no ${this.settings.usernameClaim} claim`);
    const user = await findUserByName(this.db, username);
    if (!user?.active) throw new OidcLoginError('unknown-user', `no active Loopdesk account named ${username}`);
    return user;
  }
}
