// `sprocket dev` as a model author meets it: the real binary watching a scaffold, a real server,
// predictions through the deployment it keeps warm, and edits to the files on disk.
import assert from "node:assert/strict";
import { once } from "node:events";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { before, test } from "node:test";
import { api, startServer, tempDir, waitFor, type TestServer } from "./harness.ts";
import { cli, spawnCli } from "./cli-run.ts";

let server: TestServer;
before(async () => {
  server = await startServer({ env: { SPROCKET_EXAMPLES: "false" } });
});

const readyLines = (output: string) => [...output.matchAll(/^version ([0-9a-f]{64}) ready \(deployment admin\/greeter\)$/gm)].map((m) => m[1]);

async function greet(name: string): Promise<unknown> {
  const answer = await api(server.url, "/v1/deployments/admin/greeter/predictions", {
    token: server.token,
    headers: { prefer: "wait" },
    body: JSON.stringify({ input: { name } }),
  });
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  assert.equal(answer.body.status, "succeeded", JSON.stringify(answer.body));
  return answer.body.output;
}

test("dev pushes on every edit, keeps the deployment warm, survives a broken cog.yaml and stops on Ctrl-C", async () => {
  const dir = path.join(tempDir(), "greeter");
  assert.equal((await cli(["init", "--typescript", dir])).code, 0);
  const dev = spawnCli(["dev", dir, "--server", server.url, "--model", "admin/greeter"], { SPROCKET_API_TOKEN: server.token });
  const wait = (count: number) => waitFor(() => readyLines(dev.output()).length >= count, { timeoutMs: 20_000, message: () => `ready line ${count} in:\n${dev.output()}` });

  await wait(1);
  const deployment = await api(server.url, "/v1/deployments/admin/greeter", { token: server.token });
  assert.equal(deployment.body.current_release.configuration.min_instances, 1);
  assert.equal(deployment.body.current_release.version, readyLines(dev.output())[0]);
  assert.equal(await greet("Ada"), "hello Ada");

  const predictor = path.join(dir, "predict.ts");
  writeFileSync(predictor, readFileSync(predictor, "utf8").replace("`hello ${name}`", "`hi there, ${name}`"));
  await wait(2);
  const [first, second] = readyLines(dev.output());
  assert.notEqual(second, first);
  assert.equal(await greet("Ada"), "hi there, Ada");

  // A mistake is one line and the watch goes on; fixing it brings the same version back.
  const cogYaml = path.join(dir, "cog.yaml");
  const good = readFileSync(cogYaml, "utf8");
  writeFileSync(cogYaml, `${good}concurency:\n  max: 2\n`);
  await waitFor(() => /cog\.yaml:\d+: unknown key "concurency".*\(still watching\)$/m.test(dev.output()), { message: () => `the cog.yaml error in:\n${dev.output()}` });
  assert.doesNotMatch(dev.output(), /\n\s+at /);
  writeFileSync(cogYaml, good);
  await wait(3);
  assert.equal(readyLines(dev.output())[2], second);
  assert.equal(await greet("Bo"), "hi there, Bo");

  dev.child.kill("SIGINT");
  const [code] = await once(dev.child, "exit");
  assert.equal(code, 0, dev.output());
  assert.match(dev.output(), /stopped; deployment admin\/greeter stays warm/);
});

test("predict DIR runs on the warm instance dev keeps (setup() not repeated), and locally once dev stops", async () => {
  const dir = path.join(tempDir(), "pidder");
  assert.equal((await cli(["init", "--typescript", dir])).code, 0);
  // The answer names the process that ran it, so reuse of one warm instance is visible.
  const predictor = path.join(dir, "predict.ts");
  writeFileSync(predictor, readFileSync(predictor, "utf8").replace("`hello ${name}`", "`${name} from ${process.pid}`"));
  const dev = spawnCli(["dev", dir, "--server", server.url, "--model", "admin/pidder"], { SPROCKET_API_TOKEN: server.token });
  await waitFor(() => /^version [0-9a-f]{64} ready/m.test(dev.output()), { timeoutMs: 20_000, message: () => dev.output() });

  const predict = () => cli(["predict", dir, "-i", "name=Ada", "--json"], { env: { SPROCKET_API_TOKEN: server.token } });
  const first = await predict();
  const second = await predict();
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /ran on the warm instance of sprocket dev \(pid \d+, deployment admin\/pidder\)/);
  const warm = JSON.parse(first.stdout).output as string;
  assert.match(warm, /^Ada from \d+$/);
  assert.equal(JSON.parse(second.stdout).output, warm, "both calls answered by the same warm process");
  const viaApi = await api(server.url, "/v1/deployments/admin/pidder/predictions", { token: server.token, headers: { prefer: "wait" }, body: JSON.stringify({ input: { name: "Ada" } }) });
  assert.equal(viaApi.body.output, warm, "the deployment's instance is the one predict used");

  dev.child.kill("SIGINT");
  await once(dev.child, "exit");
  const local = await predict();
  assert.equal(local.code, 0, local.stderr);
  assert.doesNotMatch(local.stderr, /warm instance/);
  assert.notEqual(JSON.parse(local.stdout).output, warm, "without dev, predict starts the model itself");
});
