import json
import re
from collections import Counter, defaultdict
from typing import Optional

from cog import BasePredictor, Input, Path

# What the untrained version knows: a few lines about gears.
BASE_TEXT = """
the gear turns the wheel and the wheel turns the axle .
a small gear drives a large gear and the large gear turns slowly .
the chain links the gear to the wheel .
"""


def bigram_table(text: str) -> "dict[str, dict[str, int]]":
    words = re.findall(r"[a-z']+|[.!?]", text.lower())
    table: "defaultdict[str, Counter[str]]" = defaultdict(Counter)
    for first, second in zip(words, words[1:]):
        table[first][second] += 1
    return {word: dict(counts) for word, counts in table.items()}


class Predictor(BasePredictor):
    def setup(self, weights: Optional[Path] = None) -> None:
        """A trained version has a `weights` file (the table train.py wrote); the base version has none."""
        if weights is not None:
            self.table = json.loads(Path(weights).read_text())
            self.source = "trained"
        else:
            self.table = bigram_table(BASE_TEXT)
            self.source = "base"

    def predict(
        self,
        word: str = Input(description="A word: the model answers the word that most often follows it", default="the"),
        count: int = Input(description="How many words to chain", default=3, ge=1, le=50),
    ) -> dict:
        chain, current = [], word.lower()
        for _ in range(count):
            followers = self.table.get(current)
            if not followers:
                break
            # The most frequent follower; ties go to the alphabetically first, so answers are stable.
            current = sorted(followers.items(), key=lambda item: (-item[1], item[0]))[0][0]
            chain.append(current)
        return {"words": chain, "source": self.source}
