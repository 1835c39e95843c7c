// Secrets kept out of what a plugin or the host says: error messages from
// engines and drivers can quote a password (a DSN, an authentication error, a
// host name that was really a key). Every such text passes through scrubSecrets.
import type { Connection } from "./gen/floe/quality/v1/types.js";

/** What replaces a secret in a scrubbed text. */
export const REDACTED = "[redacted]";

/** Option names that hold credentials (password, sslpassword, api_key, token, secret ...). */
const SECRET_OPTION = /pass|secret|token|key|credential/i;

/** The secret values of a connection: its password and credential-like options. */
export function connectionSecrets(connection: Connection | undefined): string[] {
  if (connection === undefined) return [];
  return [
    connection.password,
    ...Object.entries(connection.options ?? {})
      .filter(([name]) => SECRET_OPTION.test(name))
      .map(([, value]) => value),
  ].filter((value) => value !== "");
}

/**
 * `text` with every occurrence of each secret (and of its URL-encoded form)
 * replaced by REDACTED. Secrets shorter than 3 characters are left alone: they
 * would redact ordinary words.
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  const forms = secrets
    .filter((s) => s.length >= 3)
    .flatMap((s) => [s, encodeURIComponent(s)])
    .sort((a, b) => b.length - a.length);
  for (const secret of forms) out = out.split(secret).join(REDACTED);
  return out;
}

/** `value` with every string in it scrubbed of `secrets` (a message, a fix, a detail). */
export function scrubbedDeep<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return scrubSecrets(v, secrets);
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== "object" || v instanceof Date || ArrayBuffer.isView(v)) return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
  };
  return walk(value) as T;
}

/** A copy of the error (same class, code and fields) with its message and fix scrubbed of `secrets`. */
export function scrubbedError<E extends Error & { fix?: string }>(
  error: E,
  secrets: readonly string[],
): E {
  if (secrets.length === 0) return error;
  const copy = Object.create(Object.getPrototypeOf(error)) as E;
  Object.assign(copy, error, {
    message: scrubSecrets(error.message, secrets),
    ...(typeof error.fix === "string" ? { fix: scrubSecrets(error.fix, secrets) } : {}),
    ...(typeof error.stack === "string" ? { stack: scrubSecrets(error.stack, secrets) } : {}),
  });
  return copy;
}
