// The fields of a deployment's release: model, version (from the model's versions), hardware,
// min and max instances. Shared by the create form and the edit form.
import { useEffect } from "react";
import { useApi } from "../api/context.ts";
import { formatTime, shortId } from "../components/common.tsx";
import { useLoad } from "../use-load.ts";

export interface ReleaseForm {
  model: string;
  version: string;
  hardware: string;
  min: string;
  max: string;
}

export function ReleaseFields({ value, onChange, chooseModel }: { value: ReleaseForm; onChange: (v: ReleaseForm) => void; chooseModel: boolean }) {
  const api = useApi();
  const models = useLoad(() => (chooseModel ? api.models() : Promise.resolve(null)), [chooseModel]);
  const versions = useLoad(() => (value.model ? api.versions(value.model) : Promise.resolve(null)), [value.model]);
  const hardware = useLoad(() => api.hardware(), []);
  const set = (key: keyof ReleaseForm) => (e: { target: { value: string } }) => {
    const next = { ...value, [key]: e.target.value };
    if (key === "model") next.version = "";
    onChange(next);
  };
  // A new model's versions arrive after it is chosen: preselect the latest.
  useEffect(() => {
    if (value.model && !value.version && versions.data && versions.data.results.length > 0) onChange({ ...value, version: versions.data.results[0].id });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [versions.data]);

  return (
    <>
      {chooseModel ? (
        <div className="field">
          <label htmlFor="release-model">Model</label>
          <select id="release-model" required value={value.model} onChange={set("model")}>
            <option value="">Choose…</option>
            {models.data?.results.map((m) => (
              <option key={`${m.owner}/${m.name}`} value={`${m.owner}/${m.name}`} disabled={!m.latest_version}>
                {m.owner}/{m.name}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      <div className="field">
        <label htmlFor="release-version">Version</label>
        <select id="release-version" required value={value.version} onChange={set("version")} disabled={!value.model}>
          {!value.version ? <option value="">{value.model ? "Loading…" : "Choose a model first"}</option> : null}
          {versions.data?.results.map((v, i) => (
            <option key={v.id} value={v.id}>
              {shortId(v.id)} · {formatTime(v.created_at)}
              {i === 0 ? " (latest)" : ""}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="release-hardware">Hardware</label>
        <select id="release-hardware" value={value.hardware} onChange={set("hardware")}>
          {hardware.data?.map((h) => (
            <option key={h.sku} value={h.sku}>
              {h.name} ({h.sku})
            </option>
          )) ?? <option value={value.hardware}>{value.hardware}</option>}
        </select>
      </div>
      <div className="field">
        <label htmlFor="release-min">Min instances</label>
        <input id="release-min" type="number" min={0} step={1} required value={value.min} onChange={set("min")} aria-describedby="release-min-hint" />
        <p className="hint" id="release-min-hint">
          Started at once and kept warm (no cold start).
        </p>
      </div>
      <div className="field">
        <label htmlFor="release-max">Max instances</label>
        <input id="release-max" type="number" min={Math.max(1, Number(value.min) || 0)} step={1} required value={value.max} onChange={set("max")} />
      </div>
    </>
  );
}
