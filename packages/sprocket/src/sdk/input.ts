// `Input.*` builders: how a predictor author declares one input, with Cog's option names
// (snake_case, as in Python's `Input(...)`, so a Cog model ports by copying its arguments).
// A builder returns plain frozen data (kind + options); nothing here knows about JSON Schema —
// input-schema.ts renders it. Options are checked when the builder is called, so a mistake
// fails at import time of predict.ts, not at the first request.

import { checkInputOptions } from "./input-validation.ts";

// Phantom key: carries an input's run-time value type through the type system. It is declared,
// never assigned, so it costs nothing at run time.
declare const valueType: unique symbol;

export type InputKind = "string" | "integer" | "number" | "boolean" | "secret" | "path" | "array";

interface CommonOptions<D> {
  description?: string;
  /** Omitted: the input is required. `null`: optional, and predict receives `null`. */
  default?: D | null;
  deprecated?: boolean;
}

export interface StringOptions extends CommonOptions<string> {
  min_length?: number;
  max_length?: number;
  /** An ECMAScript pattern, unanchored (JSON Schema `pattern` semantics). */
  regex?: string;
  choices?: readonly string[];
}

export interface NumericOptions extends CommonOptions<number> {
  ge?: number;
  le?: number;
  choices?: readonly number[];
}

export type IntegerOptions = NumericOptions;
export type NumberOptions = NumericOptions;
export type BooleanOptions = CommonOptions<boolean>;
export type SecretOptions = CommonOptions<string>;
/** A file input: the client sends a URL; the server hands predict a local path (a string). */
export type PathOptions = CommonOptions<string>;
export type ArrayOptions<T> = CommonOptions<readonly T[]>;

/** Every option any builder accepts; a given kind accepts a subset (see input-validation.ts). */
export interface InputOptions {
  description?: string;
  default?: unknown;
  deprecated?: boolean;
  ge?: number;
  le?: number;
  min_length?: number;
  max_length?: number;
  regex?: string;
  choices?: readonly (string | number)[];
}

/** One declared input. `T` is the value predict receives; it exists only in the type system. */
export interface InputSpec<T = unknown> {
  readonly kind: InputKind;
  readonly options: Readonly<InputOptions>;
  /** Only for kind "array": the element's spec (carries no default/description of its own). */
  readonly item?: InputSpec;
  readonly [valueType]?: T;
}

/** The value type an InputSpec delivers to predict. */
export type InputValue<S> = S extends InputSpec<infer T> ? T : never;

// `default: null` makes the value nullable; literal `choices` narrow it to their union.
type OrNull<O, T> = O extends { default: null } ? T | null : T;
type Chosen<O, Base> = O extends { choices: readonly (infer C)[] } ? (C extends Base ? C : Base) : Base;

function make<T>(kind: InputKind, options: InputOptions | undefined, item?: InputSpec): InputSpec<T> {
  const opts = { ...(options ?? {}) };
  // `default: undefined` written out means the same as leaving it out.
  if ("default" in opts && opts.default === undefined) delete opts.default;
  checkInputOptions(kind, opts, item);
  if (Array.isArray(opts.choices)) opts.choices = Object.freeze([...opts.choices]);
  if (Array.isArray(opts.default)) opts.default = Object.freeze([...opts.default]);
  const spec: { kind: InputKind; options: InputOptions; item?: InputSpec } = { kind, options: Object.freeze(opts) };
  if (item) spec.item = item;
  return Object.freeze(spec) as InputSpec<T>;
}

export const Input = Object.freeze({
  string<const O extends StringOptions = {}>(options?: O): InputSpec<OrNull<O, Chosen<O, string>>> {
    return make("string", options);
  },
  integer<const O extends IntegerOptions = {}>(options?: O): InputSpec<OrNull<O, Chosen<O, number>>> {
    return make("integer", options);
  },
  number<const O extends NumberOptions = {}>(options?: O): InputSpec<OrNull<O, Chosen<O, number>>> {
    return make("number", options);
  },
  boolean<const O extends BooleanOptions = {}>(options?: O): InputSpec<OrNull<O, boolean>> {
    return make("boolean", options);
  },
  /** A string the server masks as "**********" when it echoes the input back. */
  secret<const O extends SecretOptions = {}>(options?: O): InputSpec<OrNull<O, string>> {
    return make("secret", options);
  },
  path<const O extends PathOptions = {}>(options?: O): InputSpec<OrNull<O, string>> {
    return make("path", options);
  },
  /** A list of `item` values, e.g. `Input.array(Input.path())` for several files. */
  array<S extends InputSpec, const O extends ArrayOptions<InputValue<S>> = {}>(
    item: S,
    options?: O,
  ): InputSpec<OrNull<O, InputValue<S>[]>> {
    return make("array", options, item);
  },
});
