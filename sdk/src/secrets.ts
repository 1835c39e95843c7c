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
