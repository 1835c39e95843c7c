"""Real plugin processes for the tests: the py-echo fixture plugin run with the
project's interpreter, its stdout handshake and stderr log read with deadlines;
and a throwaway CA with server and client certificates for the TLS sidecar."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import datetime
from dataclasses import dataclass

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from floe_quality_sdk.contract import plugin_pb2_grpc
from floe_quality_sdk.protocol import MAGIC_COOKIE_VALUE

REPO = Path(__file__).resolve().parents[3]
ECHO_PLUGIN = REPO / "test" / "fixtures" / "plugins" / "py-echo" / "main.py"


class PluginProcess:
    """A started plugin: its handshake line, log lines and a channel to it."""

    def __init__(self, env: dict[str, str], stdin_pipe: bool = True) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(ECHO_PLUGIN)],
            env=env,
            stdin=subprocess.PIPE if stdin_pipe else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.stderr_lines: list[str] = []
        self._stdout_lines: list[str] = []
        self._first_line = threading.Event()
        threading.Thread(target=self._read_stdout, daemon=True).start()
        self._stderr_reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._stderr_reader.start()
        self.channel: grpc.Channel | None = None

    def _read_stdout(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._stdout_lines.append(line)
            self._first_line.set()
        self._first_line.set()

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr_lines.append(line.rstrip("\n"))

    def handshake(self, timeout: float = 10.0) -> str:
        if not self._first_line.wait(timeout) or not self._stdout_lines:
            raise AssertionError(f"no handshake line within {timeout} s; stderr: {self.stderr_lines}")
        return self._stdout_lines[0].rstrip("\n")

    def stdout_lines(self) -> list[str]:
        return list(self._stdout_lines)

    def connect(self) -> grpc.Channel:
        address = self.handshake().split("|")[3]
        self.channel = grpc.insecure_channel(f"unix:{address}")
        return self.channel

    def stub(self) -> plugin_pb2_grpc.QualityPluginServiceStub:
        return plugin_pb2_grpc.QualityPluginServiceStub(self.channel or self.connect())

    def stderr_lines_after_exit(self, timeout: float = 10.0) -> list[str]:
        self.process.wait(timeout)
        self._stderr_reader.join(timeout)
        return list(self.stderr_lines)

    def log_records(self) -> list[dict]:
        lines = self.stderr_lines_after_exit() if self.process.poll() is not None else self.stderr_lines
        return [json.loads(line) for line in lines if line.startswith("{")]

    def wait(self, timeout: float = 10.0) -> int:
        return self.process.wait(timeout)

    def close(self) -> None:
        if self.channel is not None:
            self.channel.close()
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def socket_dir() -> Iterator[str]:
    directory = tempfile.mkdtemp(prefix="floe-plugin-")
    os.chmod(directory, 0o700)
    yield directory
    # A plugin whose host went away (stdin EOF) removes the directory itself.
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def plugin_env(socket_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOE_")}
    env.update(
        FLOE_PLUGIN_MAGIC_COOKIE=MAGIC_COOKIE_VALUE,
        FLOE_PLUGIN_PROTOCOL_VERSIONS="1",
        FLOE_PLUGIN_SOCKET_DIR=socket_dir,
    )
    return env


@pytest.fixture
def start_plugin() -> Iterator:
    started: list[PluginProcess] = []

    def start(env: dict[str, str], stdin_pipe: bool = True) -> PluginProcess:
        plugin = PluginProcess(env, stdin_pipe)
        started.append(plugin)
        return plugin

    yield start
    for plugin in started:
        plugin.close()



@dataclass
class TlsMaterial:
    ca_cert: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(subject, issuer, public_key, signing_key, *, ca: bool, san: list | None = None):
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
    return builder.sign(signing_key, hashes.SHA256())


def _write_key(path: Path, key) -> Path:
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return path


def _write_cert(path: Path, cert) -> Path:
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


@pytest.fixture
def tls_material(tmp_path: Path) -> TlsMaterial:
    directory = tmp_path
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _certificate(_name("floe test CA"), _name("floe test CA"), ca_key.public_key(), ca_key, ca=True)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = _certificate(
        _name("localhost"), ca.subject, server_key.public_key(), ca_key, ca=False, san=[x509.DNSName("localhost")]
    )
    client_key = ec.generate_private_key(ec.SECP256R1())
    client = _certificate(_name("floe host"), ca.subject, client_key.public_key(), ca_key, ca=False)
    return TlsMaterial(
        ca_cert=_write_cert(directory / "ca.pem", ca),
        server_cert=_write_cert(directory / "server.pem", server),
        server_key=_write_key(directory / "server-key.pem", server_key),
        client_cert=_write_cert(directory / "client.pem", client),
        client_key=_write_key(directory / "client-key.pem", client_key),
    )
