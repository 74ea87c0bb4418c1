// Runs in a worker thread (started by checkpointer.ts): copies the WAL back into the database file
// on its own connection, off the event loop, so no request waits for a checkpoint's fsync.
// Plain JavaScript: it is loaded as is, whether the server runs from src/ or from dist/.
import Database from "libsql";
import { parentPort, workerData } from "node:worker_threads";

const db = new Database(workerData.path);
// A tiny page cache: this connection only checkpoints, it reads no rows.
db.exec("PRAGMA busy_timeout = 100; PRAGMA cache_size = -256;");
const timer = setInterval(() => {
  try {
    // PASSIVE never waits for the writer: it copies what it can; the writer restarts the WAL from
    // its beginning at its next commit once everything has been copied.
    db.exec("PRAGMA wal_checkpoint(PASSIVE);");
  } catch (error) {
    parentPort.postMessage({ error: String(error) });
  }
}, workerData.intervalMs);

parentPort.on("message", (message) => {
  if (message !== "stop") return;
  clearInterval(timer);
  db.close();
  parentPort.postMessage({ stopped: true });
});
