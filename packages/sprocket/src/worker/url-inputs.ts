import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { lookup as dnsLookup } from "node:dns";
import { tmpdir } from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";

export interface UrlInputOptions {
  /** Largest file fetched, in bytes. */
  maxBytes: number;
  timeoutMs: number;
  /** Fetch from private, loopback, link-local and metadata addresses too (SPROCKET_ALLOW_PRIVATE_URLS). */
  allowPrivate: boolean;
}

const MAX_REDIRECTS = 5;

// Addresses a URL input must never reach unless the operator allows it (SSRF): private ranges,
// loopback, link-local (cloud metadata lives at 169.254.169.254), CGNAT, unspecified, multicast.
const PRIVATE = new BlockList();
for (const [net, prefix] of [["10.0.0.0", 8], ["172.16.0.0", 12], ["192.168.0.0", 16], ["127.0.0.0", 8], ["169.254.0.0", 16], ["100.64.0.0", 10], ["0.0.0.0", 8], ["224.0.0.0", 4], ["240.0.0.0", 4]] as const) {
  PRIVATE.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [["::1", 128], ["::", 128], ["fc00::", 7], ["fe80::", 10], ["ff00::", 8]] as const) {
  PRIVATE.addSubnet(net, prefix, "ipv6");
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 6 && /^::ffff:/i.test(address)) {
    const v4 = address.slice(7);
    if (isIP(v4) === 4) return PRIVATE.check(v4, "ipv4");
  }
  return PRIVATE.check(address, family === 4 ? "ipv4" : "ipv6");
}

/**
 * Downloads the http(s) URLs of file inputs into a temporary directory and returns the input with
 * local paths in their place, plus a cleanup. Every hop of every redirect is checked: the address
 * the connection actually uses (the resolver is hooked, so DNS rebinding cannot slip past) must
 * not be private unless allowed.
 */
export async function fetchUrlInputs(
  input: Record<string, unknown>,
  names: string[],
  o: UrlInputOptions,
): Promise<{ input: Record<string, unknown>; cleanup(): void }> {
  const urls = names.flatMap((name) => {
    const value = input[name];
    return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === "string" && /^https?:\/\//i.test(v));
  });
  if (urls.length === 0) return { input, cleanup: () => {} };
  const dir = mkdtempSync(path.join(tmpdir(), "sprocket-input-"));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    const local = new Map<string, string>();
    let n = 0;
    for (const url of new Set(urls)) local.set(url, await download(url, path.join(dir, `${n++}-${fileName(url)}`), o));
    const swap = (v: unknown) => (typeof v === "string" && local.has(v) ? local.get(v) : v);
    const resolved = { ...input };
    for (const name of names) resolved[name] = Array.isArray(input[name]) ? (input[name] as unknown[]).map(swap) : swap(input[name]);
    return { input: resolved, cleanup };
  } catch (error) {
    cleanup();
    throw error;
  }
}

function fileName(url: string): string {
  const base = decodeURIComponent(new URL(url).pathname.split("/").pop() || "file");
  return base.replace(/[^A-Za-z0-9._-]/g, "_").slice(-100) || "file";
}

async function download(url: string, target: string, o: UrlInputOptions, hops = 0): Promise<string> {
  const parsed = new URL(url);
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error(`${url}: only http and https URLs can be fetched`);
  const lookup: LookupFunction = (hostname, options, callback) =>
    dnsLookup(hostname, { ...options, all: false }, (error, address, family) => {
      if (!error && !o.allowPrivate && isPrivateAddress(address as string)) {
        return callback(new Error(`refused: ${hostname} resolves to a private address (${address}); set SPROCKET_ALLOW_PRIVATE_URLS=true to allow`), "", 4);
      }
      callback(error, address as string, family as number);
    });
  const literal = parsed.hostname.replace(/^\[|\]$/g, "");
  if (isIP(literal) && !o.allowPrivate && isPrivateAddress(literal)) {
    throw new Error(`${url}: refused, ${literal} is a private address (set SPROCKET_ALLOW_PRIVATE_URLS=true to allow)`);
  }
  const client = parsed.protocol === "https:" ? https : http;
  const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const request = client.get(parsed, { lookup, timeout: o.timeoutMs, headers: { "user-agent": "sprocket" } }, resolve);
    request.on("timeout", () => request.destroy(new Error(`no answer within ${o.timeoutMs / 1000} s`)));
    request.on("error", reject);
  }).catch((error: Error) => {
    throw new Error(`could not fetch ${url}: ${error.message}`);
  });
  const status = response.statusCode ?? 0;
  if (status >= 300 && status < 400 && response.headers.location) {
    response.resume();
    if (hops >= MAX_REDIRECTS) throw new Error(`${url}: more than ${MAX_REDIRECTS} redirects`);
    return download(new URL(response.headers.location, url).href, target, o, hops + 1);
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
  await pipeline(response, createWriteStream(target));
  return target;
}
