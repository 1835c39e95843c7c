"""The gRPC shell: connection fields (the token never in a URL that is logged),
ValidateSuite's FLOE-DQ101 and FLOE-DQ105 from the relation's schema."""

import pytest
from floe_quality_sdk import FloeError, plugin_pb2, types_pb2

from floe_quality_spark.service import SparkQualityPlugin, connection_from_proto
from floe_quality_spark.session import RelationError, SparkConnection


def test_a_spark_connect_connection_carries_token_and_user_in_the_sc_url():
    message = types_pb2.Connection(dialect="spark", host="spark.internal", port=443, user="etl", password="a;b=c")
    connection = connection_from_proto(message)
    assert (connection.remote, connection.token) == (True, "a;b=c")
    assert connection.connect_url() == "sc://spark.internal:443/;token=a%3Bb%3Dc;user_id=etl"
    assert SparkConnection(host="h").connect_url() == "sc://h:15002/"


def test_a_host_that_is_a_url_is_refused_with_the_fix():
    with pytest.raises(RelationError, match="is not a host name; give the Spark Connect host only"):
        SparkConnection(host="sc://h:15002").connect_url()


def test_a_connection_of_another_dialect_is_floe_dq001():
    with pytest.raises(FloeError) as caught:
        connection_from_proto(types_pb2.Connection(dialect="postgres", host="db"))
    assert caught.value.code == "FLOE-DQ001"


def test_validate_suite_reports_bad_checks_and_missing_columns(spark, warehouse):
    plugin = SparkQualityPlugin()
    plugin.sessions.get = lambda connection: spark  # the session of the test run
    request = plugin_pb2.ValidateSuiteRequest(
        connection=types_pb2.Connection(dialect="spark", path=str(warehouse)), relation="customers"
    )
    good = request.suite.checks.add(name="nn_email", type="not_null", column="email")
    bad = request.suite.checks.add(name="av", type="accepted_values", column="status")
    bad.parameters.update({})
    request.suite.checks.add(name="nope", type="no_such_type", column="email")
    missing = request.suite.checks.add(name="nn_x", type="not_null", column="no_such_column")
    filtered = request.suite.checks.add(name="rc", type="not_null", column="email")
    filtered.parameters.update({"row_condition": "regionx = 'eu'"})
    del good, missing
    result = plugin.validate_suite(request, None)["result"]
    assert result["success"] is False
    assert [(d["code"], d["path"]) for d in result["diagnostics"]] == [
        ("FLOE-DQ101", "checks[1]"),
        ("FLOE-DQ101", "checks[2]"),
        ("FLOE-DQ105", "checks[3]"),
        ("FLOE-DQ105", "checks[4]"),
    ]
    assert result["diagnostics"][3]["message"] == "check rc: column 'regionx' does not exist in relation customers"
