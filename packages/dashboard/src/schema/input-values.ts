// Form state ⇄ prediction input. Every field is edited as a string (or a boolean, or a list of
// file URLs); this turns them into the JSON the API validates, leaving out optional fields the user
// left empty so the model's own defaults apply.
import type { Field } from "./input-fields.ts";

export type FormValue = string | boolean | string[];
export type FormState = Record<string, FormValue>;

/** The form's starting values: each field's default, as the control shows it. */
export function initialValues(fields: Field[], from: Record<string, unknown> = {}): FormState {
  const state: FormState = {};
  for (const field of fields) {
    const value = field.name in from ? from[field.name] : field.default;
    if (field.kind === "boolean") state[field.name] = value === true;
    else if (field.kind === "files") state[field.name] = Array.isArray(value) ? value.map(String) : [];
    else if (field.kind === "list") state[field.name] = Array.isArray(value) ? value.map(String).join("\n") : "";
    else if (field.kind === "json") state[field.name] = value === undefined ? "" : JSON.stringify(value, null, 2);
    // No default: left empty (and so left out of the input) until the user sets it.
    else if (value === undefined || value === null) state[field.name] = "";
    else state[field.name] = String(value);
  }
  return state;
}

export interface Built {
  input: Record<string, unknown>;
  /** Field name → what is wrong, for fields the browser cannot check itself. */
  problems: Record<string, string>;
}

export function buildInput(fields: Field[], state: FormState): Built {
  const input: Record<string, unknown> = {};
  const problems: Record<string, string> = {};
  for (const field of fields) {
    const raw = state[field.name];
    if (field.kind === "boolean") {
      input[field.name] = raw === true;
      continue;
    }
    if (field.kind === "files") {
      const list = Array.isArray(raw) ? raw : [];
      if (list.length > 0 || field.required) input[field.name] = list;
      continue;
    }
    const text = typeof raw === "string" ? raw : "";
    if (text.trim() === "") {
      if (field.required) problems[field.name] = "required";
      continue;
    }
    switch (field.kind) {
      case "integer":
      case "number":
      case "slider": {
        const value = Number(text);
        if (!Number.isFinite(value)) problems[field.name] = "not a number";
        else input[field.name] = value;
        break;
      }
      case "select": {
        const choice = field.choices?.find((c) => String(c) === text);
        input[field.name] = choice ?? text;
        break;
      }
      case "list": {
        const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
        const values = lines.map((l) => (field.itemType === "string" ? l : Number(l)));
        if (values.some((v) => typeof v === "number" && !Number.isFinite(v))) problems[field.name] = "one number per line";
        else input[field.name] = values;
        break;
      }
      case "json":
        try {
          input[field.name] = JSON.parse(text);
        } catch {
          problems[field.name] = "not valid JSON";
        }
        break;
      default:
        input[field.name] = text;
    }
  }
  return { input, problems };
}
