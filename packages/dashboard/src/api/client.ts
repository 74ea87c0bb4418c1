// Every call the dashboard makes: the public /v1 API with `Authorization: Bearer <token>`. Errors
// become ApiError carrying the server's own words (Replicate's problem `detail`, plus each invalid
// field), so pages can state them plainly.
import type {
  Account, ApiFile, Deployment, Hardware, Model, Page, Prediction, ScopedToken, Version, WebhookDelivery, WebhookLog,
} from "./types.ts";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Fetch = typeof fetch;

/** The path (and query) of a `next` page URL, so paging stays on the origin the page was loaded from. */
export function pathOf(url: string): string {
  const parsed = new URL(url, "http://x");
  return `${parsed.pathname}${parsed.search}`;
}

export interface CreatePrediction {
  /** `owner/name` (latest version), or with `version` a specific version, or a deployment. */
  target: { kind: "model"; model: string; version?: string } | { kind: "deployment"; deployment: string };
  input: Record<string, unknown>;
  webhook?: string;
}

export function createPath(target: CreatePrediction["target"]): string {
  if (target.kind === "deployment") return `/v1/deployments/${target.deployment}/predictions`;
  return target.version ? "/v1/predictions" : `/v1/models/${target.model}/predictions`;
}

export class Api {
  constructor(
    private readonly token: string,
    private readonly base = "",
    private readonly fetcher: Fetch = (...args) => fetch(...args),
  ) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    let payload: BodyInit | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers["content-type"] = "application/json";
      payload = JSON.stringify(body);
    }
    let response: Response;
    try {
      response = await this.fetcher(`${this.base}${path}`, { method, headers, body: payload });
    } catch (error) {
      throw new ApiError(0, `Could not reach the server (${(error as Error).message}).`);
    }
    if (response.status === 204 || response.status === 202 && response.headers.get("content-length") === "0") return undefined as T;
    const text = await response.text();
    const type = response.headers.get("content-type") ?? "";
    const data = type.includes("json") && text ? JSON.parse(text) : text;
    if (!response.ok) throw new ApiError(response.status, problemText(data, response.status));
    return data as T;
  }

  account = () => this.request<Account>("GET", "/v1/account");
  hardware = () => this.request<Hardware[]>("GET", "/v1/hardware");
  models = (page?: string) => this.request<Page<Model>>("GET", page ? pathOf(page) : "/v1/models");
  model = (ref: string) => this.request<Model>("GET", `/v1/models/${ref}`);
  createModel = (body: Record<string, unknown>) => this.request<Model>("POST", "/v1/models", body);
  versions = (ref: string) => this.request<Page<Version>>("GET", `/v1/models/${ref}/versions`);
  version = (ref: string, id: string) => this.request<Version>("GET", `/v1/models/${ref}/versions/${id}`);
  readme = (ref: string) => this.request<string>("GET", `/v1/models/${ref}/readme`);
  /** A page of predictions: `page` is a `next` URL (it keeps the filter), else the first page, of one status or all. */
  predictions = (page?: string, status?: string) =>
    this.request<Page<Prediction>>("GET", page ? pathOf(page) : status ? `/v1/predictions?status=${encodeURIComponent(status)}` : "/v1/predictions");
  prediction = (id: string) => this.request<Prediction>("GET", `/v1/predictions/${id}`);
  cancel = (id: string) => this.request<Prediction>("POST", `/v1/predictions/${id}/cancel`);
  webhooks = (id: string) => this.request<WebhookLog>("GET", `/v1/predictions/${id}/webhooks`);
  redeliver = (id: string) => this.request<WebhookDelivery>("POST", `/v1/predictions/${id}/webhooks/redeliver`);
  deployments = () => this.request<Page<Deployment>>("GET", "/v1/deployments");
  deployment = (ref: string) => this.request<Deployment>("GET", `/v1/deployments/${ref}`);
  createDeployment = (body: Record<string, unknown>) => this.request<Deployment>("POST", "/v1/deployments", body);
  updateDeployment = (ref: string, body: Record<string, unknown>) => this.request<Deployment>("PATCH", `/v1/deployments/${ref}`, body);
  tokens = () => this.request<{ results: ScopedToken[] }>("GET", "/v1/tokens");
  createToken = (body: Record<string, unknown>) => this.request<ScopedToken>("POST", "/v1/tokens", body);
  revokeToken = (id: string) => this.request<void>("DELETE", `/v1/tokens/${id}`);
  webhookSecret = () => this.request<{ key: string }>("GET", "/v1/webhooks/default/secret");

  createPrediction({ target, input, webhook }: CreatePrediction): Promise<Prediction> {
    const body: Record<string, unknown> = { input };
    if (target.kind === "model" && target.version) body.version = target.version;
    if (webhook) body.webhook = webhook;
    return this.request<Prediction>("POST", createPath(target), body);
  }

  /** Files API upload; the answer's `urls.get` is what goes into a prediction's input. */
  uploadFile(file: Blob, name: string): Promise<ApiFile> {
    const form = new FormData();
    form.append("content", file, name);
    return this.request<ApiFile>("POST", "/v1/files", form);
  }
}

/** The server's words for a failed call: `detail`, then each invalid field on its own line. */
export function problemText(data: unknown, status: number): string {
  if (data && typeof data === "object") {
    const problem = data as { detail?: unknown; title?: unknown; invalid_fields?: { field?: string; description?: string }[] };
    const lines = [String(problem.detail ?? problem.title ?? `HTTP ${status}`)];
    for (const field of problem.invalid_fields ?? []) lines.push(`${field.field ? `${field.field}: ` : ""}${field.description ?? ""}`);
    return lines.join("\n");
  }
  return typeof data === "string" && data.trim() ? data.trim().slice(0, 500) : `HTTP ${status}`;
}
