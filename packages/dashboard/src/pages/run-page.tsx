// Run: the form generated from the version's schema, the prediction it creates shown live, and the
// same call as curl / JS / Python. Runs a model's latest version, a chosen version (?version=), or a
// deployment.
import { useCallback, useMemo, useRef, useState } from "react";
import { useApi } from "../api/context.ts";
import type { CreatePrediction } from "../api/client.ts";
import type { Prediction, Version } from "../api/types.ts";
import { ErrorNote, Loading, PageTitle, shortId } from "../components/common.tsx";
import { InputForm } from "../components/input-form.tsx";
import { SnippetBox } from "../components/snippet-box.tsx";
import { PredictionLive } from "../live/prediction-live.tsx";
import { Link } from "../router.tsx";
import { inputFields, outputDisplay, type Field } from "../schema/input-fields.ts";
import { buildInput, initialValues, type FormState, type FormValue } from "../schema/input-values.ts";
import { useLoad } from "../use-load.ts";

export type RunTarget = { kind: "model"; model: string; version?: string } | { kind: "deployment"; deployment: string };

/** `?from=<prediction id>` ("Run again"): its input fills the form; secrets (stored masked) do not. */
async function inputFrom(api: ReturnType<typeof useApi>, id: string | undefined, fields: Field[]): Promise<Record<string, unknown>> {
  if (!id) return {};
  const prediction = await api.prediction(id).catch(() => null);
  if (!prediction || prediction.data_removed) return {};
  const secret = new Set(fields.filter((f) => f.kind === "secret").map((f) => f.name));
  return Object.fromEntries(Object.entries(prediction.input ?? {}).filter(([name]) => !secret.has(name)));
}

interface Resolved {
  version: Version;
  model: string;
  from: Record<string, unknown>;
}

export function RunPage({ target, from }: { target: RunTarget; from?: string }) {
  const api = useApi();
  const key = target.kind === "model" ? `${target.model}:${target.version ?? ""}` : target.deployment;
  const resolved = useLoad<Resolved>(async () => {
    let found: Omit<Resolved, "from">;
    if (target.kind === "deployment") {
      const deployment = await api.deployment(target.deployment);
      const { model, version } = deployment.current_release;
      found = { model, version: await api.version(model, version) };
    } else if (target.version) {
      found = { model: target.model, version: await api.version(target.model, target.version) };
    } else {
      const model = await api.model(target.model);
      if (!model.latest_version) throw new Error(`${target.model} has no versions yet; push one with \`sprocket push DIR ${target.model}\`.`);
      found = { model: target.model, version: model.latest_version };
    }
    return { ...found, from: await inputFrom(api, from, inputFields(found.version.openapi_schema)) };
  }, [key, from]);

  const title = target.kind === "deployment" ? `Run deployment ${target.deployment}` : `Run ${target.model}`;
  return (
    <>
      <PageTitle>{title}</PageTitle>
      <ErrorNote error={resolved.error} />
      {!resolved.data && !resolved.error ? <Loading /> : null}
      {resolved.data ? <RunForm key={resolved.data.version.id} target={target} model={resolved.data.model} version={resolved.data.version} from={resolved.data.from} /> : null}
    </>
  );
}

function RunForm({ target, model, version, from }: { target: RunTarget; model: string; version: Version; from: Record<string, unknown> }) {
  const api = useApi();
  const fields = useMemo(() => inputFields(version.openapi_schema), [version]);
  const { concatenate } = useMemo(() => outputDisplay(version.openapi_schema), [version]);
  const [values, setValues] = useState<FormState>(() => initialValues(fields, from));
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [prediction, setPrediction] = useState<Prediction | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** Bumped by Reset, so file pickers forget what they uploaded too. */
  const [formKey, setFormKey] = useState(0);
  const built = useMemo(() => buildInput(fields, values), [fields, values]);
  const outputRef = useRef<HTMLElement>(null);
  const onChange = useCallback((name: string, value: FormValue) => setValues((v) => ({ ...v, [name]: value })), []);

  const run = async () => {
    setProblems(built.problems);
    if (Object.keys(built.problems).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      const create: CreatePrediction["target"] = target.kind === "deployment" ? target : { kind: "model", model, version: target.version };
      setPrediction(await api.createPrediction({ target: create, input: built.input }));
      // On a phone the output sits below the form: bring it into view.
      outputRef.current?.scrollIntoView({ block: "nearest", behavior: "smooth" });
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const reset = () => {
    setValues(initialValues(fields));
    setProblems({});
    setFormKey((k) => k + 1);
  };

  const snippetTarget = target.kind === "deployment" ? { deployment: target.deployment } : { model, version: target.version };
  return (
    <div className="run-layout">
      <section className="run-input" aria-labelledby="input-heading">
        <h2 id="input-heading">Input</h2>
        <p className="meta">
          {target.kind === "deployment" ? `${model}, ` : ""}version <code title={version.id}>{shortId(version.id)}</code>
          {target.kind === "model" && !target.version ? " (latest)" : ""} · <Link href={`/models/${model}`}>model page</Link>
        </p>
        <InputForm key={formKey} fields={fields} values={values} onChange={onChange} onSubmit={run} problems={problems} busy={busy}>
          <button type="button" className="secondary" onClick={reset}>
            Reset
          </button>
        </InputForm>
        <ErrorNote title="The prediction was not created" error={error} />
        <SnippetBox target={{ origin: window.location.origin, input: built.input, ...snippetTarget }} />
      </section>
      <section className="run-output" aria-labelledby="output-heading" ref={outputRef}>
        <h2 id="output-heading">
          Prediction{" "}
          {prediction ? (
            <Link href={`/p/${prediction.id}`} className="small-link">
              {prediction.id}
            </Link>
          ) : null}
        </h2>
        {prediction ? (
          <PredictionLive key={prediction.id} prediction={prediction} concatenate={concatenate} />
        ) : (
          <div className="placeholder-live">
            <p className="muted">Fill in the form and press Run; the output appears here as the model produces it.</p>
          </div>
        )}
      </section>
    </div>
  );
}
