import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { test } from "node:test";
import { evictionOrder, residentMemoryMb } from "./host-limits.ts";

test("idle instances above their pool's min are stopped first, each group least recently used first", () => {
  const order = evictionOrder([
    { name: "min-old", lastUsed: 1, aboveMin: false },
    { name: "spare-new", lastUsed: 30, aboveMin: true },
    { name: "spare-old", lastUsed: 10, aboveMin: true },
    { name: "min-new", lastUsed: 20, aboveMin: false },
  ]);
  assert.deepEqual(order.map((c) => c.name), ["spare-old", "spare-new", "min-old", "min-new"]);
});

test("resident memory is summed from /proc where it exists, and a process that is gone counts nothing", { skip: !existsSync("/proc/self/status") }, () => {
  const own = residentMemoryMb([process.pid])!;
  assert.ok(own > 1, `this process uses more than 1 MiB (read ${own})`);
  // Above the kernel's pid_max, so no such process.
  assert.equal(residentMemoryMb([2 ** 22 + 1]), 0);
});
