// deploy/kubernetes agrees with the code: every YAML parses; every SPROCKET_* variable the
// manifests set is a setting of config/schema.ts; the API replicas get the database, Redis and
// admin token (from the Secret) and the workers their API token; secrets come from the Secret,
// never as plain values; commands and flags are real `sprocket` ones (asked of the CLI's --help);
// KEDA scales the worker Deployments by name on BullMQ's wait list, at Redis's address; Service,
// container and workers' --server agree on the port.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { SETTINGS } from "../src/config/schema.ts";

const DIR = fileURLToPath(new URL("../../../deploy/kubernetes/", import.meta.url));
const CLI = fileURLToPath(new URL("../bin/sprocket.mjs", import.meta.url));
/** BullMQ's wait list of the shared queue under the default SPROCKET_REDIS_PREFIX (queue/redis-queue.ts). */
const QUEUE_WAIT_LIST = `${SETTINGS.redisPrefix.default}:sprocket-jobs:wait`;
const GPU_WAIT_LIST = new RegExp(`^${SETTINGS.redisPrefix.default}:sprocket-jobs-gpu-[a-z0-9-]+:wait$`);

/** Settings whose values are credentials: only ever from a Secret. */
const SECRETS = ["SPROCKET_DATABASE_URL", "SPROCKET_REDIS_URL", "SPROCKET_ADMIN_TOKEN", "SPROCKET_API_TOKEN", "SPROCKET_URL_SIGNING_SECRET", "SPROCKET_S3_ACCESS_KEY_ID", "SPROCKET_S3_SECRET_ACCESS_KEY"];

type Doc = { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [key: string]: unknown };
type EnvVar = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string; key: string } } };
type Container = { name: string; command?: string[]; args?: string[]; env?: EnvVar[]; envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>; ports?: Array<{ name?: string; containerPort: number }>; resources?: { limits?: Record<string, unknown> } };
type Deployment = Doc & { spec: { selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: { containers: Container[] } } } };

const files = readdirSync(DIR).filter((name) => /\.ya?ml$/.test(name)).sort();
const docs: Array<Doc & { file: string }> = files.flatMap((file) =>
  parseAllDocuments(readFileSync(path.join(DIR, file), "utf8")).map((doc) => {
    assert.deepEqual(doc.errors, [], `${file} does not parse`);
    return { ...(doc.toJS() as Doc), file };
  }),
);
const ofKind = <T extends Doc = Doc>(kind: string) => docs.filter((d) => d.kind === kind) as unknown as Array<T & { file: string }>;
const deployments = ofKind<Deployment>("Deployment");
const configMaps = ofKind<Doc & { data: Record<string, string> }>("ConfigMap");
const secrets = ofKind<Doc & { stringData: Record<string, string> }>("Secret");
const known = new Set<string>(Object.values(SETTINGS).map((s) => s.env));

/** Every variable a container gets, with where its value comes from. */
function envOf(container: Container): Map<string, { value?: string; from: "value" | "secret" | "configMap" }> {
  const env = new Map<string, { value?: string; from: "value" | "secret" | "configMap" }>();
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) {
      const map = configMaps.find((m) => m.metadata.name === source.configMapRef!.name);
      assert.ok(map, `envFrom names ConfigMap ${source.configMapRef.name}, which no manifest defines`);
      for (const [name, value] of Object.entries(map.data)) env.set(name, { value, from: "configMap" });
    }
    assert.equal(source.secretRef, undefined, `${container.name}: name each secret (secretKeyRef), so a container gets only the ones it needs`);
  }
  for (const variable of container.env ?? []) {
    const ref = variable.valueFrom?.secretKeyRef;
    const mapRef = variable.valueFrom?.configMapKeyRef;
    if (ref) {
      const secret = secrets.find((s) => s.metadata.name === ref.name);
      assert.ok(secret && ref.key in secret.stringData, `${container.name}: ${variable.name} refers to ${ref.name}/${ref.key}, which secret.example.yaml lacks`);
      env.set(variable.name, { value: secret.stringData[ref.key], from: "secret" });
    } else if (mapRef) {
      const map = configMaps.find((m) => m.metadata.name === mapRef.name);
      assert.ok(map && mapRef.key in map.data, `${container.name}: ${variable.name} refers to ${mapRef.name}/${mapRef.key}, which is not defined`);
      env.set(variable.name, { value: map.data[mapRef.key], from: "configMap" });
    } else env.set(variable.name, { value: variable.value, from: "value" });
  }
  return env;
}

