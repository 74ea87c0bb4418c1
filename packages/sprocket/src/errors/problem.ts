import type { Problem } from "../protocol/api-types.ts";
import { AppError } from "./app-error.ts";
import { ERROR_CATALOGUE } from "./catalogue.ts";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** Builds the response body for any thrown value. Unknown errors become a 500 without details. */
export function toProblem(error: unknown): Problem {
  if (error instanceof AppError) {
    const body: Problem = {
      title: ERROR_CATALOGUE[error.code].title,
      detail: error.message,
      status: error.status,
      code: error.code,
    };
    if (error.invalidFields) body.invalid_fields = error.invalidFields;
    return body;
  }
  return {
    title: ERROR_CATALOGUE.internal.title,
    detail: "Something went wrong on the server. The error has been logged.",
    status: 500,
    code: "internal",
  };
}
