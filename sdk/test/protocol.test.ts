// The protocol rules against the shared vectors (sdk/vectors/protocol.json), which
// the Python SDK's tests read too: one meaning per rule in both languages.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { hostProtocolVersions, negotiateProtocolVersion } from "../src/handshake.js";
import {
  duplicateCheckName,
  isCompatibleFloeApiVersion,
  isSemanticVersion,
} from "../src/protocol.js";

interface ApiVersionCase {
  version: string;
  semver: boolean;
  compatible: boolean;
}
interface ProtocolVersionCase {
  env: string | null;
  host: number[];
  negotiated: number | null;
}

const vectors = JSON.parse(
  readFileSync(new URL("../vectors/protocol.json", import.meta.url), "utf8"),
) as {
  floe_api_versions: ApiVersionCase[];
  protocol_versions: ProtocolVersionCase[];
  duplicate_check_names: { names: string[]; duplicate: string | null }[];
};

describe("floe_api_version compatibility (semver, major 1)", () => {
  for (const c of vectors.floe_api_versions) {
    it(`${JSON.stringify(c.version)} is ${c.compatible ? "" : "not "}compatible`, () => {
      expect(isSemanticVersion(c.version)).toBe(c.semver);
      expect(isCompatibleFloeApiVersion(c.version)).toBe(c.compatible);
    });
  }
});

describe("FLOE_PLUGIN_PROTOCOL_VERSIONS", () => {
  for (const c of vectors.protocol_versions) {
    it(`${JSON.stringify(c.env)} lists ${JSON.stringify(c.host)} and negotiates ${c.negotiated}`, () => {
      const env = c.env === null ? {} : { FLOE_PLUGIN_PROTOCOL_VERSIONS: c.env };
      const host = hostProtocolVersions(env);
      expect(host).toEqual(c.host);
      expect(negotiateProtocolVersion(host) ?? null).toBe(c.negotiated);
    });
  }
});

describe("check names a RunChecks suite uses twice (refused with FLOE-DQ101)", () => {
  for (const c of vectors.duplicate_check_names) {
    it(`${JSON.stringify(c.names)} → ${JSON.stringify(c.duplicate)}`, () => {
      expect(duplicateCheckName(c.names) ?? null).toBe(c.duplicate);
    });
  }
});
