// Caller authentication for QualityHostService: a bearer token compared in
// constant time. Unless the operator gives one (FLOE_HOST_TOKEN), turns
// authentication off on loopback (--no-auth) or identifies callers by client
// certificate (mTLS), `serve` makes a random token at each start, writes it to
// a 0600 file in the state directory and prints it once.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { FloeError, statusFromFloeError } from "@floe/quality-sdk";
import { type Metadata, status, type UntypedServiceImplementation } from "@grpc/grpc-js";

/** The token file's name inside the state directory. */
export const TOKEN_FILE = "host-token";

/** A fresh random token, written atomically (0600, in a 0700 directory); returns it and the file. */
export async function issueHostToken(stateDir: string): Promise<{ token: string; file: string }> {
  const token = randomBytes(32).toString("base64url");
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const file = join(stateDir, TOKEN_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${token}\n`, { mode: 0o600 });
  await rename(tmp, file);
  return { token, file };
}

/** True when the call's metadata carries `authorization: Bearer <token>`; every call passes without a token. */
export function bearerCheck(token: string | undefined): (metadata: Metadata) => boolean {
  if (token === undefined) return () => true;
  const expected = Buffer.from(`Bearer ${token}`);
  return (metadata) => {
    const given = metadata.get("authorization")[0];
    const bytes = Buffer.from(typeof given === "string" ? given : "");
    return bytes.length === expected.length && timingSafeEqual(bytes, expected);
  };
}

/** Every handler behind the bearer check: UNAUTHENTICATED without the right token. */
export function authenticated(
  handlers: UntypedServiceImplementation,
  allowed: (metadata: Metadata) => boolean,
): UntypedServiceImplementation {
  const refuse = () =>
    statusFromFloeError(
      new FloeError("FLOE-DQ109", "missing or wrong bearer token", {
        fix: "Send the metadata `authorization: Bearer <token>` with the host's token (FLOE_HOST_TOKEN, or the host-token file in the host's state directory).",
      }),
      status.UNAUTHENTICATED,
    );
  return Object.fromEntries(
    Object.entries(handlers).map(([name, handler]) => [
      name,
      ((
        call: { metadata: Metadata; emit: (e: string, s: unknown) => void },
        callback?: (e: unknown) => void,
      ) => {
        if (allowed(call.metadata)) return (handler as (...a: unknown[]) => void)(call, callback);
        if (callback) callback(refuse());
        else call.emit("error", refuse());
      }) as UntypedServiceImplementation[string],
    ]),
  );
}
