import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export const ROLES = ['admin', 'dpo', 'supervisor', 'evaluator', 'trainer', 'agent', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export const PURPOSES = [
  'training',
  'evaluation',
  'quality',
  'contract_proof',
  'legal_obligation',
  'agent_incident',
] as const;

export interface Me {
  readonly id: string;
  readonly login: string;
  /** A user may hold several roles; the console shows the union of their pages. */
  readonly roles: readonly Role[];
  readonly displayName?: string;
  readonly teams?: readonly string[];
  readonly totpEnabled?: boolean;
  /** R-SEC-1: the second factor this session proved (`idp`: MFA asserted by the SSO provider). */
  readonly secondFactor?: 'totp' | 'idp' | null;
  /** R-SEC-1: the account hears audio and has no second factor yet: it may only enrol one. */
  readonly totpRequired?: boolean;
  /** R-SEC-1: TOTP is enrolled but this session has not given a code (SSO without accepted MFA). */
  readonly totpVerifyRequired?: boolean;
}

/** R-SEC-1: the API serves such a session nothing but /api/auth/*: the console shows only that step. */
export function secondFactorStep(me: Me): 'enrol' | 'verify' | undefined {
  if (me.totpRequired) return 'enrol';
  if (me.totpVerifyRequired) return 'verify';
  return undefined;
}

const isRole = (x: unknown): x is Role => typeof x === 'string' && (ROLES as readonly string[]).includes(x);

/** `/api/auth/me` answers the user; `/api/auth/login` wraps it in `{ csrfToken, user }`. */
export function meFrom(r: unknown): Me | undefined {
  if (!r || typeof r !== 'object') return undefined;
  const o = r as { user?: unknown };
  const u = (o.user ?? o) as Partial<Me> & { role?: string };
  if (typeof u.login !== 'string') return undefined;
  const roles = (Array.isArray(u.roles) ? u.roles : [u.role]).filter(isRole);
  return { ...u, id: String(u.id ?? u.login), login: u.login, roles };
}

export interface SessionValue {
  readonly me: Me;
  readonly logout: () => void;
}

export const SessionContext = createContext<SessionValue | null>(null);

export function useSession(): SessionValue {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a session');
  return s;
}

const announcers = new Set<(msg: string) => void>();
/** Speaks a status message through the shell's aria-live region. */
export function announce(msg: string): void {
  for (const a of announcers) a(msg);
}
export function onAnnounce(fn: (msg: string) => void): () => void {
  announcers.add(fn);
  return () => announcers.delete(fn);
}
