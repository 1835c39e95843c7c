"""A throwaway PostgreSQL server for tests: initdb into a temporary directory, a free
loopback port, started as the ``postgres`` user when the tests run as root, readiness
awaited with a deadline, stopped and removed at the end."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass

import psycopg2

READY_DEADLINE_S = 30.0


def _server_bin_dir() -> str:
    found = shutil.which("initdb")
    if found:
        return os.path.dirname(found)
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True):
        return os.path.dirname(candidate)
    raise RuntimeError("PostgreSQL server binaries (initdb, postgres) not found: run scripts/setup-postgres.sh")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *argv]
    return argv


@dataclass
class PostgresServer:
    host: str
    port: int
    user: str
    password: str
    database: str
    data_dir: str
    _process: subprocess.Popen

    def connect(self, database: str | None = None):
        return psycopg2.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            dbname=database or self.database,
        )

    def url(self, database: str | None = None) -> str:
        return f"postgresql+psycopg2://{self.user}:{self.password}@{self.host}:{self.port}/{database or self.database}"

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        shutil.rmtree(os.path.dirname(self.data_dir), ignore_errors=True)


def start_postgres() -> PostgresServer:
    bin_dir = _server_bin_dir()
    root = tempfile.mkdtemp(prefix="floe-gx-pg-")
    data_dir = os.path.join(root, "data")
    password_file = os.path.join(root, "pwfile")
    password = "floe-test"
    with open(password_file, "w") as f:
        f.write(password + "\n")
    if os.geteuid() == 0:
        shutil.chown(root, user="postgres", group="postgres")
        shutil.chown(password_file, user="postgres", group="postgres")
    subprocess.run(
        _as_server_user(
            [
                os.path.join(bin_dir, "initdb"),
                "-D",
                data_dir,
                "-U",
                "floe",
                "--pwfile",
                password_file,
                "-A",
                "scram-sha-256",
                "-E",
                "UTF8",
                "--no-sync",
            ]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    port = _free_port()
    process = subprocess.Popen(
        _as_server_user(
            [
                os.path.join(bin_dir, "postgres"),
                "-D",
                data_dir,
                "-p",
                str(port),
                "-h",
                "127.0.0.1",
                "-k",
                root,
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
            ]
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = PostgresServer("127.0.0.1", port, "floe", password, "postgres", data_dir, process)
    deadline = time.monotonic() + READY_DEADLINE_S
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            server.stop()
            raise RuntimeError(f"postgres exited with code {process.returncode} during start-up")
        try:
            server.connect().close()
            return server
        except psycopg2.OperationalError as error:
            last_error = error
            time.sleep(0.05)
    server.stop()
    raise RuntimeError(f"postgres not ready within {READY_DEADLINE_S} s: {last_error}")
