import { newId, newToken, sha256Hex } from "../lib/ids.ts";
import type { AuditEventRecord, Store, TokenRecord } from "../store/store.ts";
import type { TokenRequest } from "./scopes.ts";

const CACHE_TTL_MS = 10_000;
const CACHE_MAX = 10_000;

export class TokenService {
  /**
   * token hash → the token and when it was read; only hits are cached. A revoked token is dropped
   * from this process's cache at once; another API replica may accept it for up to CACHE_TTL_MS.
   */
  private readonly cache = new Map<string, { token: TokenRecord; at: number }>();

  constructor(private readonly store: Store) {}

  /** Creates the account if needed and returns a new full token for it (shown once, stored hashed). */
  async createToken(username: string, label = "cli"): Promise<string> {
    await this.store.ensureAccount(username);
    const token = newToken();
    await this.store.addToken(sha256Hex(token), username, label);
    return token;
  }

  /** Makes `token` a valid token of `username`, replacing earlier ones with the same label. */
  async setToken(username: string, token: string, label: string): Promise<void> {
    await this.store.ensureAccount(username);
    await this.store.removeTokens(username, label);
    await this.store.addToken(sha256Hex(token), username, label);
    this.cache.clear();
  }

  /** A new scoped token of `account` (the secret is in `token`, shown once; stored hashed). */
  async createScopedToken(account: string, request: TokenRequest, now = new Date()): Promise<{ token: string; record: TokenRecord }> {
    const token = newToken();
    const record: TokenRecord = {
      account,
      id: `tok_${newId(now.getTime())}`,
      name: request.name,
      grant: request.grant,
      createdAt: now.toISOString(),
      expiresAt: request.expiresAt,
      spentSeconds: 0,
    };
    await this.store.insertScopedToken(sha256Hex(token), record);
    return { token, record };
  }

  listScopedTokens(account: string): Promise<TokenRecord[]> {
    return this.store.listScopedTokens(account);
  }

  async revokeScopedToken(account: string, id: string): Promise<boolean> {
    const removed = await this.store.deleteScopedToken(account, id);
    this.cache.clear();
    return removed;
  }

  /** The token (with its account and grant), or null when unknown. Expiry is the caller's check. */
  async authenticate(token: string): Promise<TokenRecord | null> {
    const hash = sha256Hex(token);
    const cached = this.cache.get(hash);
    const now = Date.now();
    if (cached && now - cached.at < CACHE_TTL_MS) return cached.token;
    const found = await this.store.findToken(hash);
    if (found) {
      if (this.cache.size >= CACHE_MAX) this.cache.clear();
      this.cache.set(hash, { token: found, at: now });
    }
    return found;
  }

  /** Predict-seconds a token has spent, read fresh (the cache may be seconds old). */
  async spentSeconds(token: string): Promise<number> {
    return (await this.store.findToken(sha256Hex(token)))?.spentSeconds ?? 0;
  }

  audit(event: Omit<AuditEventRecord, "at">, now = new Date()): Promise<void> {
    return this.store.addAuditEvent({ ...event, at: now.toISOString() });
  }

  listAudit(account: string, limit: number, beforeId?: number): Promise<AuditEventRecord[]> {
    return this.store.listAuditEvents(account, limit, beforeId);
  }
}
