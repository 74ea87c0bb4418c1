// How an output is shown: pure decisions, rendered by OutputView. A file is recognised by its URL
// (`/o/<key>/<name>` from Sprocket, any http(s) URL, or a data: URI) and classed by its media type
// or extension; images, audio and video play inline, anything else is a download.

export type FileKind = "image" | "audio" | "video" | "file";

export type OutputPart =
  | { kind: "empty" }
  | { kind: "text"; text: string }
  | { kind: "media"; media: FileKind; url: string; name: string }
  | { kind: "list"; items: OutputPart[] }
  | { kind: "json"; text: string };

const EXTENSIONS: Record<string, FileKind> = {
  png: "image", jpg: "image", jpeg: "image", gif: "image", webp: "image", avif: "image", svg: "image", bmp: "image",
  wav: "audio", mp3: "audio", ogg: "audio", oga: "audio", flac: "audio", m4a: "audio", aac: "audio", opus: "audio",
  mp4: "video", webm: "video", mov: "video", m4v: "video", ogv: "video",
};

export function isFileUrl(value: unknown): value is string {
  return typeof value === "string" && /^(https?:\/\/\S+|data:[^,\s]*,)/.test(value) && !/\s/.test(value.trim());
}

/** The file's name as the URL gives it (data URIs: "output.<subtype>"). */
export function fileName(url: string): string {
  const data = /^data:([\w.+-]+)\/([\w.+-]+)/.exec(url);
  if (data) return `output.${data[2].split("+")[0]}`;
  try {
    const last = new URL(url).pathname.split("/").filter(Boolean).at(-1) ?? "file";
    return decodeURIComponent(last);
  } catch {
    return "file";
  }
}

export function fileKind(url: string): FileKind {
  const data = /^data:(image|audio|video)\//.exec(url);
  if (data) return data[1] as FileKind;
  if (url.startsWith("data:")) return "file";
  const ext = /\.([a-z0-9]+)$/i.exec(fileName(url))?.[1]?.toLowerCase();
  return (ext && EXTENSIONS[ext]) || "file";
}

/**
 * The parts to show for an output. `concatenate`: the model streams text pieces that read as one
 * text (Cog's ConcatenateIterator), so a list of strings is joined; a plain list shows item by item.
 */
export function outputParts(output: unknown, options: { concatenate?: boolean } = {}): OutputPart {
  if (output === null || output === undefined) return { kind: "empty" };
  if (isFileUrl(output)) return { kind: "media", media: fileKind(output), url: output, name: fileName(output) };
  if (typeof output === "string") return { kind: "text", text: output };
  if (Array.isArray(output)) {
    if (output.length === 0) return { kind: "empty" };
    if (output.every((item) => typeof item === "string" && !isFileUrl(item))) {
      return options.concatenate ? { kind: "text", text: output.join("") } : { kind: "list", items: output.map((item) => ({ kind: "text", text: item as string })) };
    }
    if (output.every((item) => isFileUrl(item))) return { kind: "list", items: output.map((item) => outputParts(item)) };
  }
  return { kind: "json", text: JSON.stringify(output, null, 2) };
}
