import type { InvalidField } from "../protocol/api-types.ts";
import { ERROR_CATALOGUE, type ErrorCode } from "./catalogue.ts";

/** The one error type. `code` is stable and documented in docs/errors.md. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly invalidFields?: InvalidField[];
  /** Extra response headers, e.g. Retry-After on 429. */
  readonly headers?: Record<string, string>;

  constructor(
    code: ErrorCode,
    detail: string,
    options: { invalidFields?: InvalidField[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
    this.invalidFields = options.invalidFields;
    this.headers = options.headers;
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
