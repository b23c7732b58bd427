import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { Clock } from '../../clock.ts';
import {
  apiTokensRepo,
  sessionsRepo,
  usersRepo,
  type ApiTokensRepo,
  type SecondFactor,
  type SessionsRepo,
  type User as StoredUser,
  type UsersRepo,
} from '../../db/users.repo.ts';
import { isRole, type Role, type TokenScope } from '../access/roles.ts';

export type { SecondFactor } from '../../db/users.repo.ts';

/**
 * What the API needs of users, sessions and API tokens, as a thin adapter over the db repositories
 * (src/db/users.repo.ts is the one place that queries those tables). It adds what belongs to the HTTP
 * edge: secrets (session ids, CSRF tokens, API tokens) are made here and handed to the store only as
 * SHA-256 hashes, roles are narrowed to the known ones, and a session is looked up with its user.
 */
export interface User {
  readonly id: string;
  readonly login: string;
  readonly displayName: string;
  readonly passwordHash: string;
  readonly roles: readonly Role[];
  readonly teams: readonly string[];
  readonly totpSecret: string | undefined;
  readonly totpEnabled: boolean;
  /** Last TOTP step accepted (RFC 6238 §5.2), shared by every API node through the store. */
  readonly totpLastStep: number | undefined;
  readonly disabled: boolean;
  readonly agentId: string | undefined;
}

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');

/** Session lifetime: 8 hours, a working shift (sessions are also revoked at logout). */
export const SESSION_TTL_MS = 8 * 3_600_000;

const toUser = (u: StoredUser): User => ({
  id: u.id,
  login: u.login,
  displayName: u.displayName,
  passwordHash: u.passwordHash,
  roles: u.roles.filter(isRole),
  teams: u.teamScopes,
  totpSecret: u.totpSecret,
  totpEnabled: u.totpEnabled,
  totpLastStep: u.totpLastStep,
  disabled: u.disabled,
  agentId: u.agentId,
});

export interface NewUser {
  readonly login: string;
  readonly displayName: string;
  readonly passwordHash: string;
  readonly roles: readonly Role[];
  readonly teams: readonly string[];
  readonly agentId?: string | undefined;
}

/** A live session as the authentication hook sees it. */
export interface LiveSession {
  readonly user: User;
  readonly csrfHash: string;
  readonly idHash: string;
  /** R-SEC-1: what this session proved at login or since; undefined: no second factor. */
  readonly secondFactor: SecondFactor | undefined;
}

export class IdentityStore {
  readonly #users: UsersRepo;
  readonly #sessions: SessionsRepo;
  readonly #tokens: ApiTokensRepo;
  readonly #clock: Clock;

  constructor(db: Kysely<Database>, clock: Clock) {
    const ctx = { k: db, clock };
    this.#users = usersRepo(ctx);
    this.#sessions = sessionsRepo(ctx);
    this.#tokens = apiTokensRepo(ctx);
    this.#clock = clock;
  }

  countUsers(): Promise<number> {
    return this.#users.count();
  }

  async byLogin(login: string): Promise<User | undefined> {
    const u = await this.#users.byLogin(login);
    return u && toUser(u);
  }

  async byId(id: string): Promise<User | undefined> {
    const u = await this.#users.get(id);
    return u && toUser(u);
  }

