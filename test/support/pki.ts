// A throwaway certificate authority for the TLS tests of plugins and the host server.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export interface PkiNames {
  /** Common name of the CA certificate. */
  ca: string;
  /** Common name of the client certificate (the server's is always localhost). */
  client: string;
}

/**
 * Writes into `dir` a CA (ca.pem, ca.key), a server certificate for localhost and
 * 127.0.0.1 (server.pem, server.key) and a client certificate (client.pem,
 * client.key), all signed by the CA; returns the path of a file in `dir` by name.
 */
export function makePki(
  dir: string,
  names: PkiNames = { ca: "floe-test-ca", client: "floe-host" },
): (name: string) => string {
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
  openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "1",
    "-subj",
    `/CN=${names.ca}`,
    "-keyout",
    file("ca.key"),
    "-out",
    file("ca.pem"),
  );
  writeFileSync(file("server.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  for (const who of ["server", "client"]) {
    openssl(
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      `/CN=${who === "server" ? "localhost" : names.client}`,
      "-keyout",
      file(`${who}.key`),
      "-out",
      file(`${who}.csr`),
    );
    openssl(
      "x509",
      "-req",
      "-in",
      file(`${who}.csr`),
      "-CA",
      file("ca.pem"),
      "-CAkey",
      file("ca.key"),
      "-CAcreateserial",
      "-days",
      "1",
      "-out",
      file(`${who}.pem`),
      ...(who === "server" ? ["-extfile", file("server.ext")] : []),
    );
  }
  return file;
}
