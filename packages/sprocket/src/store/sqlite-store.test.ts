import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { storeContract } from "./contract.ts";
import { SqliteStore } from "./sqlite-store.ts";

storeContract("SqliteStore", async () => new SqliteStore(":memory:"));

const dir = mkdtempSync(path.join(tmpdir(), "sprocket-store-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("SqliteStore keeps rows across a reopen of the same file and migrates only once", async () => {
  const file = path.join(dir, "db.sqlite");
  const first = new SqliteStore(file);
  await first.ensureAccount("ada");
  await first.close();
  const second = new SqliteStore(file);
  assert.equal((await second.getAccount("ada"))?.username, "ada");
  await second.close();
});
