import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, test } from "vitest";
import { Api } from "../api/client.ts";
import { ApiContext } from "../api/context.ts";
import { inputFields } from "../schema/input-fields.ts";
import { initialValues } from "../schema/input-values.ts";
import { InputForm } from "./input-form.tsx";

const schema = {
  components: {
    schemas: {
      Input: {
        type: "object",
        required: ["image"],
        properties: {
          image: { title: "Image", type: "string", format: "uri", "x-order": 1 },
          name: { title: "Name", type: "string", default: "world", description: "Who to greet", "x-order": 0 },
          blur: { title: "Blur", type: "number", minimum: 0, maximum: 100, default: 0, "x-order": 2 },
          format: { allOf: [{ $ref: "#/components/schemas/format" }], default: "png", "x-order": 3 },
          token: { title: "Token", type: "string", format: "password", "x-cog-secret": true, "x-order": 4 },
          grayscale: { title: "Grayscale", type: "boolean", default: false, "x-order": 5 },
        },
      },
      format: { enum: ["png", "jpeg"], type: "string" },
    },
  },
};

function render() {
  const fields = inputFields(schema);
  return renderToStaticMarkup(
    <ApiContext.Provider value={new Api("t")}>
      <InputForm fields={fields} values={initialValues(fields)} onChange={() => {}} onSubmit={() => {}} />
    </ApiContext.Provider>,
  );
}

describe("the generated Run form", () => {
  const html = render();

  test("controls appear in x-order, each labelled for its input", () => {
    const order = [...html.matchAll(/<label for="input-(\w+)"/g)].map((m) => m[1]);
    expect(order).toEqual(["name", "image", "blur", "format", "token"]);
    expect(html.indexOf('id="input-token"')).toBeLessThan(html.indexOf('id="input-grayscale"'));
  });

  test("each input kind gets its control: text, file picker, slider with a number box, select, password, checkbox", () => {
    expect(html).toMatch(/<input type="text" id="input-name"[^>]*value="world"/);
    expect(html).toMatch(/<input type="file" id="input-image"[^>]*required/);
    expect(html).toMatch(/<input type="range" id="input-blur"[^>]*min="0" max="100" step="1"/);
    expect(html).toMatch(/<input type="number" id="input-blur-value" aria-label="Blur \(value\)"/);
    expect(html).toMatch(/<select id="input-format"[^>]*>.*<option value="png" selected="">png<\/option><option value="jpeg">jpeg<\/option>/);
    expect(html).toMatch(/<input type="password" autoComplete="off" id="input-token"|<input type="password" autocomplete="off" id="input-token"/);
    expect(html).toMatch(/<input type="checkbox" id="input-grayscale"/);
  });

  test("descriptions, defaults and ranges are shown and tied to their control", () => {
    expect(html).toContain('id="input-name-hint">Who to greet. Default: &quot;world&quot;.</p>');
    expect(html).toContain('aria-describedby="input-name-hint"');
    expect(html).toContain("Default: 0. Range: 0 to 100.");
    expect(html).toContain("(required)");
  });
});
