import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { AwsClient } from "aws4fetch";
import { AppError } from "../errors/index.ts";

/** Where the S3 store keeps its bytes (SPROCKET_S3_*). */
export interface S3Location {
  bucket: string;
  /** http(s)://host[:port] of an S3-compatible server; null: AWS S3 in `region`. */
  endpoint: string | null;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Prepended to every key (e.g. "sprocket/"); "" for none. */
  prefix: string;
  /** Bucket in the path (http://host/bucket/key), as most S3-compatible servers want; false: bucket.host. */
  forcePathStyle: boolean;
}

/** An answer other than the one asked for: the status and S3's error code (`NoSuchKey`, `AccessDenied`, …). */
export class S3RequestError extends Error {
  constructor(
    readonly status: number,
    readonly s3Code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Requests in flight at once: a push asking about thousands of blobs must not open thousands of sockets. */
const MAX_IN_FLIGHT = 16;
const ATTEMPTS = 3;

interface Send {
  /** Called once per attempt, so a file body is re-read when a request is retried. */
  body?: () => Readable | Uint8Array;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/**
 * The few S3 REST calls the blob store needs (HEAD, GET, PUT, DELETE of one object, HEAD of the
 * bucket), signed with AWS Signature V4 by aws4fetch and sent with Node's fetch. Network errors,
 * 5xx and 429 are retried (twice, with backoff); bodies are streamed, never held whole in memory.
 * Objects go up in one PUT, so one object is at most 5 GiB (S3's single-PUT limit).
 */
export class S3Client {
  private readonly aws: AwsClient;
  private readonly base: URL;
  private readonly prefix: string;
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  /** For messages: `bucket "b" at http://host:port` (never a credential). */
  readonly where: string;

  constructor(location: S3Location) {
    this.aws = new AwsClient({ accessKeyId: location.accessKeyId, secretAccessKey: location.secretAccessKey, service: "s3", region: location.region, retries: 0 });
    const endpoint = (location.endpoint ?? `https://s3.${location.region}.amazonaws.com`).replace(/\/+$/, "");
    const url = new URL(endpoint);
    if (location.forcePathStyle) url.pathname = `${url.pathname.replace(/\/+$/, "")}/${encodeURIComponent(location.bucket)}`;
    else {
      const host = `${location.bucket}.${url.hostname}`;
      url.hostname = host;
      // An address (127.0.0.1) cannot take the bucket as a subdomain; the URL would silently keep the bare host.
      if (url.hostname !== host) throw new AppError("config_invalid", `SPROCKET_S3_FORCE_PATH_STYLE=false needs an endpoint with a DNS name, not ${endpoint}`);
    }
    this.base = url;
    const prefix = location.prefix.replace(/^\/+|\/+$/g, "");
    this.prefix = prefix === "" ? "" : `${prefix}/`;
    this.where = `bucket "${location.bucket}" at ${endpoint}`;
  }

  /** The bucket answers and these credentials may use it; else one clear error naming it. */
  async checkBucket(): Promise<void> {
    let response: Response;
    try {
      response = await this.send("HEAD", null, { timeoutMs: 10_000 });
    } catch (error) {
      throw new AppError("unavailable", `cannot reach S3 ${this.where} (SPROCKET_S3_ENDPOINT): ${reason(error)}`);
    }
    if (response.ok) return;
    const why =
      response.status === 404
        ? "no such bucket (SPROCKET_S3_BUCKET)"
        : response.status === 403 || response.status === 401
          ? "access denied (SPROCKET_S3_ACCESS_KEY_ID, SPROCKET_S3_SECRET_ACCESS_KEY)"
          : `HTTP ${response.status}`;
    throw new AppError("unavailable", `S3 ${this.where} cannot be used: ${why}`);
  }

  /** An object's size, media type and user metadata (`x-amz-meta-*`), or null when there is none. */
  async head(key: string): Promise<{ size: number; contentType: string; meta: Record<string, string> } | null> {
    const response = await this.call("HEAD", key, { timeoutMs: 30_000 }, [404]);
    if (response.status === 404) return null;
    const meta: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      if (name.startsWith("x-amz-meta-")) meta[name.slice("x-amz-meta-".length)] = value;
    });
    return { size: Number(response.headers.get("content-length") ?? 0), contentType: response.headers.get("content-type") ?? "application/octet-stream", meta };
  }

  /** An object's bytes as a stream (with its headers), or null when there is none. */
  async get(key: string): Promise<{ body: Readable; headers: Headers } | null> {
    const response = await this.call("GET", key, {}, [404]);
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    return { body: Readable.fromWeb(response.body! as import("node:stream/web").ReadableStream), headers: response.headers };
  }

  /**
   * Uploads a local file. `sha256` (hex), when known, is signed as the payload's digest, so S3
   * refuses bytes that changed on the way; otherwise the payload is sent unsigned (TLS covers it).
   */
  async putFile(key: string, file: string, size: number, options: { sha256?: string; contentType?: string; meta?: Record<string, string> } = {}): Promise<void> {
    await this.put(key, () => createReadStream(file), size, options);
  }

  async putBytes(key: string, data: Uint8Array, options: { sha256?: string; contentType?: string } = {}): Promise<void> {
    await this.put(key, () => data, data.byteLength, options);
  }

  async delete(key: string): Promise<void> {
    const response = await this.call("DELETE", key, { timeoutMs: 30_000 }, [404]);
    await response.body?.cancel();
  }

  private async put(key: string, body: () => Readable | Uint8Array, size: number, options: { sha256?: string; contentType?: string; meta?: Record<string, string> }): Promise<void> {
    const headers: Record<string, string> = {
      "content-length": String(size),
      "content-type": options.contentType ?? "application/octet-stream",
      "x-amz-content-sha256": options.sha256 ?? "UNSIGNED-PAYLOAD",
    };
    for (const [name, value] of Object.entries(options.meta ?? {})) headers[`x-amz-meta-${name}`] = value;
    const response = await this.call("PUT", key, { body, headers });
    await response.body?.cancel();
  }

  /** `send` with S3's errors turned into S3RequestError (statuses in `expected` are returned as they are). */
  private async call(method: string, key: string, options: Send, expected: number[] = []): Promise<Response> {
    const response = await this.send(method, key, options);
    if (response.ok || expected.includes(response.status)) return response;
    const text = method === "HEAD" ? "" : await response.text().catch(() => "");
    const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? `HTTP ${response.status}`;
    throw new S3RequestError(response.status, code, `S3 ${method} ${this.prefix}${key} in ${this.where}: ${response.status} ${code}`);
  }

  private async send(method: string, key: string | null, options: Send): Promise<Response> {
    const url = new URL(this.base);
    if (key !== null) url.pathname = `${url.pathname.replace(/\/+$/, "")}/${(this.prefix + key).split("/").map(encodeURIComponent).join("/")}`;
    await this.slot();
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          const signed = await this.aws.sign(url.toString(), { method, headers: options.headers ?? {} });
          const body = options.body?.();
          const response = await fetch(signed.url, {
            method,
            headers: signed.headers,
            body: body instanceof Readable ? Readable.toWeb(body) : body,
            ...(body instanceof Readable ? { duplex: "half" } : {}),
            signal: options.timeoutMs ? AbortSignal.timeout(options.timeoutMs) : undefined,
          } as RequestInit);
          if ((response.status < 500 && response.status !== 429) || attempt === ATTEMPTS) return response;
          await response.body?.cancel();
        } catch (error) {
          if (attempt === ATTEMPTS) throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, 100 * 4 ** (attempt - 1)));
      }
    } finally {
      this.release();
    }
  }

  private async slot(): Promise<void> {
    if (this.inFlight < MAX_IN_FLIGHT) {
      this.inFlight++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next(); // the slot passes straight to the next request
    else this.inFlight--;
  }
}

/** A network failure's most useful words: fetch says "fetch failed" and puts the reason in `cause`. */
export function reason(error: unknown): string {
  const err = error as Error & { cause?: Error & { code?: string } };
  if (err?.name === "TimeoutError") return "no answer within the time allowed";
  return err?.cause?.message ?? err?.message ?? String(error);
}
