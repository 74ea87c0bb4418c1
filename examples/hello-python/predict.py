from cog import BasePredictor, Input


class Predictor(BasePredictor):
    def setup(self) -> None:
        """Runs once per instance: load weights here, not in predict()."""
        self.greeting = "hello"

    def predict(self, name: str = Input(description="Who to greet", default="world")) -> str:
        return f"{self.greeting}, {name}!"
