// Reads a Files API upload (`POST /v1/files`, multipart/form-data) as the official clients send it
// (replicate-api.md §8.2): the bytes in a `content` part, streamed straight into the blob store;
// metadata as a JSON file part (JS client), a JSON text field (Python 1.x) or one
// `metadata[<key>]` text field per key (Python 2.x); optional `filename` and `type` text fields
// that win over the content part's own headers.
import { Readable } from "node:stream";
import type { FastifyRequest } from "fastify";
import { AppError, isJsonObject, validationError } from "../errors/index.ts";
import type { InvalidField } from "../protocol/api-types.ts";
import type { NewFile, UploadService } from "../uploads/upload-service.ts";

/** Metadata, file names and types are small: text beyond this is refused, never buffered. */
const MAX_TEXT_BYTES = 1024 * 1024;
const MAX_NAME_BYTES = 255;
/** Room for part headers and metadata on top of the file limit before Content-Length alone is a 413. */
const MULTIPART_OVERHEAD_BYTES = 2 * MAX_TEXT_BYTES;
const MEDIA_TYPE = /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+(\s*;.*)?$/;
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

export async function readFileUpload(request: FastifyRequest, uploads: UploadService): Promise<NewFile> {
  const declared = Number(request.headers["content-length"] ?? 0);
  if (declared > uploads.limitBytes + MULTIPART_OVERHEAD_BYTES) throw uploads.tooLarge(declared);
  if (!request.isMultipart()) {
    throw new AppError("unsupported_media_type", "Send the file as multipart/form-data, with its bytes in a part named `content`.");
  }
  let blob: NewFile["blob"] | undefined;
  let headerName: string | undefined;
  let headerType: string | undefined;
  let fieldName: string | undefined;
  let fieldType: string | undefined;
  let metadata: Record<string, unknown> = {};
  const problems: InvalidField[] = [];

  // busboy's own cap sits one byte past the limit, so the blob store sees "too large" and answers.
  const parts = request.parts({ limits: { fileSize: uploads.limitBytes + 1, fieldSize: MAX_TEXT_BYTES } });
  for await (const part of parts) {
    const name = part.fieldname;
    if (part.type === "file" && name !== "content" && name !== "metadata") {
      part.file.resume(); // not ours: let it pass so the next part can be read
      continue;
    }
    if (name === "content") {
      if (blob) throw validationError([{ type: "invalid", field: "content", description: "send exactly one content part" }]);
      if (part.type === "file") {
        headerName = part.filename;
        headerType = part.mimetype;
        blob = await uploads.ingest(part.file);
      } else {
        // `curl -F content=text` sends the bytes as a plain field.
        blob = await uploads.ingest(Readable.from([Buffer.from(String(part.value))]));
      }
      continue;
    }
    if (part.type === "file") {
      // The JS client's metadata: a small JSON file part.
      metadata = { ...metadata, ...parseMetadata(await readSmall(part.file), problems) };
      continue;
    }
    if (part.valueTruncated) {
      problems.push({ type: "max_length", field: name, description: `is longer than ${MAX_TEXT_BYTES} bytes` });
      continue;
    }
    const value = part.value;
    if (name === "metadata") {
      // A field sent with Content-Type application/json arrives parsed already.
      metadata = { ...metadata, ...(typeof value === "string" ? parseMetadata(value, problems) : checkObject(value, problems)) };
    } else if (name.startsWith("metadata[")) {
      setBracketPath(metadata, name, String(value), problems);
    } else if (name === "filename") {
      fieldName = String(value);
      if (Buffer.byteLength(fieldName) > MAX_NAME_BYTES) problems.push({ type: "max_length", field: "filename", description: `is longer than ${MAX_NAME_BYTES} bytes` });
    } else if (name === "type") {
      fieldType = String(value).trim();
      if (!MEDIA_TYPE.test(fieldType)) problems.push({ type: "format", field: "type", description: `"${fieldType.slice(0, 100)}" is not a media type` });
    }
  }
  if (!blob) problems.push({ type: "required", field: "content", description: "content is required: send the file's bytes in a part named content" });
  if (problems.length > 0) throw validationError(problems);
  return {
    blob: blob!,
    name: cleanName(fieldName ?? headerName),
    contentType: fieldType ?? (headerType && MEDIA_TYPE.test(headerType) ? headerType : "application/octet-stream"),
    metadata,
  };
}

/** Reads a small part whole; one over MAX_TEXT_BYTES is a 422, after letting the rest pass. */
async function readSmall(stream: Readable): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size <= MAX_TEXT_BYTES) chunks.push(chunk as Buffer);
  }
  return size <= MAX_TEXT_BYTES ? Buffer.concat(chunks).toString("utf8") : null;
}

function parseMetadata(text: string | null, problems: InvalidField[]): Record<string, unknown> {
  if (text === null) {
    problems.push({ type: "max_length", field: "metadata", description: `is larger than ${MAX_TEXT_BYTES} bytes` });
    return {};
  }
  if (text.trim() === "") return {};
  try {
    return checkObject(JSON.parse(text), problems);
  } catch {
    problems.push({ type: "invalid_type", field: "metadata", description: "metadata must be a JSON object" });
    return {};
  }
}

function checkObject(value: unknown, problems: InvalidField[]): Record<string, unknown> {
  if (isJsonObject(value)) return value;
  problems.push({ type: "invalid_type", field: "metadata", description: "metadata must be a JSON object" });
  return {};
}

/**
 * `metadata[a]=v`, `metadata[a][b]=v` and `metadata[a][]=v` (Stainless' multipart encoding of
 * nested objects and arrays) into `metadata`; values stay the strings they were sent as.
 */
function setBracketPath(metadata: Record<string, unknown>, field: string, value: string, problems: InvalidField[]): void {
  const keys = [...field.slice("metadata".length).matchAll(/\[([^\]]*)\]/g)].map((m) => m[1]);
  const consumed = keys.reduce((length, key) => length + key.length + 2, "metadata".length);
  if (keys.length === 0 || consumed !== field.length || keys.some((key) => FORBIDDEN_KEYS.has(key))) {
    problems.push({ type: "format", field, description: "metadata fields are named metadata[<key>]" });
    return;
  }
  let target: Record<string, unknown> | unknown[] = metadata;
  for (const [i, key] of keys.entries()) {
    const next = i === keys.length - 1 ? value : keys[i + 1] === "" ? [] : {};
    if (Array.isArray(target)) {
      // `[]` appends; an array is only ever reached through `[]`.
      target.push(next);
    } else if (key === "") {
      problems.push({ type: "format", field, description: "[] must follow a key" });
      return;
    } else if (next === value || typeof target[key] !== "object" || target[key] === null || Array.isArray(target[key]) !== Array.isArray(next)) {
      target[key] = next;
    }
    if (next === value) return;
    target = Array.isArray(target) ? (target.at(-1) as Record<string, unknown> | unknown[]) : (target[key] as Record<string, unknown> | unknown[]);
  }
}

/** A file name as shown back: control characters and path separators replaced, never empty. */
function cleanName(raw: string | undefined): string {
  const name = (raw ?? "").replace(/[\u0000-\u001f\u007f/\\]/g, "_").trim();
  return name === "" || name === "." || name === ".." ? "file" : name;
}
