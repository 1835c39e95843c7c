// ISO-8601 durations (the `max_age` of recency checks) as an interval literal
// both DuckDB and PostgreSQL parse: "<months> months <days> days <seconds> seconds".
import { ISO_DURATION } from "@floe/quality-sdk";

export interface IntervalParts {
  readonly months: number;
  readonly days: number;
  readonly seconds: number;
}

/** P1Y2M3W4DT5H6M7.5S → { months: 14, days: 25, seconds: 18367.5 }; throws on anything else. */
export function parseIsoDuration(text: string): IntervalParts {
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

export function intervalText(parts: IntervalParts): string {
  return `${parts.months} months ${parts.days} days ${parts.seconds} seconds`;
}
