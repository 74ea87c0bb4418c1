// The media types of the files models commonly take and return, by extension. Small on purpose:
// anything else is application/octet-stream, which every client handles.
const BY_EXTENSION: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  webp: "image/webp",
  gif: "image/gif",
  svg: "image/svg+xml",
  wav: "audio/wav",
  mp3: "audio/mpeg",
  ogg: "audio/ogg",
  flac: "audio/flac",
  mp4: "video/mp4",
  webm: "video/webm",
  txt: "text/plain",
  json: "application/json",
  csv: "text/csv",
  pdf: "application/pdf",
  zip: "application/zip",
  tar: "application/x-tar",
  npy: "application/octet-stream",
};
const PREFERRED_EXTENSION: Record<string, string> = { "image/jpeg": "jpg", "audio/x-wav": "wav" };

/** The media type a file name suggests. */
export function mediaTypeOf(name: string): string {
  const extension = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase();
  return (extension && BY_EXTENSION[extension]) || "application/octet-stream";
}

/** An extension for a media type (without the dot), or "bin". */
export function extensionOf(mediaType: string): string {
  if (PREFERRED_EXTENSION[mediaType]) return PREFERRED_EXTENSION[mediaType];
  const found = Object.entries(BY_EXTENSION).find(([, type]) => type === mediaType);
  return found && mediaType !== "application/octet-stream" ? found[0] : "bin";
}
