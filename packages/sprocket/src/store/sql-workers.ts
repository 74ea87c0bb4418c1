// Worker-host statements both stores run (scale-out): heartbeats, handing a queued prediction to a
// worker, and finding what a lost worker held. Text with `?` placeholders (the PostgreSQL store
// numbers them), so the two stores cannot disagree.
import type { WorkerRecord } from "./records.ts";
import type { Statement } from "./sql-statements.ts";

export function heartbeatWorkerStatement(w: WorkerRecord): Statement {
  return {
    text: `INSERT INTO workers (id, name, hardware, instances, running, last_seen, started_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, hardware = excluded.hardware, instances = excluded.instances,
       running = excluded.running, last_seen = excluded.last_seen`,
    values: [w.id, w.name, JSON.stringify(w.hardware), JSON.stringify(w.instances), JSON.stringify(w.running), w.lastSeen, w.startedAt],
  };
}

export const LIST_WORKERS = "SELECT * FROM workers ORDER BY started_at, id";

/** Deletes a worker only if it is still silent: of replicas sweeping together, one gets the row (changes = 1). */
export function removeLostWorkerStatement(id: string, before: number): Statement {
  return { text: "DELETE FROM workers WHERE id = ? AND last_seen < ?", values: [id, before] };
}

export function removeWorkerStatement(id: string): Statement {
  return { text: "DELETE FROM workers WHERE id = ?", values: [id] };
}

/** A queued prediction not yet handed out becomes `workerId`'s; changes = 0 when another worker got it or it ended. */
export function assignPredictionStatement(id: string, workerId: string): Statement {
  return { text: "UPDATE predictions SET worker_id = ? WHERE id = ? AND status = 'starting' AND worker_id IS NULL", values: [workerId, id] };
}

export function predictionsOfWorkerStatement(workerId: string): Statement {
  return { text: "SELECT * FROM predictions WHERE worker_id = ? AND status IN ('starting', 'processing') ORDER BY created_at, id", values: [workerId] };
}

/** Queued again: a prediction handed to a worker that never started it. */
export function unassignPredictionStatement(id: string): Statement {
  return { text: "UPDATE predictions SET worker_id = NULL WHERE id = ? AND status = 'starting'", values: [id] };
}

/** Queued predictions no worker holds, created before `before` (ISO): the sweep puts them back in the queue. */
export function unassignedQueuedStatement(before: string, limit: number): Statement {
  return { text: "SELECT * FROM predictions WHERE status = 'starting' AND worker_id IS NULL AND created_at < ? ORDER BY created_at, id LIMIT ?", values: [before, limit] };
}

/** Unfinished predictions whose Cancel-After deadline (ISO) has passed, oldest deadline first. */
export function overdueStatement(now: string, limit: number): Statement {
  return { text: "SELECT * FROM predictions WHERE deadline IS NOT NULL AND status IN ('starting', 'processing') AND deadline <= ? ORDER BY deadline LIMIT ?", values: [now, limit] };
}
