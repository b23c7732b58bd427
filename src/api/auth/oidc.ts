import { isRole, type Role } from '../access/roles.ts';

/**
 * OpenID Connect login for enterprise SSO: the port. The adapter (oidc.client.ts, openid-client) does
 * discovery, authorization code + PKCE + state + nonce and ID token validation. The mapping from claims
 * to roles and teams is pure and lives here so that it is the same whatever the adapter. An SSO user whose
 * role can hear audio still needs TOTP unless the IdP asserts MFA (`amr` contains `mfa`/`otp`, R-SEC-1).
 */
export interface OidcClaims {
  readonly sub: string;
  readonly preferred_username?: string;
  readonly name?: string;
  readonly groups?: readonly string[];
  readonly amr?: readonly string[];
}

/** What the browser's login round trip must bring back unchanged (kept by the caller, never by the IdP). */
export interface OidcChecks {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
}

export interface OidcProvider {
  /** Fresh random state, nonce and PKCE verifier for one login attempt. */
  newChecks(): OidcChecks;
  /** The IdP URL to redirect the browser to (S256 challenge of the verifier, state, nonce). */
  authorizationUrl(checks: OidcChecks): Promise<string>;
  /**
   * Exchanges the code found in `callbackQuery` (the raw query string the IdP redirected with), checks
   * state, nonce and PKCE, validates the ID token, and returns its claims.
   */
  callback(callbackQuery: string, checks: OidcChecks): Promise<OidcClaims>;
}

/** `groups` claim values → roles and teams, e.g. `{ 'cc-supervisors': { role: 'supervisor' }, 'team-a': { team: 'teamA' } }`. */
export type ClaimMapping = Readonly<Record<string, { readonly role?: Role; readonly team?: string }>>;

export function mapClaims(
  claims: OidcClaims,
  mapping: ClaimMapping,
): { roles: Role[]; teams: string[]; mfa: boolean } {
  const roles = new Set<Role>();
  const teams = new Set<string>();
  for (const g of claims.groups ?? []) {
    const m = mapping[g];
    if (m?.role && isRole(m.role)) roles.add(m.role);
    if (m?.team) teams.add(m.team);
  }
  const mfa = (claims.amr ?? []).some((a) => a === 'mfa' || a === 'otp');
  return { roles: [...roles], teams: [...teams], mfa };
}
