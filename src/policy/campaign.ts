/**
 * R-PUR-5: campaign dates. A date-only value (YYYY-MM-DD) is a whole day in the organisation's time
 * zone (a French DPO writing "2026-11-30" means until midnight in Paris, not in UTC); an ISO instant is
 * taken as is. Intl is part of the language, so this stays pure.
 */
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Offset of the zone from UTC at instant t, ms (positive east of Greenwich). */
function offsetAt(t: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(t))
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const asUtc = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  return asUtc - Math.floor(t / 1000) * 1000;
}

/** Midnight at the start of a local calendar day, as an instant. */
function localMidnight(y: number, m: number, d: number, timeZone: string): number {
  const guess = Date.UTC(y, m - 1, d);
  const first = guess - offsetAt(guess, timeZone);
  // Second pass: the offset may differ on the other side of a DST change.
  return guess - offsetAt(first, timeZone);
}

/** Start of the day (or the instant itself) for a `startsAt`, ms; NaN when unreadable. */
export function instantOf(value: string, timeZone: string, endOfDay = false): number {
  const m = DATE_ONLY.exec(value);
  if (!m) return Date.parse(value);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return localMidnight(y, mo, endOfDay ? d + 1 : d, timeZone);
}

export interface CampaignWindow {
  /** First instant of the campaign, ms. */
  readonly start: number;
  /** First instant after the campaign, ms (an end date is inclusive: the whole day counts). */
  readonly end: number;
}

export function campaignWindow(
  campaign: { readonly startsAt: string; readonly endsAt: string },
  timeZone: string,
): CampaignWindow {
  return { start: instantOf(campaign.startsAt, timeZone), end: instantOf(campaign.endsAt, timeZone, true) };
}

/** Length of a campaign in days, rounded up (a 1 to 31 November campaign is 30 days). */
export function campaignDays(w: CampaignWindow): number {
  return Math.ceil((w.end - w.start) / 86_400_000 - 1e-9);
}
