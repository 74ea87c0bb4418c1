// How pydantic titles a field from its name: underscores become spaces, then Python's
// `str.title()`, which upper-cases a letter that follows a non-letter and lower-cases every
// other letter ("no_default" → "No Default", "image_URL" → "Image Url", "x2y" → "X2Y").
// Clients show these titles as form labels, so they must match Cog's character for character.

export function pythonTitle(name: string): string {
  let out = "";
  let previousCased = false;
  for (const ch of name.replaceAll("_", " ")) {
    const cased = ch.toLowerCase() !== ch.toUpperCase();
    out += cased ? (previousCased ? ch.toLowerCase() : ch.toUpperCase()) : ch;
    previousCased = cased;
  }
  return out;
}
