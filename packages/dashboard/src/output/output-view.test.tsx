import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, test } from "vitest";
import { fileKind, fileName, outputParts } from "./output-kinds.ts";
import { OutputView } from "./output-view.tsx";

const png = "http://127.0.0.1:5000/o/k3y/output.png";

describe("how an output is shown", () => {
  test("files are recognised by URL and classed by extension or data: type", () => {
    expect(fileKind(png)).toBe("image");
    expect(fileKind("http://h/o/k/speech.wav")).toBe("audio");
    expect(fileKind("http://h/o/k/clip.mp4")).toBe("video");
    expect(fileKind("http://h/o/k/weights.tar")).toBe("file");
    expect(fileKind("data:audio/wav;base64,AAA")).toBe("audio");
    expect(fileName("http://h/o/k/my%20file.txt")).toBe("my file.txt");
    expect(fileName("data:image/svg+xml;base64,AA")).toBe("output.svg");
  });

  test("text is text, a concatenating stream joins, a plain list stays a list, objects are pretty JSON", () => {
    expect(outputParts("hello, Ada!")).toEqual({ kind: "text", text: "hello, Ada!" });
    expect(outputParts(["Alice", " was", " here"], { concatenate: true })).toEqual({ kind: "text", text: "Alice was here" });
    expect(outputParts(["a", "b"]).kind).toBe("list");
    expect(outputParts({ text: "hi", confidence: 96 })).toEqual({ kind: "json", text: '{\n  "text": "hi",\n  "confidence": 96\n}' });
    expect(outputParts(null)).toEqual({ kind: "empty" });
    expect(outputParts("a sentence with http://x.y in it").kind).toBe("text");
  });

  test("an image renders inline with a download link; other files only as downloads", () => {
    const image = renderToStaticMarkup(<OutputView output={png} />);
    expect(image).toContain(`<img src="${png}"`);
    expect(image).toContain('download="output.png"');
    const file = renderToStaticMarkup(<OutputView output="http://h/o/k/weights.tar" />);
    expect(file).not.toContain("<img");
    expect(file).toContain("Download weights.tar");
    expect(renderToStaticMarkup(<OutputView output="http://h/o/k/a.wav" />)).toContain("<audio controls");
    expect(renderToStaticMarkup(<OutputView output={["http://h/o/k/1.webp", "http://h/o/k/2.webp"]} />).match(/<img/g)).toHaveLength(2);
  });

  test("JSON is pretty-printed and escaped; nothing yet shows the placeholder", () => {
    expect(renderToStaticMarkup(<OutputView output={{ html: "<b>" }} />)).toContain("&quot;html&quot;: &quot;&lt;b&gt;&quot;");
    expect(renderToStaticMarkup(<OutputView output={null} placeholder="Waiting for output…" />)).toContain("Waiting for output…");
  });
});
