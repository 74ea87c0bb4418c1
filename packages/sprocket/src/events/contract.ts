// The behaviour every EventBus must have. `make` returns two buses as two processes would hold
// them (for the in-process bus, the same one twice: it has only one process).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { EventBus, PredictionEvent } from "./event-bus.ts";

export interface BusPair {
  a: EventBus;
  b: EventBus;
  close(): Promise<void>;
}

const log = (id: string, data: string): PredictionEvent => ({ type: "log", id, data });

/** Resolves once `seen` has `count` entries (events from another process arrive a moment later). */
async function until(seen: unknown[], count: number, timeoutMs = 2000): Promise<void> {
  const start = Date.now();
  while (seen.length < count && Date.now() - start < timeoutMs) await new Promise((resolve) => setTimeout(resolve, 2));
}

export function eventBusContract(name: string, make: () => Promise<BusPair>): void {
  test(`${name}: a process's own events reach its listeners at once, in order, once each`, async () => {
    const { a, close } = await make();
    const seen: string[] = [];
    const off = a.subscribe("p1", (e) => seen.push(e.type === "log" ? e.data : e.type));
    a.subscribe("p2", () => seen.push("other"));
    await a.ready();
    a.publish("p1", log("p1", "1"));
    a.publish("p1", { type: "output", id: "p1", item: 1 });
    assert.deepEqual(seen, ["1", "output"], "delivered synchronously");
    // Nothing comes back a second time (through the network, for a networked bus).
    await new Promise((resolve) => setTimeout(resolve, 50));
    off();
    a.publish("p1", log("p1", "late"));
    assert.deepEqual(seen, ["1", "output"]);
    await close();
  });

  test(`${name}: another process's events arrive in the order they were published`, async () => {
    const { a, b, close } = await make();
    const seen: string[] = [];
    b.subscribe("p1", (e) => seen.push(e.type === "log" ? e.data : e.type));
    await b.ready();
    for (let i = 0; i < 50; i++) a.publish("p1", log("p1", String(i)));
    a.publish("p1", { type: "cancel_requested", id: "p1" });
    await until(seen, 51);
    assert.deepEqual(seen, [...Array.from({ length: 50 }, (_, i) => String(i)), "cancel_requested"]);
    await close();
  });

  test(`${name}: an unsubscribed listener hears nothing more, and a second unsubscribe removes no one else`, async () => {
    const { a, b, close } = await make();
    const first: string[] = [];
    const second: string[] = [];
    const off = b.subscribe("p", (e) => first.push(e.type));
    off();
    b.subscribe("p", (e) => second.push(e.type));
    off();
    await b.ready();
    a.publish("p", { type: "cancel_requested", id: "p" });
    await until(second, 1);
    assert.deepEqual(first, []);
    assert.deepEqual(second, ["cancel_requested"]);
    await close();
  });
}
