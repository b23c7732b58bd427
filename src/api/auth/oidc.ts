import { isRole, type Role } from '../access/roles.ts';

/**
 * OpenID Connect login for enterprise SSO: the port. The adapter (oidc.client.ts, openid-client) does
 * discovery, authorization code + PKCE + state + nonce and ID token validation. The mapping from claims
 * to roles and teams, and the reading of `amr`, are pure and live here so that they are the same whatever
 * the adapter. An SSO user whose role can hear audio still needs Ecoute's TOTP unless the IdP asserts
 * multi-factor authentication in the signed ID token's `amr` in a way `oidc.mfaAmr` accepts (R-SEC-1).
 */
export interface OidcClaims {
  readonly sub: string;
  readonly preferred_username?: string;
  readonly name?: string;
  readonly groups?: readonly string[];
  /** RFC 8176 authentication method references; only ever from the validated ID token (oidc.client.ts). */
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

export function mapClaims(claims: OidcClaims, mapping: ClaimMapping): { roles: Role[]; teams: string[] } {
  const roles = new Set<Role>();
  const teams = new Set<string>();
  for (const g of claims.groups ?? []) {
    const m = mapping[g];
    if (m?.role && isRole(m.role)) roles.add(m.role);
    if (m?.team) teams.add(m.team);
  }
  return { roles: [...roles], teams: [...teams] };
}

/**
 * One accepted way for the IdP to state a second factor: `amr` values (RFC 8176 §2) that must ALL be
 * present, written joined by `+` in `oidc.mfaAmr` (`mfa`, `pwd+otp`, `hwk+pin`). Values are compared
 * exactly (RFC 8176 values are case-sensitive); IdP-specific values may be listed too.
 */
export type MfaRule = { readonly text: string; readonly all: readonly string[] };

const AMR_VALUE = /^[A-Za-z0-9_.:-]+$/;

/** Parses `oidc.mfaAmr`, or names the malformed entry (the configuration then fails at start). */
export function parseMfaRules(entries: readonly string[]): { rules: MfaRule[] } | { error: string } {
  const rules: MfaRule[] = [];
  for (const text of entries) {
    const all = text.split('+');
    if (!all.every((v) => AMR_VALUE.test(v))) return { error: `entry ${JSON.stringify(text)} is malformed` };
    rules.push({ text, all });
  }
  return { rules };
}

/**
 * R-SEC-1: whether this authentication, as the IdP's signed ID token describes it, counts as a second
 * factor. Returns the first accepted rule it satisfies (for the access log), undefined when none does;
 * with no rules (an empty `oidc.mfaAmr`) the IdP is never trusted and Ecoute's TOTP is always needed.
 */
export function assertedMfa(
  amr: readonly string[] | undefined,
  rules: readonly MfaRule[],
): string | undefined {
  if (!amr || amr.length === 0) return undefined;
  const present = new Set(amr);
  return rules.find((r) => r.all.every((v) => present.has(v)))?.text;
}

/** The weight (RFC 9110 §12.5.1 `q`) an `Accept` header gives to any of `types`; 0 when none is listed. */
function weightOf(accept: string, types: readonly string[]): number {
  let best = 0;
  for (const range of accept.split(',')) {
    const [type = '', ...params] = range.split(';').map((s) => s.trim().toLowerCase());
    if (!types.includes(type)) continue;
    const q = params.find((p) => p.startsWith('q='));
    const w = q === undefined ? 1 : Number(q.slice(2));
    if (Number.isFinite(w)) best = Math.max(best, w);
  }
  return best;
}

/**
 * Whether a request is a browser navigation rather than an API client: its `Accept` names `text/html`
 * itself, with no less weight than JSON. Browsers list `text/html` first when they follow the IdP's
 * redirect; `fetch`, curl and HTTP libraries send `application/json` or a bare wildcard, and keep the
 * JSON problem (RFC 9457).
 */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const html = weightOf(accept, ['text/html', 'application/xhtml+xml']);
  return html > 0 && html >= weightOf(accept, ['application/json', 'application/problem+json']);
}

/** The console's login page, where a refused SSO login sends the browser. */
export const CONSOLE_LOGIN_PATH = '/login';

/**
 * Where a refused SSO login sends the browser: the console's login page with the refusal's stable code,
 * and its rule id when it has one. Never a claim, a name, a token or the IdP's own words: the URL lands in
 * the browser's history and in proxy logs.
 */
export function loginErrorPath(e: { readonly code: string; readonly rule?: string | undefined }): string {
  const q = new URLSearchParams({ error: e.code });
  if (e.rule) q.set('rule', e.rule);
  return `${CONSOLE_LOGIN_PATH}?${q.toString()}`;
}
