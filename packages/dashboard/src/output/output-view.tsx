// Shows an output as outputParts decided: text as text, media inline, other files as downloads,
// anything else as pretty JSON. The box keeps a minimum height (CSS) so nothing below it jumps
// while output streams in.
import type { OutputPart } from "./output-kinds.ts";
import { outputParts } from "./output-kinds.ts";

export function OutputView({ output, concatenate, placeholder = "No output yet." }: { output: unknown; concatenate?: boolean; placeholder?: string }) {
  return (
    <div className="output" data-testid="output">
      <Part part={outputParts(output, { concatenate })} placeholder={placeholder} />
    </div>
  );
}

function Part({ part, placeholder }: { part: OutputPart; placeholder: string }) {
  switch (part.kind) {
    case "empty":
      return <p className="muted">{placeholder}</p>;
    case "text":
      return <pre className="output-text">{part.text}</pre>;
    case "json":
      return <pre className="output-json">{part.text}</pre>;
    case "list":
      return (
        <ol className="output-list">
          {part.items.map((item, i) => (
            <li key={i}>
              <Part part={item} placeholder={placeholder} />
            </li>
          ))}
        </ol>
      );
    case "media":
      return (
        <figure className="output-media">
          {part.media === "image" ? <img src={part.url} alt={`Output image ${part.name}`} /> : null}
          {part.media === "audio" ? <audio controls src={part.url} aria-label={`Output audio ${part.name}`} /> : null}
          {part.media === "video" ? <video controls src={part.url} aria-label={`Output video ${part.name}`} /> : null}
          <figcaption>
            <a href={part.url} download={part.name} target="_blank" rel="noreferrer">
              Download {part.name}
            </a>
          </figcaption>
        </figure>
      );
  }
}
