// The portable row filter (`row_condition`): one small expression language that
// compile parses and checks against the model's columns, and that every plugin
// translates for its engine (SQL for floe_sql and dbt, SQL or Great Expectations
// conditions for great_expectations). floe_quality_sdk/row_condition.py is the
// Python twin; sdk/vectors/row-conditions.json holds the cases both must pass.
//
//   condition  := or
//   or         := and ("OR" and)*
//   and        := not ("AND" not)*
//   not        := "NOT" not | "(" condition ")" | predicate
//   predicate  := operand (op operand | ["NOT"] "IN" "(" literal ("," literal)* ")" | "IS" ["NOT"] "NULL")
//   op         := = | != | <> | < | <= | > | >=
//   operand    := column | literal
//   column     := name | "quoted name"           (a name: letter or _, then letters, digits, _)
//   literal    := 'text' ('' for a quote) | number | TRUE | FALSE
//
// Keywords are case-insensitive; a column named like a keyword is written quoted.
// Truth is SQL's: a comparison involving a null is unknown, and a row is kept only
// when the whole condition is true.

export type ConditionValue = string | number | boolean;

export type Operand = { readonly column: string } | { readonly value: ConditionValue };

export type ComparisonOperator = "=" | "!=" | "<" | "<=" | ">" | ">=";

export type Condition =
  | { readonly kind: "and" | "or"; readonly items: readonly Condition[] }
  | { readonly kind: "not"; readonly item: Condition }
  | {
      readonly kind: "compare";
      readonly op: ComparisonOperator;
      readonly left: Operand;
      readonly right: Operand;
    }
  | {
      readonly kind: "in";
      readonly operand: Operand;
      readonly values: readonly ConditionValue[];
      readonly negated: boolean;
    }
  | { readonly kind: "null"; readonly operand: Operand; readonly negated: boolean };

/** Longest condition accepted, in characters, and deepest nesting (config is untrusted). */
export const MAX_CONDITION_LENGTH = 4096;
export const MAX_CONDITION_DEPTH = 32;

/** A condition that does not parse; `offset` is the character where the problem is. */
export class RowConditionError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

type Token =
  | { t: "name"; v: string; at: number }
  | { t: "quoted"; v: string; at: number }
  | { t: "string"; v: string; at: number }
  | { t: "number"; v: number; at: number }
  | { t: "op"; v: string; at: number }
  | { t: "end"; at: number };

const KEYWORDS = new Set(["and", "or", "not", "in", "is", "null", "true", "false"]);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const at = i;
    if (/[A-Za-z_]/.test(ch)) {
      let j = i + 1;
      while (j < text.length && /[A-Za-z0-9_]/.test(text[j] as string)) j++;
      tokens.push({ t: "name", v: text.slice(i, j), at });
      i = j;
    } else if (ch === '"' || ch === "'") {
      let value = "";
      let j = i + 1;
      for (;;) {
        if (j >= text.length) {
          throw new RowConditionError(
            ch === '"' ? "unclosed quoted column name" : "unclosed text literal",
            at,
          );
        }
        if (text[j] === ch) {
          if (text[j + 1] === ch) {
            value += ch;
            j += 2;
            continue;
          }
          break;
        }
        value += text[j];
        j++;
      }
      if (ch === '"' && value === "") throw new RowConditionError("empty quoted column name", at);
      tokens.push({ t: ch === '"' ? "quoted" : "string", v: value, at });
      i = j + 1;
    } else if (/[0-9.-]/.test(ch)) {
      const m = /^-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(text.slice(i));
      if (!m) throw new RowConditionError(`unexpected ${JSON.stringify(ch)}`, at);
      tokens.push({ t: "number", v: Number(m[0]), at });
      i += m[0].length;
    } else {
      const two = text.slice(i, i + 2);
      if (two === "<=" || two === ">=" || two === "!=" || two === "<>" || two === "==") {
        tokens.push({ t: "op", v: two === "<>" ? "!=" : two === "==" ? "=" : two, at });
        i += 2;
      } else if ("=<>(),".includes(ch)) {
        tokens.push({ t: "op", v: ch, at });
        i++;
      } else {
        throw new RowConditionError(`unexpected ${JSON.stringify(ch)}`, at);
      }
    }
  }
  tokens.push({ t: "end", at: text.length });
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos] as Token;
  }

  private next(): Token {
    return this.tokens[this.pos++] as Token;
  }

  private keyword(word: string): boolean {
    const t = this.peek();
    if (t.t === "name" && t.v.toLowerCase() === word) {
      this.pos++;
      return true;
    }
    return false;
  }

  private symbol(v: string): boolean {
    const t = this.peek();
    if (t.t === "op" && t.v === v) {
      this.pos++;
      return true;
    }
    return false;
  }

  private expect(v: string, what: string): void {
    if (!this.symbol(v)) throw this.unexpected(what);
  }

  private unexpected(wanted: string): RowConditionError {
    const t = this.peek();
    const got = t.t === "end" ? "the end" : describe(t);
    return new RowConditionError(`expected ${wanted}, found ${got}`, t.at);
  }

  parse(): Condition {
    const condition = this.or(0);
    if (this.peek().t !== "end") throw this.unexpected("AND, OR or the end");
    return condition;
  }

  private or(depth: number): Condition {
    const items = [this.and(depth)];
    while (this.keyword("or")) items.push(this.and(depth));
    return items.length === 1 ? (items[0] as Condition) : { kind: "or", items };
  }

  private and(depth: number): Condition {
    const items = [this.not(depth)];
    while (this.keyword("and")) items.push(this.not(depth));
    return items.length === 1 ? (items[0] as Condition) : { kind: "and", items };
  }

  private not(depth: number): Condition {
    if (depth > MAX_CONDITION_DEPTH) {
      throw new RowConditionError(
        `nested more than ${MAX_CONDITION_DEPTH} levels deep`,
        this.peek().at,
      );
    }
    if (this.keyword("not")) return { kind: "not", item: this.not(depth + 1) };
    if (this.symbol("(")) {
      const inner = this.or(depth + 1);
      this.expect(")", "a closing parenthesis");
      return inner;
    }
    return this.predicate();
  }

  private predicate(): Condition {
    const operand = this.operand();
    if (this.keyword("is")) {
      const negated = this.keyword("not");
      if (!this.keyword("null")) throw this.unexpected("NULL after IS");
      return { kind: "null", operand, negated };
    }
    const negatedIn = this.keyword("not");
    if (this.keyword("in")) {
      this.expect("(", "a parenthesis after IN");
      const values = [this.literal()];
      while (this.symbol(",")) values.push(this.literal());
      this.expect(")", "a closing parenthesis after the IN list");
      return { kind: "in", operand, values, negated: negatedIn };
    }
    if (negatedIn) throw this.unexpected("IN after NOT");
    const t = this.peek();
    if (t.t === "op" && ["=", "!=", "<", "<=", ">", ">="].includes(t.v)) {
      this.pos++;
      return {
        kind: "compare",
        op: t.v as ComparisonOperator,
        left: operand,
        right: this.operand(),
      };
    }
    throw this.unexpected("a comparison, IN or IS [NOT] NULL");
  }

  private operand(): Operand {
    const t = this.peek();
    if (t.t === "quoted") {
      this.pos++;
      return { column: t.v };
    }
    if (t.t === "name" && !KEYWORDS.has(t.v.toLowerCase())) {
      this.pos++;
      return { column: t.v };
    }
    return { value: this.literal() };
  }

  private literal(): ConditionValue {
    const t = this.next();
    if (t.t === "string" || t.t === "number") return t.v;
    if (t.t === "name" && t.v.toLowerCase() === "true") return true;
    if (t.t === "name" && t.v.toLowerCase() === "false") return false;
    this.pos--;
    if (t.t === "name" && t.v.toLowerCase() === "null") {
      throw new RowConditionError("NULL is not a value here: write IS NULL or IS NOT NULL", t.at);
    }
    throw this.unexpected("a column, a 'text' literal, a number, TRUE or FALSE");
  }
}

