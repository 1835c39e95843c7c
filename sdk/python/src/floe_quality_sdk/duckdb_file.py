"""Which DuckDB wrote a database file, read from its header before opening it: the
Python twin of sdk/src/duckdb-file.ts (header layout described there)."""

from __future__ import annotations

import re
import shlex
import struct
from dataclasses import dataclass

# Storage versions DuckDB 1.x reads (the release pinned in requirements.txt and
# embedded by @duckdb/node-api).
DUCKDB_1_STORAGE = (64, 68)
_HEADER_BYTES = 3 * 4096


@dataclass(frozen=True)
class DuckdbFileVersion:
    storage: int
    written_by: str | None


class NewerDuckdbFileError(Exception):
    code = "FLOE-DQ111"


def duckdb_file_version(path: str) -> DuckdbFileVersion | None:
    """The file's storage version; None when it is not a DuckDB file (or unreadable)."""
    try:
        with open(path, "rb") as f:
            data = f.read(_HEADER_BYTES)
    except OSError:
        return None
    if len(data) < 64 or data[8:12] != b"DUCK":
        return None
    (main,) = struct.unpack_from("<Q", data, 12)
    library = data[52:84].split(b"\0", 1)[0].decode("latin-1")
    serialization = 0
    if len(data) >= _HEADER_BYTES:
        first = struct.unpack_from("<Q", data, 4096 + 8)[0], struct.unpack_from("<Q", data, 4096 + 56)[0]
        second = struct.unpack_from("<Q", data, 8192 + 8)[0], struct.unpack_from("<Q", data, 8192 + 56)[0]
        serialization = (first if first[0] >= second[0] else second)[1]
    storage = max(main if main < 999 else 0, serialization)
    return DuckdbFileVersion(storage, library if re.match(r"^v\d", library) else None)


def duckdb_conversion_command(path: str) -> str:
    """The command that rewrites ``path`` in DuckDB 1.5's storage format (run it with the newer DuckDB)."""
    target = re.sub(r"(\.duckdb|\.db)?$", lambda m: ".v1_5" + (m.group(1) or ""), path, count=1)

    def literal(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    sql = (
        f"ATTACH {literal(path)} AS src (READ_ONLY); ATTACH {literal(target)} AS dst "
        "(STORAGE_VERSION 'v1.5.0'); COPY FROM DATABASE src TO dst;"
    )
    return "python -c 'import duckdb, sys; duckdb.connect().execute(sys.argv[1])' " + shlex.quote(sql)


def check_duckdb_file_version(path: str, reader: str) -> None:
    """NewerDuckdbFileError (FLOE-DQ111) when ``path`` is newer than DuckDB 1.x reads."""
    version = duckdb_file_version(path)
    if version is None or version.storage <= DUCKDB_1_STORAGE[1]:
        return
    writer = f"DuckDB {version.written_by}" if version.written_by else "a newer DuckDB"
    raise NewerDuckdbFileError(
        f"DuckDB file {path} was written by {writer} (storage version {version.storage}); {reader}, which reads "
        f"storage versions {DUCKDB_1_STORAGE[0]} to {DUCKDB_1_STORAGE[1]}. Convert it with the DuckDB that "
        f"wrote it: {duckdb_conversion_command(path)}"
    )
