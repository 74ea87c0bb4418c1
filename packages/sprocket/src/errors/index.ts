export { AppError, isAppError } from "./app-error.ts";
export { ERROR_CATALOGUE, type ErrorCode } from "./catalogue.ts";
export { toProblem, PROBLEM_CONTENT_TYPE } from "./problem.ts";
export { validationError, isJsonObject } from "./validation.ts";
export { parseJsonBody } from "./json-body.ts";
