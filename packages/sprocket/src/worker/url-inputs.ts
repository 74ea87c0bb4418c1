import { constants, createWriteStream, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { copyFile, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import https from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { extensionOf } from "../lib/media-types.ts";
import { guardedLookup, privateLiteralHost } from "../lib/private-addresses.ts";
import { uploadedFileId } from "../predictions/input-fields.ts";

export interface UrlInputOptions {
  /** Largest file fetched, in bytes. */
  maxBytes: number;
  /** Time allowed for all of one prediction's downloads together. */
  timeoutMs: number;
  /** Fetch from private, loopback, link-local and metadata addresses too (SPROCKET_ALLOW_PRIVATE_URLS). */
  allowPrivate: boolean;
  /**
   * Finds an account's uploaded file (Files API) for a `…/v1/files/{id}` URL: such inputs are
   * copied from the blob store instead of fetched. Without it they are fetched like any URL.
   */
  uploadedFile?(account: string, id: string): Promise<{ path: string; name: string } | null>;
}

const MAX_REDIRECTS = 5;

/**
 * Downloads the http(s) URLs of file inputs into a temporary directory and returns the input with
 * local paths in their place, plus a cleanup. URLs of `account`'s uploaded files are copied from
 * the blob store instead (a copy, so a model that writes to its input cannot change stored bytes),
 * under the name they were uploaded with. Every hop of every redirect is checked: the address
 * the connection actually uses (the resolver is hooked, so DNS rebinding cannot slip past) must
 * not be private unless allowed.
 */
export async function fetchUrlInputs(
  input: Record<string, unknown>,
  names: string[],
  o: UrlInputOptions,
  signal?: AbortSignal,
  account?: string,
): Promise<{ input: Record<string, unknown>; cleanup(): Promise<void> }> {
  const urls = names.flatMap((name) => {
    const value = input[name];
    return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === "string" && /^(https?:\/\/|data:)/i.test(v));
  });
  if (urls.length === 0) return { input, cleanup: async () => {} };
  const dir = mkdtempSync(path.join(tmpdir(), "sprocket-input-"));
  // Deleting a large downloaded or copied input takes tens of milliseconds: not on the event loop.
  const cleanup = () => rm(dir, { recursive: true, force: true }).catch(() => rmSync(dir, { recursive: true, force: true }));
  // One deadline for all of this prediction's downloads, redirects included: a server that
  // trickles a byte now and then cannot hold the prediction forever.
  const deadline = AbortSignal.timeout(o.timeoutMs);
  const stop = signal ? AbortSignal.any([signal, deadline]) : deadline;
  try {
    const local = new Map<string, string>();
    let n = 0;
    for (const url of new Set(urls)) {
      const uploaded = o.uploadedFile && account !== undefined ? uploadedFileId(url) : null;
      if (/^data:/i.test(url)) local.set(url, await writeDataUri(url, path.join(dir, String(n++)), o.maxBytes));
      else if (uploaded) local.set(url, await copyUploaded(o.uploadedFile!, account!, uploaded, path.join(dir, String(n++))));
      else local.set(url, await download(url, path.join(dir, `${n++}-${fileName(url)}`), o, stop));
    }
    const swap = (v: unknown) => (typeof v === "string" && local.has(v) ? local.get(v) : v);
    const resolved = { ...input };
    for (const name of names) resolved[name] = Array.isArray(input[name]) ? (input[name] as unknown[]).map(swap) : swap(input[name]);
    return { input: resolved, cleanup };
  } catch (error) {
    void cleanup();
    if (deadline.aborted) throw new Error(`file inputs took longer than ${o.timeoutMs / 1000} s to fetch`);
    throw error;
  }
}

/**
 * Decodes a `data:` URI (already checked well-formed at create) into its own directory, named by
 * its `name=` parameter or `file.<ext>` from its type, as Cog names them. Done here, for every
 * runtime alike, so predictors only ever see local files.
 */
async function writeDataUri(uri: string, dir: string, maxBytes: number): Promise<string> {
  const comma = uri.indexOf(",");
  const params = uri.slice(5, comma).split(";");
  const payload = uri.slice(comma + 1);
  const bytes = params.includes("base64") ? Buffer.from(payload, "base64") : Buffer.from(decodeURIComponent(payload), "utf8");
  if (bytes.length > maxBytes) throw new Error(`a data: URI input is ${bytes.length} bytes, over the ${maxBytes}-byte limit (SPROCKET_INPUT_FILE_LIMIT)`);
  const named = params.find((p) => p.startsWith("name="))?.slice(5);
  let name = `file.${extensionOf(params[0] || "text/plain")}`;
  if (named) {
    try {
      name = decodeURIComponent(named).replace(/[\u0000-\u001f/\\]/g, "_").slice(-200) || name;
    } catch {
      // a malformed %-escape: keep the generic name
    }
  }
  mkdirSync(dir);
  const target = path.join(dir, name);
  await writeFile(target, bytes);
  return target;
}

/** Copies an uploaded file into its own directory, so the model sees exactly its uploaded name. */
async function copyUploaded(find: NonNullable<UrlInputOptions["uploadedFile"]>, account: string, id: string, dir: string): Promise<string> {
  const file = await find(account, id);
  if (!file) throw new Error(`uploaded file ${id} no longer exists (it was deleted after the prediction was created)`);
  mkdirSync(dir);
  // Uploaded names are already free of path separators; keep them within file-system limits.
  const target = path.join(dir, file.name.replace(/[\u0000-\u001f/\\]/g, "_").slice(-200) || "file");
  // A copy-on-write clone where the file system has them, else a plain copy.
  await copyFile(file.path, target, constants.COPYFILE_FICLONE);
  return target;
}

function fileName(url: string): string {
  let base = new URL(url).pathname.split("/").pop() || "file";
  try {
    base = decodeURIComponent(base);
  } catch {
    // a malformed %-escape: keep the name as written
  }
  return base.replace(/[^A-Za-z0-9._-]/g, "_").slice(-100) || "file";
}

async function download(url: string, target: string, o: UrlInputOptions, signal: AbortSignal, hops = 0): Promise<string> {
  const parsed = new URL(url);
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error(`${url}: only http and https URLs can be fetched`);
  const literal = o.allowPrivate ? null : privateLiteralHost(parsed);
  if (literal) {
    throw new Error(`${url}: refused, ${literal} is a private address (set SPROCKET_ALLOW_PRIVATE_URLS=true to allow)`);
  }
  const client = parsed.protocol === "https:" ? https : http;
  const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const request = client.get(parsed, { lookup: guardedLookup(o.allowPrivate), signal, headers: { "user-agent": "sprocket" } }, resolve);
    request.on("error", reject);
  }).catch((error: Error) => {
    throw new Error(`could not fetch ${url}: ${signal.aborted ? "stopped" : error.message}`);
  });
  const status = response.statusCode ?? 0;
  if (status >= 300 && status < 400 && response.headers.location) {
    response.resume();
    if (hops >= MAX_REDIRECTS) throw new Error(`${url}: more than ${MAX_REDIRECTS} redirects`);
    return download(new URL(response.headers.location, url).href, target, o, signal, hops + 1);
  }
  if (status !== 200) {
    response.resume();
    throw new Error(`could not fetch ${url}: HTTP ${status}`);
  }
  const declared = Number(response.headers["content-length"] ?? 0);
  if (declared > o.maxBytes) {
    response.destroy();
    throw new Error(`${url} is ${declared} bytes, over the ${o.maxBytes}-byte limit (SPROCKET_INPUT_FILE_LIMIT)`);
  }
  let received = 0;
  response.on("data", (chunk: Buffer) => {
    received += chunk.length;
    if (received > o.maxBytes) response.destroy(new Error(`${url} is over the ${o.maxBytes}-byte limit (SPROCKET_INPUT_FILE_LIMIT)`));
  });
  await pipeline(response, createWriteStream(target), { signal });
  return target;
}
