import type { AuditEventRecord, IdempotencyRecord, TokenRecord, WebhookAttemptRecord, WebhookDeliveryRecord } from "./records.ts";
import { PostgresConnection } from "./postgres-connection.ts";
import { toAttempt, toAudit, toDelivery, toToken, type Row } from "./sql-rows.ts";
import { SELECT_IDEMPOTENCY_KEY, claimIdempotencyKeyStatement, insertScopedTokenStatement, leaseWebhookDeliveryStatement, toIdempotency } from "./sql-statements.ts";

type Run = (text: string, params?: unknown[]) => Promise<{ rows: Row[]; changes: number }>;

/** PostgresStore's webhook tables, scoped tokens, Idempotency-Key claims and audit log (the SQLite store's sqlite-webhooks.ts and sqlite-tokens.ts). */
export abstract class PostgresSideTables extends PostgresConnection {
  async ensureWebhookSecret(account: string, candidate: string) {
    await this.q("INSERT INTO webhook_secrets (account, secret, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", [account, candidate, new Date().toISOString()]);
    return String((await this.one("SELECT secret FROM webhook_secrets WHERE account = ?", [account]))!.secret);
  }

  async insertWebhookDelivery(delivery: WebhookDeliveryRecord) {
    await this.writeDelivery((text, params) => this.q(text, params), delivery);
  }

  protected async writeDelivery(run: Run, d: WebhookDeliveryRecord): Promise<void> {
    await run(
      `INSERT INTO webhook_deliveries (id, prediction_id, account, url, event, body, state, attempts, created_at, next_attempt_at, give_up_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [d.id, d.predictionId, d.account, d.url, d.event, d.body, d.state, d.attempts, d.createdAt, d.nextAttemptAt, d.giveUpAt],
    );
  }

  async recordWebhookAttempt(a: WebhookAttemptRecord, after: Pick<WebhookDeliveryRecord, "state" | "attempts" | "nextAttemptAt">) {
    await this.transaction(async (run) => {
      await run(
        `INSERT INTO webhook_attempts (delivery_id, prediction_id, attempt, attempted_at, url, event, status_code, latency_ms, error)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (delivery_id, attempt) DO UPDATE SET attempted_at = excluded.attempted_at,
           url = excluded.url, event = excluded.event, status_code = excluded.status_code, latency_ms = excluded.latency_ms, error = excluded.error`,
        [a.deliveryId, a.predictionId, a.attempt, a.attemptedAt, a.url, a.event, a.statusCode, a.latencyMs, a.error],
      );
      // A delivery superseded while this attempt was out stays superseded unless the attempt got through.
      await run(
        `UPDATE webhook_deliveries SET state = CASE WHEN state = 'superseded' AND ? <> 'delivered' THEN state ELSE ? END,
           attempts = ?, next_attempt_at = ? WHERE id = ?`,
        [after.state, after.state, after.attempts, after.nextAttemptAt, a.deliveryId],
      );
    });
  }

  async dueWebhookDeliveries(now: string, limit: number) {
    return (await this.q("SELECT * FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?", [now, limit])).rows.map(toDelivery);
  }

  async supersedeWebhookDeliveries(by: WebhookDeliveryRecord, events: readonly string[]) {
    await this.q(
      `UPDATE webhook_deliveries SET state = 'superseded', next_attempt_at = NULL
       WHERE prediction_id = ? AND state = 'pending' AND id <> ? AND created_at <= ? AND event = ANY(?)`,
      [by.predictionId, by.id, by.createdAt, [...events]],
    );
  }

  async leaseWebhookDelivery(id: string, due: string, until: string) {
    const { text, values } = leaseWebhookDeliveryStatement(id, due, until);
    return (await this.q(text, values)).changes === 1;
  }

  async resetWebhookDelivery(id: string, nextAttemptAt: string, giveUpAt: string) {
    await this.q("UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = ?, give_up_at = ? WHERE id = ?", [nextAttemptAt, giveUpAt, id]);
  }

  async webhookDeliveries(predictionId: string) {
    return (await this.q("SELECT * FROM webhook_deliveries WHERE prediction_id = ? ORDER BY created_at, id", [predictionId])).rows.map(toDelivery);
  }

  async webhookAttempts(predictionId: string) {
    return (await this.q("SELECT * FROM webhook_attempts WHERE prediction_id = ? ORDER BY attempted_at, delivery_id, attempt", [predictionId])).rows.map(toAttempt);
  }

  async deleteWebhookData(predictionId: string) {
    await this.transaction(async (run) => {
      await run("DELETE FROM webhook_attempts WHERE prediction_id = ?", [predictionId]);
      await run("DELETE FROM webhook_deliveries WHERE prediction_id = ?", [predictionId]);
    });
  }

  async findToken(tokenHash: string) {
    const row = await this.one("SELECT * FROM tokens WHERE hash = ?", [tokenHash]);
    return row ? toToken(row) : null;
  }

  async insertScopedToken(tokenHash: string, t: TokenRecord) {
    const { text, values } = insertScopedTokenStatement(tokenHash, t);
    await this.q(text, values);
  }

  async listScopedTokens(account: string) {
    return (await this.q("SELECT * FROM tokens WHERE username = ? AND id IS NOT NULL ORDER BY created_at DESC, id DESC", [account])).rows.map(toToken);
  }

  async deleteScopedToken(account: string, id: string) {
    return (await this.q("DELETE FROM tokens WHERE username = ? AND id = ?", [account, id])).changes === 1;
  }

  async addTokenSpend(id: string, seconds: number) {
    await this.q("UPDATE tokens SET spent_seconds = spent_seconds + ? WHERE id = ?", [seconds, id]);
  }

  async claimIdempotencyKey(account: string, key: string, requestHash: string, now: string, expiredBefore: string): Promise<true | IdempotencyRecord> {
    // One statement: the primary key decides between concurrent claims, on any API replica.
    const claim = claimIdempotencyKeyStatement(account, key, requestHash, now, expiredBefore);
    if ((await this.q(claim.text, claim.values)).changes === 1) return true;
    return toIdempotency((await this.one(SELECT_IDEMPOTENCY_KEY, [account, key]))!);
  }

  async completeIdempotencyKey(account: string, key: string, predictionId: string, statusCode: number) {
    await this.q("UPDATE idempotency_keys SET prediction_id = ?, status_code = ? WHERE account = ? AND key = ?", [predictionId, statusCode, account, key]);
  }

  async releaseIdempotencyKey(account: string, key: string) {
    await this.q("DELETE FROM idempotency_keys WHERE account = ? AND key = ? AND prediction_id IS NULL", [account, key]);
  }

  async deleteIdempotencyKeysBefore(before: string) {
    return (await this.q("DELETE FROM idempotency_keys WHERE created_at < ?", [before])).changes;
  }

  async addAuditEvent(e: AuditEventRecord) {
    await this.q("INSERT INTO audit_events (account, at, action, token_id, detail, ip) VALUES (?, ?, ?, ?, ?, ?)", [e.account, e.at, e.action, e.tokenId, e.detail, e.ip]);
  }

  async listAuditEvents(account: string, limit: number, beforeId?: number) {
    const { rows } =
      beforeId === undefined
        ? await this.q("SELECT * FROM audit_events WHERE account = ? ORDER BY id DESC LIMIT ?", [account, limit])
        : await this.q("SELECT * FROM audit_events WHERE account = ? AND id < ? ORDER BY id DESC LIMIT ?", [account, beforeId, limit]);
    return rows.map(toAudit);
  }
}
