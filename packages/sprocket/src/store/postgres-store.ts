import type { CursorKey } from "../lib/cursor.ts";
import type { DeploymentRecord, DeploymentRelease, FileRecord, ListPage, ModelRecord, PredictionRecord, VersionRecord, WebhookDeliveryRecord } from "./records.ts";
import { PostgresSideTables } from "./postgres-side-tables.ts";
import { page, toDeployment, toFile, toModel, toPrediction, toVersion, toWorker } from "./sql-rows.ts";
import { insertPredictionStatement, listPredictionsStatement, updatePredictionStatement } from "./sql-statements.ts";
import * as W from "./sql-workers.ts";
import type { PredictionListQuery, PredictionPatch, Store, WorkerRecord } from "./store.ts";

/**
 * The scale-out store: PostgreSQL (`SPROCKET_DATABASE_URL`), the same schema and behaviour as
 * SqliteStore (one migration list, one contract suite; the prediction statements are shared, see
 * sql-statements.ts). A change and the webhook messages it causes commit in one transaction.
 * Construct, then `await open()` (connects, migrates). The connection is postgres-connection.ts;
 * webhooks, tokens, claims and audit are postgres-side-tables.ts.
 */
export class PostgresStore extends PostgresSideTables implements Store {
  async ensureAccount(username: string) {
    await this.q("INSERT INTO accounts (username, name, type, created_at) VALUES (?, ?, 'user', ?) ON CONFLICT DO NOTHING", [username, username, new Date().toISOString()]);
    return (await this.getAccount(username))!;
  }

  async getAccount(username: string) {
    const row = await this.one("SELECT * FROM accounts WHERE username = ?", [username]);
    return row ? { username: String(row.username), name: String(row.name), type: row.type as "user", createdAt: String(row.created_at) } : null;
  }

  async addToken(tokenHash: string, username: string, label: string) {
    await this.q("INSERT INTO tokens (hash, username, label, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (hash) DO UPDATE SET username = excluded.username, label = excluded.label", [
      tokenHash,
      username,
      label,
      new Date().toISOString(),
    ]);
  }

  async removeTokens(username: string, label: string) {
    await this.q("DELETE FROM tokens WHERE username = ? AND label = ?", [username, label]);
  }

  async findTokenAccount(tokenHash: string) {
    const row = await this.one("SELECT username FROM tokens WHERE hash = ?", [tokenHash]);
    return row ? String(row.username) : null;
  }

  async insertModel(m: ModelRecord) {
    const result = await this.q(
      `INSERT INTO models (owner, name, description, visibility, github_url, paper_url, license_url, cover_image_url, hardware, created_at, run_count)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      [m.owner, m.name, m.description, m.visibility, m.githubUrl, m.paperUrl, m.licenseUrl, m.coverImageUrl, m.hardware, m.createdAt, m.runCount],
    );
    return result.changes === 1;
  }

  async getModel(owner: string, name: string) {
    const row = await this.one("SELECT * FROM models WHERE owner = ? AND name = ?", [owner, name]);
    return row ? toModel(row) : null;
  }

  async listModels(viewer: string, limit: number, after?: CursorKey): Promise<ListPage<ModelRecord>> {
    const { rows } = after
      ? await this.q(
          `SELECT * FROM models WHERE (visibility = 'public' OR owner = ?) AND (created_at, owner || '/' || name) < (?, ?)
           ORDER BY created_at DESC, owner || '/' || name DESC LIMIT ?`,
          [viewer, after.createdAt, after.id, limit + 1],
        )
      : await this.q("SELECT * FROM models WHERE (visibility = 'public' OR owner = ?) ORDER BY created_at DESC, owner || '/' || name DESC LIMIT ?", [viewer, limit + 1]);
    return page(rows.map(toModel), limit);
  }

  async deleteModel(owner: string, name: string) {
    await this.q("DELETE FROM models WHERE owner = ? AND name = ?", [owner, name]);
  }

  async addRunCount(owner: string, name: string, runs: number) {
    await this.q("UPDATE models SET run_count = run_count + ? WHERE owner = ? AND name = ?", [runs, owner, name]);
  }

  async insertVersion(v: VersionRecord) {
    const result = await this.q(
      `INSERT INTO versions (id, owner, name, created_at, cog_version, openapi_schema, predictor, files) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      [v.id, v.owner, v.name, v.createdAt, v.cogVersion, JSON.stringify(v.openapiSchema), v.predictor, JSON.stringify(v.files)],
    );
    return result.changes === 1;
  }

