"""Test support for the Python callers of the host: the built CLI as a real
process (`floe-quality serve` with the real floe_sql plugin), started on a free
loopback port and stopped with SIGTERM. Waits on the "listening on" line with a
deadline, never on a sleep."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / "host" / "dist" / "cli" / "main.js"
START_DEADLINE_SECONDS = 90


def floe_cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """One CLI command to completion; raises with its stderr when it fails."""
    done = subprocess.run(
        ["node", str(CLI), *args],
        cwd=cwd,
        env={**os.environ, "FLOE_LINEAGE_TRANSPORT": "none", **(env or {})},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    if done.returncode not in (0, 1):
        raise RuntimeError(f"floe-quality {' '.join(args)} exited {done.returncode}: {done.stderr}")
    return done


@dataclass
class Serve:
    address: str
    process: subprocess.Popen[str]
    stderr: list[str] = field(default_factory=list)


@contextmanager
def serve(artifacts: Path, cwd: Path, env: dict[str, str]) -> Iterator[Serve]:
    """`floe-quality serve --artifacts ARTIFACTS` on 127.0.0.1:0 until the block ends."""
    process = subprocess.Popen(
        ["node", str(CLI), "serve", "--artifacts", str(artifacts), "--listen", "127.0.0.1:0"],
        cwd=cwd,
        env={**os.environ, **env},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()
    errors: list[str] = []

    def pump(stream, sink) -> None:  # type: ignore[no-untyped-def]
        for line in stream:
            sink(line)
        if sink is lines.put:
            lines.put(None)

    threading.Thread(target=pump, args=(process.stdout, lines.put), daemon=True).start()
    threading.Thread(target=pump, args=(process.stderr, errors.append), daemon=True).start()
    try:
        address = None
        while address is None:
            try:
                line = lines.get(timeout=START_DEADLINE_SECONDS)
            except queue.Empty:
                raise RuntimeError(f"serve did not listen within {START_DEADLINE_SECONDS} s: {''.join(errors)}") from None
            if line is None:
                raise RuntimeError(f"serve exited before listening: {''.join(errors)}")
            if "listening on " in line:
                address = line.rsplit("listening on ", 1)[1].strip()
        yield Serve(address=address, process=process, stderr=errors)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
