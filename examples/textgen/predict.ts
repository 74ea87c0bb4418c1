// A word-level trigram language model (with bigram and unigram back-off), trained in setup() on
// corpus.txt — the opening of Lewis Carroll's "Alice's Adventures in Wonderland" (1865, public
// domain). predict() streams the words it samples one by one, so `replicate.stream()` and
// `urls.stream` show them as they come. The same seed gives the same text.
import { readFileSync } from "node:fs";
import { definePredictor, Input, Output } from "sprocket";

type Counts = Map<string, Map<string, number>>;
let trigrams: Counts = new Map();
let bigrams: Counts = new Map();
let unigrams = new Map<string, number>();

/** Words, and punctuation as words of its own, lower-cased except "I" and proper names as written. */
function tokenize(text: string): string[] {
  return text.match(/[A-Za-z]+(?:['’-][A-Za-z]+)*|[.,;:!?]/g) ?? [];
}

function add(table: Counts, context: string, next: string): void {
  let row = table.get(context);
  if (!row) table.set(context, (row = new Map()));
  row.set(next, (row.get(next) ?? 0) + 1);
}

/** mulberry32: a small seeded generator, so a seed always gives the same text. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One word from `row`, each weighted by count^(1/temperature): low temperatures pick the likeliest. */
function sample(row: Map<string, number>, temperature: number, next: () => number): string {
  const entries = [...row.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const weights = entries.map(([, count]) => Math.pow(count, 1 / temperature));
  let pick = next() * weights.reduce((sum, w) => sum + w, 0);
  for (let i = 0; i < entries.length; i++) {
    pick -= weights[i];
    if (pick <= 0) return entries[i][0];
  }
  return entries.at(-1)![0];
}

export const Predictor = definePredictor({
  inputs: {
    prompt: Input.string({ description: "Words to continue (words the corpus does not know are fine)", default: "Alice was" }),
    max_tokens: Input.integer({ description: "How many words and punctuation marks to generate", default: 40, ge: 1, le: 500 }),
    temperature: Input.number({ description: "Randomness: low sticks to the likeliest words, high wanders", default: 1, ge: 0.1, le: 5 }),
    seed: Input.integer({ description: "Random seed: the same seed, prompt and settings give the same text", default: 42, ge: 0 }),
  },
  output: Output.iterator(Output.string(), { concatenate: true }),
  async setup() {
    const words = tokenize(readFileSync(new URL("./corpus.txt", import.meta.url), "utf8"));
    trigrams = new Map();
    bigrams = new Map();
    unigrams = new Map();
    for (let i = 0; i < words.length; i++) {
      unigrams.set(words[i], (unigrams.get(words[i]) ?? 0) + 1);
      if (i >= 1) add(bigrams, words[i - 1], words[i]);
      if (i >= 2) add(trigrams, `${words[i - 2]} ${words[i - 1]}`, words[i]);
    }
  },
  async *predict({ prompt, max_tokens, temperature, seed }) {
    const next = random(seed);
    const context = tokenize(prompt);
    for (let n = 0; n < max_tokens; n++) {
      const [a, b] = [context.at(-2), context.at(-1)];
      const row = (a && b && trigrams.get(`${a} ${b}`)) || (b && bigrams.get(b)) || unigrams;
      const word = sample(row, temperature, next);
      context.push(word);
      yield /^[.,;:!?]$/.test(word) ? word : ` ${word}`;
    }
  },
});
