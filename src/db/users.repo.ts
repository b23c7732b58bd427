/**
 * Console users (R-SEC-1: individual accounts, roles, team scopes, second factor), their sessions and the
 * API tokens of telephony integrations. Secrets arrive already hashed or encrypted by src/api: this store
 * never sees a password, a session id or a TOTP secret in clear.
 */
import type { Selectable } from 'kysely';
import { fail } from '../errors.ts';
import { flag, fromJson, isSet, newId, num, nul, opt, toJson } from './codec.ts';
import { DbErrors } from './errors.ts';
import type { ApiTokensTable, SessionsTable, UsersTable } from './schema.ts';
import type { RepoContext } from './types.ts';

export interface User {
  readonly id: string;
  readonly login: string;
  readonly displayName: string;
  /** scrypt/argon2 encoded hash. */
  readonly passwordHash: string;
  readonly roles: readonly string[];
  /** R-MIN-3: teams this user may see; empty for roles that are not team-scoped. */
  readonly teamScopes: readonly string[];
  /** Encrypted by the caller; opaque here. */
  readonly totpSecret: string | undefined;
  readonly totpEnabled: boolean;
  /** Last TOTP step accepted (RFC 6238 §5.2), shared by every API node through the store. */
  readonly totpLastStep: number | undefined;
  readonly disabled: boolean;
  /** The agent this user is, for R-EMP-7 self-service. */
  readonly agentId: string | undefined;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type NewUser = Pick<User, 'login' | 'displayName' | 'passwordHash' | 'roles'> &
  Partial<Pick<User, 'id' | 'teamScopes' | 'agentId'>>;

export type UserChanges = Partial<
  Pick<
    User,
    | 'displayName'
    | 'passwordHash'
    | 'roles'
    | 'teamScopes'
    | 'totpSecret'
    | 'totpEnabled'
    | 'disabled'
    | 'agentId'
  >
>;

/** How a session proved a second factor (R-SEC-1): Ecoute's TOTP, or MFA asserted by the SSO provider. */
export const SECOND_FACTORS = ['totp', 'idp'] as const;
export type SecondFactor = (typeof SECOND_FACTORS)[number];

const asSecondFactor = (v: string | null): SecondFactor | undefined => SECOND_FACTORS.find((f) => f === v); // anything else (there is a CHECK too) counts as none

export interface Session {
  readonly idHash: string;
  readonly userId: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly csrfHash: string;
  readonly revokedAt: number | undefined;
  /** The second factor this session proved (R-SEC-1); undefined: none, audio refused. */
  readonly secondFactor: SecondFactor | undefined;
}

export interface ApiToken {
  readonly id: string;
  readonly tokenHash: string;
  readonly name: string;
  readonly scopes: readonly string[];
  readonly createdAt: number;
  readonly revokedAt: number | undefined;
  readonly lastUsedAt: number | undefined;
}

function toUser(r: Selectable<UsersTable>): User {
  return {
    id: r.id,
    login: r.login,
    displayName: r.displayName,
    passwordHash: r.passwordHash,
    roles: fromJson<string[]>(r.roles, []),
    teamScopes: fromJson<string[]>(r.teamScopes, []),
    totpSecret: opt(r.totpSecret),
    totpEnabled: isSet(r.totpEnabled),
    totpLastStep: num(r.totpLastStep),
    disabled: isSet(r.disabled),
    agentId: opt(r.agentId),
    createdAt: Number(r.createdAt),
    updatedAt: Number(r.updatedAt),
  };
}

/** These repositories use no dialect-specific SQL: they need only the Kysely instance and the clock. */
type Ctx = Pick<RepoContext, 'k' | 'clock'>;

export function usersRepo({ k, clock }: Ctx) {
  const get = async (id: string): Promise<User | undefined> => {
    const r = await k.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toUser(r);
  };
  return {
    get,
    async count(): Promise<number> {
      const r = await k
        .selectFrom('users')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirst();
      return Number(r?.n ?? 0);
    },
    async byLogin(login: string): Promise<User | undefined> {
      const r = await k.selectFrom('users').selectAll().where('login', '=', login).executeTakeFirst();
      return r && toUser(r);
    },
    async create(u: NewUser): Promise<User> {
      const now = clock.now();
      const id = u.id ?? newId();
      try {
        await k
          .insertInto('users')
          .values({
            id,
            login: u.login,
            displayName: u.displayName,
            passwordHash: u.passwordHash,
            roles: toJson(u.roles),
            teamScopes: toJson(u.teamScopes ?? []),
            totpSecret: null,
            totpEnabled: 0,
            disabled: 0,
            agentId: nul(u.agentId),
            createdAt: now,
            updatedAt: now,
          })
          .execute();
      } catch (e) {
        throw fail(DbErrors.CONFLICT, `a user with login ${u.login} already exists`, { login: u.login }, e);
      }
      return (await get(id)) as User;
    },
    async update(id: string, c: UserChanges): Promise<User> {
      const set = {
        ...(c.displayName !== undefined && { displayName: c.displayName }),
        ...(c.passwordHash !== undefined && { passwordHash: c.passwordHash }),
        ...(c.roles !== undefined && { roles: toJson(c.roles) }),
        ...(c.teamScopes !== undefined && { teamScopes: toJson(c.teamScopes) }),
        ...('totpSecret' in c && { totpSecret: nul(c.totpSecret) }),
        ...(c.totpEnabled !== undefined && { totpEnabled: flag(c.totpEnabled) }),
        ...(c.disabled !== undefined && { disabled: flag(c.disabled) }),
        ...('agentId' in c && { agentId: nul(c.agentId) }),
        updatedAt: clock.now(),
      };
      const res = await k.updateTable('users').set(set).where('id', '=', id).executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) throw fail(DbErrors.NOT_FOUND, `no user ${id}`, { userId: id });
      return (await get(id)) as User;
    },
    async list(): Promise<User[]> {
      return (await k.selectFrom('users').selectAll().orderBy('login').execute()).map(toUser);
    },
    /**
     * Spends a TOTP step (R-SEC-1, RFC 6238 §5.2): a compare-and-set, so of two logins with the same code
     * on two nodes (or one replayed after a restart) only one succeeds. False when the step is at or
     * before the last one spent.
     */
    async claimTotpStep(id: string, step: number): Promise<boolean> {
      const r = await k
        .updateTable('users')
        .set({ totpLastStep: step })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('totpLastStep', 'is', null), eb('totpLastStep', '<', step)]))
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
  };
}

