"""The FLOE-DQ error catalogue (the same codes and fixes as sdk/src/errors.ts)
and FloeError, an error meant for a person."""

ERROR_DOMAIN = "floe.dev"

ERROR_CATALOGUE: dict[str, dict[str, str]] = {
    "FLOE-DQ001": {
        "title": "quality provider missing or invalid",
        "fix": "Check plugins.quality.provider in the manifest and that the plugin is installed (floe-quality plugins list).",
    },
    "FLOE-DQ100": {
        "title": "invalid configuration",
        "fix": "Correct the file at the reported line and field (see docs/configuration.md).",
    },
    "FLOE-DQ101": {
        "title": "invalid check definition",
        "fix": "Use a check type from the vocabulary (docs/configuration.md) with its parameters, and a name unique within the model.",
    },
    "FLOE-DQ102": {
        "title": "quality checks failed at runtime",
        "fix": "Review the failed checks in the run output and fix the data, or adjust thresholds.",
    },
    "FLOE-DQ103": {
        "title": "test coverage below the tier's gate",
        "fix": "Add checks to more columns to reach the tier's min_test_coverage.",
    },
    "FLOE-DQ104": {
        "title": "required test types missing",
        "fix": "Add the missing check types the tier requires.",
    },
    "FLOE-DQ105": {
        "title": "unknown column",
        "fix": "Verify the column exists in the model (floe.yaml columns, dbt manifest or warehouse).",
    },
    "FLOE-DQ106": {
        "title": "check timeout exceeded",
        "fix": "Increase the suite timeout (check_timeout_seconds) or make the checks cheaper.",
    },
    "FLOE-DQ107": {
        "title": "override of a locked setting",
        "fix": "Remove the override; the setting is locked at a higher layer.",
    },
    "FLOE-DQ108": {
        "title": "quality checks could not run (verdict error: an outage, a timeout or a configuration problem, not bad data)",
        "fix": "Act on the cause each check reports: unavailable or timeout, retry once the warehouse or plugin answers (or raise check_timeout_seconds); config, fix the relation, column or credentials named.",
    },
    "FLOE-DQ109": {
        "title": "request refused by the host's trust policy or limits",
        "fix": "Reference artifacts the host was started with (serve --artifacts) by model name, keep requests within the documented limits (docs/host.md), or ask the operator to allow what the request needs.",
    },
    "FLOE-DQ110": {
        "title": "lineage event not delivered (a warning: results are never held back by lineage)",
        "fix": "Check OPENLINEAGE_URL and the backend; spooled events are delivered in order once it answers.",
    },
    "FLOE-DQ111": {
        "title": "DuckDB file written by a newer DuckDB than the engine reads",
        "fix": "Convert the file with the DuckDB that wrote it (the message gives the command), "
        "or write it with the project's pinned duckdb.",
    },
    "FLOE-DQ112": {
        "title": "run history not written or read (a warning: the run's results are never lost)",
        "fix": "Make the history store writable (FLOE_STATE_DIR, default .floe/history.duckdb, "
        "or --history-url / FLOE_HISTORY_URL): free its lock, move a corrupt file aside, or check "
        "the PostgreSQL URL; docs/report.md describes the store.",
    },
}


def is_floe_error_code(value: str) -> bool:
    return value in ERROR_CATALOGUE


class FloeError(Exception):
    """A FLOE-DQ code, what went wrong, where (file and path, or model/check) and
    the fix. Raised from a handler it reaches the host as a gRPC status carrying
    the code; it is never shown with a traceback."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        file: str | None = None,
        path: str | None = None,
        fix: str | None = None,
    ) -> None:
        if not is_floe_error_code(code):
            raise ValueError(f"unknown FLOE-DQ code {code!r}; known: {', '.join(ERROR_CATALOGUE)}")
        super().__init__(message)
        self.code = code
        self.message = message
        self.file = file
        self.path = path
        self.fix = fix if fix is not None else ERROR_CATALOGUE[code]["fix"]
