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
    "FLOE-DQ110": {
        "title": "lineage event not delivered (a warning: results are never held back by lineage)",
        "fix": "Check OPENLINEAGE_URL and the backend; spooled events are delivered in order once it answers.",
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
