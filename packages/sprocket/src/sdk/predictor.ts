// `definePredictor`: the one object a TS model exports. It is plain frozen data plus the author's
// two functions, so the runner can load it, the server can derive the OpenAPI document from it,
// and neither needs to instantiate anything. State that setup builds (weights, clients) lives in
// the author's module scope: one predictor per runner process, as in Cog.

import { FIXED_COMPONENT_NAMES } from "./cog-components.ts";
import type { InputSpec, InputValue } from "./input.ts";
import { isOutputSpec, type IteratorItem, type IteratorOutputSpec, type OutputSpec, type OutputValue } from "./output.ts";

/**
 * Recognises a definition across module copies (a model may bundle its own copy of the SDK),
 * which is why it is a registry symbol and not an `instanceof` check.
 */
export const PREDICTOR_BRAND: unique symbol = Symbol.for("sprocket.predictor");

/** What predict gets besides its inputs. */
export interface PredictContext {
  /** The prediction's id. */
  id: string;
  /** Aborted when the prediction is canceled or times out; pass it to fetch() and friends. */
  signal: AbortSignal;
  /** Adds `name: value` to the prediction's `metrics` (Cog's `record_metric`). */
  recordMetric(name: string, value: number): void;
}

export type InputShape = Record<string, InputSpec>;

/** predict's first argument: every declared input, defaults already applied by the server. */
export type PredictInputs<I extends InputShape> = { [K in keyof I]: InputValue<I[K]> };

type Awaitable<T> = T | Promise<T>;

/** What predict may return for a given output: an iterator output may be yielded item by item. */
export type PredictResult<O> = [O] extends [undefined]
  ? unknown
  : O extends IteratorOutputSpec
    ? Awaitable<Iterable<IteratorItem<O>> | AsyncIterable<IteratorItem<O>>>
    : Awaitable<OutputValue<O>>;

/** What setup() is given. */
export interface SetupContext {
  /** The path of the version's `weights` file or directory (a training's result), if it has one. */
  weights?: string;
}

export interface PredictorConfig<I extends InputShape, O extends OutputSpec | undefined> {
  inputs?: I;
  /** Omitted: the output is untyped (`{ "title": "Output" }`, like Cog's `-> Any`). */
  output?: O;
  /**
   * Runs once per process before the first prediction; a throw fails the setup. `weights` is Cog's
   * convention: a version made by a training has its trained weights at `./weights`, passed here.
   */
  setup?: (context: SetupContext) => void | Promise<void>;
  predict: (inputs: PredictInputs<I>, ctx: PredictContext) => PredictResult<O>;
  /** How many predictions one process may run at once (Cog's `concurrency.max`). Default 1. */
  concurrency?: number;
}

export interface PredictorDefinition<I extends InputShape = InputShape, O extends OutputSpec | undefined = OutputSpec | undefined> {
  readonly [PREDICTOR_BRAND]: true;
  /** Declared inputs in declaration order (that order is `x-order`). */
  readonly inputs: Readonly<I>;
  readonly output: O;
  readonly setup: ((context: SetupContext) => void | Promise<void>) | undefined;
  // Method syntax on purpose: it keeps a definition with concrete inputs assignable to the
  // bare `PredictorDefinition` that the runner and server take (parameters stay bivariant).
  predict(inputs: PredictInputs<I>, ctx: PredictContext): PredictResult<O>;
  readonly concurrency: number;
}

const CONFIG_KEYS = ["inputs", "output", "setup", "predict", "concurrency"];
// Cog inputs are Python parameter names; keeping to that keeps every client able to send them.
const INPUT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function definePredictor<I extends InputShape = {}, O extends OutputSpec | undefined = undefined>(
  config: PredictorConfig<I, O>,
): PredictorDefinition<I, O> {
  const fail = (message: string): never => {
    throw new Error(`definePredictor: ${message}`);
  };
  if (!config || typeof config !== "object") fail("expected an object with at least a predict function");
  for (const key of Object.keys(config)) {
    if (!CONFIG_KEYS.includes(key)) fail(`"${key}" is not an option; allowed: ${CONFIG_KEYS.join(", ")}`);
  }
  if (typeof config.predict !== "function") fail("predict must be a function");
  if (config.setup !== undefined && typeof config.setup !== "function") fail("setup must be a function");
  if (config.output !== undefined && !isOutputSpec(config.output)) {
    fail("output must be an Output builder such as Output.string()");
  }
  const concurrency = config.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) fail(`concurrency must be a positive integer, got ${String(concurrency)}`);

  const inputs = (config.inputs ?? {}) as I;
  if (typeof inputs !== "object" || inputs === null || Array.isArray(inputs)) fail("inputs must be an object of Input builders");
  for (const [name, spec] of Object.entries(inputs)) {
    if (!INPUT_NAME.test(name)) fail(`input name "${name}" must be a letter or _ followed by letters, digits or _`);
    if (!spec || typeof spec !== "object" || typeof spec.kind !== "string" || typeof spec.options !== "object") {
      fail(`input "${name}" must be an Input builder such as Input.string()`);
    }
    if (spec.options.choices && FIXED_COMPONENT_NAMES.includes(name)) {
      fail(`input "${name}" has choices, and its enum component would replace Cog's "${name}" component; rename it`);
    }
  }

  return Object.freeze({
    [PREDICTOR_BRAND]: true as const,
    inputs: Object.freeze({ ...inputs }),
    output: config.output as O,
    setup: config.setup,
    predict: config.predict,
    concurrency,
  });
}

export function isPredictorDefinition(value: unknown): value is PredictorDefinition {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<symbol, unknown>)[PREDICTOR_BRAND] === true &&
    typeof (value as { predict?: unknown }).predict === "function"
  );
}
