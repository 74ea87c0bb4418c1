import { describe, expect, test } from "vitest";
import { match } from "./router.tsx";

describe("paths", () => {
  test("a pattern's named parts are read from the path, decoded; other paths do not match", () => {
    expect(match("/models/:owner/:name", "/models/admin/hello")).toEqual({ owner: "admin", name: "hello" });
    expect(match("/p/:id", "/p/01m9%2Fx")).toEqual({ id: "01m9/x" });
    expect(match("/models/:owner/:name", "/models/admin/hello/run")).toBeNull();
    expect(match("/deployments/:owner/:name/run", "/deployments/admin/greeter/run")).toEqual({ owner: "admin", name: "greeter" });
    expect(match("/account", "/accounts")).toBeNull();
  });
});
