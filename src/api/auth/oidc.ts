import { isRole, type Role } from '../access/roles.ts';

/**
 * OpenID Connect login for enterprise SSO: the port only. `openid-client` is not installed; an adapter
 * implementing `OidcProvider` (authorization code + PKCE) plugs in here. The mapping from claims to
 * roles and teams is pure and lives here so that it is the same whatever the adapter. An SSO user whose
 * role can hear audio still needs TOTP unless the IdP asserts MFA (`amr` contains `mfa`/`otp`, R-SEC-1).
 */
export interface OidcClaims {
  readonly sub: string;
  readonly preferred_username?: string;
  readonly groups?: readonly string[];
  readonly amr?: readonly string[];
}

export interface OidcProvider {
  /** The IdP URL to redirect the browser to, with state and PKCE verifier kept by the caller. */
  authorizationUrl(state: string, codeChallenge: string): Promise<string>;
  /** Exchanges the code, validates the ID token, returns its claims. */
  callback(code: string, codeVerifier: string): Promise<OidcClaims>;
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
