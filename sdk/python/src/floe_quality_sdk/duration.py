"""ISO-8601 durations (recency's max_age) with one meaning everywhere: years and
months are calendar units, weeks 7 days, days calendar days, the time part exact.
The Python twin of sdk/src/duration.ts; both pass sdk/vectors/primitives.json."""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

ISO_DURATION = re.compile(
    r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$"
)


@dataclass(frozen=True)
class DurationParts:
    months: float
    days: float
    seconds: float


def parse_iso_duration(text: str) -> DurationParts:
    """P1Y2M3W4DT5H6M7.5S → DurationParts(14, 25, 18367.5); ValueError on anything else."""
    match = ISO_DURATION.match(text)
    if not match:
        raise ValueError(f"{text!r} is not an ISO-8601 duration such as P1D or PT6H")

    def n(group: str | None) -> float:
        return float(group[:-1]) if group else 0.0

    years, months, weeks, days, _, hours, minutes, seconds, _ = match.groups()
    return DurationParts(
        months=n(years) * 12 + n(months),
        days=n(weeks) * 7 + n(days),
        seconds=n(hours) * 3600 + n(minutes) * 60 + n(seconds),
    )


def interval_text(parts: DurationParts) -> str:
    """The interval literal DuckDB and PostgreSQL both parse."""
    return f"{_num(parts.months)} months {_num(parts.days)} days {_num(parts.seconds)} seconds"


def subtract_duration(at: datetime.datetime, parts: DurationParts) -> datetime.datetime:
    """``at`` minus the duration: months first (day clamped to a shorter month's end),
    then days, then seconds, the order SQL applies an interval in."""
    month_index = at.year * 12 + (at.month - 1) - int(parts.months)
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    shifted = at.replace(year=year, month=month + 1, day=min(at.day, last))
    shifted -= datetime.timedelta(days=parts.days)
    return shifted - datetime.timedelta(milliseconds=round(parts.seconds * 1000))


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)
