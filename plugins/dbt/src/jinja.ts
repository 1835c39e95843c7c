// dbt renders most YAML strings (test arguments, source names, profile values)
// as Jinja before using them, so a name taken from configuration could run
// template code. Every such string is written as a Jinja string literal whose
// characters, except ASCII letters and digits, are escape sequences: the
// template renders back to exactly the original text and cannot contain a
// Jinja delimiter.

/** `{{ "\u0061..." }}`: a Jinja expression that renders to `text` and nothing else. */
export function jinjaLiteral(text: string): string {
  let body = "";
  for (const char of text) {
    if (/^[A-Za-z0-9]$/.test(char)) {
      body += char;
      continue;
    }
    const code = char.codePointAt(0) ?? 0;
    body +=
      code > 0xffff
        ? `\\U${code.toString(16).padStart(8, "0")}`
        : `\\u${code.toString(16).padStart(4, "0")}`;
  }
  return `{{ "${body}" }}`;
}

/** A test argument as dbt must receive it: strings as Jinja literals, the rest as is. */
export function renderedArgument(value: unknown): unknown {
  if (typeof value === "string") return jinjaLiteral(value);
  if (Array.isArray(value)) return value.map(renderedArgument);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderedArgument(v)]));
  }
  return value;
}

/**
 * YAML text for a value. JSON is YAML; characters outside printable ASCII are
 * escaped because PyYAML rejects some of them in raw form.
 */
export function yamlDocument(value: unknown): string {
  const json = JSON.stringify(value, null, 2);
  let out = "";
  for (const char of json) {
    const code = char.codePointAt(0) ?? 0;
    if ((code >= 0x20 && code < 0x7f) || char === "\n") out += char;
    else if (code > 0xffff) out += `\\U${code.toString(16).padStart(8, "0")}`;
    else out += `\\u${code.toString(16).padStart(4, "0")}`;
  }
  return `${out}\n`;
}
