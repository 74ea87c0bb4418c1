import { createHash } from "node:crypto";
import type { FastifyRequest } from "fastify";
import { AppError, validationError } from "../errors/index.ts";
import type { Store } from "../store/store.ts";

/** What keys may look like (the IETF draft's advice: a UUID or similar opaque token). */
const KEY_PATTERN = /^[A-Za-z0-9._:~-]{1,255}$/;
/** How long a duplicate waits for the first request with its key to finish creating. */
const IN_FLIGHT_WAIT_MS = 10_000;
const IN_FLIGHT_POLL_MS = 25;

export type Created = { predictionId: string; statusCode: number; replayed: boolean };

/**
 * `Idempotency-Key` on a create route (an extension; README "Idempotent create"): the first
 * request with a key creates, and records the prediction it made; a retry with the same key and the
 * same request (route and body) within `windowHours` gets that prediction back instead of a second
 * one; the same key with another request is a 422. The store's primary key on (account, key) is
 * the arbiter, so concurrent duplicates — on one API replica or several — make one prediction: the
 * others wait for it (409 if it takes longer than IN_FLIGHT_WAIT_MS). A create that fails releases
 * the key, so a corrected retry can use it. Without the header, `create` simply runs.
 */
export async function idempotent(
  request: FastifyRequest,
  store: Store,
  windowHours: number,
  create: () => Promise<string>,
): Promise<Created> {
  const header = request.headers["idempotency-key"];
  if (header === undefined) return { predictionId: await create(), statusCode: 201, replayed: false };
  const key = Array.isArray(header) ? header.join(",") : header;
  if (!KEY_PATTERN.test(key)) {
    throw validationError([{ type: "invalid", field: "Idempotency-Key", description: "1 to 255 characters from A–Z, a–z, 0–9 and . _ : ~ - (a UUID works)" }]);
  }
  const hash = requestHash(request);
  const now = new Date();
  const claim = await store.claimIdempotencyKey(request.account, key, hash, now.toISOString(), new Date(now.getTime() - windowHours * 3_600_000).toISOString());
  if (claim === true) return createClaimed(request, store, key, create);
  let existing = claim;
  const deadline = Date.now() + IN_FLIGHT_WAIT_MS;
  while (existing.requestHash === hash && existing.predictionId === null && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, IN_FLIGHT_POLL_MS));
    const again = await store.claimIdempotencyKey(request.account, key, hash, new Date().toISOString(), new Date(0).toISOString());
    // The first request failed and released the key: this one claimed it and creates now.
    if (again === true) return createClaimed(request, store, key, create);
    existing = again;
  }
  if (existing.requestHash !== hash) {
    throw new AppError("idempotency_key_reused", `The Idempotency-Key "${key}" was used at ${existing.createdAt} with a different request; use a new key for a new prediction.`);
  }
  if (existing.predictionId === null) throw new AppError("idempotency_key_in_use", `A request with the Idempotency-Key "${key}" is still being processed; retry shortly.`);
  return { predictionId: existing.predictionId, statusCode: existing.statusCode ?? 201, replayed: true };
}

/** Creates under a key this request holds: recorded on success, released on failure. */
async function createClaimed(request: FastifyRequest, store: Store, key: string, create: () => Promise<string>): Promise<Created> {
  let id: string;
  try {
    id = await create();
  } catch (error) {
    await store.releaseIdempotencyKey(request.account, key);
    throw error;
  }
  await store.completeIdempotencyKey(request.account, key, id, 201);
  return { predictionId: id, statusCode: 201, replayed: false };
}

/** The request as a key's owner meant it: route, its parameters, and the body with keys in a stable order. */
function requestHash(request: FastifyRequest): string {
  const canonical = JSON.stringify([request.method, request.routeOptions.url, request.params, sorted(request.body)]);
  return createHash("sha256").update(canonical).digest("hex");
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.keys(value as object).sort().map((k) => [k, sorted((value as Record<string, unknown>)[k])]));
}