const containers = deployments.flatMap((d) => d.spec.template.spec.containers.map((c) => ({ deployment: d, container: c, env: envOf(c) })));
/** `["npx", "sprocket", "serve", "--no-worker"]` → the subcommand and its arguments. */
function sprocketCommand(container: Container): { command: string; args: string[] } {
  const argv = [...(container.command ?? []), ...(container.args ?? [])];
  const at = argv.findIndex((word) => word === "sprocket");
  assert.ok(at >= 0 && argv.slice(0, at).every((w) => w === "npx"), `${container.name} runs ${argv.join(" ")}, not npx sprocket …`);
  return { command: argv[at + 1], args: argv.slice(at + 2) };
}
const apis = containers.filter((c) => sprocketCommand(c.container).command === "serve");
const workers = containers.filter((c) => sprocketCommand(c.container).command === "worker");

test("every manifest parses, and there are API replicas, CPU and GPU workers and their autoscaling", () => {
  assert.ok(files.length >= 5, `only ${files.join(", ")}`);
  assert.ok(apis.length >= 1, "no Deployment runs sprocket serve");
  assert.ok(workers.length >= 2, "a CPU and a GPU worker Deployment");
  assert.ok(workers.some((w) => w.container.resources?.limits?.["nvidia.com/gpu"]), "a GPU worker variant with nvidia.com/gpu limits");
  assert.ok(ofKind("ScaledObject").length >= 1);
});

test("every SPROCKET_* variable in the manifests is a setting of config/schema.ts", () => {
  const named = new Set<string>();
  for (const { env } of containers) for (const name of env.keys()) named.add(name);
  for (const map of configMaps) for (const name of Object.keys(map.data)) named.add(name);
  for (const secret of secrets) for (const name of Object.keys(secret.stringData)) if (name.startsWith("SPROCKET_")) named.add(name);
  const unknown = [...named].filter((name) => name.startsWith("SPROCKET_") && !known.has(name));
  assert.deepEqual(unknown, [], "not in config/schema.ts");
});

test("API replicas get the database, Redis, admin token, URL signing secret and S3 keys from the Secret, listen on every interface, and run no worker", () => {
  for (const { deployment, container, env } of apis) {
    // The signing secret too: with one generated per pod, a replica would refuse the others' stream and download URLs.
    for (const name of ["SPROCKET_DATABASE_URL", "SPROCKET_REDIS_URL", "SPROCKET_ADMIN_TOKEN", "SPROCKET_URL_SIGNING_SECRET"]) assert.equal(env.get(name)?.from, "secret", `${deployment.metadata.name}: ${name}`);
    assert.equal(env.get("SPROCKET_HOST")?.value, "0.0.0.0");
    assert.ok(env.get("SPROCKET_PUBLIC_URL")?.value, "SPROCKET_PUBLIC_URL");
    if (env.has("SPROCKET_S3_BUCKET")) {
      for (const name of ["SPROCKET_S3_ACCESS_KEY_ID", "SPROCKET_S3_SECRET_ACCESS_KEY"]) assert.equal(env.get(name)?.from, "secret", name);
    }
    assert.ok(sprocketCommand(container).args.includes("--no-worker"), "API replicas run no model instances");
  }
});

test("workers get their API token from the Secret and no database, Redis or S3 credentials; credentials are never plain values", () => {
  for (const { deployment, env } of workers) {
    assert.equal(env.get("SPROCKET_API_TOKEN")?.from, "secret", `${deployment.metadata.name}: SPROCKET_API_TOKEN`);
    for (const name of ["SPROCKET_DATABASE_URL", "SPROCKET_REDIS_URL", "SPROCKET_ADMIN_TOKEN", "SPROCKET_S3_SECRET_ACCESS_KEY"]) assert.ok(!env.has(name), `${deployment.metadata.name} gets ${name}`);
  }
  for (const { deployment, env } of containers) {
    for (const name of SECRETS) if (env.has(name)) assert.equal(env.get(name)!.from, "secret", `${deployment.metadata.name}: ${name} must come from a Secret`);
  }
  for (const map of configMaps) for (const name of SECRETS) assert.ok(!(name in map.data), `${name} in ConfigMap ${map.metadata.name}`);
});

test("commands and flags are real sprocket commands (from the CLI's --help)", () => {
  const help = (args: string[]) => execFileSync(process.execPath, [CLI, ...args, "--help"], { encoding: "utf8", timeout: 30_000 });
  const commands = new Set([...help([]).matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]));
  assert.ok(commands.has("serve"), "the top-level help lists commands");
  for (const { deployment, container } of containers) {
    const { command, args } = sprocketCommand(container);
    const flags = args.filter((a) => a.startsWith("--")).map((a) => a.split("=")[0]);
    assert.ok(commands.has(command), `${deployment.metadata.name}: sprocket ${command} is not a command`);
    const accepted = [...help([command]).matchAll(/^ {2}(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1]);
    for (const flag of flags) assert.ok(accepted.includes(flag), `${deployment.metadata.name}: sprocket ${command} has no ${flag} (it has ${accepted.join(", ")})`);
  }
});

