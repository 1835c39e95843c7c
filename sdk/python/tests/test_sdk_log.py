import io
import json
import logging

import pytest

from floe_quality_sdk.log import configure_logging, logger_with_fields, parse_log_level


@pytest.fixture
def stream():
    buffer = io.StringIO()
    yield buffer
    logging.getLogger().handlers.clear()


def records(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_log_level_from_env_defaults_to_info():
    assert parse_log_level("debug") == logging.DEBUG
    assert parse_log_level("warn") == logging.WARNING
    assert parse_log_level("error") == logging.ERROR
    assert parse_log_level(None) == logging.INFO
    assert parse_log_level("chatty") == logging.INFO


def test_lines_are_json_with_level_msg_time_first_then_fields(stream):
    log = configure_logging({"FLOE_PLUGIN_LOG_LEVEL": "debug"}, stream)
    logger_with_fields(log, run_id="r1").warning("slow check", extra={"check": "ids_unique"})
    [record] = records(stream)
    assert list(record)[:3] == ["level", "msg", "time"]
    assert record["level"] == "warn"
    assert record["msg"] == "slow check"
    assert record["time"].endswith("Z") and record["time"][10] == "T"
    assert (record["run_id"], record["check"]) == ("r1", "ids_unique")


def test_below_the_level_nothing_is_written(stream):
    log = configure_logging({"FLOE_PLUGIN_LOG_LEVEL": "warn"}, stream)
    log.info("quiet")
    log.error("loud")
    assert [r["msg"] for r in records(stream)] == ["loud"]


def test_exceptions_keep_their_traceback_in_the_stack_field(stream):
    log = configure_logging({}, stream)
    try:
        raise KeyError("missing")
    except KeyError:
        log.error("handler failed", exc_info=True)
    [record] = records(stream)
    assert record["error"] == "'missing'"
    assert record["stack"].startswith("Traceback (most recent call last):")


def test_library_loggers_are_named(stream):
    # A library of its own name: plugins (the GX one) may quiet the loggers of the
    # libraries they load, in the same pytest process.
    configure_logging({}, stream)
    logging.getLogger("some_library.core").info("loaded")
    [record] = records(stream)
    assert record["logger"] == "some_library.core"
