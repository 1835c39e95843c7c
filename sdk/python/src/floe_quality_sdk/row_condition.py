"""The portable row filter (``row_condition``), the Python twin of
sdk/src/row-condition.ts (grammar and truth rules there); both pass
sdk/vectors/row-conditions.json."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Union

MAX_CONDITION_LENGTH = 4096
MAX_CONDITION_DEPTH = 32

Value = Union[str, int, float, bool]


class RowConditionError(ValueError):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


@dataclass(frozen=True)
class Column:
    name: str


@dataclass(frozen=True)
class Literal:
    value: Value


Operand = Union[Column, Literal]


@dataclass(frozen=True)
class BoolOp:
    kind: str  # "and" | "or"
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    item: Condition


@dataclass(frozen=True)
class Compare:
    op: str  # = != < <= > >=
    left: Operand
    right: Operand


@dataclass(frozen=True)
class In:
    operand: Operand
    values: tuple[Value, ...]
    negated: bool


@dataclass(frozen=True)
class IsNull:
    operand: Operand
    negated: bool


Condition = Union[BoolOp, Not, Compare, In, IsNull]

_KEYWORDS = {"and", "or", "not", "in", "is", "null", "true", "false"}
_NUMBER = re.compile(r"-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


@dataclass(frozen=True)
class _Token:
    t: str  # name quoted string number op end
    v: object
    at: int


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        at = i
        if ch.isascii() and (ch.isalpha() or ch == "_"):
            j = i + 1
            while j < len(text) and text[j].isascii() and (text[j].isalnum() or text[j] == "_"):
                j += 1
            tokens.append(_Token("name", text[i:j], at))
            i = j
        elif ch in "\"'":
            value = ""
            j = i + 1
            while True:
                if j >= len(text):
                    raise RowConditionError(
                        "unclosed quoted column name" if ch == '"' else "unclosed text literal", at
                    )
                if text[j] == ch:
                    if j + 1 < len(text) and text[j + 1] == ch:
                        value += ch
                        j += 2
                        continue
                    break
                value += text[j]
                j += 1
            if ch == '"' and value == "":
                raise RowConditionError("empty quoted column name", at)
            tokens.append(_Token("quoted" if ch == '"' else "string", value, at))
            i = j + 1
        elif ch.isdigit() or ch in ".-":
            m = _NUMBER.match(text, i)
            if not m:
                raise RowConditionError(f"unexpected {_js(ch)}", at)
            raw = m.group(0)
            number: float | int = float(raw)
            if number.is_integer() and abs(number) < 2**53:
                number = int(number)
            tokens.append(_Token("number", number, at))
            i = m.end()
        else:
            two = text[i : i + 2]
            if two in ("<=", ">=", "!=", "<>", "=="):
                tokens.append(_Token("op", {"<>": "!=", "==": "="}.get(two, two), at))
                i += 2
            elif ch in "=<>(),":
                tokens.append(_Token("op", ch, at))
                i += 1
            else:
                raise RowConditionError(f"unexpected {_js(ch)}", at)
    tokens.append(_Token("end", None, len(text)))
    return tokens


def _js(ch: str) -> str:
    import json

    return json.dumps(ch, ensure_ascii=False)


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> _Token:
        return self.tokens[self.pos]

    def keyword(self, word: str) -> bool:
        t = self.peek()
        if t.t == "name" and str(t.v).lower() == word:
            self.pos += 1
            return True
        return False

    def symbol(self, v: str) -> bool:
        t = self.peek()
        if t.t == "op" and t.v == v:
            self.pos += 1
            return True
        return False

    def expect(self, v: str, what: str) -> None:
        if not self.symbol(v):
            raise self.unexpected(what)

    def unexpected(self, wanted: str) -> RowConditionError:
        t = self.peek()
        return RowConditionError(f"expected {wanted}, found {_describe(t)}", t.at)

    def parse(self) -> Condition:
        condition = self.or_(0)
        if self.peek().t != "end":
            raise self.unexpected("AND, OR or the end")
        return condition

    def or_(self, depth: int) -> Condition:
        items = [self.and_(depth)]
        while self.keyword("or"):
            items.append(self.and_(depth))
        return items[0] if len(items) == 1 else BoolOp("or", tuple(items))

    def and_(self, depth: int) -> Condition:
        items = [self.not_(depth)]
        while self.keyword("and"):
            items.append(self.not_(depth))
        return items[0] if len(items) == 1 else BoolOp("and", tuple(items))

    def not_(self, depth: int) -> Condition:
        if depth > MAX_CONDITION_DEPTH:
            raise RowConditionError(f"nested more than {MAX_CONDITION_DEPTH} levels deep", self.peek().at)
        if self.keyword("not"):
            return Not(self.not_(depth + 1))
        if self.symbol("("):
            inner = self.or_(depth + 1)
            self.expect(")", "a closing parenthesis")
            return inner
        return self.predicate()

    def predicate(self) -> Condition:
        operand = self.operand()
        if self.keyword("is"):
            negated = self.keyword("not")
            if not self.keyword("null"):
                raise self.unexpected("NULL after IS")
            return IsNull(operand, negated)
        negated_in = self.keyword("not")
        if self.keyword("in"):
            self.expect("(", "a parenthesis after IN")
            values = [self.literal()]
            while self.symbol(","):
                values.append(self.literal())
            self.expect(")", "a closing parenthesis after the IN list")
            return In(operand, tuple(values), negated_in)
        if negated_in:
            raise self.unexpected("IN after NOT")
        t = self.peek()
        if t.t == "op" and t.v in ("=", "!=", "<", "<=", ">", ">="):
            self.pos += 1
            return Compare(str(t.v), operand, self.operand())
        raise self.unexpected("a comparison, IN or IS [NOT] NULL")

    def operand(self) -> Operand:
        t = self.peek()
        if t.t == "quoted":
            self.pos += 1
            return Column(str(t.v))
        if t.t == "name" and str(t.v).lower() not in _KEYWORDS:
            self.pos += 1
            return Column(str(t.v))
        return Literal(self.literal())

    def literal(self) -> Value:
        t = self.peek()
        self.pos += 1
        if t.t in ("string", "number"):
            return t.v  # type: ignore[return-value]
        if t.t == "name" and str(t.v).lower() == "true":
            return True
        if t.t == "name" and str(t.v).lower() == "false":
            return False
        self.pos -= 1
        if t.t == "name" and str(t.v).lower() == "null":
            raise RowConditionError("NULL is not a value here: write IS NULL or IS NOT NULL", t.at)
        raise self.unexpected("a column, a 'text' literal, a number, TRUE or FALSE")


def _describe(t: _Token) -> str:
    if t.t == "end":
        return "the end"
    if t.t == "string":
        return f"'{t.v}'"
    if t.t == "quoted":
        return f'"{t.v}"'
    if t.t == "number":
        return _number_text(t.v)  # type: ignore[arg-type]
    return str(t.v)


def parse_row_condition(text: str) -> Condition:
    """The condition's tree; RowConditionError says what is wrong and where."""
    if len(text) > MAX_CONDITION_LENGTH:
        raise RowConditionError(
            f"the condition is {len(text)} characters long; the limit is {MAX_CONDITION_LENGTH}",
            MAX_CONDITION_LENGTH,
        )
    if not text.strip():
        raise RowConditionError("the condition is empty", 0)
    return _Parser(_tokenize(text)).parse()


