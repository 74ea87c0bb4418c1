/**
 * Group commit: writes requested during one turn of the event loop run in one transaction, and
 * each caller's promise resolves once that transaction has committed. Under load, many predictions'
 * inserts and updates share a commit instead of paying one each; alone, a write waits one
 * setImmediate (microseconds).
 */
export class GroupCommit {
  private pending: { write: () => unknown; resolve: (value: unknown) => void; reject: (error: unknown) => void }[] = [];
  private scheduled = false;

  constructor(private readonly transaction: { begin(): void; commit(): void; rollback(): void }) {}

  run<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ write, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Runs every pending write now (also used before close). */
  flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    if (batch.length === 1) {
      // Alone, a write commits by itself: explicit BEGIN/COMMIT would only add two calls.
      const [item] = batch;
      try {
        item.resolve(item.write());
      } catch (error) {
        item.reject(error);
      }
      return;
    }
    const outcomes: { ok: boolean; value: unknown }[] = [];
    try {
      this.transaction.begin();
      // A failing statement is rolled back alone by SQLite; the others still commit.
      for (const item of batch) {
        try {
          outcomes.push({ ok: true, value: item.write() });
        } catch (error) {
          outcomes.push({ ok: false, value: error });
        }
      }
      this.transaction.commit();
    } catch (error) {
      try {
        this.transaction.rollback();
      } catch {
        // the transaction may not have begun
      }
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => (outcomes[i].ok ? item.resolve(outcomes[i].value) : item.reject(outcomes[i].value)));
  }
}
