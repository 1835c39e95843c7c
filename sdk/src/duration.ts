// ISO-8601 durations (recency's max_age) with one meaning everywhere: years and
// months are calendar units (P1M before 31 March is 29 February in a leap year,
// as PostgreSQL and DuckDB subtract an interval), weeks are 7 days, days are
// calendar days, and the time part is exact. sdk/python/src/floe_quality_sdk/
// duration.py is the Python twin; sdk/vectors/primitives.json checks both.

/** P1D, PT6H, P1Y2M, P1DT12H, PT30M, PT0.5S ... (no negative or fractional date parts). */
export const ISO_DURATION =
  /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;

/** A duration as a SQL interval has it: calendar months, calendar days, exact seconds. */
export interface DurationParts {
  readonly months: number;
  readonly days: number;
  readonly seconds: number;
}

/** P1Y2M3W4DT5H6M7.5S → { months: 14, days: 25, seconds: 18367.5 }; throws on anything else. */
export function parseIsoDuration(text: string): DurationParts {
  const match = ISO_DURATION.exec(text);
  if (!match)
    throw new Error(`${JSON.stringify(text)} is not an ISO-8601 duration such as P1D or PT6H`);
  const n = (part: string | undefined) => (part === undefined ? 0 : Number.parseFloat(part));
  const [, years, months, weeks, days, , hours, minutes, seconds] = match;
  return {
    months: n(years) * 12 + n(months),
    days: n(weeks) * 7 + n(days),
    seconds: n(hours) * 3600 + n(minutes) * 60 + n(seconds),
  };
}

/** The interval literal DuckDB and PostgreSQL both parse: `14 months 25 days 18367.5 seconds`. */
export function intervalText(parts: DurationParts): string {
  return `${parts.months} months ${parts.days} days ${parts.seconds} seconds`;
}

/**
 * `at` minus the duration, in UTC: months first (the day clamped to the end of a
 * shorter month), then days, then seconds — the order SQL applies an interval in.
 */
export function subtractDuration(at: Date, parts: DurationParts): Date {
  const y = at.getUTCFullYear();
  const m = at.getUTCMonth() - parts.months;
  const targetYear = y + Math.floor(m / 12);
  const targetMonth = ((m % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(targetYear, targetMonth + 1, 0)).getUTCDate();
  const shifted = new Date(at.getTime());
  shifted.setUTCFullYear(targetYear, targetMonth, Math.min(at.getUTCDate(), lastDay));
  shifted.setUTCDate(shifted.getUTCDate() - parts.days);
  return new Date(shifted.getTime() - Math.round(parts.seconds * 1000));
}
