// A file input: each chosen file is uploaded at once through the Files API (POST /v1/files) and the
// field's value becomes the upload's `urls.get`, which the server resolves to the file for the
// model. A URL can also be typed in (any http(s) or data: URL the model can read).
import { useState } from "react";
import { useApi } from "../api/context.ts";
import type { FormValue } from "../schema/input-values.ts";

interface Props {
  id: string;
  hintId: string;
  multiple: boolean;
  required: boolean;
  value: FormValue | undefined;
  onChange: (value: FormValue) => void;
}

export function FileField({ id, hintId, multiple, required, value, onChange }: Props) {
  const api = useApi();
  const [state, setState] = useState<{ busy: boolean; error: string | null; names: string[] }>({ busy: false, error: null, names: [] });
  const urls = Array.isArray(value) ? value : typeof value === "string" && value ? [value] : [];

  const upload = async (files: FileList | null) => {
    if (!files || files.length === 0) return;
    setState({ busy: true, error: null, names: [] });
    try {
      const uploaded = await Promise.all([...files].map((file) => api.uploadFile(file, file.name)));
      const got = uploaded.map((f) => f.urls.get);
      onChange(multiple ? [...urls, ...got] : got[0]);
      setState({ busy: false, error: null, names: uploaded.map((f) => `${f.name} (${formatBytes(f.size)})`) });
    } catch (error) {
      setState({ busy: false, error: `Upload failed: ${(error as Error).message}`, names: [] });
    }
  };

  return (
    <div className="file-field">
      <input type="file" id={id} aria-describedby={hintId} multiple={multiple} required={required && urls.length === 0} onChange={(e) => void upload(e.target.files)} />
      <p className="upload-state" aria-live="polite">
        {state.busy ? "Uploading…" : state.error ? <span className="problem">{state.error}</span> : state.names.length > 0 ? `Uploaded ${state.names.join(", ")}` : null}
      </p>
      {multiple ? (
        urls.length > 0 ? (
          <ul className="file-list">
            {urls.map((url, i) => (
              <li key={url + i}>
                <code>{url}</code>{" "}
                <button type="button" className="secondary small" onClick={() => onChange(urls.filter((_, j) => j !== i))}>
                  Remove
                </button>
              </li>
            ))}
          </ul>
        ) : null
      ) : (
        <input
          type="url"
          className="file-url"
          aria-label="or a file URL"
          placeholder="or paste a URL (https://… or data:…)"
          value={typeof value === "string" ? value : ""}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </div>
  );
}

export function formatBytes(size: number): string {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`;
  return `${(size / 1024 / 1024).toFixed(1)} MB`;
}
