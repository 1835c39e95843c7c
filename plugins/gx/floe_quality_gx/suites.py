"""Native Great Expectations suites: ExpectationSuite JSON files in a directory,
listed by ListSuites and run by name as floe checks."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .mapping import META_CHECK, META_DIMENSION, find_check_kind
from .model import Check, Dimension, RequestError, Severity

SUITES_DIR_ENV = "FLOE_GX_SUITES_DIR"
# GX's own file-context layout keeps suites in gx/expectations.
DEFAULT_SUITES_DIR = os.path.join("gx", "expectations")
# A native expectation whose type the floe vocabulary does not know, and whose meta
# names no dimension, is scored under this dimension.
DEFAULT_NATIVE_DIMENSION = Dimension.VALIDITY


@dataclass(frozen=True)
class NativeSuite:
    name: str
    description: str
    checks: tuple[Check, ...]
    source: str


def suites_dir(configured: str | None = None) -> str:
    return configured or os.environ.get(SUITES_DIR_ENV) or DEFAULT_SUITES_DIR


def list_suites(directory: str) -> tuple[list[NativeSuite], dict[str, RequestError]]:
    """Every readable suite file of the directory (sorted by name), and the problem of
    each unreadable one keyed by its file name without .json."""
    if not os.path.isdir(directory):
        return [], {}
    suites: list[NativeSuite] = []
    problems: dict[str, RequestError] = {}
    for entry in sorted(os.listdir(directory)):
        if not entry.endswith(".json"):
            continue
        path = os.path.join(directory, entry)
        try:
            suites.append(load_suite(path))
        except RequestError as error:
            problems[os.path.splitext(entry)[0]] = error
    return suites, problems


def find_suite(directory: str, name: str) -> NativeSuite:
    """The suite called `name` (its JSON `name`, or its file name without .json)."""
    suites, problems = list_suites(directory)
    for suite in suites:
        if suite.name == name or os.path.splitext(os.path.basename(suite.source))[0] == name:
            return suite
    if name in problems:
        raise problems[name]
    known = ", ".join(s.name for s in suites) or "none"
    raise RequestError(
        "FLOE-DQ100",
        f"native suite {name!r} not found in {directory} (suites there: {known}); "
        f"set {SUITES_DIR_ENV} to the directory holding the ExpectationSuite JSON files",
    )


def load_suite(path: str) -> NativeSuite:
    """Reads one ExpectationSuite JSON file; RequestError (FLOE-DQ100) naming the file when it is broken."""
    try:
        with open(path, encoding="utf-8") as f:
            document = json.load(f)
    except json.JSONDecodeError as error:
        raise RequestError(
            "FLOE-DQ100", f"{path}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        ) from None
    except OSError as error:
        raise RequestError("FLOE-DQ100", f"{path}: cannot be read ({error.strerror})") from None
    if not isinstance(document, Mapping):
        raise RequestError("FLOE-DQ100", f"{path}: an ExpectationSuite must be a JSON object")
    name = document.get("name")
    if not isinstance(name, str) or not name:
        raise RequestError("FLOE-DQ100", f"{path}: field name (the suite name) is missing")
    expectations = document.get("expectations", [])
    if not isinstance(expectations, list):
        raise RequestError("FLOE-DQ100", f"{path}: field expectations must be a list")
    checks: list[Check] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(expectations):
        if not isinstance(item, Mapping) or not isinstance(item.get("type"), str):
            raise RequestError("FLOE-DQ100", f"{path}: expectations[{index}] needs a string field type")
        kwargs = item.get("kwargs", {})
        if not isinstance(kwargs, Mapping):
            raise RequestError("FLOE-DQ100", f"{path}: expectations[{index}].kwargs must be an object")
        checks.append(native_check(item, seen))
    notes = document.get("notes")
    description = notes if isinstance(notes, str) else ""
    return NativeSuite(name, description, tuple(checks), os.path.abspath(path))


def native_check(expectation: Mapping[str, Any], seen: dict[str, int]) -> Check:
    """One native expectation as a floe check.

    name: meta.floe_check, else ``<type>`` or ``<type>.<column>`` (``#2``... on repeats);
    dimension: meta.floe_dimension (or meta.dimension), else the floe type's default,
    else validity; severity: the expectation's GX severity (GX's default: critical).
    """
    type_name = str(expectation["type"])
    kwargs = dict(expectation.get("kwargs") or {})
    meta = dict(expectation.get("meta") or {})
    column = kwargs.pop("column", "")
    column = column if isinstance(column, str) else ""
    name = meta.get(META_CHECK)
    if not isinstance(name, str) or not name:
        name = f"{type_name}.{column}" if column else type_name
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            name = f"{name}#{seen[name]}"
    kind = find_check_kind(type_name)
    dimension = Dimension.from_label(meta.get(META_DIMENSION) or meta.get("dimension"))
    if dimension == Dimension.UNSPECIFIED:
        dimension = kind.dimension if kind else DEFAULT_NATIVE_DIMENSION
    severity = Severity.from_label(str(expectation.get("severity") or "critical"))
    if severity == Severity.UNSPECIFIED:
        severity = Severity.CRITICAL
    parameters: dict[str, Any] = dict(kwargs)
    if meta:
        parameters["meta"] = meta
    return Check(
        name=name,
        type=type_name,
        column=column,
        dimension=dimension,
        severity=severity,
        parameters=parameters,
    )