export function sessionsRepo({ k, clock }: Ctx) {
  const toSession = (r: Selectable<SessionsTable>): Session => ({
    ...r,
    createdAt: Number(r.createdAt),
    expiresAt: Number(r.expiresAt),
    revokedAt: num(r.revokedAt),
    secondFactor: asSecondFactor(r.secondFactor),
  });
  return {
    async create(s: {
      idHash: string;
      userId: string;
      expiresAt: number;
      csrfHash: string;
      /** R-SEC-1: set from what the login itself verified, never from the account's settings. */
      secondFactor?: SecondFactor | undefined;
    }): Promise<Session> {
      const row = { ...s, createdAt: clock.now(), revokedAt: null, secondFactor: nul(s.secondFactor) };
      await k.insertInto('sessions').values(row).execute();
      return toSession(row);
    },
    /** A live session (not revoked, not expired at `now`). */
    async getLive(idHash: string, now = clock.now()): Promise<Session | undefined> {
      const r = await k
        .selectFrom('sessions')
        .selectAll()
        .where('idHash', '=', idHash)
        .where('revokedAt', 'is', null)
        .where('expiresAt', '>', now)
        .executeTakeFirst();
      return r && toSession(r);
    },
    /** R-SEC-1: the session proved a second factor after it opened (TOTP enrolled or verified in it). */
    async setSecondFactor(idHash: string, factor: SecondFactor): Promise<void> {
      await k
        .updateTable('sessions')
        .set({ secondFactor: factor })
        .where('idHash', '=', idHash)
        .where('revokedAt', 'is', null)
        .execute();
    },
    async touch(idHash: string, expiresAt: number): Promise<void> {
      await k.updateTable('sessions').set({ expiresAt }).where('idHash', '=', idHash).execute();
    },
    async revoke(idHash: string): Promise<void> {
      await k.updateTable('sessions').set({ revokedAt: clock.now() }).where('idHash', '=', idHash).execute();
    },
    async revokeAllFor(userId: string): Promise<number> {
      const res = await k
        .updateTable('sessions')
        .set({ revokedAt: clock.now() })
        .where('userId', '=', userId)
        .where('revokedAt', 'is', null)
        .executeTakeFirst();
      return Number(res.numUpdatedRows);
    },
    /** Removes sessions that expired before `before`. */
    async purgeExpired(before: number): Promise<number> {
      const res = await k.deleteFrom('sessions').where('expiresAt', '<', before).executeTakeFirst();
      return Number(res.numDeletedRows);
    },
  };
}

export function apiTokensRepo({ k, clock }: Ctx) {
  const toToken = (r: Selectable<ApiTokensTable>): ApiToken => ({
    id: r.id,
    tokenHash: r.tokenHash,
    name: r.name,
    scopes: fromJson<string[]>(r.scopes, []),
    createdAt: Number(r.createdAt),
    revokedAt: num(r.revokedAt),
    lastUsedAt: num(r.lastUsedAt),
  });
  return {
    async create(t: { tokenHash: string; name: string; scopes: readonly string[] }): Promise<ApiToken> {
      const row = {
        id: newId(),
        tokenHash: t.tokenHash,
        name: t.name,
        scopes: toJson(t.scopes),
        createdAt: clock.now(),
        revokedAt: null,
        lastUsedAt: null,
      };
      await k.insertInto('apiTokens').values(row).execute();
      return toToken(row);
    },
    /** A token that is not revoked, by its hash; records its use. */
    async useLive(tokenHash: string): Promise<ApiToken | undefined> {
      const r = await k
        .selectFrom('apiTokens')
        .selectAll()
        .where('tokenHash', '=', tokenHash)
        .where('revokedAt', 'is', null)
        .executeTakeFirst();
      if (!r) return undefined;
      await k.updateTable('apiTokens').set({ lastUsedAt: clock.now() }).where('id', '=', r.id).execute();
      return toToken(r);
    },
    async revoke(id: string): Promise<boolean> {
      const res = await k
        .updateTable('apiTokens')
        .set({ revokedAt: clock.now() })
        .where('id', '=', id)
        .where('revokedAt', 'is', null)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
    async list(): Promise<ApiToken[]> {
      return (await k.selectFrom('apiTokens').selectAll().orderBy('createdAt').execute()).map(toToken);
    },
  };
}

export type UsersRepo = ReturnType<typeof usersRepo>;
export type SessionsRepo = ReturnType<typeof sessionsRepo>;
export type ApiTokensRepo = ReturnType<typeof apiTokensRepo>;
