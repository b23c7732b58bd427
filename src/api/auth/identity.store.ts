import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { Clock } from '../../clock.ts';
import { isRole, type Role, type TokenScope } from '../access/roles.ts';

/**
 * Users, sessions and API tokens over the metadata store's tables. These queries live in src/api
 * because the db package has no users/sessions/tokens repository yet; they use its schema unchanged.
 * Secrets (session ids, CSRF tokens, API tokens) are stored only as SHA-256 hashes.
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

function toUser(r: Database['users']): User {
  const roles = (JSON.parse(r.roles) as string[]).filter(isRole);
  return {
    id: r.id,
    login: r.login,
    displayName: r.displayName,
    passwordHash: r.passwordHash,
    roles,
    teams: JSON.parse(r.teamScopes) as string[],
    totpSecret: r.totpSecret ?? undefined,
    totpEnabled: Number(r.totpEnabled) === 1,
    totpLastStep: r.totpLastStep === null ? undefined : Number(r.totpLastStep),
    disabled: Number(r.disabled) === 1,
    agentId: r.agentId ?? undefined,
  };
}

export interface NewUser {
  readonly login: string;
  readonly displayName: string;
  readonly passwordHash: string;
  readonly roles: readonly Role[];
  readonly teams: readonly string[];
  readonly agentId?: string | undefined;
}

export class IdentityStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  async countUsers(): Promise<number> {
    const r = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  async byLogin(login: string): Promise<User | undefined> {
    const r = await this.db.selectFrom('users').selectAll().where('login', '=', login).executeTakeFirst();
    return r ? toUser(r) : undefined;
  }

  async byId(id: string): Promise<User | undefined> {
    const r = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toUser(r) : undefined;
  }

  async list(): Promise<User[]> {
    const rows = await this.db.selectFrom('users').selectAll().orderBy('login').execute();
    return rows.map(toUser);
  }

  async create(u: NewUser): Promise<User> {
    const now = this.clock.now();
    const id = randomUUID();
    await this.db
      .insertInto('users')
      .values({
        id,
        login: u.login,
        displayName: u.displayName,
        passwordHash: u.passwordHash,
        roles: JSON.stringify(u.roles),
        teamScopes: JSON.stringify(u.teams),
        totpSecret: null,
        totpEnabled: 0,
        disabled: 0,
        agentId: u.agentId ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .execute();
    return (await this.byId(id)) as User;
  }

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
    await this.db
      .updateTable('users')
      .set({
        ...(patch.roles ? { roles: JSON.stringify(patch.roles) } : {}),
        ...(patch.teams ? { teamScopes: JSON.stringify(patch.teams) } : {}),
        ...(patch.disabled !== undefined ? { disabled: patch.disabled ? 1 : 0 } : {}),
        ...(patch.passwordHash ? { passwordHash: patch.passwordHash } : {}),
        ...(patch.displayName ? { displayName: patch.displayName } : {}),
        updatedAt: this.clock.now(),
      })
      .where('id', '=', id)
      .execute();
    if (patch.disabled) await this.revokeUserSessions(id);
  }

  async setTotp(id: string, secret: string | null, enabled: boolean): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ totpSecret: secret, totpEnabled: enabled ? 1 : 0, updatedAt: this.clock.now() })
      .where('id', '=', id)
      .execute();
  }

  /**
   * Spends a TOTP step (R-SEC-1, RFC 6238 §5.2): a compare-and-set in the store, so of two logins with the
   * same code on two nodes (or one replayed after a restart) only one succeeds. False when the step is at
   * or before the last one spent.
   */
  async claimTotpStep(id: string, step: number): Promise<boolean> {
    const r = await this.db
      .updateTable('users')
      .set({ totpLastStep: step })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('totpLastStep', 'is', null), eb('totpLastStep', '<', step)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Opens a session; returns the cookie value and the CSRF token (both shown once, stored hashed). */
  async openSession(userId: string): Promise<{ sessionId: string; csrf: string; expiresAt: number }> {
    const sessionId = randomToken();
    const csrf = randomToken();
    const now = this.clock.now();
    const expiresAt = now + SESSION_TTL_MS;
    await this.db
      .insertInto('sessions')
      .values({
        idHash: sha256(sessionId),
        userId,
        createdAt: now,
        expiresAt,
        csrfHash: sha256(csrf),
        revokedAt: null,
      })
      .execute();
    return { sessionId, csrf, expiresAt };
  }

  /** A live session (not revoked, not expired) and its user. */
  async session(sessionId: string): Promise<{ user: User; csrfHash: string; idHash: string } | undefined> {
    const s = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('idHash', '=', sha256(sessionId))
      .where('revokedAt', 'is', null)
      .where('expiresAt', '>', this.clock.now())
      .executeTakeFirst();
    if (!s) return undefined;
    const user = await this.byId(s.userId);
    return user && !user.disabled ? { user, csrfHash: s.csrfHash, idHash: s.idHash } : undefined;
  }

  async revokeSession(idHash: string): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ revokedAt: this.clock.now() })
      .where('idHash', '=', idHash)
      .execute();
  }

  async revokeUserSessions(userId: string): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ revokedAt: this.clock.now() })
      .where('userId', '=', userId)
      .where('revokedAt', 'is', null)
      .execute();
  }

  /** Creates an integration token `eco_…`; the clear value is returned once. */
  async createToken(name: string, scopes: readonly TokenScope[]): Promise<{ id: string; token: string }> {
    const id = randomUUID();
    const token = `eco_${randomToken()}`;
    await this.db
      .insertInto('apiTokens')
      .values({
        id,
        tokenHash: sha256(token),
        name,
        scopes: JSON.stringify(scopes),
        createdAt: this.clock.now(),
        revokedAt: null,
        lastUsedAt: null,
      })
      .execute();
    return { id, token };
  }

  async tokenByValue(token: string): Promise<{ id: string; name: string; scopes: TokenScope[] } | undefined> {
    const r = await this.db
      .selectFrom('apiTokens')
      .selectAll()
      .where('tokenHash', '=', sha256(token))
      .where('revokedAt', 'is', null)
      .executeTakeFirst();
    if (!r) return undefined;
    await this.db
      .updateTable('apiTokens')
      .set({ lastUsedAt: this.clock.now() })
      .where('id', '=', r.id)
      .execute();
    return { id: r.id, name: r.name, scopes: JSON.parse(r.scopes) as TokenScope[] };
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
    const rows = await this.db.selectFrom('apiTokens').selectAll().orderBy('createdAt').execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      scopes: JSON.parse(r.scopes) as string[],
      createdAt: Number(r.createdAt),
      revokedAt: r.revokedAt === null ? null : Number(r.revokedAt),
      lastUsedAt: r.lastUsedAt === null ? null : Number(r.lastUsedAt),
    }));
  }

  async revokeToken(id: string): Promise<boolean> {
    const r = await this.db
      .updateTable('apiTokens')
      .set({ revokedAt: this.clock.now() })
      .where('id', '=', id)
      .where('revokedAt', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}
