import { newToken, sha256Hex } from "../lib/ids.ts";
import type { Store } from "../store/store.ts";

const CACHE_TTL_MS = 10_000;
const CACHE_MAX = 10_000;

export class TokenService {
  /** token hash → account and when the entry was read; only hits are cached. */
  private readonly cache = new Map<string, { account: string; at: number }>();

  constructor(private readonly store: Store) {}

  /** Creates the account if needed and returns a new token for it (shown once, stored hashed). */
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

  /** The account a token belongs to, or null. */
  async authenticate(token: string): Promise<string | null> {
    const hash = sha256Hex(token);
    const cached = this.cache.get(hash);
    const now = Date.now();
    if (cached && now - cached.at < CACHE_TTL_MS) return cached.account;
    const account = await this.store.findTokenAccount(hash);
    if (account) {
      if (this.cache.size >= CACHE_MAX) this.cache.clear();
      this.cache.set(hash, { account, at: now });
    }
    return account;
  }
}