def condition_columns(condition: Condition) -> list[str]:
    """Every column the condition reads, in order of first use."""
    out: dict[str, None] = {}

    def operand(o: Operand) -> None:
        if isinstance(o, Column):
            out.setdefault(o.name)

    def walk(c: Condition) -> None:
        if isinstance(c, BoolOp):
            for item in c.items:
                walk(item)
        elif isinstance(c, Not):
            walk(c.item)
        elif isinstance(c, Compare):
            operand(c.left)
            operand(c.right)
        else:
            operand(c.operand)

    walk(condition)
    return list(out)


def condition_to_sql(
    condition: Condition, ident: Callable[[str], str], value: Callable[[Value], str]
) -> str:
    """The condition as a fully parenthesized SQL boolean expression."""

    def operand(o: Operand) -> str:
        return ident(o.name) if isinstance(o, Column) else value(o.value)

    def sql(c: Condition) -> str:
        if isinstance(c, BoolOp):
            return "(" + (" AND " if c.kind == "and" else " OR ").join(sql(i) for i in c.items) + ")"
        if isinstance(c, Not):
            return f"(NOT {sql(c.item)})"
        if isinstance(c, Compare):
            op = "<>" if c.op == "!=" else c.op
            return f"({operand(c.left)} {op} {operand(c.right)})"
        if isinstance(c, In):
            values = ", ".join(value(v) for v in c.values)
            return f"({operand(c.operand)} {'NOT IN' if c.negated else 'IN'} ({values}))"
        return f"({operand(c.operand)} IS {'NOT NULL' if c.negated else 'NULL'})"

    return sql(condition)


def sql_literal(value: Value) -> str:
    """A value as a SQL literal DuckDB and PostgreSQL read alike (see row-condition.ts)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{value} cannot be written as a SQL literal")
        return _number_text(value)
    if "\x00" in value:
        raise ValueError("a text value cannot contain the NUL character")
    return "'" + value.replace("'", "''") + "'"


def _number_text(value: float | int) -> str:
    """Numbers as JavaScript writes them, so both languages render the same SQL."""
    if isinstance(value, int) or float(value).is_integer() and abs(value) < 1e21:
        return str(int(value))
    text = repr(float(value))
    if "e" in text:
        mantissa, exponent = text.split("e")
        sign = "-" if exponent.startswith("-") else "+"
        return f"{mantissa.rstrip('0').rstrip('.') if '.' in mantissa else mantissa}e{sign}{exponent.lstrip('+-').lstrip('0') or '0'}"
    return text
