import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { AppError } from "../errors/index.ts";
import type { CogBuild, Runtime } from "../protocol/cog-reference.ts";

export interface EnvironmentOptions {
  /** The host's interpreter (SPROCKET_PYTHON, resolved by describeInterpreter). */
  python: string;
  /** Its version, e.g. "3.11.7"; null when it could not be started. */
  pythonVersion: string | null;
  /** Where per-requirements virtual environments are kept (shared by versions with the same set). */
  envsDir: string;
  /** Whether this host has a GPU (for build.gpu notes). */
  hasGpu: boolean;
  /** The environment pip runs with: the models' (no Sprocket settings, no API tokens). */
  env: Record<string, string>;
}

/**
 * The real executable behind SPROCKET_PYTHON and its version, found once at start: `python3` may be
 * a wrapper script (pyenv's shim costs ~60 ms per start), and every instance start pays for it.
 */
export async function describeInterpreter(python: string): Promise<{ executable: string; version: string | null }> {
  try {
    const { stdout } = await run(python, ["-c", "import sys; print(sys.executable); print('%d.%d.%d' % sys.version_info[:3])"]);
    const [executable, version] = stdout.trim().split("\n");
    return { executable: executable || python, version: version ?? null };
  } catch {
    return { executable: python, version: null };
  }
}

/** The interpreter a version must run with, when it is not the host's: `<version dir>.python`. */
export function versionInterpreterFile(dir: string): string {
  return `${dir.replace(/\/+$/, "")}.python`;
}

const PIP_TIMEOUT_MS = 300_000;

/**
 * What can be done on this host for cog.yaml's `build:` (see models/environment.ts). Python
 * packages: already installed in the host's Python → nothing to do; otherwise a virtual
 * environment per requirement set (on top of the host's packages), installed with pip, cached.
 */
export async function prepareEnvironment(dir: string, build: CogBuild, runtime: Runtime, o: EnvironmentOptions): Promise<{ notes: string[] }> {
  const notes: string[] = [];
  const options = build.pythonPackages.filter((item) => item.trim().startsWith("-"));
  if (options.length > 0) {
    throw new AppError("bundle_invalid", `cog.yaml: build.python_packages must name packages, not pip options: ${options.join(" ")}`);
  }
  const requirements = [...build.pythonPackages, ...requirementsFile(dir, build.pythonRequirements, notes)];
  if (runtime === "node") {
    if (build.pythonVersion || requirements.length > 0) notes.push("build.python_* is ignored: the predictor is TypeScript/JavaScript.");
  } else {
    const version = o.pythonVersion;
    if (!version) throw new AppError("bundle_invalid", `this model needs Python, but ${o.python} could not be started on this host (set SPROCKET_PYTHON)`);
    if (build.pythonVersion && !`${version}.`.startsWith(`${build.pythonVersion}.`)) {
      notes.push(`build.python_version is ${build.pythonVersion}, but this host runs Python ${version} (${o.python}); set SPROCKET_PYTHON to a Python ${build.pythonVersion} to match.`);
    }
    if (requirements.length > 0) await installRequirements(dir, requirements, version, o, notes);
  }
  for (const name of build.systemPackages.filter((n) => !n.startsWith("-"))) {
    // dpkg-query exits non-zero for an unknown package; only a missing dpkg-query means "cannot tell".
    const status = await run("dpkg-query", ["-W", "-f=${Status}", name]).catch((error: NodeJS.ErrnoException & { stdout?: string }) =>
      error.code === "ENOENT" ? null : { stdout: error.stdout ?? "", stderr: "" },
    );
    if (!status) notes.push(`build.system_packages: could not check "${name}" (no dpkg-query on this host).`);
    else if (!status.stdout.includes("install ok installed")) notes.push(`build.system_packages: "${name}" is not installed on this host (apt-get install ${name}).`);
  }
  if (build.run.length > 0) notes.push(`build.run was not run (Sprocket builds no image): ${build.run.map((c) => JSON.stringify(c)).join(", ")}.`);
  if (build.gpu && !o.hasGpu) notes.push("build.gpu is true, but this host has no NVIDIA GPU: the model runs on the CPU.");
  if (build.cuda) notes.push(`build.cuda ${build.cuda} is not installed by Sprocket: the host's CUDA (if any) is used.`);
  return { notes };
}

