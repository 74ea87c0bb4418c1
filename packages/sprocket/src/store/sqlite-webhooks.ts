import type { WebhookAttemptRecord, WebhookDeliveryRecord } from "./records.ts";
import { SqliteTokenTables } from "./sqlite-tokens.ts";
import { toAttempt, toDelivery, type Row } from "./sql-rows.ts";
import { leaseWebhookDeliveryStatement } from "./sql-statements.ts";

/** The webhook tables (secrets, outbox, attempt log) of SqliteStore. */
export abstract class SqliteWebhookTables extends SqliteTokenTables {
  async ensureWebhookSecret(account: string, candidate: string) {
    this.sql("INSERT OR IGNORE INTO webhook_secrets (account, secret, created_at) VALUES (?, ?, ?)").run(account, candidate, new Date().toISOString());
    const row = this.sql("SELECT secret FROM webhook_secrets WHERE account = ?").get(account) as Row;
    return String(row.secret);
  }

  async insertWebhookDelivery(delivery: WebhookDeliveryRecord) {
    await this.batch.run(() => this.writeDelivery(delivery));
  }

  protected writeDelivery(d: WebhookDeliveryRecord): void {
    this.sql(
      `INSERT INTO webhook_deliveries (id, prediction_id, account, url, event, body, state, attempts, created_at, next_attempt_at, give_up_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(d.id, d.predictionId, d.account, d.url, d.event, d.body, d.state, d.attempts, d.createdAt, d.nextAttemptAt, d.giveUpAt);
  }

  async recordWebhookAttempt(a: WebhookAttemptRecord, after: Pick<WebhookDeliveryRecord, "state" | "attempts" | "nextAttemptAt">) {
    await this.batch.run(() => {
      this.sql(
        `INSERT OR REPLACE INTO webhook_attempts (delivery_id, prediction_id, attempt, attempted_at, url, event, status_code, latency_ms, error)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(a.deliveryId, a.predictionId, a.attempt, a.attemptedAt, a.url, a.event, a.statusCode, a.latencyMs, a.error);
      // A delivery superseded while this attempt was out stays superseded unless the attempt got through.
      this.sql(
        `UPDATE webhook_deliveries SET state = CASE WHEN state = 'superseded' AND ? <> 'delivered' THEN state ELSE ? END,
           attempts = ?, next_attempt_at = ? WHERE id = ?`,
      ).run(after.state, after.state, after.attempts, after.nextAttemptAt, a.deliveryId);
    }, true);
  }

  async dueWebhookDeliveries(now: string, limit: number) {
    return (
      this.sql("SELECT * FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?").all(now, limit) as Row[]
    ).map(toDelivery);
  }

  async supersedeWebhookDeliveries(by: WebhookDeliveryRecord, events: readonly string[]) {
    const marks = events.map(() => "?").join(", ");
    await this.batch.run(() =>
      this.sql(
        `UPDATE webhook_deliveries SET state = 'superseded', next_attempt_at = NULL
         WHERE prediction_id = ? AND state = 'pending' AND id <> ? AND created_at <= ? AND event IN (${marks})`,
      ).run(by.predictionId, by.id, by.createdAt, ...events),
    );
  }

  async leaseWebhookDelivery(id: string, due: string, until: string) {
    const { text, values } = leaseWebhookDeliveryStatement(id, due, until);
    return (await this.batch.run(() => Number(this.sql(text).run(...values).changes))) === 1;
  }

  async resetWebhookDelivery(id: string, nextAttemptAt: string, giveUpAt: string) {
    await this.batch.run(() =>
      this.sql("UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = ?, give_up_at = ? WHERE id = ?").run(nextAttemptAt, giveUpAt, id),
    );
  }

  async webhookDeliveries(predictionId: string) {
    return (this.sql("SELECT * FROM webhook_deliveries WHERE prediction_id = ? ORDER BY created_at, id").all(predictionId) as Row[]).map(toDelivery);
  }

  async webhookAttempts(predictionId: string) {
    return (
      this.sql("SELECT * FROM webhook_attempts WHERE prediction_id = ? ORDER BY attempted_at, delivery_id, attempt").all(predictionId) as Row[]
    ).map(toAttempt);
  }

  async deleteWebhookData(predictionId: string) {
    await this.batch.run(() => {
      this.sql("DELETE FROM webhook_attempts WHERE prediction_id = ?").run(predictionId);
      this.sql("DELETE FROM webhook_deliveries WHERE prediction_id = ?").run(predictionId);
    }, true);
  }
}
