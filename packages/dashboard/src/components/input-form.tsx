// The Run form: one labelled control per input field, in x-order, each with its description and
// default. Numbers with a range get a slider and a number box side by side (both labelled).
import type { FormEvent, ReactNode } from "react";
import type { Field } from "../schema/input-fields.ts";
import type { FormState, FormValue } from "../schema/input-values.ts";
import { FileField } from "./file-field.tsx";

export interface InputFormProps {
  fields: Field[];
  values: FormState;
  onChange: (name: string, value: FormValue) => void;
  onSubmit: () => void;
  problems?: Record<string, string>;
  busy?: boolean;
  submitLabel?: string;
  /** Extra buttons after the submit button. */
  children?: ReactNode;
}

export function InputForm({ fields, values, onChange, onSubmit, problems = {}, busy = false, submitLabel = "Run", children }: InputFormProps) {
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit();
  };
  return (
    <form className="input-form" onSubmit={submit} noValidate={false}>
      {fields.length === 0 ? <p className="muted">This version takes no inputs.</p> : null}
      {fields.map((field) => (
        <FieldRow key={field.name} field={field} value={values[field.name]} problem={problems[field.name]} onChange={(v) => onChange(field.name, v)} />
      ))}
      <div className="form-actions">
        <button type="submit" disabled={busy}>
          {busy ? "Working…" : submitLabel}
        </button>
        {children}
      </div>
    </form>
  );
}

function FieldRow({ field, value, problem, onChange }: { field: Field; value: FormValue | undefined; problem?: string; onChange: (v: FormValue) => void }) {
  const id = `input-${field.name}`;
  const hintId = `${id}-hint`;
  const hasDefault = field.default !== undefined && field.default !== null;
  const notes = [
    field.description ? field.description.replace(/([^.!?])$/, "$1.") : "",
    hasDefault ? `Default: ${JSON.stringify(field.default)}.` : "",
    rangeNote(field.minimum, field.maximum),
  ].filter(Boolean);
  const hint = (
    <p className="hint" id={hintId}>
      {notes.join(" ")}
    </p>
  );
  const text = typeof value === "string" ? value : "";
  const common = { id, name: field.name, "aria-describedby": hintId, "aria-invalid": problem ? true : undefined };
  let control: ReactNode;
  switch (field.kind) {
    case "boolean":
      return (
        <div className={`field field-boolean${problem ? " invalid" : ""}`}>
          <label className="check">
            <input type="checkbox" {...common} checked={value === true} onChange={(e) => onChange(e.target.checked)} />
            <span>{field.title}</span>
          </label>
          {hint}
        </div>
      );
    case "select":
      control = (
        <select {...common} value={text} required={field.required} onChange={(e) => onChange(e.target.value)}>
          {!field.required || text === "" ? <option value="">{field.required ? "Choose…" : "(model default)"}</option> : null}
          {field.choices!.map((choice) => (
            <option key={String(choice)} value={String(choice)}>
              {String(choice)}
            </option>
          ))}
        </select>
      );
      break;
    case "slider":
      control = (
        <div className="slider">
          <input type="range" {...common} min={field.minimum} max={field.maximum} step={field.step} value={text === "" ? String(field.minimum) : text} onChange={(e) => onChange(e.target.value)} />
          <input type="number" id={`${id}-value`} aria-label={`${field.title} (value)`} min={field.minimum} max={field.maximum} step={field.step} value={text} placeholder="unset" onChange={(e) => onChange(e.target.value)} />
        </div>
      );
      break;
    case "integer":
    case "number":
      control = <input type="number" {...common} min={field.minimum} max={field.maximum} step={field.kind === "integer" ? 1 : "any"} required={field.required} value={text} onChange={(e) => onChange(e.target.value)} />;
      break;
    case "secret":
      control = <input type="password" autoComplete="off" {...common} required={field.required} value={text} onChange={(e) => onChange(e.target.value)} />;
      break;
    case "file":
    case "files":
      control = <FileField id={id} hintId={hintId} multiple={field.kind === "files"} value={value} required={field.required} onChange={onChange} />;
      break;
    case "textarea":
    case "list":
    case "json":
      control = <textarea {...common} rows={field.kind === "json" ? 5 : 3} required={field.required} value={text} onChange={(e) => onChange(e.target.value)} placeholder={field.kind === "list" ? "one per line" : field.kind === "json" ? "JSON" : undefined} />;
      break;
    default:
      control = <input type="text" {...common} required={field.required} value={text} onChange={(e) => onChange(e.target.value)} />;
  }
  return (
    <div className={`field${problem ? " invalid" : ""}`}>
      <div className="field-head">
        <label htmlFor={id}>
          {field.title}
          {field.required ? <span className="required"> (required)</span> : null}
        </label>
        <code className="field-name">{field.name}</code>
      </div>
      {control}
      {problem ? <p className="problem">{problem}</p> : null}
      {hint}
    </div>
  );
}

function rangeNote(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `Range: ${min} to ${max}.`;
  if (min !== undefined) return `At least ${min}.`;
  return max !== undefined ? `At most ${max}.` : "";
}