function describe(t: Token): string {
  if (t.t === "string") return `'${t.v}'`;
  if (t.t === "quoted") return `"${t.v}"`;
  if (t.t === "end") return "the end";
  return String(t.v);
}

/** The condition's tree; throws RowConditionError saying what is wrong and where. */
export function parseRowCondition(text: string): Condition {
  if (text.length > MAX_CONDITION_LENGTH) {
    throw new RowConditionError(
      `the condition is ${text.length} characters long; the limit is ${MAX_CONDITION_LENGTH}`,
      MAX_CONDITION_LENGTH,
    );
  }
  if (text.trim() === "") throw new RowConditionError("the condition is empty", 0);
  return new Parser(tokenize(text)).parse();
}

/** Every column the condition reads, in order of first use. */
export function conditionColumns(condition: Condition): string[] {
  const out = new Set<string>();
  const operand = (o: Operand) => {
    if ("column" in o) out.add(o.column);
  };
  const walk = (c: Condition): void => {
    switch (c.kind) {
      case "and":
      case "or":
        c.items.forEach(walk);
        break;
      case "not":
        walk(c.item);
        break;
      case "compare":
        operand(c.left);
        operand(c.right);
        break;
      default:
        operand(c.operand);
    }
  };
  walk(condition);
  return [...out];
}

/** How a SQL translation writes names and values (quoted identifiers; bound parameters or literals). */
export interface SqlWriter {
  ident(name: string): string;
  value(value: ConditionValue): string;
}

/** The condition as a SQL boolean expression, fully parenthesized. */
export function conditionToSql(condition: Condition, writer: SqlWriter): string {
  const operand = (o: Operand) => ("column" in o ? writer.ident(o.column) : writer.value(o.value));
  const sql = (c: Condition): string => {
    switch (c.kind) {
      case "and":
      case "or":
        return `(${c.items.map(sql).join(c.kind === "and" ? " AND " : " OR ")})`;
      case "not":
        return `(NOT ${sql(c.item)})`;
      case "compare":
        return `(${operand(c.left)} ${c.op === "!=" ? "<>" : c.op} ${operand(c.right)})`;
      case "in":
        return `(${operand(c.operand)} ${c.negated ? "NOT IN" : "IN"} (${c.values.map(writer.value).join(", ")}))`;
      case "null":
        return `(${operand(c.operand)} IS ${c.negated ? "NOT NULL" : "NULL"})`;
    }
  };
  return sql(condition);
}

/**
 * A value as a SQL literal both DuckDB and PostgreSQL read the same way: text
 * single-quoted with quotes doubled (backslashes are not special in either with
 * standard strings), numbers in plain notation, booleans as TRUE/FALSE. For SQL
 * that cannot take bound parameters (dbt tests); everything else binds values.
 */
export function sqlLiteral(value: ConditionValue): string {
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`${value} cannot be written as a SQL literal`);
    return String(value);
  }
  if (value.includes("\u0000")) throw new Error("a text value cannot contain the NUL character");
  return `'${value.replaceAll("'", "''")}'`;
}
