/**
 * R-DSR-3 deadlines, pure: one month after receipt; one extension of two more months, only with a reason
 * and a notice to the person sent within the first month. Months are calendar months in UTC; a day
 * that does not exist in the target month (31 → 30 April) falls back to the month's last day.
 */
export function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  const day = d.getUTCDate();
  const target = new Date(ms);
  target.setUTCDate(1);
  target.setUTCMonth(target.getUTCMonth() + months);
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, last));
  return target.getTime();
}

/** R-DSR-3: the request is due one month after its receipt. */
export const dueDate = (receivedAt: number): number => addMonths(receivedAt, 1);

/** R-DSR-3: the latest date an extension may push the answer to (receipt + 3 months). */
export const maxExtendedDate = (receivedAt: number): number => addMonths(receivedAt, 3);

export type ExtensionCheck = { ok: true; until: number } | { ok: false; reason: string };

/** R-DSR-3: whether an extension is lawful, and until when. */
export function checkExtension(x: {
  receivedAt: number;
  dueAt: number;
  alreadyExtended: boolean;
  reason: string;
  noticeSentAt: number | undefined;
  now: number;
}): ExtensionCheck {
  if (x.alreadyExtended) return { ok: false, reason: 'the request was already extended once' };
  if (x.reason.trim().length < 10) return { ok: false, reason: 'the extension needs a stated reason' };
  if (x.noticeSentAt === undefined) return { ok: false, reason: 'the person must be told of the extension' };
  if (x.noticeSentAt > x.dueAt || x.now > x.dueAt)
    return { ok: false, reason: 'the extension notice must be sent within the first month' };
  return { ok: true, until: maxExtendedDate(x.receivedAt) };
}

/** The sentence every refusal carries (R-DSR-3), in both languages. */
export const COMPLAINT_NOTICE = {
  fr: 'Vous pouvez introduire une réclamation auprès de la CNIL (3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07, www.cnil.fr) et former un recours juridictionnel.',
  en: 'You may lodge a complaint with the CNIL (3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07, www.cnil.fr) and seek a judicial remedy.',
} as const;
