/**
 * A small map whose entries expire. Used for what rarely changes and is read on every request
 * (models, latest versions): the owning process clears it on every change; the TTL bounds how
 * stale another process's copy can be.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; at: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  /** The cached value, or the one `load` gives (cached from then on). */
  async get(key: string, load: () => Promise<V>, now = Date.now()): Promise<V> {
    const entry = this.entries.get(key);
    if (entry && now - entry.at < this.ttlMs) return entry.value;
    const value = await load();
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { value, at: now });
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}
