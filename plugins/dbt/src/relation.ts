// Relation names as the host sends them: `table`, `schema.table` or
// `database.schema.table`, each part optionally double-quoted (with `""` for a
// quote inside it) so that names holding dots can be written.

export interface RelationName {
  readonly database: string | undefined;
  readonly schema: string | undefined;
  readonly identifier: string;
}

/** The parts of a relation name, or an error message saying what is wrong with it. */
export function parseRelationName(text: string): RelationName | string {
  const parts: string[] = [];
  let i = 0;
  while (i <= text.length) {
    let part = "";
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) return `unterminated quoted name in relation ${JSON.stringify(text)}`;
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            part += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        part += text[i];
        i++;
      }
      if (i < text.length && text[i] !== ".") {
        return `unexpected text after a quoted name in relation ${JSON.stringify(text)}`;
      }
    } else {
      while (i < text.length && text[i] !== ".") {
        part += text[i];
        i++;
      }
    }
    if (part === "") return `empty name part in relation ${JSON.stringify(text)}`;
    parts.push(part);
    i++;
  }
  if (parts.length === 1)
    return { database: undefined, schema: undefined, identifier: parts[0] as string };
  if (parts.length === 2)
    return { database: undefined, schema: parts[0], identifier: parts[1] as string };
  if (parts.length === 3)
    return { database: parts[0], schema: parts[1], identifier: parts[2] as string };
  return `relation ${JSON.stringify(text)} has ${parts.length} parts; write table, schema.table or database.schema.table`;
}

/** dbt's datepart and interval for an ISO-8601 duration (as dbt-expectations' recency test takes them). */
export function durationAsInterval(
  iso: string,
): { datepart: string; interval: number } | undefined {
  const m =
    /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(
      iso,
    );
  if (!m) return undefined;
  const units = ["year", "month", "week", "day", "hour", "minute", "second"] as const;
  const given = units
    .map((unit, k) => ({ unit, value: m[k + 1] === undefined ? undefined : Number(m[k + 1]) }))
    .filter((u): u is { unit: (typeof units)[number]; value: number } => u.value !== undefined);
  const [only] = given;
  if (only && given.length === 1 && Number.isInteger(only.value)) {
    return { datepart: only.unit, interval: only.value };
  }
  // Mixed units: whole seconds, with a year as 365 days and a month as 30.
  const seconds: Record<(typeof units)[number], number> = {
    year: 365 * 86400,
    month: 30 * 86400,
    week: 7 * 86400,
    day: 86400,
    hour: 3600,
    minute: 60,
    second: 1,
  };
  const total = given.reduce((sum, u) => sum + u.value * seconds[u.unit], 0);
  return { datepart: "second", interval: Math.ceil(total) };
}
