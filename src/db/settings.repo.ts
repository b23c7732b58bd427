/**
 * Organisation settings (key → JSON value) and the record of staff consultation (R-EMP-1): no policy may
 * be activated until the CSE was consulted (date, minutes reference) or the organisation declared it has
 * none.
 */
import { fromJson, newId, nul, opt, toJson } from './codec.ts';
import type { RepoContext } from './types.ts';

export const CONSULTATION_KINDS = ['cse_minutes', 'no_cse_declaration'] as const;
export type ConsultationKind = (typeof CONSULTATION_KINDS)[number];

export interface StaffConsultation {
  readonly id: string;
  readonly kind: ConsultationKind;
  /** 'YYYY-MM-DD' of the CSE meeting or of the declaration. */
  readonly heldOn: string;
  /** Reference of the minutes (required for `cse_minutes`). */
  readonly reference: string | undefined;
  readonly recordedAt: number;
  readonly recordedBy: string;
}

export function settingsRepo({ k, clock }: RepoContext) {
  return {
    async get<T>(key: string): Promise<T | undefined> {
      const r = await k.selectFrom('orgSettings').select('value').where('key', '=', key).executeTakeFirst();
      return r ? fromJson<T>(r.value, undefined as T) : undefined;
    },

    async set(key: string, value: unknown): Promise<void> {
      const row = { value: toJson(value), updatedAt: clock.now() };
      await k
        .insertInto('orgSettings')
        .values({ key, ...row })
        .onConflict((oc) => oc.column('key').doUpdateSet(row))
        .execute();
    },

    async all(): Promise<Record<string, unknown>> {
      const rows = await k.selectFrom('orgSettings').selectAll().orderBy('key').execute();
      return Object.fromEntries(rows.map((r) => [r.key, fromJson<unknown>(r.value, null)]));
    },

    /** R-EMP-1: records a consultation; history is kept, the latest one counts. */
    async recordConsultation(c: Omit<StaffConsultation, 'id' | 'recordedAt'>): Promise<StaffConsultation> {
      const row = { ...c, id: newId(), recordedAt: clock.now() };
      await k
        .insertInto('staffConsultations')
        .values({ ...row, reference: nul(c.reference) })
        .execute();
      return row;
    },

    async latestConsultation(): Promise<StaffConsultation | undefined> {
      const r = await k
        .selectFrom('staffConsultations')
        .selectAll()
        .orderBy('recordedAt', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return (
        r && {
          ...r,
          kind: r.kind as ConsultationKind,
          reference: opt(r.reference),
          recordedAt: Number(r.recordedAt),
        }
      );
    },
  };
}

export type SettingsRepo = ReturnType<typeof settingsRepo>;
