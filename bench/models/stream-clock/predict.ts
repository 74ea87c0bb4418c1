import { definePredictor, Input, Output } from "sprocket";

// Streams `count` items, `pause` ms apart. Each item is "<seq> <ms>": its index and the wall-clock
// time (ms since the epoch, µs precision) taken right before the yield, with the same clock
// expression the benchmark's SSE client reads when the item arrives, so the difference is the
// item's yield → receive latency across processes on one host.
export const Predictor = definePredictor({
  inputs: {
    count: Input.integer({ default: 500, ge: 1, le: 10000 }),
    pause: Input.integer({ default: 5, ge: 0, le: 1000 }),
  },
  output: Output.iterator(Output.string()),
  async *predict({ count, pause }, { signal }) {
    for (let seq = 0; seq < count; seq++) {
      if (signal.aborted) return;
      yield `${seq} ${(performance.timeOrigin + performance.now()).toFixed(3)}`;
      if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
    }
  },
});
