"""Training support (cog.md: `train:`): the schema gains TrainingInput/TrainingOutput, and with
SPROCKET_RUN_MODE=train the harness runs train() with the same protocol as predict()."""
import base64
import os
import shutil
import tempfile
import unittest

from harness_process import Harness, fixture
from test_schema import schema_of


class TrainingTest(unittest.TestCase):
    def test_schema_has_cogs_training_components(self) -> None:
        schemas = schema_of("trainer")["openapi_schema"]["components"]["schemas"]
        self.assertEqual(schemas["TrainingInput"]["title"], "TrainingInput")
        self.assertEqual(list(schemas["TrainingInput"]["properties"]), ["word", "times"])
        self.assertEqual(schemas["TrainingInput"]["required"], ["word"])
        self.assertEqual(schemas["TrainingOutput"]["properties"]["weights"], {"title": "Weights", "type": "string", "format": "uri"})
        self.assertEqual(schemas["Input"]["properties"], {})  # the predictor's own inputs are untouched

    def test_train_mode_runs_train_and_a_weights_file_reaches_setup(self) -> None:
        trainer = Harness("trainer", env={"SPROCKET_RUN_MODE": "train"})
        try:
            self.assertEqual(trainer.setup()["type"], "ready")
            done = trainer.predict("t1", {"word": "ab", "times": 2})
            self.assertEqual(done["status"], "succeeded", done)
            weights = done["output"]["weights"]
        finally:
            trainer.close()
        # A version made from the training: the same files plus `weights`.
        trained = tempfile.mkdtemp()
        try:
            shutil.copytree(fixture("trainer"), trained, dirs_exist_ok=True)
            # Without a staging directory, file outputs come back as data: URIs (Cog's encoding).
            self.assertTrue(weights.startswith("data:"), weights)
            with open(os.path.join(trained, "weights"), "wb") as target:
                target.write(base64.b64decode(weights.split(",", 1)[1]))
            model = Harness(trained)
            try:
                self.assertEqual(model.setup()["type"], "ready")
                self.assertEqual(model.predict("p1", {})["output"], "abab")
            finally:
                model.close()
        finally:
            shutil.rmtree(trained, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
