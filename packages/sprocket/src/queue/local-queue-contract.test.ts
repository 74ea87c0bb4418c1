import { jobQueueContract } from "./contract.ts";
import { LocalQueue } from "./local-queue.ts";

jobQueueContract("LocalQueue", async () => {
  const queue = new LocalQueue();
  return { a: queue, b: queue, close: () => queue.close() };
});