  async getVersion(owner: string, name: string, id: string) {
    const row = await this.one("SELECT * FROM versions WHERE owner = ? AND name = ? AND id = ?", [owner, name, id]);
    return row ? toVersion(row) : null;
  }

  async findVersionsById(id: string) {
    return (await this.q("SELECT * FROM versions WHERE id = ? ORDER BY created_at", [id])).rows.map(toVersion);
  }

  async listVersions(owner: string, name: string, limit: number, after?: CursorKey) {
    const { rows } = after
      ? await this.q("SELECT * FROM versions WHERE owner = ? AND name = ? AND (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT ?", [owner, name, after.createdAt, after.id, limit + 1])
      : await this.q("SELECT * FROM versions WHERE owner = ? AND name = ? ORDER BY created_at DESC, id DESC LIMIT ?", [owner, name, limit + 1]);
    return page(rows.map(toVersion), limit);
  }

  async latestVersion(owner: string, name: string) {
    const row = await this.one("SELECT * FROM versions WHERE owner = ? AND name = ? ORDER BY created_at DESC, id DESC LIMIT 1", [owner, name]);
    return row ? toVersion(row) : null;
  }

  async countVersions(owner: string, name: string) {
    return Number((await this.one("SELECT COUNT(*) AS n FROM versions WHERE owner = ? AND name = ?", [owner, name]))!.n);
  }

  async deleteVersion(owner: string, name: string, id: string) {
    await this.q("DELETE FROM versions WHERE owner = ? AND name = ? AND id = ?", [owner, name, id]);
  }

  async addBlobOwner(account: string, sha256: string) {
    await this.q("INSERT INTO blob_owners (account, sha256) VALUES (?, ?) ON CONFLICT DO NOTHING", [account, sha256]);
  }

  async blobsOwnedBy(account: string, sha256s: string[]) {
    const { rows } = await this.q("SELECT sha256 FROM blob_owners WHERE account = ? AND sha256 = ANY(?)", [account, sha256s]);
    return new Set(rows.map((row) => String(row.sha256)));
  }

