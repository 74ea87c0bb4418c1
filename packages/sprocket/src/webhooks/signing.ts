import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";

/**
 * A new account signing secret: `whsec_` and standard base64 (not base64url: the Python and Go
 * clients split the key on `_`) of 24 random bytes, the shape Replicate hands out.
 */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString("base64")}`;
}

/** A new message id (`webhook-id`), kept for every retry of one message. */
export function newMessageId(): string {
  return `msg_${randomBytes(18).toString("base64url")}`;
}

/**
 * The Standard Webhooks headers for one attempt: the signature covers `id.timestamp.body`, with
 * the timestamp of this attempt (so each retry is signed afresh, under the same id).
 */
export function signedHeaders(secret: string, id: string, body: string, at: Date): Record<string, string> {
  return {
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": new Webhook(secret).sign(id, at, body),
  };
}
