import type { AuditEventRecord, IdempotencyRecord, TokenRecord } from "./records.ts";
import { SqliteConnection } from "./sqlite-connection.ts";
import { toAudit, toToken, type Row } from "./sql-rows.ts";
import { SELECT_IDEMPOTENCY_KEY, claimIdempotencyKeyStatement, insertScopedTokenStatement, toIdempotency } from "./sql-statements.ts";


/** Scoped tokens, Idempotency-Key claims and the audit log (issue 12) of SqliteStore. */
export abstract class SqliteTokenTables extends SqliteConnection {
  async findToken(tokenHash: string) {
    const row = this.sql("SELECT * FROM tokens WHERE hash = ?").get(tokenHash) as Row | undefined;
    return row ? toToken(row) : null;
  }

  async insertScopedToken(tokenHash: string, t: TokenRecord) {
    const { text, values } = insertScopedTokenStatement(tokenHash, t);
    this.sql(text).run(...values);
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
    const claim = claimIdempotencyKeyStatement(account, key, requestHash, now, expiredBefore);
    if (this.sql(claim.text).run(...claim.values).changes === 1) return true;
    return toIdempotency(this.sql(SELECT_IDEMPOTENCY_KEY).get(account, key) as Row);
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
