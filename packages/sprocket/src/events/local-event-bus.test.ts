import assert from "node:assert/strict";
import { test } from "node:test";
import { LocalEventBus } from "./local-event-bus.ts";

test("events reach the channel's subscribers in order, and stop after unsubscribe", () => {
  const bus = new LocalEventBus();
  const seen: string[] = [];
  const off = bus.subscribe("p1", (e) => seen.push(e.type));
  bus.subscribe("p2", () => seen.push("other"));
  bus.publish("p1", { type: "log", id: "p1", data: "a" });
  bus.publish("p1", { type: "output", id: "p1", item: 1 });
  off();
  bus.publish("p1", { type: "log", id: "p1", data: "b" });
  assert.deepEqual(seen, ["log", "output"]);
});

test("calling an unsubscribe twice does not remove later subscribers of the same channel", () => {
  const bus = new LocalEventBus();
  const off = bus.subscribe("p", () => {});
  off();
  let count = 0;
  bus.subscribe("p", () => count++);
  off();
  bus.publish("p", { type: "cancel_requested", id: "p" });
  assert.equal(count, 1);
});
