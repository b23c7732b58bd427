import * as oidc from 'openid-client';
import type { OidcChecks, OidcClaims, OidcProvider } from './oidc.ts';

export interface OidcClientOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly redirectUrl: string;
  /** Plain-HTTP issuers are refused unless this is set (tests against a loopback provider only). */
  readonly allowInsecureHttp?: boolean;
}

const SCOPE = 'openid profile groups';

function stringList(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * The openid-client v6 adapter of `OidcProvider`. Discovery runs once, lazily (the IdP may be down when
 * Ecoute starts; the first login retries it). `groups` and `preferred_username` are read from the ID
 * token, completed from the UserInfo endpoint when the IdP keeps them there; `amr` only ever comes from
 * the validated ID token, since it states how *this* authentication happened (R-SEC-1).
 */
export class OpenIdClient implements OidcProvider {
  private config: Promise<oidc.Configuration> | undefined;

  constructor(private readonly opts: OidcClientOptions) {}

  private configuration(): Promise<oidc.Configuration> {
    this.config ??= oidc
      .discovery(
        new URL(this.opts.issuer),
        this.opts.clientId,
        this.opts.clientSecret,
        undefined,
        this.opts.allowInsecureHttp ? { execute: [oidc.allowInsecureRequests] } : undefined,
      )
      .catch((e: unknown) => {
        this.config = undefined; // retry discovery on the next login instead of caching the failure
        throw e;
      });
    return this.config;
  }

  newChecks(): OidcChecks {
    return {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier: oidc.randomPKCECodeVerifier(),
    };
  }

  async authorizationUrl(checks: OidcChecks): Promise<string> {
    const config = await this.configuration();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.opts.redirectUrl,
      scope: SCOPE,
      state: checks.state,
      nonce: checks.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
    });
    return url.href;
  }

  async callback(callbackQuery: string, checks: OidcChecks): Promise<OidcClaims> {
    const config = await this.configuration();
    // The redirect_uri sent to the token endpoint must be the registered one, not whatever host the
    // request came in on (a reverse proxy rewrites it).
    const current = new URL(this.opts.redirectUrl);
    current.search = callbackQuery;
    const tokens = await oidc.authorizationCodeGrant(config, current, {
      pkceCodeVerifier: checks.codeVerifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      idTokenExpected: true,
    });
    const id = tokens.claims();
    if (!id) throw new Error('no ID token');
    let extra: Record<string, unknown> = {};
    if (stringList(id['groups']) === undefined && config.serverMetadata().userinfo_endpoint) {
      extra = await oidc.fetchUserInfo(config, tokens.access_token, id.sub);
    }
    const groups = stringList(id['groups']) ?? stringList(extra['groups']);
    const preferred = str(id['preferred_username']) ?? str(extra['preferred_username']);
    const name = str(id['name']) ?? str(extra['name']);
    const amr = stringList(id['amr']);
    return {
      sub: id.sub,
      ...(preferred ? { preferred_username: preferred } : {}),
      ...(name ? { name } : {}),
      ...(groups ? { groups } : {}),
      ...(amr ? { amr } : {}),
    };
  }
}
