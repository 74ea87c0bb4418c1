import type { CursorKey } from "../lib/cursor.ts";
import type { DeploymentRecord, DeploymentRelease, FileRecord, ListPage, ModelRecord, PredictionRecord, VersionRecord, WebhookDeliveryRecord } from "./records.ts";
import { page, toDeployment, toFile, toModel, toPrediction, toVersion, toWorker, type Row } from "./sql-rows.ts";
import { SqliteWebhookTables } from "./sqlite-webhooks.ts";
import { insertPredictionStatement, listPredictionsStatement, updatePredictionStatement } from "./sql-statements.ts";
import * as W from "./sql-workers.ts";
import type { PredictionListQuery, PredictionPatch, Store, WorkerRecord } from "./store.ts";

/**
 * The embedded store: one SQLite file in WAL mode with synchronous=NORMAL, which keeps every
 * committed transaction through a crash of this process (the durability promise), and costs no
 * fsync per commit. Statements are prepared once. libsql is synchronous; methods are async only to
 * share the Store interface with networked databases. The connection (pragmas, migrations, group
 * commit, checkpoints) is sqlite-connection.ts; the webhook tables' SQL is sqlite-webhooks.ts; scoped
 * tokens, Idempotency-Key claims and the audit log are sqlite-tokens.ts.
 */
export class SqliteStore extends SqliteWebhookTables implements Store {
  async ensureAccount(username: string) {
    this.sql("INSERT OR IGNORE INTO accounts (username, name, type, created_at) VALUES (?, ?, 'user', ?)").run(
      username,
      username,
      new Date().toISOString(),
    );
    return (await this.getAccount(username))!;
  }

  async getAccount(username: string) {
    const row = this.sql("SELECT * FROM accounts WHERE username = ?").get(username) as Row | undefined;
    if (!row) return null;
    return { username: String(row.username), name: String(row.name), type: row.type as "user", createdAt: String(row.created_at) };
  }

  async addToken(tokenHash: string, username: string, label: string) {
    this.sql("INSERT OR REPLACE INTO tokens (hash, username, label, created_at) VALUES (?, ?, ?, ?)").run(
      tokenHash,
      username,
      label,
      new Date().toISOString(),
    );
  }

  async removeTokens(username: string, label: string) {
    this.sql("DELETE FROM tokens WHERE username = ? AND label = ?").run(username, label);
  }

  async findTokenAccount(tokenHash: string) {
    const row = this.sql("SELECT username FROM tokens WHERE hash = ?").get(tokenHash) as Row | undefined;
    return row ? String(row.username) : null;
  }

