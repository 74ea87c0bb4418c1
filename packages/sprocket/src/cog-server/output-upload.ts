// `--upload-url`: file outputs are PUT to `<upload-url>/<filename>` and replaced by the URL the
// upload answered, as Cog does (docs/cog.md §2.6). Runners hand file outputs over as `data:` URLs
// that carry the file's base name as a `name=` parameter; like Cog, an unnamed file is `file`.
import { mapStrings } from "../protocol/file-refs.ts";

export interface UploadOptions {
  uploadUrl: string;
  /** Sent as X-Prediction-ID when the prediction has an id. */
  predictionId: string | null;
  userAgent: string;
}

const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
const RETRIES = 3;
/** Cog's connect (10 s) and read (15 s) timeouts, as one. */
const TIMEOUT_MS = 25_000;

/** `value` with every data: URL in it uploaded (one at a time, in order) and replaced by its URL. */
export async function uploadOutputFiles(value: unknown, options: UploadOptions): Promise<unknown> {
  const found: string[] = [];
  mapStrings(value, (text) => (text.startsWith("data:") && found.push(text), text));
  if (found.length === 0) return value;
  const urls = new Map<string, string>();
  for (const uri of found) {
    const file = parseDataUrl(uri);
    if (file && !urls.has(uri)) urls.set(uri, await uploadFile(file, options));
  }
  return mapStrings(value, (text) => urls.get(text) ?? text);
}

interface DataFile {
  name: string;
  mime: string;
  bytes: Buffer;
}

function parseDataUrl(text: string): DataFile | null {
  const comma = text.indexOf(",");
  if (comma < 0) return null;
  const [mime, ...parameters] = text.slice(5, comma).split(";");
  const payload = text.slice(comma + 1);
  const named = parameters.find((p) => p.startsWith("name="));
  return {
    name: named ? decodeURIComponent(named.slice(5)) : "file",
    mime: mime || "text/plain",
    bytes: parameters.includes("base64") ? Buffer.from(payload, "base64") : Buffer.from(decodeURIComponent(payload), "utf8"),
  };
}

async function uploadFile(file: DataFile, options: UploadOptions): Promise<string> {
  const target = `${options.uploadUrl.replace(/\/?$/, "/")}${encodeURIComponent(file.name)}`;
  const headers: Record<string, string> = { "content-type": file.mime, "user-agent": options.userAgent };
  if (options.predictionId) headers["x-prediction-id"] = options.predictionId;
  for (let attempt = 0; ; attempt++) {
    let problem: string;
    let response: Response | undefined;
    try {
      response = await fetch(target, { method: "PUT", headers, body: file.bytes, signal: AbortSignal.timeout(TIMEOUT_MS) });
      await response.body?.cancel();
    } catch (error) {
      problem = `PUT ${target}: ${(error as Error).message}`;
    }
    if (response?.ok) {
      // The answer's Location (resolved, in case it is relative), else where we PUT; never the
      // query string, which typically carries a signature meant for the upload only.
      const location = new URL(response.headers.get("location") ?? target, target);
      location.search = "";
      return location.toString();
    }
    if (response) {
      problem = `PUT ${target}: HTTP ${response.status}`;
      if (!RETRY_STATUSES.has(response.status)) throw new Error(problem);
    }
    if (attempt >= RETRIES) throw new Error(problem!);
    await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
  }
}
