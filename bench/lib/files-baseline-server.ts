// The files benchmark's baseline: a bare node:http server that takes a Files API upload and serves
// a file the cheapest honest way. `POST /v1/files` (bearer token checked): the multipart body is
// split as it streams in (Buffer.indexOf for the boundary, no parser library) and the bytes of its
// `content` part are written to a new file in DIR with one fs.WriteStream, pausing the request
// while the disk lags; once the file is flushed it answers 201 with a small JSON object. Unlike
// Sprocket it computes no digest and keeps no record. `GET /files/NAME`: DIR/NAME with
// fs.createReadStream and a Content-Length, no token. It runs through tsx like the other
// baselines, in its own process, so the benchmark reads its memory as it reads Sprocket's.
// Usage: node-ts.mjs bench/lib/files-baseline-server.ts DIR TOKEN   (prints "listening on http://…")
import { createReadStream, createWriteStream, rmSync, statSync } from "node:fs";
import http from "node:http";
import path from "node:path";

const dir = process.argv[2]!;
const token = process.argv[3] ?? "T";
const MAX_HEADER_BYTES = 16 * 1024;
let counter = 0;

/**
 * Splits a multipart/form-data body fed chunk by chunk, handing the bytes of the part named
 * `content` to `write` (false from it: the consumer wants a pause) and dropping the rest.
 */
class ContentPartSplitter {
  readonly #delimiter: Buffer;
  // The first boundary line has no CRLF before it; pretending one was there makes every delimiter alike.
  #carry: Buffer = Buffer.from("\r\n");
  #state: "delimiter" | "after-delimiter" | "headers" | "done" = "delimiter";
  #inContent = false;
  contentParts = 0;
  size = 0;

  constructor(
    boundary: string,
    private readonly write: (bytes: Buffer) => boolean,
  ) {
    this.#delimiter = Buffer.from(`\r\n--${boundary}`);
  }

  get done(): boolean {
    return this.#state === "done";
  }

  /** Feeds one chunk; false when a write asked for a pause. Throws on a malformed body. */
  push(chunk: Buffer): boolean {
    const data = this.#carry.length ? Buffer.concat([this.#carry, chunk]) : chunk;
    this.#carry = Buffer.alloc(0);
    let more = true;
    let pos = 0;
    while (pos < data.length) {
      if (this.#state === "delimiter") {
        const at = data.indexOf(this.#delimiter, pos);
        // Without a delimiter, all but its length − 1 last bytes are part data for sure.
        const end = at === -1 ? Math.max(pos, data.length - (this.#delimiter.length - 1)) : at;
        if (this.#inContent && end > pos) more = this.#emit(data.subarray(pos, end)) && more;
        if (at === -1) {
          this.#carry = data.subarray(end);
          return more;
        }
        this.#inContent = false;
        pos = at + this.#delimiter.length;
        this.#state = "after-delimiter";
      } else if (this.#state === "after-delimiter") {
        if (data.length - pos < 2) {
          this.#carry = data.subarray(pos);
          return more;
        }
        const next = data.toString("latin1", pos, pos + 2);
        if (next === "--") {
          this.#state = "done";
          return more;
        }
        if (next !== "\r\n") throw new Error("malformed multipart body: no CRLF after a boundary");
        pos += 2;
        this.#state = "headers";
      } else if (this.#state === "headers") {
        const end = data.indexOf("\r\n\r\n", pos);
        if (end === -1) {
          if (data.length - pos > MAX_HEADER_BYTES) throw new Error("malformed multipart body: part headers too long");
          this.#carry = data.subarray(pos);
          return more;
        }
        const headers = data.toString("latin1", pos, end);
        this.#inContent = /^content-disposition:\s*form-data;(?:[^\r\n]*;)?\s*name="content"(?:;|\r|$)/im.test(headers);
        if (this.#inContent) this.contentParts++;
        pos = end + 4;
        this.#state = "delimiter";
      } else {
        return more; // after the closing boundary: the epilogue is ignored
      }
    }
    return more;
  }

  #emit(bytes: Buffer): boolean {
    this.size += bytes.length;
    return this.write(bytes);
  }
}

function upload(req: http.IncomingMessage, res: http.ServerResponse): void {
  if (req.headers.authorization !== `Bearer ${token}`) {
    req.resume();
    return reply(res, 401, { detail: "unauthenticated", status: 401 });
  }
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(String(req.headers["content-type"] ?? ""));
  if (!boundary) {
    req.resume();
    return reply(res, 400, { detail: "not multipart/form-data", status: 400 });
  }
  const id = `baseline${(counter++).toString(36)}`;
  const file = path.join(dir, `upload-${id}.bin`);
  const out = createWriteStream(file);
  out.on("drain", () => req.resume());
  const splitter = new ContentPartSplitter(boundary[1] ?? boundary[2]!, (bytes) => out.write(bytes));
  let failed = false;
  const fail = (status: number, detail: string) => {
    if (failed) return;
    failed = true;
    req.resume();
    out.destroy();
    rmSync(file, { force: true });
    reply(res, status, { detail, status });
  };
  req.on("data", (chunk: Buffer) => {
    if (failed) return;
    try {
      if (!splitter.push(chunk)) req.pause();
    } catch (error) {
      fail(400, (error as Error).message);
    }
  });
  req.on("end", () => {
    if (failed) return;
    if (!splitter.done || splitter.contentParts !== 1) return fail(400, `${splitter.contentParts} content part(s), ${splitter.done ? "" : "no "}closing boundary`);
    // Answer once the bytes are in the file, as a server that then names the file must.
    out.end(() => reply(res, 201, { id, name: path.basename(file), size: splitter.size }));
  });
  req.on("error", (error) => fail(400, error.message));
}

function download(name: string, res: http.ServerResponse): void {
  const file = path.join(dir, path.basename(name));
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return reply(res, 404, { detail: "not found", status: 404 });
  }
  res.writeHead(200, { "content-type": "application/octet-stream", "content-length": size });
  createReadStream(file).pipe(res);
}

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  if (req.method === "POST" && url.pathname === "/v1/files") return upload(req, res);
  if (req.method === "GET" && url.pathname.startsWith("/files/")) return download(decodeURIComponent(url.pathname.slice("/files/".length)), res);
  req.resume();
  reply(res, 404, { detail: "not found", status: 404 });
});

server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
});
process.on("SIGTERM", () => process.exit(0));
