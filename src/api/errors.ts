import { defineErrors } from '../errors.ts';

/** The API's catalogue; src/api/problem.ts maps each code to an HTTP status. */
export const ApiErrors = defineErrors({
  UNAUTHENTICATED: {
    code: 'ECOUTE_API_UNAUTHENTICATED',
    summary: 'No valid session or API token accompanies the request.',
  },
  BAD_CREDENTIALS: {
    code: 'ECOUTE_API_BAD_CREDENTIALS',
    summary: 'The login or password (or TOTP code) is wrong.',
  },
  THROTTLED: {
    code: 'ECOUTE_API_THROTTLED',
    summary: 'Too many failed logins for this account or address; retry after the indicated delay.',
  },
  CSRF: {
    code: 'ECOUTE_API_CSRF',
    summary: 'A state-changing request with a session cookie lacks the matching x-csrf-token header.',
  },
  TOTP_REQUIRED: {
    code: 'ECOUTE_API_TOTP_REQUIRED',
    summary: 'This role can hear audio: a second factor must be enrolled and given before anything else.',
    rule: 'R-SEC-1',
  },
  TOTP_INVALID: {
    code: 'ECOUTE_API_TOTP_INVALID',
    summary: 'The TOTP code is wrong, outside the ±1 step window, or already used.',
    rule: 'R-SEC-1',
  },
  NOT_FOUND: { code: 'ECOUTE_API_NOT_FOUND', summary: 'No such resource (or not visible to this role).' },
  NO_ROUTE: {
    code: 'ECOUTE_API_NO_ROUTE',
    summary: 'No route answers this method and path (a client or version mismatch, not a missing resource).',
  },
  LAST_ADMIN: {
    code: 'ECOUTE_API_LAST_ADMIN',
    summary: 'The change would leave no enabled administrator account.',
  },
  CONFLICT: { code: 'ECOUTE_API_CONFLICT', summary: 'The resource already exists.' },
  BAD_REQUEST: {
    code: 'ECOUTE_API_BAD_REQUEST',
    summary: 'The request does not match the route\u2019s schema.',
  },
  RANGE_NOT_SATISFIABLE: {
    code: 'ECOUTE_API_RANGE_NOT_SATISFIABLE',
    summary: 'The requested byte range lies outside the audio.',
  },
  ROUTE_UNGUARDED: {
    code: 'ECOUTE_API_ROUTE_UNGUARDED',
    summary: 'A route was registered without a schema or an access declaration, or skipped its access check.',
  },
  INTERNAL: {
    code: 'ECOUTE_API_INTERNAL',
    summary: 'An unexpected error; details are in the server log only.',
  },
  OIDC_NO_ROLE: {
    code: 'ECOUTE_API_OIDC_NO_ROLE',
    summary: 'The identity provider authenticated the user but none of its groups maps to an Ecoute role.',
  },
  OIDC_FAILED: {
    code: 'ECOUTE_API_OIDC_FAILED',
    summary:
      'The SSO callback failed: missing or expired login state, state mismatch, or the provider refused the code or ID token.',
  },
  OIDC_UNAVAILABLE: {
    code: 'ECOUTE_API_OIDC_UNAVAILABLE',
    summary: 'The identity provider could not be reached to start an SSO login (discovery failed).',
  },
  NOT_READY: { code: 'ECOUTE_API_NOT_READY', summary: 'A dependency (database, storage) is not reachable.' },
});
