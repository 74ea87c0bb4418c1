import json
import tempfile

from cog import BaseModel, Input, Path

from predict import bigram_table


class TrainingOutput(BaseModel):
    weights: Path


def train(
    text: Path = Input(description="A plain-text file to learn from (UTF-8)"),
    min_count: int = Input(description="Forget word pairs seen fewer times than this", default=1, ge=1),
) -> TrainingOutput:
    content = Path(text).read_text(encoding="utf-8")
    table = {
        word: {follower: n for follower, n in followers.items() if n >= min_count}
        for word, followers in bigram_table(content).items()
    }
    table = {word: followers for word, followers in table.items() if followers}
    if not table:
        raise ValueError("the text has no word pairs seen at least min_count times")
    print(f"learned {sum(len(f) for f in table.values())} word pairs from {len(content)} characters")
    out = Path(tempfile.mkdtemp()) / "weights.json"
    out.write_text(json.dumps(table))
    return TrainingOutput(weights=out)