function requirementsFile(dir: string, file: string | null, notes: string[]): string[] {
  if (!file) return [];
  const full = path.join(dir, file);
  if (!existsSync(full)) throw new AppError("bundle_invalid", `cog.yaml: build.python_requirements names ${file}, which is not in the bundle`);
  const lines = readFileSync(full, "utf8")
    .split("\n")
    .map((line) => line.replace(/#.*/, "").trim())
    .filter(Boolean);
  const options = lines.filter((line) => line.startsWith("-"));
  if (options.length > 0) notes.push(`${file}: pip option lines are not supported and were skipped: ${options.join(" ")}`);
  return lines.filter((line) => !line.startsWith("-"));
}

// Which requirements the interpreter already satisfies: installed, and at the pinned version if
// pinned with ==. (Other specifiers are taken as satisfied by any installed version.)
const CHECK = `
import importlib.metadata as m, json, re, sys
out = {}
for req in json.loads(sys.argv[1]):
    name = re.split(r"[<>=!~;\\[ ]", req, 1)[0].strip()
    pin = re.search(r"==\\s*([^\\s;,]+)", req)
    try:
        version = m.version(name)
    except m.PackageNotFoundError:
        out[req] = "not installed"
        continue
    out[req] = "ok" if not pin or pin.group(1) == version else "version " + version + " installed"
print(json.dumps(out))
`;

async function installRequirements(dir: string, requirements: string[], version: string, o: EnvironmentOptions, notes: string[]): Promise<void> {
  const marker = versionInterpreterFile(dir);
  const check = JSON.parse((await run(o.python, ["-c", CHECK, JSON.stringify(requirements)], 30_000, o.env)).stdout) as Record<string, string>;
  const unmet = Object.entries(check).filter(([, state]) => state !== "ok");
  if (unmet.length === 0) {
    rmSync(marker, { force: true });
    notes.push(`Python packages already installed on this host: ${requirements.join(", ")}.`);
    return;
  }
  const key = createHash("sha256").update(JSON.stringify([version, [...requirements].sort()])).digest("hex").slice(0, 24);
  const env = path.join(o.envsDir, key);
  const interpreter = path.join(env, "bin", "python");
  if (!existsSync(path.join(env, ".complete"))) {
    mkdirSync(o.envsDir, { recursive: true });
    // Built in a directory of its own and renamed into place when complete, so two pushes with
    // the same requirements never build into (or delete) each other's environment.
    const building = `${env}.${process.pid}-${Date.now()}.tmp`;
    try {
      await run(o.python, ["-m", "venv", "--system-site-packages", building], 30_000, o.env);
      // Requirements after "--": none of them can be read as a pip option.
      const args = ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--retries", "0", "--timeout", "15", "--", ...requirements];
      await run(path.join(building, "bin", "python"), args, PIP_TIMEOUT_MS, o.env);
      writeFileSync(path.join(building, ".complete"), `${new Date().toISOString()}\n`);
      if (!existsSync(path.join(env, ".complete"))) {
        rmSync(env, { recursive: true, force: true });
        renameSync(building, env);
      }
    } catch (error) {
      rmSync(building, { recursive: true, force: true });
      const tail = String((error as { stderr?: string }).stderr ?? (error as Error).message)
        .trim()
        .split("\n")
        .slice(-3)
        .join(" | ");
      throw new AppError(
        "bundle_invalid",
        `cannot install the Python packages this model needs: ${unmet.map(([req, state]) => `${req} (${state})`).join(", ")}. ` +
          `pip failed (no package index reachable from this host?): ${tail}. ` +
          `Install them into ${o.python}'s environment and push again, or set SPROCKET_PYTHON to an interpreter that has them.`,
      );
    }
    rmSync(building, { recursive: true, force: true });
  }
  writeFileSync(marker, `${interpreter}\n`);
  notes.push(`Python packages installed in ${env}: ${requirements.join(", ")}.`);
}

function run(command: string, args: string[], timeout = 30_000, env?: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout, maxBuffer: 16 * 1024 * 1024, env }, (error, stdout, stderr) => {
      if (error) reject(Object.assign(error, { stdout, stderr }));
      else resolve({ stdout, stderr });
    });
  });
}
