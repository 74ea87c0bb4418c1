import { createHmac, timingSafeEqual } from "node:crypto";
import type { FastifyRequest } from "fastify";
import type { PredictionUrls } from "../protocol/api-types.ts";

/**
 * The origin clients reach us at: the configured public URL, else the request's Host (and, when
 * the operator says a proxy sets them, X-Forwarded-Proto/Host). Every URL in a response is
 * absolute, since the official clients follow `next` and `urls.*` verbatim. A malformed header
 * falls back to the address we listen on rather than producing a broken URL.
 */
export function originOf(request: FastifyRequest, options: { publicUrl: string | null; trustProxy: boolean; fallbackHost: string }): string {
  if (options.publicUrl) return options.publicUrl.replace(/\/+$/, "");
  const forwardedProto = options.trustProxy ? firstHeader(request.headers["x-forwarded-proto"]) : undefined;
  const forwardedHost = options.trustProxy ? firstHeader(request.headers["x-forwarded-host"]) : undefined;
  const proto = forwardedProto === "https" || forwardedProto === "http" ? forwardedProto : request.protocol;
  const host = [forwardedHost, request.headers.host].find((candidate) => candidate !== undefined && HOST.test(candidate)) ?? options.fallbackHost;
  return `${proto}://${host}`;
}

/** A host name or IP literal with an optional port: nothing that could break out of a URL. */
const HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

function firstHeader(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  return text?.split(",")[0]?.trim() || undefined;
}

/** Builds the capability URLs of predictions; the stream URL is signed, so it needs no token. */
export class UrlSigner {
  constructor(private readonly secret: string) {}

  streamSignature(id: string): string {
    return createHmac("sha256", this.secret).update(`stream:${id}`).digest("base64url").slice(0, 32);
  }

  /** Whether `signature` is this server's signature of the stream of prediction `id`. */
  verifyStream(id: string, signature: unknown): boolean {
    if (typeof signature !== "string") return false;
    const expected = Buffer.from(this.streamSignature(id));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /**
   * Replicate's Files API download signature: base64 HMAC-SHA256 of `"{owner} {id} {expiry}"`
   * (expiry in Unix seconds). The message has spaces where stream messages have none, so the two
   * kinds of signature made with the one secret can never stand in for each other.
   */
  fileSignature(owner: string, id: string, expiry: number): string {
    return createHmac("sha256", this.secret).update(`${owner} ${id} ${expiry}`).digest("base64");
  }

  /** Whether a download link is this server's, unexpired at `nowSeconds`. Accepts base64url too. */
  verifyFileDownload(owner: unknown, id: string, expiry: unknown, signature: unknown, nowSeconds: number): boolean {
    if (typeof owner !== "string" || typeof signature !== "string" || typeof expiry !== "string" || !/^\d{1,12}$/.test(expiry)) return false;
    if (Number(expiry) < nowSeconds) return false;
    const expected = Buffer.from(this.fileSignature(owner, id, Number(expiry)), "base64");
    const given = Buffer.from(signature.replace(/-/g, "+").replace(/_/g, "/"), "base64");
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** A download URL of an uploaded file that works without a token until `expiresAt`. */
  fileDownloadUrl(origin: string, owner: string, id: string, expiresAt: string): string {
    const expiry = Math.floor(Date.parse(expiresAt) / 1000);
    const query = new URLSearchParams({ owner, expiry: String(expiry), signature: this.fileSignature(owner, id, expiry) });
    return `${origin}/v1/files/${id}/download?${query}`;
  }

  predictionUrls(origin: string, id: string): PredictionUrls {
    return {
      get: `${origin}/v1/predictions/${id}`,
      cancel: `${origin}/v1/predictions/${id}/cancel`,
      stream: `${origin}/v1/streams/${id}?sig=${this.streamSignature(id)}`,
      web: `${origin}/p/${id}`,
    };
  }
}
