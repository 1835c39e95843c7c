// What the deploy tests share: the manifests and Dockerfiles read as data, and a
// throwaway PKI like the host's TLS Secret.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, posix, resolve } from "node:path";
import { parseAllDocuments } from "yaml";

export const REPO = resolve(import.meta.dirname, "../..");
export const KUBE = join(REPO, "deploy/kubernetes");
export const IMAGES = join(REPO, "deploy/images");

// biome-ignore lint/suspicious/noExplicitAny: manifests are checked field by field
export type Doc = any;

export function parseYaml(file: string): Doc[] {
  return parseAllDocuments(readFileSync(file, "utf8")).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
    return doc.toJS();
  });
}

export interface Instruction {
  keyword: string;
  args: string;
}
export interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

export function dockerStages(file: string): Stage[] {
  const text = readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("#"))
    .join("\n")
    .replace(/\\\n/g, " ");
  const stages: Stage[] = [];
  for (const line of text.split("\n")) {
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (match === null) continue;
    const keyword = match[1]!.toUpperCase();
    const args = match[2]!.trim();
    if (keyword === "FROM") {
      const [from, as, name] = args.split(/\s+/);
      stages.push({
        from: from!,
        ...(as?.toUpperCase() === "AS" ? { name } : {}),
        instructions: [],
      });
    } else {
      stages.at(-1)?.instructions.push({ keyword, args });
    }
  }
  return stages;
}

export interface Copy {
  from?: string;
  sources: string[];
  destination: string;
}

/** COPY instructions of a stage with destinations resolved against WORKDIR. */
export function copies(stage: Stage): Copy[] {
  let workdir = "/";
  const out: Copy[] = [];
  for (const { keyword, args } of stage.instructions) {
    if (keyword === "WORKDIR") workdir = posix.resolve(workdir, args);
    if (keyword !== "COPY") continue;
    const words = args.split(/\s+/);
    const flags = words.filter((w) => w.startsWith("--"));
    const paths = words.filter((w) => !w.startsWith("--"));
    const from = flags.find((f) => f.startsWith("--from="))?.slice("--from=".length);
    out.push({
      ...(from === undefined ? {} : { from }),
      sources: paths.slice(0, -1),
      destination: posix.resolve(workdir, paths.at(-1)!),
    });
  }
  return out;
}

export function finalStage(file: string): Stage {
  return dockerStages(file).at(-1)!;
}

export function jsonArray(instruction: Instruction | undefined): string[] {
  return instruction === undefined ? [] : (JSON.parse(instruction.args) as string[]);
}

/** Whether the final stage of a Dockerfile puts a file at `path` (a copied file or directory). */
export function imageProvides(file: string, path: string): boolean {
  return copies(finalStage(file)).some((copy) => {
    if (copy.destination !== path && !path.startsWith(`${copy.destination}/`)) return false;
    const rest = path.slice(copy.destination.length);
    if (copy.from !== undefined) {
      // Built in the build stage: dist/X.js compiled from src/X.ts of the same workspace.
      const built = copy.sources[0]!.replace(/^\/app\//, "") + rest;
      return existsSync(join(REPO, built.replace("/dist/", "/src/").replace(/\.js$/, ".ts")));
    }
    return copy.sources.some((source) => existsSync(join(REPO, source + rest)));
  });
}

/** floe-quality/<name> is built from deploy/images/<name>.Dockerfile. */
export function dockerfileOf(image: string): string {
  const name = image.replace(/^floe-quality\//, "").replace(/:.*$/, "");
  return join(IMAGES, `${name}.Dockerfile`);
}

/** A throwaway CA and a server certificate for `name` (what the host's TLS Secret holds). */
export function writePki(dir: string, name: string): (file: string) => string {
  const file = (f: string) => join(dir, f);
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
    "/CN=floe-test-ca",
    "-keyout",
    file("ca.key"),
    "-out",
    file("ca.crt"),
  );
  writeFileSync(file("server.ext"), `subjectAltName=DNS:${name}\n`);
  openssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    `/CN=${name}`,
    "-keyout",
    file("tls.key"),
    "-out",
    file("tls.csr"),
  );
  openssl(
    "x509",
    "-req",
    "-in",
    file("tls.csr"),
    "-CA",
    file("ca.crt"),
    "-CAkey",
    file("ca.key"),
    "-CAcreateserial",
    "-days",
    "1",
    "-out",
    file("tls.crt"),
    "-extfile",
    file("server.ext"),
  );
  return file;
}
