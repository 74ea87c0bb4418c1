// The store contract against a real PostgreSQL (127.0.0.1:5432, database `test`, on every machine
// here and in CI; SPROCKET_TEST_DATABASE_URL to point elsewhere). Each store the contract asks for
// gets a schema of its own (search_path in the URL), so runs never collide; all are dropped after.
// Without a reachable PostgreSQL the suite says that it skipped and why.
import { randomBytes } from "node:crypto";
import { after, describe } from "node:test";
import { storeContract } from "./contract.ts";
import { PostgresStore } from "./postgres-store.ts";
import { schemaUrl, testPostgres } from "../../test/services.ts";

const { admin, reachable } = await testPostgres("the PostgreSQL store contract", 2);
const schemas: string[] = [];

after(async () => {
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
  await admin.end();
});

describe("PostgresStore", { skip: !reachable && "no PostgreSQL reachable (see the SKIPPED line)" }, () => {
  storeContract("PostgresStore", async () => {
    const schema = `sprocket_test_${randomBytes(6).toString("hex")}`;
    schemas.push(schema);
    await admin.query(`CREATE SCHEMA ${schema}`);
    const url = schemaUrl(schema);
    return new PostgresStore(url).open();
  });
});
