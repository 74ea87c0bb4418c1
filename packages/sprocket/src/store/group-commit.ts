/**
 * Group commit: writes requested during one turn of the event loop run in one transaction, and
 * each caller's promise resolves once that transaction has committed. Under load, many predictions'
 * inserts and updates share a commit instead of paying one each; alone, a write waits one
 * setImmediate (microseconds).
 */
export class GroupCommit {
  private pending: { write: () => unknown; atomic: boolean; resolve: (value: unknown) => void; reject: (error: unknown) => void }[] = [];
  private scheduled = false;

  constructor(
    private readonly transaction: {
      begin(): void;
      commit(): void;
      rollback(): void;
      /** Savepoints keep an atomic write's statements together inside a shared transaction. */
      savepoint(): void;
      release(): void;
      rollbackToSavepoint(): void;
    },
  ) {}

  /**
   * `atomic`: the write runs several statements that must commit together, so it gets a
   * transaction even when it is alone in its batch.
   */
  run<T>(write: () => T, atomic = false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ write, atomic, resolve: resolve as (value: unknown) => void, reject });
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
    if (batch.length === 1 && !batch[0].atomic) {
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
        const savepoint = item.atomic;
        if (savepoint) this.transaction.savepoint();
        try {
          outcomes.push({ ok: true, value: item.write() });
          if (savepoint) this.transaction.release();
        } catch (error) {
          if (savepoint) this.transaction.rollbackToSavepoint();
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