  async insertModel(m: ModelRecord) {
    const result = this.sql(
      `INSERT OR IGNORE INTO models (owner, name, description, visibility, github_url, paper_url, license_url,
         cover_image_url, hardware, created_at, run_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(m.owner, m.name, m.description, m.visibility, m.githubUrl, m.paperUrl, m.licenseUrl, m.coverImageUrl, m.hardware, m.createdAt, m.runCount);
    return result.changes === 1;
  }

  async getModel(owner: string, name: string) {
    const row = this.sql("SELECT * FROM models WHERE owner = ? AND name = ?").get(owner, name) as Row | undefined;
    return row ? toModel(row) : null;
  }

  async listModels(viewer: string, limit: number, after?: CursorKey): Promise<ListPage<ModelRecord>> {
    const rows = (
      after
        ? this.sql(
            `SELECT * FROM models WHERE (visibility = 'public' OR owner = ?) AND (created_at, owner || '/' || name) < (?, ?)
             ORDER BY created_at DESC, owner || '/' || name DESC LIMIT ?`,
          ).all(viewer, after.createdAt, after.id, limit + 1)
        : this.sql(
            `SELECT * FROM models WHERE (visibility = 'public' OR owner = ?)
             ORDER BY created_at DESC, owner || '/' || name DESC LIMIT ?`,
          ).all(viewer, limit + 1)
    ) as Row[];
    return page(rows.map(toModel), limit);
  }

  async deleteModel(owner: string, name: string) {
    this.sql("DELETE FROM models WHERE owner = ? AND name = ?").run(owner, name);
  }

  async addRunCount(owner: string, name: string, runs: number) {
    this.sql("UPDATE models SET run_count = run_count + ? WHERE owner = ? AND name = ?").run(runs, owner, name);
  }

  async insertVersion(v: VersionRecord) {
    const result = this.sql(
      `INSERT OR IGNORE INTO versions (id, owner, name, created_at, cog_version, openapi_schema, predictor, files)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(v.id, v.owner, v.name, v.createdAt, v.cogVersion, JSON.stringify(v.openapiSchema), v.predictor, JSON.stringify(v.files));
    return result.changes === 1;
  }

  async getVersion(owner: string, name: string, id: string) {
    const row = this.sql("SELECT * FROM versions WHERE owner = ? AND name = ? AND id = ?").get(owner, name, id) as Row | undefined;
    return row ? toVersion(row) : null;
  }

  async findVersionsById(id: string) {
    return (this.sql("SELECT * FROM versions WHERE id = ? ORDER BY created_at").all(id) as Row[]).map(toVersion);
  }

  async listVersions(owner: string, name: string, limit: number, after?: CursorKey) {
    const rows = (
      after
        ? this.sql(
            `SELECT * FROM versions WHERE owner = ? AND name = ? AND (created_at, id) < (?, ?)
             ORDER BY created_at DESC, id DESC LIMIT ?`,
          ).all(owner, name, after.createdAt, after.id, limit + 1)
        : this.sql("SELECT * FROM versions WHERE owner = ? AND name = ? ORDER BY created_at DESC, id DESC LIMIT ?").all(owner, name, limit + 1)
    ) as Row[];
    return page(rows.map(toVersion), limit);
  }

  async latestVersion(owner: string, name: string) {
    const row = this.sql("SELECT * FROM versions WHERE owner = ? AND name = ? ORDER BY created_at DESC, id DESC LIMIT 1").get(owner, name) as
      | Row
      | undefined;
    return row ? toVersion(row) : null;
  }

  async countVersions(owner: string, name: string) {
    const row = this.sql("SELECT COUNT(*) AS n FROM versions WHERE owner = ? AND name = ?").get(owner, name) as Row;
    return Number(row.n);
  }

  async deleteVersion(owner: string, name: string, id: string) {
    this.sql("DELETE FROM versions WHERE owner = ? AND name = ? AND id = ?").run(owner, name, id);
  }

  async addBlobOwner(account: string, sha256: string) {
    this.sql("INSERT OR IGNORE INTO blob_owners (account, sha256) VALUES (?, ?)").run(account, sha256);
  }

  async blobsOwnedBy(account: string, sha256s: string[]) {
    const owned = new Set<string>();
    const statement = this.sql("SELECT 1 FROM blob_owners WHERE account = ? AND sha256 = ?");
    for (const sha of sha256s) if (statement.get(account, sha)) owned.add(sha);
    return owned;
  }

  async insertFile(f: FileRecord) {
    this.sql(
      `INSERT INTO files (id, account, name, content_type, size, sha256, md5, metadata, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(f.id, f.account, f.name, f.contentType, f.size, f.sha256, f.md5, JSON.stringify(f.metadata), f.createdAt, f.expiresAt);
  }

  async getFile(account: string, id: string) {
    const row = this.sql("SELECT * FROM files WHERE id = ? AND account = ?").get(id, account) as Row | undefined;
    return row ? toFile(row) : null;
  }

  async listFiles(account: string, limit: number, after?: CursorKey) {
    const rows = (
      after
        ? this.sql(
            `SELECT * FROM files WHERE account = ? AND (created_at, id) < (?, ?)
             ORDER BY created_at DESC, id DESC LIMIT ?`,
          ).all(account, after.createdAt, after.id, limit + 1)
        : this.sql("SELECT * FROM files WHERE account = ? ORDER BY created_at DESC, id DESC LIMIT ?").all(account, limit + 1)
    ) as Row[];
    return page(rows.map(toFile), limit);
  }

  async deleteFile(account: string, id: string) {
    return this.sql("DELETE FROM files WHERE id = ? AND account = ?").run(id, account).changes === 1;
  }

  async deleteExpiredFiles(now: string) {
    return this.sql("DELETE FROM files WHERE expires_at <= ?").run(now).changes;
  }

  async predictionsWithExpiredData(now: string, limit: number) {
    return (
      this.sql("SELECT * FROM predictions WHERE data_expires_at IS NOT NULL AND data_removed = 0 AND data_expires_at <= ? ORDER BY data_expires_at LIMIT ?").all(
        now,
        limit,
      ) as Row[]
    ).map(toPrediction);
  }

  async insertDeployment(d: DeploymentRecord) {
    const r = d.release;
    const result = this.sql(
      `INSERT OR IGNORE INTO deployments (owner, name, created_at, release_number, model, version, hardware, min_instances,
         max_instances, release_created_at, release_created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(d.owner, d.name, d.createdAt, r.number, r.model, r.version, r.hardware, r.minInstances, r.maxInstances, r.createdAt, JSON.stringify(r.createdBy));
    return result.changes === 1;
  }

  async getDeployment(owner: string, name: string) {
    const row = this.sql("SELECT * FROM deployments WHERE owner = ? AND name = ?").get(owner, name) as Row | undefined;
    return row ? toDeployment(row) : null;
  }

  async listDeployments(owner: string, limit: number, after?: CursorKey) {
    const rows = (
      after
        ? this.sql(
            `SELECT * FROM deployments WHERE owner = ? AND (created_at, name) < (?, ?)
             ORDER BY created_at DESC, name DESC LIMIT ?`,
          ).all(owner, after.createdAt, after.id, limit + 1)
        : this.sql("SELECT * FROM deployments WHERE owner = ? ORDER BY created_at DESC, name DESC LIMIT ?").all(owner, limit + 1)
    ) as Row[];
    return page(rows.map(toDeployment), limit);
  }

  async allDeployments() {
    return (this.sql("SELECT * FROM deployments ORDER BY created_at, owner, name").all() as Row[]).map(toDeployment);
  }

  async replaceDeploymentRelease(owner: string, name: string, r: DeploymentRelease) {
    const result = this.sql(
      `UPDATE deployments SET release_number = ?, model = ?, version = ?, hardware = ?, min_instances = ?, max_instances = ?,
         release_created_at = ?, release_created_by = ? WHERE owner = ? AND name = ? AND release_number = ?`,
    ).run(r.number, r.model, r.version, r.hardware, r.minInstances, r.maxInstances, r.createdAt, JSON.stringify(r.createdBy), owner, name, r.number - 1);
    return result.changes === 1;
  }

  async deleteDeployment(owner: string, name: string) {
    return this.sql("DELETE FROM deployments WHERE owner = ? AND name = ?").run(owner, name).changes === 1;
  }

  async versionIsDeployed(model: string, version: string) {
    return this.sql("SELECT 1 FROM deployments WHERE model = ? AND version = ? LIMIT 1").get(model, version) !== undefined;
  }

  async insertPrediction(p: PredictionRecord, deliveries: WebhookDeliveryRecord[] = []) {
    const { text, values } = insertPredictionStatement(p);
    await this.batch.run(() => {
      this.sql(text).run(...values);
      for (const delivery of deliveries) this.writeDelivery(delivery);
    }, deliveries.length > 0);
  }

  async updatePrediction(id: string, patch: PredictionPatch, deliveries: WebhookDeliveryRecord[] = []) {
    const update = updatePredictionStatement(id, patch);
    if (!update && deliveries.length === 0) return;
    await this.batch.run(() => {
      // Inside one write, so the group commit's transaction holds both or neither.
      if (update) this.sql(update.text).run(...update.values);
      for (const delivery of deliveries) this.writeDelivery(delivery);
    }, deliveries.length > 0);
  }

  async getPrediction(id: string) {
    const row = this.sql("SELECT * FROM predictions WHERE id = ?").get(id) as Row | undefined;
    return row ? toPrediction(row) : null;
  }

  async listPredictions(q: PredictionListQuery) {
    const { text, values } = listPredictionsStatement(q);
    return page((this.sql(text).all(...values) as Row[]).map(toPrediction), q.limit);
  }

  async predictionsWithStatus(statuses: readonly string[]) {
    const marks = statuses.map(() => "?").join(", ");
    return (this.sql(`SELECT * FROM predictions WHERE status IN (${marks}) ORDER BY created_at, id`).all(...statuses) as Row[]).map(
      toPrediction,
    );
  }

  // Worker hosts (sql-workers.ts). Writes go through the group commit, after any write already asked for.
  async heartbeatWorker(w: WorkerRecord) {
    await this.write(W.heartbeatWorkerStatement(w));
  }

  async listWorkers() {
    return (this.sql(W.LIST_WORKERS).all() as Row[]).map(toWorker);
  }

  async removeLostWorker(id: string, before: number) {
    return (await this.write(W.removeLostWorkerStatement(id, before))) === 1;
  }

  async removeWorker(id: string) {
    await this.write(W.removeWorkerStatement(id));
  }

  async assignPrediction(id: string, workerId: string) {
    return (await this.write(W.assignPredictionStatement(id, workerId))) === 1;
  }

  async predictionsOfWorker(workerId: string) {
    const { text, values } = W.predictionsOfWorkerStatement(workerId);
    return (this.sql(text).all(...values) as Row[]).map(toPrediction);
  }

  async unassignPrediction(id: string) {
    await this.write(W.unassignPredictionStatement(id));
  }

  async overduePredictions(now: string, limit: number) {
    const { text, values } = W.overdueStatement(now, limit);
    return (this.sql(text).all(...values) as Row[]).map(toPrediction);
  }

  async unassignedQueued(before: string, limit: number) {
    const { text, values } = W.unassignedQueuedStatement(before, limit);
    return (this.sql(text).all(...values) as Row[]).map(toPrediction);
  }

  /** One statement through the group commit; resolves with the rows it changed. */
  private write({ text, values }: { text: string; values: unknown[] }): Promise<number> {
    return this.batch.run(() => Number(this.sql(text).run(...values).changes));
  }
}
