import type { FastifyInstance } from "fastify";
import { AppError } from "../../errors/index.ts";
import type { Account } from "../../protocol/api-types.ts";
import type { ApiDeps } from "../server.ts";

export function registerAccountRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get("/v1/account", async (request): Promise<Account> => {
    const account = await deps.store.getAccount(request.account);
    if (!account) throw new AppError("invalid_token", "You did not pass a valid authentication token");
    return { type: account.type, username: account.username, name: account.name, github_url: null, avatar_url: null };
  });

  app.get("/v1/hardware", async () => deps.hardware);
}
