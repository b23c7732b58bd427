/**
 * Policies, versioned: a version is never edited in place, a change is a new version (accountability:
 * the decision stored with a recording names the exact version that produced it). Content is opaque JSON
 * here; src/policy validates it.
 */
import type { Selectable } from 'kysely';
import { fail } from '../errors.ts';
import { fromJson, inTransaction, num, opt, toJson } from './codec.ts';
import { DbErrors } from './errors.ts';
import type { PoliciesTable } from './schema.ts';
import type { RepoContext } from './types.ts';

export const POLICY_STATES = ['draft', 'active', 'retired'] as const;
export type PolicyState = (typeof POLICY_STATES)[number];

export interface PolicyVersion<C = unknown> {
  readonly id: string;
  readonly version: number;
  readonly content: C;
  readonly state: PolicyState;
  readonly createdAt: number;
  readonly createdBy: string;
  readonly activatedAt: number | undefined;
  readonly activatedBy: string | undefined;
  readonly retiredAt: number | undefined;
}

function toPolicy(r: Selectable<PoliciesTable>): PolicyVersion {
  return {
    id: r.id,
    version: Number(r.version),
    content: fromJson<unknown>(r.content, null),
    state: r.state as PolicyState,
    createdAt: Number(r.createdAt),
    createdBy: r.createdBy,
    activatedAt: num(r.activatedAt),
    activatedBy: opt(r.activatedBy),
    retiredAt: num(r.retiredAt),
  };
}

export function policiesRepo(ctx: RepoContext) {
  const { k, clock } = ctx;
  const get = async (id: string, version: number): Promise<PolicyVersion | undefined> => {
    const r = await k
      .selectFrom('policies')
      .selectAll()
      .where('id', '=', id)
      .where('version', '=', version)
      .executeTakeFirst();
    return r && toPolicy(r);
  };

  return {
    get,

    /** Adds a new draft version (1 for a new policy, last + 1 otherwise). */
    async createVersion(id: string, content: unknown, by: string): Promise<PolicyVersion> {
      const last = await k
        .selectFrom('policies')
        .select((eb) => eb.fn.max('version').as('v'))
        .where('id', '=', id)
        .executeTakeFirst();
      const version = (num(last?.v) ?? 0) + 1;
      try {
        await k
          .insertInto('policies')
          .values({
            id,
            version,
            content: toJson(content),
            state: 'draft',
            createdAt: clock.now(),
            createdBy: by,
            activatedAt: null,
            activatedBy: null,
            retiredAt: null,
          })
          .execute();
      } catch (e) {
        throw fail(DbErrors.CONFLICT, `policy ${id} version ${version} was created concurrently`, { id }, e);
      }
      return (await get(id, version)) as PolicyVersion;
    },

    /** Activates a draft version and retires the previously active version of the same policy. */
    /** Activates a draft version and retires the previously active version of the same policy, atomically. */
    async activate(id: string, version: number, by: string): Promise<PolicyVersion> {
      return inTransaction(k, async (tx) => {
        const now = clock.now();
        const res = await tx
          .updateTable('policies')
          .set({ state: 'active', activatedAt: now, activatedBy: by })
          .where('id', '=', id)
          .where('version', '=', version)
          .where('state', '=', 'draft')
          .executeTakeFirst();
        const inTx = policiesRepo({ ...ctx, k: tx });
        if (Number(res.numUpdatedRows) === 0) {
          const p = await inTx.get(id, version);
          if (!p) throw fail(DbErrors.NOT_FOUND, `no policy ${id} version ${version}`, { id, version });
          throw fail(
            DbErrors.POLICY_IMMUTABLE,
            `policy ${id} version ${version} is ${p.state}, not a draft`,
            {
              id,
              version,
            },
          );
        }
        await tx
          .updateTable('policies')
          .set({ state: 'retired', retiredAt: now })
          .where('id', '=', id)
          .where('version', '<>', version)
          .where('state', '=', 'active')
          .execute();
        return (await inTx.get(id, version)) as PolicyVersion;
      });
    },

    async retire(id: string): Promise<void> {
      await k
        .updateTable('policies')
        .set({ state: 'retired', retiredAt: clock.now() })
        .where('id', '=', id)
        .where('state', '=', 'active')
        .execute();
    },

    /** The active version of every policy. */
    async active(): Promise<PolicyVersion[]> {
      const rows = await k
        .selectFrom('policies')
        .selectAll()
        .where('state', '=', 'active')
        .orderBy('id')
        .execute();
      return rows.map(toPolicy);
    },

    async versions(id: string): Promise<PolicyVersion[]> {
      const rows = await k
        .selectFrom('policies')
        .selectAll()
        .where('id', '=', id)
        .orderBy('version')
        .execute();
      return rows.map(toPolicy);
    },

    /** The latest version of every policy, whatever its state. */
    async latest(): Promise<PolicyVersion[]> {
      const rows = await k
        .selectFrom('policies')
        .selectAll()
        .orderBy('id')
        .orderBy('version', 'desc')
        .execute();
      const seen = new Set<string>();
      return rows.filter((r) => !seen.has(r.id) && seen.add(r.id)).map(toPolicy);
    },
  };
}

export type PoliciesRepo = ReturnType<typeof policiesRepo>;
