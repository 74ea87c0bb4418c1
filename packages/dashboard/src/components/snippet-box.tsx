// The Run form's call as curl, JavaScript or Python, with a copy button. Tabs are real buttons in a
// tablist (arrow keys not needed: Tab reaches each).
import { useState } from "react";
import { snippet, type SnippetLanguage, type SnippetTarget } from "../snippets/snippets.ts";
import { CopyButton } from "./common.tsx";

const LANGUAGES: [SnippetLanguage, string][] = [
  ["curl", "curl"],
  ["javascript", "JavaScript"],
  ["python", "Python"],
];

export function SnippetBox({ target }: { target: SnippetTarget }) {
  const [language, setLanguage] = useState<SnippetLanguage>("curl");
  const code = snippet(language, target);
  return (
    <section className="snippet" aria-label="Call this from code">
      <div className="snippet-head">
        <div role="tablist" aria-label="Language">
          {LANGUAGES.map(([id, label]) => (
            <button key={id} type="button" role="tab" aria-selected={language === id} aria-controls="snippet-code" className={language === id ? "tab active" : "tab"} onClick={() => setLanguage(id)}>
              {label}
            </button>
          ))}
        </div>
        <CopyButton text={code} label={`Copy as ${LANGUAGES.find(([id]) => id === language)![1]}`} />
      </div>
      <pre id="snippet-code" role="tabpanel" className="code" tabIndex={0}>
        {code}
      </pre>
      <p className="hint">Set REPLICATE_API_TOKEN to your token first; snippets never contain it.</p>
    </section>
  );
}
