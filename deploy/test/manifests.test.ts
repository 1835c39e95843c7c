// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} references in the artifacts are checked here
// Static checks of deploy/: the Kubernetes manifests agree with each other, with
// the images and with the host's and plugins' configuration; the Dockerfiles copy
// files that exist and pin their base images. Nothing here needs a cluster or a
// Docker engine (deploy/README.md says what is not checked).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join, posix } from "node:path";
import { describe, expect, it } from "vitest";
import { compileFiles } from "../../host/src/cli/commands/compile.js";
import { parseArtifacts } from "../../host/src/runtime/artifacts.js";
import {
  copies,
  type Doc,
  dockerfileOf,
  dockerStages,
  finalStage,
  IMAGES,
  imageProvides,
  jsonArray,
  KUBE,
  parseYaml,
  REPO,
} from "./support.js";

interface Container {
  name: string;
  image: string;
  args?: string[];
  command?: string[];
  env?: Array<{ name: string; value?: string; valueFrom?: Doc }>;
  envFrom?: Doc[];
  ports?: Array<{ name?: string; containerPort: number }>;
  restartPolicy?: string;
  securityContext?: Doc;
  volumeMounts?: Array<{ name: string; mountPath: string; subPath?: string }>;
  startupProbe?: Doc;
  readinessProbe?: Doc;
  livenessProbe?: Doc;
  resources?: Doc;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(entry.name) ? [path] : [];
  });
}

const kustomization = parseYaml(join(KUBE, "kustomization.yaml"))[0];
const objects: Doc[] = (kustomization.resources as string[]).flatMap((file) =>
  parseYaml(join(KUBE, file)),
);
const byKind = (kind: string): Doc[] => objects.filter((o) => o.kind === kind);
const one = (kind: string): Doc => {
  const found = byKind(kind);
  expect(found, kind).toHaveLength(1);
  return found[0];
};

const deployment = one("Deployment");
const podSpec = deployment.spec.template.spec;
const sidecars: Container[] = podSpec.initContainers;
const mainContainers: Container[] = podSpec.containers;
const allContainers = [...sidecars, ...mainContainers];
const host = mainContainers.find((c) => c.name === "host") as Container;

/** Values of a repeated `--flag value` argument. */
function flagValues(args: readonly string[], flag: string): string[] {
  return args.flatMap((arg, i) => (arg === flag && i + 1 < args.length ? [args[i + 1]!] : []));
}

const pluginAddresses = new Map(
  flagValues(host.args ?? [], "--plugin-addr").map((spec) => {
    const at = spec.indexOf("=");
    return [spec.slice(0, at), spec.slice(at + 1)] as const;
  }),
);

function envValue(container: Container, name: string): string | undefined {
  return container.env?.find((e) => e.name === name)?.value;
}

function probeCommands(container: Container): string[][] {
  return [container.startupProbe, container.readinessProbe, container.livenessProbe]
    .filter((p) => p !== undefined)
    .map((p) => p.exec.command as string[]);
}

const dockerfiles = readdirSync(IMAGES).filter((f) => f.endsWith(".Dockerfile"));

// ---------- the tests ----------

