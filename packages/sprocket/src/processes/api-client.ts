import { AppError, ERROR_CATALOGUE, type ErrorCode } from "../errors/index.ts";

const BY_STATUS: Record<number, ErrorCode> = {
  400: "bad_request",
  401: "invalid_token",
  403: "forbidden",
  404: "not_found",
  409: "conflict",
  413: "body_too_large",
  422: "validation_failed",
  429: "rate_limited",
  503: "unavailable",
};

/**
 * The CLI's side of the HTTP API: one place that reaches the server, so every command reports an
 * unreachable server, a refused token or a problem+json answer the same way (as an AppError whose
 * code the CLI turns into an exit status).
 */
export class ApiClient {
  readonly base: string;

  constructor(server: string, private readonly token: string) {
    this.base = server.replace(/\/+$/, "").replace(/\/v1$/, "");
  }

  /** A raw request; throws only when the server cannot be reached. */
  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const all: Record<string, string> = { authorization: `Bearer ${this.token}`, ...headers };
    let payload: RequestInit["body"];
    if (body instanceof Uint8Array || body instanceof Blob || body instanceof FormData || body instanceof ReadableStream) payload = body as RequestInit["body"];
    else if (body !== undefined) {
      all["content-type"] ??= "application/json";
      payload = JSON.stringify(body);
    }
    const url = path.startsWith("http://") || path.startsWith("https://") ? path : `${this.base}${path}`;
    try {
      // duplex "half": a streamed body (a pushed file) is sent as it is read, never whole in memory.
      return await fetch(url, { method, headers: all, body: payload, ...(payload instanceof ReadableStream ? { duplex: "half" } : {}) } as RequestInit);
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new AppError(
        "unavailable",
        `cannot reach the Sprocket server at ${this.base} (${cause?.code ?? cause?.message ?? (error as Error).message}): is it running? Check --server or \`sprocket login\``,
      );
    }
  }

  /** A request whose 2xx answer is JSON (or empty); any other answer becomes an AppError. */
  async json<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
    return (await ApiClient.parse(await this.request(method, path, body, headers))) as T;
  }

  static async parse(response: Response): Promise<unknown> {
    const text = await response.text();
    if (!response.ok) throw ApiClient.errorOf(response, text);
    return text ? JSON.parse(text) : null;
  }

  static errorOf(response: Response, text: string): AppError {
    let detail = text.trim() || response.statusText;
    let code: ErrorCode | undefined;
    try {
      const problem = JSON.parse(text) as { detail?: string; code?: string };
      detail = problem.detail ?? detail;
      if (problem.code && problem.code in ERROR_CATALOGUE) code = problem.code as ErrorCode;
    } catch {
      // not JSON: keep the text
    }
    code ??= BY_STATUS[response.status] ?? (response.status >= 500 ? "internal" : "bad_request");
    const hint = code === "invalid_token" || code === "unauthenticated" ? " (run `sprocket login` or set SPROCKET_API_TOKEN)" : "";
    return new AppError(code, `${response.status} from ${new URL(response.url).pathname}: ${detail}${hint}`);
  }
}
