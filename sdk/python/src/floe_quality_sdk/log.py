"""JSON-lines logs on stderr, the only channel a plugin writes besides the
handshake line; the host re-logs them under the plugin's name.

``configure_logging`` puts the JSON handler on the root logger, so the plugin's
own loggers and its libraries' (GX, dbt, grpc) all come out as JSON lines.
Fields travel as ``extra={...}``; an exception logged with ``exc_info`` keeps
its traceback in the ``stack`` field, never on a person's terminal.
"""

import json
import logging
import sys
from collections.abc import Mapping, MutableMapping
from datetime import UTC, datetime
from typing import Any, TextIO

from .protocol import ENV_LOG_LEVEL

LOGGER_NAME = "floe.plugin"

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warn": logging.WARNING, "error": logging.ERROR}

# Attributes every LogRecord has; anything else on a record came from `extra`.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


def parse_log_level(value: str | None) -> int:
    """FLOE_PLUGIN_LOG_LEVEL (debug|info|warn|error) as a logging level; info otherwise."""
    return _LEVELS.get((value or "").strip().lower(), logging.INFO)


def level_name(levelno: int) -> str:
    if levelno >= logging.ERROR:
        return "error"
    if levelno >= logging.WARNING:
        return "warn"
    if levelno >= logging.INFO:
        return "info"
    return "debug"


class JsonLinesFormatter(logging.Formatter):
    """One JSON object a line: level, msg and time first, then the fields."""

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = {
            key: value for key, value in vars(record).items() if key not in _RECORD_ATTRIBUTES
        }
        if record.name != LOGGER_NAME and not record.name.startswith(LOGGER_NAME + "."):
            fields.setdefault("logger", record.name)
        if record.exc_info and record.exc_info[1] is not None:
            fields.setdefault("error", str(record.exc_info[1]) or type(record.exc_info[1]).__name__)
            fields["stack"] = self.formatException(record.exc_info)
        time = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        head = {"level": level_name(record.levelno), "msg": record.getMessage(), "time": time.replace("+00:00", "Z")}
        return json.dumps({**head, **{k: v for k, v in fields.items() if k not in head}}, default=str, separators=(",", ":"))


def configure_logging(env: Mapping[str, str], stream: TextIO | None = None) -> logging.Logger:
    """Routes every logger to JSON lines on stderr at FLOE_PLUGIN_LOG_LEVEL and
    returns the plugin's logger."""
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonLinesFormatter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(parse_log_level(env.get(ENV_LOG_LEVEL)))
    logging.captureWarnings(True)
    return logging.getLogger(LOGGER_NAME)


class FieldsAdapter(logging.LoggerAdapter):
    """A logger whose lines also carry fixed fields (e.g. the run id)."""

    def process(self, msg: Any, kwargs: MutableMapping[str, Any]) -> tuple[Any, MutableMapping[str, Any]]:
        kwargs["extra"] = {**(self.extra or {}), **kwargs.get("extra", {})}
        return msg, kwargs


def logger_with_fields(logger: logging.Logger | logging.LoggerAdapter, **fields: Any) -> FieldsAdapter:
    if isinstance(logger, logging.LoggerAdapter):
        base = dict(logger.extra or {})
        return FieldsAdapter(logger.logger, {**base, **fields})
    return FieldsAdapter(logger, fields)
