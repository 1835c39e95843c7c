"""The Python SDK's protocol rules against the shared vectors (sdk/vectors/protocol.json),
which the TypeScript SDK's tests read too: one meaning per rule in both languages."""

import json
from pathlib import Path

import pytest

from floe_quality_sdk.handshake import host_protocol_versions, negotiate_protocol_version
from floe_quality_sdk.protocol import duplicate_check_name, is_compatible_floe_api_version, is_semantic_version

VECTORS = json.loads(
    (Path(__file__).resolve().parents[2] / "vectors" / "protocol.json").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("case", VECTORS["floe_api_versions"], ids=lambda c: repr(c["version"]))
def test_floe_api_versions_are_compatible_exactly_as_in_typescript(case):
    assert is_semantic_version(case["version"]) is case["semver"]
    assert is_compatible_floe_api_version(case["version"]) is case["compatible"]


@pytest.mark.parametrize("case", VECTORS["protocol_versions"], ids=lambda c: repr(c["env"]))
def test_protocol_version_lists_negotiate_as_in_typescript(case):
    env = {} if case["env"] is None else {"FLOE_PLUGIN_PROTOCOL_VERSIONS": case["env"]}
    host = host_protocol_versions(env)
    assert host == case["host"]
    assert negotiate_protocol_version(host) == case["negotiated"]


@pytest.mark.parametrize("case", VECTORS["duplicate_check_names"], ids=lambda c: repr(c["names"]))
def test_duplicate_check_names_are_found_as_in_typescript(case):
    assert duplicate_check_name(case["names"]) == case["duplicate"]
