import type { AuditEventRecord, IdempotencyRecord, TokenRecord } from "./records.ts";
import { SqliteConnection } from "./sqlite-connection.ts";
import { toAudit, toToken, type Row } from "./sql-rows.ts";


/** Scoped tokens, Idempotency-Key claims and the audit log (issue 12) of SqliteStore. */
export abstract class SqliteTokenTables extends SqliteConnection {
  async findToken(tokenHash: string) {
    const row = this.sql("SELECT * FROM tokens WHERE hash = ?").get(tokenHash) as Row | undefined;
    return row ? toToken(row) : null;
  }

  async insertScopedToken(tokenHash: string, t: TokenRecord) {
    this.sql("INSERT INTO tokens (hash, username, label, created_at, id, grant_json, expires_at, spent_seconds) VALUES (?, ?, ?, ?, ?, ?, ?, 0)").run(
      tokenHash,
      t.account,
      t.name,
      t.createdAt,
      t.id,
      JSON.stringify(t.grant),
      t.expiresAt,
    );
  }

  async listScopedTokens(account: string) {
    const rows = this.sql("SELECT * FROM tokens WHERE username = ? AND id IS NOT NULL ORDER BY created_at DESC, id DESC").all(account) as Row[];
    return rows.map(toToken);
  }

  async deleteScopedToken(account: string, id: string) {
    return this.sql("DELETE FROM tokens WHERE username = ? AND id = ?").run(account, id).changes === 1;
  }

  async addTokenSpend(id: string, seconds: number) {
    await this.batch.run(() => {
      this.sql("UPDATE tokens SET spent_seconds = spent_seconds + ? WHERE id = ?").run(seconds, id);
    });
  }

  async claimIdempotencyKey(account: string, key: string, requestHash: string, now: string, expiredBefore: string): Promise<true | IdempotencyRecord> {
    // One statement: the primary key decides between concurrent claims; an expired claim is taken over.
    const claimed = this.sql(
      `INSERT INTO idempotency_keys (account, key, request_hash, prediction_id, status_code, created_at) VALUES (?, ?, ?, NULL, NULL, ?)
       ON CONFLICT (account, key) DO UPDATE SET request_hash = excluded.request_hash, prediction_id = NULL, status_code = NULL, created_at = excluded.created_at
       WHERE idempotency_keys.created_at < ?`,
    ).run(account, key, requestHash, now, expiredBefore).changes;
    if (claimed === 1) return true;
    const row = this.sql("SELECT * FROM idempotency_keys WHERE account = ? AND key = ?").get(account, key) as Row;
    return {
      requestHash: String(row.request_hash),
      predictionId: row.prediction_id === null ? null : String(row.prediction_id),
      statusCode: row.status_code === null ? null : Number(row.status_code),
      createdAt: String(row.created_at),
    };
  }

  async completeIdempotencyKey(account: string, key: string, predictionId: string, statusCode: number) {
    this.sql("UPDATE idempotency_keys SET prediction_id = ?, status_code = ? WHERE account = ? AND key = ?").run(predictionId, statusCode, account, key);
  }

  async releaseIdempotencyKey(account: string, key: string) {
    this.sql("DELETE FROM idempotency_keys WHERE account = ? AND key = ? AND prediction_id IS NULL").run(account, key);
  }

  async deleteIdempotencyKeysBefore(before: string) {
    return this.sql("DELETE FROM idempotency_keys WHERE created_at < ?").run(before).changes;
  }

  async addAuditEvent(e: AuditEventRecord) {
    this.sql("INSERT INTO audit_events (account, at, action, token_id, detail, ip) VALUES (?, ?, ?, ?, ?, ?)").run(e.account, e.at, e.action, e.tokenId, e.detail, e.ip);
  }

  async listAuditEvents(account: string, limit: number, beforeId?: number) {
    const rows = (
      beforeId === undefined
        ? this.sql("SELECT * FROM audit_events WHERE account = ? ORDER BY id DESC LIMIT ?").all(account, limit)
        : this.sql("SELECT * FROM audit_events WHERE account = ? AND id < ? ORDER BY id DESC LIMIT ?").all(account, beforeId, limit)
    ) as Row[];
    return rows.map(toAudit);
  }
}
