import { createHmac } from "node:crypto";
import type { FastifyRequest } from "fastify";
import type { PredictionUrls } from "../protocol/api-types.ts";

/**
 * The origin clients reach us at: the configured public URL, else what the request says
 * (X-Forwarded-Proto/Host from a proxy, then Host). Every URL in a response is absolute, since
 * the official clients follow `next` and `urls.*` verbatim.
 */
export function originOf(request: FastifyRequest, publicUrl: string | null): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, "");
  const forwardedProto = firstHeader(request.headers["x-forwarded-proto"]);
  const forwardedHost = firstHeader(request.headers["x-forwarded-host"]);
  const proto = forwardedProto ?? request.protocol;
  const host = forwardedHost ?? request.headers.host ?? "localhost";
  return `${proto}://${host}`;
}

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

  predictionUrls(origin: string, id: string): PredictionUrls {
    return {
      get: `${origin}/v1/predictions/${id}`,
      cancel: `${origin}/v1/predictions/${id}/cancel`,
      stream: `${origin}/v1/streams/${id}?sig=${this.streamSignature(id)}`,
      web: `${origin}/p/${id}`,
    };
  }
}