  async insertFile(f: FileRecord) {
    await this.q("INSERT INTO files (id, account, name, content_type, size, sha256, md5, metadata, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
      f.id,
      f.account,
      f.name,
      f.contentType,
      f.size,
      f.sha256,
      f.md5,
      JSON.stringify(f.metadata),
      f.createdAt,
      f.expiresAt,
    ]);
  }

  async getFile(account: string, id: string) {
    const row = await this.one("SELECT * FROM files WHERE id = ? AND account = ?", [id, account]);
    return row ? toFile(row) : null;
  }

  async listFiles(account: string, limit: number, after?: CursorKey) {
    const { rows } = after
      ? await this.q("SELECT * FROM files WHERE account = ? AND (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT ?", [account, after.createdAt, after.id, limit + 1])
      : await this.q("SELECT * FROM files WHERE account = ? ORDER BY created_at DESC, id DESC LIMIT ?", [account, limit + 1]);
    return page(rows.map(toFile), limit);
  }

  async deleteFile(account: string, id: string) {
    return (await this.q("DELETE FROM files WHERE id = ? AND account = ?", [id, account])).changes === 1;
  }

  async deleteExpiredFiles(now: string) {
    return (await this.q("DELETE FROM files WHERE expires_at <= ?", [now])).changes;
  }

  async predictionsWithExpiredData(now: string, limit: number) {
    const { rows } = await this.q("SELECT * FROM predictions WHERE data_expires_at IS NOT NULL AND data_removed = 0 AND data_expires_at <= ? ORDER BY data_expires_at LIMIT ?", [now, limit]);
    return rows.map(toPrediction);
  }

  async insertDeployment(d: DeploymentRecord) {
    const r = d.release;
    const result = await this.q(
      `INSERT INTO deployments (owner, name, created_at, release_number, model, version, hardware, min_instances, max_instances, release_created_at, release_created_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      [d.owner, d.name, d.createdAt, r.number, r.model, r.version, r.hardware, r.minInstances, r.maxInstances, r.createdAt, JSON.stringify(r.createdBy)],
    );
    return result.changes === 1;
  }

  async getDeployment(owner: string, name: string) {
    const row = await this.one("SELECT * FROM deployments WHERE owner = ? AND name = ?", [owner, name]);
    return row ? toDeployment(row) : null;
  }

  async listDeployments(owner: string, limit: number, after?: CursorKey) {
    const { rows } = after
      ? await this.q("SELECT * FROM deployments WHERE owner = ? AND (created_at, name) < (?, ?) ORDER BY created_at DESC, name DESC LIMIT ?", [owner, after.createdAt, after.id, limit + 1])
      : await this.q("SELECT * FROM deployments WHERE owner = ? ORDER BY created_at DESC, name DESC LIMIT ?", [owner, limit + 1]);
    return page(rows.map(toDeployment), limit);
  }

  async allDeployments() {
    return (await this.q("SELECT * FROM deployments ORDER BY created_at, owner, name")).rows.map(toDeployment);
  }

  async replaceDeploymentRelease(owner: string, name: string, r: DeploymentRelease) {
    const result = await this.q(
      `UPDATE deployments SET release_number = ?, model = ?, version = ?, hardware = ?, min_instances = ?, max_instances = ?,
         release_created_at = ?, release_created_by = ? WHERE owner = ? AND name = ? AND release_number = ?`,
      [r.number, r.model, r.version, r.hardware, r.minInstances, r.maxInstances, r.createdAt, JSON.stringify(r.createdBy), owner, name, r.number - 1],
    );
    return result.changes === 1;
  }

  async deleteDeployment(owner: string, name: string) {
    return (await this.q("DELETE FROM deployments WHERE owner = ? AND name = ?", [owner, name])).changes === 1;
  }

  async versionIsDeployed(model: string, version: string) {
    return (await this.one("SELECT 1 AS yes FROM deployments WHERE model = ? AND version = ? LIMIT 1", [model, version])) !== undefined;
  }

  async insertPrediction(p: PredictionRecord, deliveries: WebhookDeliveryRecord[] = []) {
    const { text, values } = insertPredictionStatement(p);
    if (deliveries.length === 0) return void (await this.q(text, values));
    await this.transaction(async (run) => {
      await run(text, values);
      for (const delivery of deliveries) await this.writeDelivery(run, delivery);
    });
  }

  async updatePrediction(id: string, patch: PredictionPatch, deliveries: WebhookDeliveryRecord[] = []) {
    const update = updatePredictionStatement(id, patch);
    if (!update && deliveries.length === 0) return;
    if (deliveries.length === 0) return void (await this.q(update!.text, update!.values));
    // A terminal state is never durable without its `completed` webhook, nor the other way round.
    await this.transaction(async (run) => {
      if (update) await run(update.text, update.values);
      for (const delivery of deliveries) await this.writeDelivery(run, delivery);
    });
  }

  async getPrediction(id: string) {
    const row = await this.one("SELECT * FROM predictions WHERE id = ?", [id]);
    return row ? toPrediction(row) : null;
  }

  async listPredictions(q: PredictionListQuery) {
    const { text, values } = listPredictionsStatement(q);
    return page((await this.q(text, values)).rows.map(toPrediction), q.limit);
  }

  async predictionsWithStatus(statuses: readonly string[]) {
    return (await this.q("SELECT * FROM predictions WHERE status = ANY(?) ORDER BY created_at, id", [[...statuses]])).rows.map(toPrediction);
  }

  async heartbeatWorker(w: WorkerRecord) {
    const { text, values } = W.heartbeatWorkerStatement(w);
    await this.q(text, values);
  }

  async listWorkers() {
    return (await this.q(W.LIST_WORKERS)).rows.map(toWorker);
  }

  async removeLostWorker(id: string, before: number) {
    const { text, values } = W.removeLostWorkerStatement(id, before);
    return (await this.q(text, values)).changes === 1;
  }

  async removeWorker(id: string) {
    const { text, values } = W.removeWorkerStatement(id);
    await this.q(text, values);
  }

  async assignPrediction(id: string, workerId: string) {
    const { text, values } = W.assignPredictionStatement(id, workerId);
    return (await this.q(text, values)).changes === 1;
  }

  async predictionsOfWorker(workerId: string) {
    const { text, values } = W.predictionsOfWorkerStatement(workerId);
    return (await this.q(text, values)).rows.map(toPrediction);
  }

  async unassignPrediction(id: string) {
    const { text, values } = W.unassignPredictionStatement(id);
    await this.q(text, values);
  }

  async overduePredictions(now: string, limit: number) {
    const { text, values } = W.overdueStatement(now, limit);
    return (await this.q(text, values)).rows.map(toPrediction);
  }

  async unassignedQueued(before: string, limit: number) {
    const { text, values } = W.unassignedQueuedStatement(before, limit);
    return (await this.q(text, values)).rows.map(toPrediction);
  }
}
