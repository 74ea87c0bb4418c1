import { eventBusContract } from "./contract.ts";
import { LocalEventBus } from "./local-event-bus.ts";

eventBusContract("LocalEventBus", async () => {
  const bus = new LocalEventBus();
  return { a: bus, b: bus, close: () => bus.close() };
});
