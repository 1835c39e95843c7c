"""The great_expectations provider's behaviour, free of gRPC: metadata, compile-time
validation, native suites and suite runs. ``service.py`` serves it."""

from __future__ import annotations

import logging
import threading
import time
from importlib import metadata as package_metadata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import __version__
from .mapping import CHECK_KINDS, map_check
from .model import Check, CheckError, CheckResult, Connection, RequestError, RunOptions
from .runner import RunRequest, backend_for, run_suite
from .runtime import GxRuntime, check_error_for_missing_columns
from .suites import find_suite, list_suites, suites_dir

log = logging.getLogger("floe_quality_gx")

PROVIDER = "great_expectations"
FLOE_API_VERSION = "1.0.0"
DIALECTS = ("postgres", "sqlite", "duckdb")


@dataclass
class Diagnostic:
    code: str
    message: str
    path: str = ""
    file: str = ""
    fix: str = ""
    level: str = "error"


@dataclass
class Validation:
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return not any(d.level == "error" for d in self.diagnostics)

    @property
    def errors(self) -> list[str]:
        return self._lines("error")

    @property
    def warnings(self) -> list[str]:
        return self._lines("warning")

    def _lines(self, level: str) -> list[str]:
        """`CODE path: message` for each diagnostic of `level`."""
        return [
            f"{d.code} {d.path}: {d.message}" if d.path else f"{d.code} {d.message}"
            for d in self.diagnostics
            if d.level == level
        ]


@dataclass
class SuiteRun:
    """A RunChecks request in the plugin's terms."""

    model_name: str
    checks: Sequence[Check]
    connection: Connection
    relation: str
    options: RunOptions
    timeout_s: float | None
    native_suite: str = ""
    # Registers a callback that cancels the run's database work (the host cancelled the call).
    on_cancel: Callable[[Callable[[], None]], None] | None = None


class GxPlugin:
    def __init__(self, suites_directory: str | None = None, load_runtime: Callable[[], GxRuntime] = GxRuntime) -> None:
        self._suites_directory = suites_directory
        self._load_runtime = load_runtime
        self._loading: threading.Thread | None = None
        self._loaded = threading.Event()
        self._load_error: BaseException | None = None
        self._runtime_value: GxRuntime | None = None

    @property
    def suites_directory(self) -> str:
        return suites_dir(self._suites_directory)

    @property
    def runtime(self) -> GxRuntime | None:
        """The loaded GX runtime, or None while Great Expectations is still importing."""
        return self._runtime_value

    @runtime.setter
    def runtime(self, value: GxRuntime) -> None:
        self._runtime_value = value
        self._loaded.set()

    def startup(self) -> None:
        """Starts importing GX and building its data context (seconds) in the background and
        returns at once: health says SERVING and metadata, config validation and native suite
        listing answer while GX loads; the calls that need GX wait for it."""
        if self._loading is not None or self._loaded.is_set():
            return
        self._loading = threading.Thread(target=self._load, name="floe-gx-import", daemon=True)
        self._loading.start()

    def _load(self) -> None:
        started = time.perf_counter()
        try:
            runtime = self._load_runtime()
        except BaseException as error:  # noqa: BLE001 (every request that needs GX reports it)
            log.error("great expectations could not be loaded", exc_info=error)
            self._load_error = error
            self._loaded.set()
            return
        self.runtime = runtime
        log.info(
            "great expectations loaded",
            extra={"gx_version": runtime.version, "startup_ms": round((time.perf_counter() - started) * 1000)},
        )

    def wait_loaded(self, timeout: float | None = None) -> bool:
        """True once GX has finished loading (successfully or not) within `timeout` seconds."""
        return self._loaded.wait(timeout)

    def _runtime(self) -> GxRuntime:
        if self._loading is None and not self._loaded.is_set():
            raise RequestError("FLOE-DQ001", "the plugin is still starting (Great Expectations is loading)")
        self._loaded.wait()
        if self._load_error is not None:
            raise RequestError(
                "FLOE-DQ001",
                f"Great Expectations could not be loaded: {self._load_error}; "
                "reinstall the great_expectations provider's pinned requirements (npm run setup)",
            )
        assert self._runtime_value is not None
        return self._runtime_value

    def metadata(self) -> dict[str, Any]:
        gx_version = _installed_gx_version()
        return {
            "name": PROVIDER,
            "version": __version__,
            "floe_api_version": FLOE_API_VERSION,
            "description": f"Runs floe checks and native suites with Great Expectations {gx_version}".strip(),
            "dependencies": [f"great_expectations=={gx_version}"] if gx_version else [],
            "capabilities": {
                "dialects": list(DIALECTS),
                "check_types": [k.type for k in CHECK_KINDS],
                "fail_fast": False,
                "cancellation": True,
                "native_suites": True,
                "failing_samples": True,
            },
        }

    def validate_config(self, provider: str) -> Validation:
        validation = Validation()
        if provider and provider != PROVIDER:
            validation.diagnostics.append(
                Diagnostic(
                    "FLOE-DQ001",
                    f"provider {provider!r} is not served by this plugin ({PROVIDER})",
                    "plugins.quality.provider",
                )
            )
        _, problems = list_suites(self.suites_directory)
        for name, problem in sorted(problems.items()):
            validation.diagnostics.append(
                Diagnostic(problem.code, problem.message, f"native_suites.{name}", level="warning")
            )
        return validation

    def validate_suite(
        self, model_name: str, checks: Sequence[Check], native_suite: str, connection: Connection | None, relation: str
    ) -> Validation:
        validation = Validation()
        if native_suite:
            try:
                checks = [*checks, *find_suite(self.suites_directory, native_suite).checks]
            except RequestError as error:
                validation.diagnostics.append(Diagnostic(error.code, error.message, f"{model_name}/native_suite"))
                return validation
        backend = backend_for(connection) if connection else backend_for(Connection("postgres"))
        mapped = []
        for check in checks:
            path = f"{model_name}/{check.name}"
            try:
                mapped.append(map_check(check, backend))
            except CheckError as error:
                validation.diagnostics.append(Diagnostic(error.code, error.message, path))
        if connection is None or not connection.dialect:
            return validation
        try:
            table = self._runtime().table(connection, relation or model_name)
        except RequestError as error:
            validation.diagnostics.append(Diagnostic(error.code, error.message, f"{model_name}/relation"))
            return validation
        for item in mapped:
            missing = [c for c in item.columns if c not in table.columns]
            if missing:
                error = check_error_for_missing_columns(missing, relation or model_name)
                validation.diagnostics.append(Diagnostic(error.code, error.message, f"{model_name}/{item.check.name}"))
        return validation

    def list_suites(self) -> list[dict[str, Any]]:
        suites, problems = list_suites(self.suites_directory)
        for name, problem in problems.items():
            log.warning("native suite file skipped", extra={"suite": name, "error": problem.message})
        return [
            {"name": s.name, "description": s.description, "check_count": len(s.checks), "source": s.source}
            for s in suites
        ]

    def run_checks(self, run: SuiteRun) -> Iterator[CheckResult]:
        checks = list(run.checks)
        if run.native_suite:
            checks.extend(find_suite(self.suites_directory, run.native_suite).checks)
        request = RunRequest(
            checks, run.connection, run.relation or run.model_name, run.options, run.timeout_s, run.on_cancel
        )
        yield from run_suite(self._runtime(), request)


def _installed_gx_version() -> str:
    """The installed great_expectations version, read from its package metadata (no import)."""
    try:
        return package_metadata.version("great_expectations")
    except package_metadata.PackageNotFoundError:
        return ""