test("the Service reaches the API containers' port, which is SPROCKET_PORT; workers' --server is that Service and port", () => {
  type Service = Doc & { spec: { selector: Record<string, string>; ports: Array<{ port: number; targetPort: number | string }> } };
  const services = ofKind<Service>("Service");
  const apiService: Service | undefined = services.find((s) => apis.some(({ deployment }) => Object.entries(s.spec.selector).every(([k, v]) => deployment.spec.template.metadata.labels[k] === v)));
  assert.ok(apiService, "a Service selects the API pods");
  for (const { deployment, container, env } of apis) {
    assert.deepEqual({ ...deployment.spec.selector.matchLabels }, Object.fromEntries(Object.entries(deployment.spec.template.metadata.labels).filter(([k]) => k in deployment.spec.selector.matchLabels)));
    const port: { port: number; targetPort: number | string } = apiService.spec.ports[0];
    const target: { name?: string; containerPort: number } | undefined = container.ports?.find((p) => p.name === port.targetPort || p.containerPort === port.targetPort);
    assert.ok(target, `Service ${apiService.metadata.name} targets ${port.targetPort}, which ${deployment.metadata.name} does not expose`);
    assert.equal(target.containerPort, Number(env.get("SPROCKET_PORT")?.value ?? SETTINGS.port.default), "the container listens on SPROCKET_PORT");
  }
  for (const { deployment, container } of workers) {
    const { args } = sprocketCommand(container);
    const server = new URL(args[args.indexOf("--server") + 1]);
    assert.equal(server.hostname, apiService.metadata.name, `${deployment.metadata.name}: --server names the API Service`);
    assert.equal(Number(server.port), apiService.spec.ports[0].port, `${deployment.metadata.name}: --server uses the Service's port`);
  }
});

test("KEDA scales each worker Deployment, by name, on BullMQ's wait list at SPROCKET_REDIS_URL's host and port", () => {
  type ScaledObject = Doc & { spec: { scaleTargetRef: { name: string; kind?: string }; minReplicaCount: number; maxReplicaCount: number; triggers: Array<{ type: string; metadata: Record<string, string>; authenticationRef?: { name: string } }> } };
  const scaled = ofKind<ScaledObject>("ScaledObject");
  const redisUrl = new URL(secrets.flatMap((s) => Object.entries(s.stringData)).find(([k]) => k === "SPROCKET_REDIS_URL")![1]);
  const auths = new Set(ofKind("TriggerAuthentication").map((a) => a.metadata.name));
  for (const { deployment } of workers) {
    const object = scaled.find((s) => s.spec.scaleTargetRef.name === deployment.metadata.name);
    assert.ok(object, `no ScaledObject targets ${deployment.metadata.name}`);
    assert.ok((object.spec.scaleTargetRef.kind ?? "Deployment") === "Deployment");
    assert.ok(object.spec.minReplicaCount >= 0 && object.spec.minReplicaCount <= 1, "min 0 or 1");
    assert.ok(object.spec.maxReplicaCount > object.spec.minReplicaCount, "max above min");
    // CPU workers scale on the CPU queue's wait list, GPU workers on a GPU kind's (`sprocket-jobs-gpu-…`).
    const gpu = object.metadata.name.includes("gpu");
    const wait = object.spec.triggers.find((t) => t.type === "redis" && (gpu ? GPU_WAIT_LIST.test(t.metadata.listName) : t.metadata.listName === QUEUE_WAIT_LIST));
    assert.ok(wait, `${object.metadata.name} scales on ${gpu ? GPU_WAIT_LIST : QUEUE_WAIT_LIST}`);
    for (const trigger of object.spec.triggers) {
      assert.equal(trigger.metadata.address, `${redisUrl.hostname}:${redisUrl.port || 6379}`, `${object.metadata.name}: the Redis of SPROCKET_REDIS_URL`);
      if (redisUrl.password) assert.ok(trigger.authenticationRef && auths.has(trigger.authenticationRef.name), "Redis's password through a TriggerAuthentication");
    }
  }
  for (const object of scaled) assert.ok(deployments.some((d) => d.metadata.name === object.spec.scaleTargetRef.name), `${object.metadata.name} targets a Deployment no manifest defines`);
});

test("kustomization.yaml lists files that exist, and never the example Secret", () => {
  const kustomization = parseAllDocuments(readFileSync(path.join(DIR, "kustomization.yaml"), "utf8"))[0].toJS() as { resources: string[] };
  for (const resource of kustomization.resources) assert.ok(files.includes(resource), resource);
  assert.ok(!kustomization.resources.some((r) => r.includes("secret")), "the Secret is filled in and applied by hand");
});
