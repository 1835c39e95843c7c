"""SQL names: identifier quoting per dialect and relation names ("table",
"schema.table", "db.schema.table", each part optionally double-quoted so that it
may hold a dot). The Python twin of sdk/src/names.ts; both pass
sdk/vectors/primitives.json."""

from __future__ import annotations

from dataclasses import dataclass

DIALECTS = ("duckdb", "postgres")


def sql_dialect_named(name: str) -> str | None:
    """``duckdb``, ``postgres`` or ``postgresql`` (any case) → the dialect; else None."""
    normalized = name.strip().lower()
    if normalized == "duckdb":
        return "duckdb"
    if normalized in ("postgres", "postgresql"):
        return "postgres"
    return None


def identifier_byte_limit(dialect: str) -> int | None:
    """Longest identifier the dialect keeps, in UTF-8 bytes; None for any length."""
    return 63 if dialect == "postgres" else None


def quote_identifier(name: str, dialect: str = "duckdb") -> str:
    """A double-quoted identifier (``"`` doubled); NUL is refused by both dialects."""
    del dialect  # both dialects quote alike
    if "\x00" in name:
        raise ValueError("an identifier cannot contain the NUL character")
    return '"' + name.replace('"', '""') + '"'


def quote_spark_identifier(name: str) -> str:
    """A Spark SQL identifier: back-quoted, a back-quote doubled. Spark reads dots
    and quotes inside back-quotes as part of the name, so any column name is safe
    (``F.col`` would otherwise take ``a.b`` for a struct field)."""
    if "\x00" in name:
        raise ValueError("an identifier cannot contain the NUL character")
    return "`" + name.replace("`", "``") + "`"


def quote_spark_relation(relation: RelationName) -> str:
    """The relation as Spark SQL (``catalog.schema.table``): every part back-quoted."""
    return ".".join(quote_spark_identifier(p) for p in relation.parts)


def stored_identifier(name: str, dialect: str) -> str:
    """The name the database stores: PostgreSQL cuts identifiers to 63 bytes on a
    character boundary. Names are otherwise exact (never case-folded)."""
    limit = identifier_byte_limit(dialect)
    if limit is None or len(name.encode()) <= limit:
        return name
    out, size = "", 0
    for ch in name:
        n = len(ch.encode())
        if size + n > limit:
            break
        out += ch
        size += n
    return out


class RelationNameError(ValueError):
    """A relation name that cannot be parsed."""


@dataclass(frozen=True)
class RelationName:
    database: str | None
    schema: str | None
    identifier: str

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(p for p in (self.database, self.schema, self.identifier) if p is not None)

    def with_default_schema(self, schema: str) -> RelationName:
        if self.schema is not None or not schema:
            return self
        return RelationName(self.database, schema, self.identifier)


def parse_relation(text: str) -> RelationName:
    """Splits a relation name into its parts; RelationNameError on anything malformed."""
    source = text.strip()
    if not source:
        raise RelationNameError("the relation name is empty")
    shown = _json_string(text)
    parts: list[str] = []
    i = 0
    while True:
        part = ""
        if i < len(source) and source[i] == '"':
            i += 1
            while True:
                if i >= len(source):
                    raise RelationNameError(f"unclosed quote in relation {shown}")
                if source[i] == '"':
                    if i + 1 < len(source) and source[i + 1] == '"':
                        part += '"'
                        i += 2
                        continue
                    i += 1
                    break
                part += source[i]
                i += 1
        else:
            # Outside quotes a quote is an ordinary character.
            while i < len(source) and source[i] != ".":
                part += source[i]
                i += 1
        if part == "":
            raise RelationNameError(f"empty part in relation {shown}")
        parts.append(part)
        if i >= len(source):
            break
        if source[i] != ".":
            raise RelationNameError(f"unexpected character after a quoted part in relation {shown}")
        i += 1
        if i >= len(source):
            raise RelationNameError(f"relation {shown} ends with a dot")
    if len(parts) > 3:
        raise RelationNameError(
            f"relation {shown} has {len(parts)} parts; write table, schema.table or database.schema.table"
        )
    if len(parts) == 3:
        return RelationName(parts[0], parts[1], parts[2])
    if len(parts) == 2:
        return RelationName(None, parts[0], parts[1])
    return RelationName(None, None, parts[0])


def quote_relation(relation: RelationName, dialect: str = "duckdb") -> str:
    """The relation as SQL: every part quoted."""
    return ".".join(quote_identifier(p, dialect) for p in relation.parts)


def display_relation(relation: RelationName) -> str:
    """Parts joined by dots, a part quoted only when it needs it to parse back."""
    return ".".join(
        quote_identifier(p) if ("." in p or p.startswith('"') or p != p.strip()) else p for p in relation.parts
    )


def _json_string(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)