  async list(): Promise<User[]> {
    return (await this.#users.list()).map(toUser);
  }

  async create(u: NewUser): Promise<User> {
    const created = await this.#users.create({
      login: u.login,
      displayName: u.displayName,
      passwordHash: u.passwordHash,
      roles: u.roles,
      teamScopes: u.teams,
      agentId: u.agentId,
    });
    return toUser(created);
  }

  /** Changes what is given (undefined fields stay); disabling an account closes its sessions. */
  async update(
    id: string,
    patch: Partial<{
      roles: readonly Role[];
      teams: readonly string[];
      disabled: boolean;
      passwordHash: string;
      displayName: string;
    }>,
  ): Promise<void> {
    await this.#users.update(id, {
      ...(patch.roles && { roles: patch.roles }),
      ...(patch.teams && { teamScopes: patch.teams }),
      ...(patch.disabled !== undefined && { disabled: patch.disabled }),
      ...(patch.passwordHash && { passwordHash: patch.passwordHash }),
      ...(patch.displayName && { displayName: patch.displayName }),
    });
    if (patch.disabled) await this.revokeUserSessions(id);
  }

  async setTotp(id: string, secret: string | null, enabled: boolean): Promise<void> {
    await this.#users.update(id, { totpSecret: secret ?? undefined, totpEnabled: enabled });
  }

  /** Spends a TOTP step in the store (R-SEC-1, RFC 6238 §5.2); false when it was already spent. */
  claimTotpStep(id: string, step: number): Promise<boolean> {
    return this.#users.claimTotpStep(id, step);
  }

  /**
   * Opens a session; returns the cookie value and the CSRF token (both shown once, stored hashed).
   * `secondFactor` is what this login verified (R-SEC-1); without it the session has none, and an
   * audio role can then only enrol or verify TOTP.
   */
  async openSession(
    userId: string,
    secondFactor?: SecondFactor,
  ): Promise<{ sessionId: string; csrf: string; expiresAt: number }> {
    const sessionId = randomToken();
    const csrf = randomToken();
    const expiresAt = this.#clock.now() + SESSION_TTL_MS;
    await this.#sessions.create({
      idHash: sha256(sessionId),
      userId,
      expiresAt,
      csrfHash: sha256(csrf),
      secondFactor,
    });
    return { sessionId, csrf, expiresAt };
  }

  /** A live session (not revoked, not expired) of an enabled user. */
  async session(sessionId: string): Promise<LiveSession | undefined> {
    const s = await this.#sessions.getLive(sha256(sessionId));
    if (!s) return undefined;
    const user = await this.byId(s.userId);
    return user && !user.disabled
      ? { user, csrfHash: s.csrfHash, idHash: s.idHash, secondFactor: s.secondFactor }
      : undefined;
  }

  /** R-SEC-1: the session proved a second factor after it opened (TOTP enrolled or verified in it). */
  setSessionSecondFactor(idHash: string, factor: SecondFactor): Promise<void> {
    return this.#sessions.setSecondFactor(idHash, factor);
  }

  revokeSession(idHash: string): Promise<void> {
    return this.#sessions.revoke(idHash);
  }

  async revokeUserSessions(userId: string): Promise<void> {
    await this.#sessions.revokeAllFor(userId);
  }

  /** Creates an integration token `eco_…`; the clear value is returned once. */
  async createToken(name: string, scopes: readonly TokenScope[]): Promise<{ id: string; token: string }> {
    const token = `eco_${randomToken()}`;
    const { id } = await this.#tokens.create({ tokenHash: sha256(token), name, scopes });
    return { id, token };
  }

  async tokenByValue(token: string): Promise<{ id: string; name: string; scopes: TokenScope[] } | undefined> {
    const t = await this.#tokens.useLive(sha256(token));
    return t && { id: t.id, name: t.name, scopes: [...t.scopes] as TokenScope[] };
  }

  async listTokens(): Promise<
    {
      id: string;
      name: string;
      scopes: string[];
      createdAt: number;
      revokedAt: number | null;
      lastUsedAt: number | null;
    }[]
  > {
    return (await this.#tokens.list()).map((t) => ({
      id: t.id,
      name: t.name,
      scopes: [...t.scopes],
      createdAt: t.createdAt,
      revokedAt: t.revokedAt ?? null,
      lastUsedAt: t.lastUsedAt ?? null,
    }));
  }

  revokeToken(id: string): Promise<boolean> {
    return this.#tokens.revoke(id);
  }
}
