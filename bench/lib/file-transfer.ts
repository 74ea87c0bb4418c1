// The files benchmark's client side: a Files API upload streamed as multipart/form-data, and a
// download checked byte by byte, both with node:http on a fresh connection, each timed from the
// request to the last byte of the reply with one clock (performance.now()).
import { randomBytes } from "node:crypto";
import http from "node:http";
import { PATTERN_CHUNK, PatternCheck, patternSlice } from "./byte-pattern.ts";

export interface Transfer {
  /** HTTP status, 0 when the request failed (then `text` says why). */
  status: number;
  /** The reply body (uploads), or the first 300 bytes of an error reply. */
  text: string;
  /** Request start → last byte of the reply, ms. */
  ms: number;
}

export interface Download extends Transfer {
  bytes: number;
  /** Pieces that differ from the expected pattern (see PatternCheck); 0 when every byte is right. */
  mismatches: number;
  contentLength: number | null;
}

/**
 * `POST url` with a multipart body laid out as the official JS client's files.create sends it
 * (replicate/lib/files.js: a `content` file part of type application/octet-stream, then a
 * `metadata` part that is a small JSON file), with `size` pattern bytes (shift `shift`) as the
 * content, written 1 MiB at a time as the socket takes them. Content-Length is exact.
 */
export function uploadMultipart(url: string, token: string, size: number, shift: number, timeoutMs: number): Promise<Transfer> {
  const boundary = `----sprocketbench${randomBytes(12).toString("hex")}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="content"; filename="bench-${shift}.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(
    `\r\n--${boundary}\r\nContent-Disposition: form-data; name="metadata"; filename="blob"\r\nContent-Type: application/json\r\n\r\n{}\r\n--${boundary}--\r\n`,
  );
  const started = performance.now();
  return new Promise<Transfer>((resolve) => {
    let settled = false;
    const finish = (status: number, text: string) => {
      if (settled) return;
      settled = true;
      resolve({ status, text, ms: performance.now() - started });
    };
    const req = http.request(url, {
      method: "POST",
      agent: false,
      timeout: timeoutMs,
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": `multipart/form-data; boundary=${boundary}`,
        "content-length": String(head.length + size + tail.length),
      },
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => finish(res.statusCode ?? 0, Buffer.concat(chunks).toString("utf8")));
      res.on("error", (error) => finish(0, `reply error: ${error.message}`));
    });
    req.on("timeout", () => req.destroy(new Error(`no reply within ${timeoutMs} ms`)));
    req.on("error", (error) => finish(0, `request error: ${error.message}`));

    let wake: (() => void) | null = null;
    let closed = false;
    req.on("drain", () => wake?.());
    req.on("close", () => {
      closed = true;
      wake?.();
    });
    void (async () => {
      req.write(head);
      for (let offset = 0; offset < size && !closed && !settled; offset += PATTERN_CHUNK) {
        if (!req.write(patternSlice(offset + shift, Math.min(PATTERN_CHUNK, size - offset)))) {
          await new Promise<void>((r) => (wake = r));
          wake = null;
        }
      }
      if (!closed && !settled) req.end(tail);
    })();
  });
}

/** `GET url` (no token: output and baseline URLs need none), every byte checked against the pattern. */
export function downloadChecked(url: string, timeoutMs: number, shift = 0): Promise<Download> {
  const started = performance.now();
  return new Promise<Download>((resolve) => {
    let settled = false;
    const check = new PatternCheck(shift);
    let contentLength: number | null = null;
    const finish = (status: number, text: string) => {
      if (settled) return;
      settled = true;
      resolve({ status, text, ms: performance.now() - started, bytes: check.received, mismatches: check.mismatches, contentLength });
    };
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      const status = res.statusCode ?? 0;
      contentLength = res.headers["content-length"] === undefined ? null : Number(res.headers["content-length"]);
      let errorText = "";
      res.on("data", (chunk: Buffer) => {
        if (status === 200) check.feed(chunk);
        else if (errorText.length < 300) errorText += chunk.toString("utf8");
      });
      res.on("end", () => finish(status, errorText.slice(0, 300)));
      res.on("error", (error) => finish(0, `reply error: ${error.message}`));
    });
    req.on("timeout", () => req.destroy(new Error(`no reply within ${timeoutMs} ms`)));
    req.on("error", (error) => finish(0, `request error: ${error.message}`));
  });
}
