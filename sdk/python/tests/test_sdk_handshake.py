import pytest

from floe_quality_sdk.handshake import (
    handshake_line,
    has_magic_cookie,
    host_protocol_versions,
    negotiate_protocol_version,
)
from floe_quality_sdk.protocol import MAGIC_COOKIE_VALUE, STARTED_BY_HAND_MESSAGE
from floe_quality_sdk.serve import ListenTarget, StartupError, startup_settings

COOKIE = {"FLOE_PLUGIN_MAGIC_COOKIE": MAGIC_COOKIE_VALUE}


def test_handshake_line_has_five_fields_in_protocol_order():
    assert handshake_line(1, "unix", "/tmp/floe-plugin-ab12/plugin.sock") == (
        "1|1|unix|/tmp/floe-plugin-ab12/plugin.sock|grpc"
    )
    assert handshake_line(1, "tcp", "127.0.0.1:7070") == "1|1|tcp|127.0.0.1:7070|grpc"


def test_magic_cookie_must_have_the_exact_value():
    assert has_magic_cookie(COOKIE)
    assert not has_magic_cookie({})
    assert not has_magic_cookie({"FLOE_PLUGIN_MAGIC_COOKIE": "floe-quality-plugin"})


@pytest.mark.parametrize(
    ("raw", "versions"),
    [(None, [1]), ("", [1]), ("1", [1]), ("1,2", [1, 2]), (" 3 , 1 ,x", [3, 1])],
)
def test_host_protocol_versions_parse_the_comma_list(raw, versions):
    env = {} if raw is None else {"FLOE_PLUGIN_PROTOCOL_VERSIONS": raw}
    assert host_protocol_versions(env) == versions


def test_negotiation_picks_the_highest_common_version():
    assert negotiate_protocol_version([1]) == 1
    assert negotiate_protocol_version([1, 2, 3], [1, 2]) == 2
    assert negotiate_protocol_version([2, 3]) is None


def test_missing_cookie_stops_with_the_human_message():
    with pytest.raises(StartupError) as raised:
        startup_settings({"FLOE_PLUGIN_SOCKET_DIR": "/tmp/x"})
    assert str(raised.value) == STARTED_BY_HAND_MESSAGE


def test_no_common_version_names_both_lists():
    with pytest.raises(StartupError) as raised:
        startup_settings({**COOKIE, "FLOE_PLUGIN_PROTOCOL_VERSIONS": "2,3", "FLOE_PLUGIN_SOCKET_DIR": "/tmp/x"})
    assert str(raised.value) == (
        "floe-quality plugin: no common protocol version: the host speaks [2,3] "
        "(FLOE_PLUGIN_PROTOCOL_VERSIONS), this plugin speaks [1]"
    )


def test_spawned_plugin_listens_on_plugin_sock_in_the_private_dir():
    app, target = startup_settings({**COOKIE, "FLOE_PLUGIN_SOCKET_DIR": "/tmp/floe-plugin-ab12"})
    assert app == 1
    assert target == ListenTarget(
        "unix", "unix:/tmp/floe-plugin-ab12/plugin.sock", "/tmp/floe-plugin-ab12/plugin.sock", sidecar=False
    )


def test_spawned_plugin_without_socket_dir_is_refused():
    with pytest.raises(StartupError, match="FLOE_PLUGIN_SOCKET_DIR is not set"):
        startup_settings(COOKIE)


def test_sidecar_needs_no_cookie():
    _, target = startup_settings({"FLOE_PLUGIN_LISTEN": "unix:///run/floe/p.sock"})
    assert target == ListenTarget("unix", "unix:/run/floe/p.sock", "/run/floe/p.sock", sidecar=True)


def test_sidecar_unix_path_must_be_absolute():
    with pytest.raises(StartupError, match="use an absolute path"):
        startup_settings({"FLOE_PLUGIN_LISTEN": "unix://p.sock"})


def test_sidecar_tcp_without_tls_is_refused_unless_insecure():
    with pytest.raises(StartupError, match="a TCP listener needs TLS"):
        startup_settings({"FLOE_PLUGIN_LISTEN": "tcp://127.0.0.1:7070"})
    _, target = startup_settings({"FLOE_PLUGIN_LISTEN": "tcp://127.0.0.1:0", "FLOE_PLUGIN_INSECURE": "1"})
    assert target == ListenTarget("tcp", "127.0.0.1:0", None, sidecar=True, tls=None)


def test_sidecar_tcp_reads_tls_material(tmp_path):
    (tmp_path / "c.pem").write_bytes(b"CERT")
    (tmp_path / "k.pem").write_bytes(b"KEY")
    (tmp_path / "ca.pem").write_bytes(b"CA")
    env = {
        "FLOE_PLUGIN_LISTEN": "tcp://0.0.0.0:7070",
        "FLOE_PLUGIN_TLS_CERT": str(tmp_path / "c.pem"),
        "FLOE_PLUGIN_TLS_KEY": str(tmp_path / "k.pem"),
    }
    assert startup_settings(env)[1].tls == (b"CERT", b"KEY", None)
    env["FLOE_PLUGIN_TLS_CLIENT_CA"] = str(tmp_path / "ca.pem")
    assert startup_settings(env)[1].tls == (b"CERT", b"KEY", b"CA")
    env["FLOE_PLUGIN_TLS_KEY"] = str(tmp_path / "missing.pem")
    with pytest.raises(StartupError, match="cannot read TLS material"):
        startup_settings(env)


def test_unknown_listen_scheme_is_refused():
    with pytest.raises(StartupError, match="expected unix:///path or tcp://host:port"):
        startup_settings({"FLOE_PLUGIN_LISTEN": "http://x"})