describe("deploy/kubernetes manifests", () => {
  it("parse, and every object has apiVersion, kind and metadata.name", () => {
    const files = yamlFiles(KUBE);
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const file of files) {
      for (const doc of parseYaml(file)) {
        if (file.includes("/products/")) {
          expect(doc.name, file).toMatch(/^[a-z]+$/);
          continue;
        }
        expect(doc.apiVersion, file).toEqual(expect.any(String));
        expect(doc.kind, file).toEqual(expect.any(String));
        if (doc.kind !== "Kustomization")
          expect(doc.metadata?.name, file).toEqual(expect.any(String));
      }
    }
  });

  it("the kustomization lists every manifest in the folder", () => {
    const manifests = readdirSync(KUBE).filter(
      (f) => f.endsWith(".yaml") && f !== "kustomization.yaml",
    );
    expect([...kustomization.resources].sort()).toEqual(manifests.sort());
    expect(objects.map((o) => o.kind).sort()).toEqual([
      "Deployment",
      "HorizontalPodAutoscaler",
      "Namespace",
      "NetworkPolicy",
      "PodDisruptionBudget",
      "Service",
    ]);
    expect(one("Namespace").metadata.name).toBe(kustomization.namespace);
  });

  it("runs the host and the floe_sql and great_expectations sidecars, from images built here", () => {
    expect(mainContainers.map((c) => c.name)).toEqual(["host"]);
    expect(sidecars.map((c) => [c.name, c.restartPolicy])).toEqual([
      ["floe-sql", "Always"],
      ["great-expectations", "Always"],
    ]);
    const images = allContainers.map((c) => c.image);
    expect(images).toEqual([
      "floe-quality/plugin-sql:0.1.0",
      "floe-quality/plugin-gx:0.1.0",
      "floe-quality/host:0.1.0",
    ]);
    expect(
      (kustomization.images as Array<{ name: string; newTag: string }>).map(
        (i) => `${i.name}:${i.newTag}`,
      ),
    ).toEqual(expect.arrayContaining(images));
    for (const image of images) expect(existsSync(dockerfileOf(image)), image).toBe(true);
  });

  it("agrees on the gRPC port: host --listen, container port, Service, probes, NetworkPolicy", () => {
    const [listen] = flagValues(host.args ?? [], "--listen");
    expect(listen).toBe("0.0.0.0:7700");
    const port = Number(listen!.split(":")[1]);
    expect(host.args?.[0]).toBe("serve");
    expect(host.ports).toEqual([{ name: "grpc", containerPort: port, protocol: "TCP" }]);

    const service = one("Service");
    expect(service.spec.type).toBe("ClusterIP");
    expect(service.spec.ports).toEqual([
      { name: "grpc", port, targetPort: "grpc", protocol: "TCP", appProtocol: "grpc" },
    ]);
    for (const command of probeCommands(host)) {
      expect(command.slice(0, 3)).toEqual([
        "node",
        "/app/deploy/probe/grpc-health-probe.mjs",
        `127.0.0.1:${port}`,
      ]);
      expect(flagValues(command, "--service")).toEqual(["floe.quality.v1.QualityHostService"]);
      // The probe verifies the host's certificate with the CA of the mounted TLS Secret.
      const [ca] = flagValues(command, "--tls-ca");
      expect(ca).toBe("/etc/floe/tls/ca.crt");
      const [certFile] = flagValues(host.args ?? [], "--tls-cert");
      expect(posix.dirname(certFile!)).toBe(posix.dirname(ca!));
      expect(flagValues(command, "--server-name")).toEqual([
        `${service.metadata.name}.${kustomization.namespace}.svc`,
      ]);
    }
    expect(probeCommands(host)).toHaveLength(2);

    const policy = one("NetworkPolicy");
    expect(policy.spec.ingress).toHaveLength(1);
    expect(policy.spec.ingress[0].ports).toEqual([{ port: "grpc", protocol: "TCP" }]);
  });

  it("selects the host's pods from the Service, NetworkPolicy and PodDisruptionBudget; scales the Deployment", () => {
    const labels = deployment.spec.template.metadata.labels;
    expect(deployment.spec.selector.matchLabels).toEqual(labels);
    expect(one("Service").spec.selector).toEqual(labels);
    expect(one("NetworkPolicy").spec.podSelector.matchLabels).toEqual(labels);
    expect(one("PodDisruptionBudget").spec.selector.matchLabels).toEqual(labels);
    const hpa = one("HorizontalPodAutoscaler");
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: deployment.metadata.name,
    });
    expect(hpa.spec.minReplicas).toBeGreaterThan(one("PodDisruptionBudget").spec.minAvailable);
    // Replicas belong to the autoscaler: an applied `replicas` would fight it.
    expect(deployment.spec.replicas).toBeUndefined();
  });

  it("gives each sidecar the address the host dials, on the shared socket volume", () => {
    expect([...pluginAddresses.keys()]).toEqual(["floe_sql", "great_expectations"]);
    const providerOfImage: Record<string, string> = {
      "floe-quality/plugin-sql:0.1.0": JSON.parse(
        readFileSync(join(REPO, "plugins/sql/floe-plugin.json"), "utf8"),
      ).provider,
      "floe-quality/plugin-gx:0.1.0": JSON.parse(
        readFileSync(join(REPO, "plugins/gx/floe-plugin.json"), "utf8"),
      ).provider,
    };
    const socketVolume = podSpec.volumes.find((v: Doc) => v.name === "sockets");
    expect(socketVolume.emptyDir).toEqual({ medium: "Memory", sizeLimit: "1Mi" });
    const hostSockets = host.volumeMounts?.find((m) => m.name === "sockets")?.mountPath;

    for (const sidecar of sidecars) {
      const provider = providerOfImage[sidecar.image]!;
      const listen = envValue(sidecar, "FLOE_PLUGIN_LISTEN");
      expect(listen, sidecar.name).toBe(pluginAddresses.get(provider));
      expect(listen).toBe(`unix:///run/floe/${provider}.sock`);
      const socketPath = listen!.slice("unix://".length);
      const mount = sidecar.volumeMounts?.find((m) => m.name === "sockets");
      expect(posix.dirname(socketPath)).toBe(mount?.mountPath);
      expect(posix.dirname(socketPath)).toBe(hostSockets);
      // Probed on the very socket it listens on, with the plugin service's name.
      expect(probeCommands(sidecar)).toHaveLength(3);
      for (const command of probeCommands(sidecar)) {
        expect(command[2]).toBe(listen);
        expect(flagValues(command, "--service")).toEqual(["floe.quality.v1.QualityPluginService"]);
      }
    }
  });

  it("runs every container as the same non-root uid with a read-only root filesystem", () => {
    expect(podSpec.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      fsGroup: 10001,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(podSpec.automountServiceAccountToken).toBe(false);
    for (const container of allContainers) {
      expect(container.securityContext, container.name).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
      });
      expect(container.resources.requests, container.name).toEqual({
        cpu: expect.any(String),
        memory: expect.any(String),
      });
      expect(container.resources.limits.memory, container.name).toEqual(expect.any(String));
      // The image's own user is the pod's uid: sockets are 0600 to their owner.
      const user = finalStage(dockerfileOf(container.image)).instructions.filter(
        (i) => i.keyword === "USER",
      );
      expect(user.map((i) => i.args)).toEqual(["10001:10001"]);
    }
  });

  it("inlines no secret: no Secret objects, credentials only through secretKeyRef", () => {
    expect(byKind("Secret")).toEqual([]);
    const secretLike = /PASSWORD|TOKEN|SECRET|API_KEY|PRIVATE/;
    for (const container of allContainers) {
      for (const variable of container.env ?? []) {
        if (!secretLike.test(variable.name)) continue;
        expect(variable.value, `${container.name} ${variable.name}`).toBeUndefined();
        expect(Object.keys(variable.valueFrom), variable.name).toEqual(["secretKeyRef"]);
        expect(variable.valueFrom.secretKeyRef.name).toBe("floe-quality-secrets");
      }
    }
    for (const generator of kustomization.configMapGenerator) {
      for (const literal of (generator.literals ?? []) as string[]) {
        expect(literal.split("=")[0], literal).not.toMatch(secretLike);
      }
    }
    expect(kustomization.secretGenerator).toBeUndefined();
    expect(host.env?.find((e) => e.name === "FLOE_HOST_TOKEN")?.valueFrom).toEqual({
      secretKeyRef: { name: "floe-quality-secrets", key: "host-token" },
    });
    const tls = podSpec.volumes.find((v: Doc) => v.name === "tls");
    expect(tls.secret).toEqual({ secretName: "floe-quality-tls" });
  });

  it("mounts compiled artifacts whose ${env:NAME} references the host gets from the Secret", () => {
    const generator = kustomization.configMapGenerator.find(
      (g: Doc) => g.name === "floe-quality-artifacts",
    );
    const files = generator.files as string[];
    expect(files).toEqual(["artifacts/shop.json", "artifacts/ledger.json"]);
    const mount = host.volumeMounts?.find((m) => m.name === "artifacts");
    expect(podSpec.volumes.find((v: Doc) => v.name === "artifacts").configMap).toEqual({
      name: "floe-quality-artifacts",
    });
    const [defaultArtifacts] = flagValues(host.args ?? [], "--artifacts");
    expect(defaultArtifacts).toBe(mount?.mountPath);

    for (const file of files) {
      const text = readFileSync(join(KUBE, file), "utf8");
      const artifacts = parseArtifacts(JSON.parse(text), file);
      const references = [...text.matchAll(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]);
      expect(references, file).toEqual(["FLOE_PG_PASSWORD"]);
      expect(artifacts.product.compute).toMatchObject({
        dialect: "postgres",
        password: "${env:FLOE_PG_PASSWORD}",
      });
      expect(host.env?.find((e) => e.name === "FLOE_PG_PASSWORD")?.valueFrom).toEqual({
        secretKeyRef: { name: "floe-quality-secrets", key: "pg-password" },
      });
      // Every provider the artifacts use is dialled as a sidecar.
      expect(pluginAddresses.has(artifacts.quality_config.provider), file).toBe(true);
    }
  });

  it("ships artifacts that are exactly what compile makes of products/ today", async () => {
    for (const product of ["shop", "ledger"]) {
      const outcome = await compileFiles({
        enterprise: join(REPO, "examples/manifest.yaml"),
        domain: join(REPO, "examples/domains/sales/manifest.yaml"),
        product: join(KUBE, "products", product, "floe.yaml"),
      });
      expect(outcome.ok, product).toBe(true);
      if (!outcome.ok) continue;
      const shipped = readFileSync(join(KUBE, "artifacts", `${product}.json`), "utf8");
      expect(shipped, `${product}: run the compile command in deploy/README.md`).toBe(
        `${JSON.stringify(outcome.artifacts, null, 2)}\n`,
      );
    }
  });

  it("sends traces from the host and every sidecar to the same collector", () => {
    for (const container of allContainers) {
      expect(container.envFrom, container.name).toEqual([
        { configMapRef: { name: "floe-quality-telemetry" } },
      ]);
    }
    const telemetry = kustomization.configMapGenerator.find(
      (g: Doc) => g.name === "floe-quality-telemetry",
    );
    expect(telemetry.literals).toContain(
      "OTEL_EXPORTER_OTLP_ENDPOINT=http://otel-collector.observability.svc:4318",
    );
  });
});

describe("deploy/images Dockerfiles", () => {
  it("are the five images: host and the four plugins", () => {
    expect(dockerfiles.sort()).toEqual([
      "host.Dockerfile",
      "plugin-dbt.Dockerfile",
      "plugin-gx.Dockerfile",
      "plugin-spark.Dockerfile",
      "plugin-sql.Dockerfile",
    ]);
  });

  it.each(dockerfiles)("%s pins its base images to exact versions", (file) => {
    for (const stage of dockerStages(join(IMAGES, file))) {
      expect(stage.from, file).toMatch(/^(node|python):\d+\.\d+\.\d+(-[a-z]+)+$/);
    }
    const bases = new Set(dockerStages(join(IMAGES, file)).map((s) => s.from));
    expect([...bases], file).toEqual([
      file === "plugin-gx.Dockerfile" || file === "plugin-spark.Dockerfile"
        ? "python:3.11.7-slim-bookworm"
        : "node:20.20.2-bookworm-slim",
    ]);
  });

  it.each(dockerfiles)("%s copies only files that exist in the repository", (file) => {
    const stages = dockerStages(join(IMAGES, file));
    const names = new Set(stages.map((s) => s.name).filter(Boolean));
    let copied = 0;
    for (const stage of stages) {
      for (const copy of copies(stage)) {
        if (copy.from !== undefined) {
          expect(names.has(copy.from), `${file}: --from=${copy.from}`).toBe(true);
          continue;
        }
        for (const source of copy.sources) {
          expect(existsSync(join(REPO, source)), `${file}: COPY ${source}`).toBe(true);
          copied += 1;
        }
      }
    }
    expect(copied).toBeGreaterThan(3);
  });

  it.each(dockerfiles)(
    "%s installs exactly the npm workspaces it builds, after copying every workspace manifest",
    (file) => {
      const workspaces = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8"))
        .workspaces as string[];
      for (const stage of dockerStages(join(IMAGES, file))) {
        const runs = stage.instructions.filter((i) => i.keyword === "RUN" && /npm ci/.test(i.args));
        if (runs.length === 0) continue;
        const copiedManifests = copies(stage).flatMap((c) =>
          c.sources.filter((s) => s.endsWith("/package.json")),
        );
        expect(copiedManifests.sort(), file).toEqual(
          workspaces.map((w) => `${w}/package.json`).sort(),
        );
        for (const run of runs) {
          for (const ws of flagValues(run.args.split(/\s+/), "--workspace")) {
            expect(workspaces, `${file}: --workspace ${ws}`).toContain(ws);
          }
        }
      }
    },
  );

  it.each(dockerfiles)("%s has an entrypoint whose program the image contains", (file) => {
    const path = join(IMAGES, file);
    const stage = finalStage(path);
    const entrypoint = jsonArray(stage.instructions.find((i) => i.keyword === "ENTRYPOINT"));
    expect(["node", "python"]).toContain(entrypoint[0]);
    const program = entrypoint[1] === "-m" ? entrypoint[2]! : entrypoint[1]!;
    if (entrypoint[1] === "-m") {
      // A module of a package the build stage installs from the repository.
      const sources = dockerStages(path).flatMap((s) => copies(s).flatMap((c) => c.sources));
      expect(
        sources.some((s) => existsSync(join(REPO, s, program, "__main__.py"))),
        program,
      ).toBe(true);
    } else {
      expect(imageProvides(path, program), program).toBe(true);
    }
    if (file === "host.Dockerfile") {
      expect(jsonArray(stage.instructions.find((i) => i.keyword === "CMD"))).toEqual(["serve"]);
      // Server reflection reads the .proto files next to the installed host.
      expect(imageProvides(path, "/app/proto/floe/quality/v1/host.proto")).toBe(true);
    }
  });

  it("puts each probe the Deployment runs into that container's image", () => {
    for (const container of allContainers) {
      const dockerfile = dockerfileOf(container.image);
      const base = finalStage(dockerfile).from;
      for (const command of probeCommands(container)) {
        expect(
          base.startsWith(`${command[0]}:`),
          `${container.name}: ${command[0]} in ${base}`,
        ).toBe(true);
        expect(imageProvides(dockerfile, command[1]!), `${container.name}: ${command[1]}`).toBe(
          true,
        );
      }
    }
  });

  it.each(dockerfiles)("%s keeps the build context small (its own .dockerignore)", (file) => {
    const ignore = readFileSync(join(IMAGES, `${file}.dockerignore`), "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "" && !l.startsWith("#"));
    expect(ignore).toEqual(expect.arrayContaining(["**/node_modules", ".venv", "**/dist"]));
    for (const stage of dockerStages(join(IMAGES, file))) {
      for (const copy of copies(stage)) {
        if (copy.from !== undefined) continue;
        for (const source of copy.sources) {
          expect(source.split("/"), `${file}: ${source}`).not.toContain("node_modules");
          expect(source.split("/"), `${file}: ${source}`).not.toContain("dist");
          expect(basename(source)).not.toBe(".venv");
        }
      }
    }
  });
});
