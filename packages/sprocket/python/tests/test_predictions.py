"""What predictions do: iterators stream, async predictions overlap, cancel, failures, setup
failures, files in and out, secrets, metrics, Cog's newer Runner/run() and function predictors."""
import base64
import os
import tempfile
import time
import unittest

import golden
from harness_process import Harness


class HarnessCase(unittest.TestCase):
    model = ""
    env: dict = {}

    def setUp(self) -> None:
        self.harness = Harness(self.model, env=self.env)

    def tearDown(self) -> None:
        try:
            for message, raw in zip(self.harness.messages, self.harness.raw_lines):
                problem = golden.mismatch(message, raw)
                self.assertEqual(problem, "", problem)
        finally:
            self.harness.close()

    def ready(self) -> None:
        message = self.harness.setup()
        self.assertEqual(message["type"], "ready", message)


def decoded(data_url: str) -> str:
    header, _, payload = data_url.partition(",")
    return header + "|" + base64.b64decode(payload).decode()


class IteratorTest(HarnessCase):
    model = "stream"

    def test_items_are_sent_as_produced_and_done_carries_the_list(self) -> None:
        self.ready()
        self.harness.send({"type": "predict", "id": "s1", "input": {"count": 3, "pause": 0.3}})
        first = self.harness.wait_for(lambda m: m["type"] == "output")
        done = self.harness.done("s1")
        items = [m["item"] for m in self.harness.of("s1", "output")]
        self.assertEqual([decoded(i) for i in items], [f"data:text/plain;name=item{i}.txt;base64|item {i}" for i in range(3)])
        self.assertEqual(done["output"], items)
        self.assertGreater(done["_at"] - first["_at"], 0.5, "the first item came before predict() finished")


class StagedFilesTest(HarnessCase):
    """With SPROCKET_OUTPUT_DIR (as `sprocket serve` runs it), files are copied there, not inlined."""
    model = "stream"
    staging = tempfile.mkdtemp(prefix="sprocket-staging-")
    env = {"SPROCKET_OUTPUT_DIR": staging}

    def test_streamed_file_items_are_staged_and_listed_with_their_message(self) -> None:
        self.ready()
        self.harness.send({"type": "predict", "id": "f1", "input": {"count": 2, "pause": 0}})
        done = self.harness.done("f1")
        outputs = self.harness.of("f1", "output")
        for index, message in enumerate(outputs):
            token = message["item"].removeprefix("sprocket-staged:")
            staged = message["files"][token]
            self.assertEqual(os.path.dirname(staged["path"]), self.staging)
            self.assertEqual((staged["name"], staged["content_type"]), (f"item{index}.txt", "text/plain"))
            with open(staged["path"], encoding="utf-8") as handle:
                self.assertEqual(handle.read(), f"item {index}")
        # The final output repeats the items; their files were listed with the items already.
        self.assertEqual(done["output"], [m["item"] for m in outputs])
        self.assertNotIn("files", done)


class AsyncConcurrencyTest(HarnessCase):
    model = "async_pair"

    def test_two_async_predictions_run_at_once_with_their_own_logs_and_metrics(self) -> None:
        self.assertEqual(self.harness.setup()["concurrency"], 2)
        started = time.monotonic()
        self.harness.send({"type": "predict", "id": "a", "input": {"name": "a", "seconds": 0.6, "words": 2}})
        self.harness.send({"type": "predict", "id": "b", "input": {"name": "b", "seconds": 0.6}})
        done_a, done_b = self.harness.done("a"), self.harness.done("b")
        self.assertLess(time.monotonic() - started, 1.1, "the two predictions ran one after the other")
        self.assertEqual(done_a["output"], ["a0", "a1", "a"])
        self.assertEqual([m["item"] for m in self.harness.of("a", "output")], ["a0", "a1", "a"])
        self.assertEqual(done_b["output"], ["b"])
        self.assertEqual(self.harness.logs("a"), "start a\nend a\n")
        self.assertEqual(self.harness.logs("b"), "start b\nend b\n")
        self.assertEqual([(m["name"], m["value"]) for m in self.harness.of("b", "metric")], [("slept", 0.6)])


class SyncCancelTest(HarnessCase):
    model = "sleepy"

    def test_cancel_interrupts_a_sleeping_sync_predict(self) -> None:
        self.ready()
        self.harness.send({"type": "predict", "id": "c1", "input": {"seconds": 30}})
        time.sleep(0.3)
        started = time.monotonic()
        self.harness.send({"type": "cancel", "id": "c1"})
        done = self.harness.done("c1", timeout=5)
        self.assertEqual(done["status"], "canceled")
        self.assertLess(time.monotonic() - started, 2)
        self.assertIn("cleaning up after cancel", self.harness.logs("c1"))
        # The process lives on and serves the next prediction.
        self.assertEqual(self.harness.predict("c2", {"seconds": 0})["output"], "slept")

    def test_a_cancel_that_arrives_before_the_prediction_starts(self) -> None:
        self.ready()
        self.harness.send({"type": "predict", "id": "busy", "input": {"seconds": 0.5}})
        self.harness.send({"type": "predict", "id": "queued", "input": {"seconds": 30}})
        self.harness.send({"type": "cancel", "id": "queued"})
        self.assertEqual(self.harness.done("busy")["status"], "succeeded")
        self.assertEqual(self.harness.done("queued", timeout=3)["status"], "canceled")


class AsyncCancelTest(HarnessCase):
    model = "sleepy_async"

    def test_cancel_cancels_the_task(self) -> None:
        self.ready()
        self.harness.send({"type": "predict", "id": "c1", "input": {"seconds": 30}})
        time.sleep(0.2)
        self.harness.send({"type": "cancel", "id": "c1"})
        self.assertEqual(self.harness.done("c1", timeout=3)["status"], "canceled")
        self.assertEqual(self.harness.predict("c2", {"seconds": 0})["output"], "slept")


class FailureTest(HarnessCase):
    model = "failing"

    def test_exceptions_fail_only_their_prediction(self) -> None:
        self.ready()
        done = self.harness.predict("f1", {"how": "raise"})
        self.assertEqual({k: done[k] for k in ("status", "error", "fault")}, {"status": "failed", "error": "boom", "fault": "model"})
        self.assertIn("Traceback", self.harness.logs("f1"))
        self.assertIn("ValueError: boom", self.harness.logs("f1"))
        self.assertEqual(self.harness.predict("f2", {"how": "empty"})["error"], "KeyboardInterrupt")
        self.assertEqual(self.harness.predict("f3", {"how": "exit"})["error"], "sys.exit(3) was called")
        self.assertIn("NaN", self.harness.predict("f4", {"how": "nan"})["error"])
        self.assertIn("cannot be sent as JSON", self.harness.predict("f5", {"how": "object"})["error"])
        # State kept across predictions, failures included.
        self.assertEqual(self.harness.predict("f6", {"how": "fine"})["output"], "call 6")

    def test_a_missing_required_input_is_an_input_fault(self) -> None:
        self.ready()
        done = self.harness.predict("f1", {})
        self.assertEqual((done["status"], done["fault"], done["error"]), ("failed", "input", "how: field required"))


class SetupFailureTest(HarnessCase):
    model = "setup_fails"

    def test_setup_failed_with_the_message_and_the_traceback_in_the_logs(self) -> None:
        message = self.harness.setup()
        self.assertEqual(message["type"], "setup_failed")
        self.assertEqual(message["error"], "weights not found")
        logs = self.harness.logs(None)
        self.assertTrue(logs.startswith("loading weights\n"), logs)
        self.assertIn("FileNotFoundError: weights not found", logs)


class ImportFailureTest(HarnessCase):
    model = "import_fails"

    def test_an_import_error_fails_setup(self) -> None:
        message = self.harness.setup()
        self.assertEqual(message, {**message, "type": "setup_failed", "error": "No module named 'a_module_that_does_not_exist'"})
        self.assertIn("predict.py", self.harness.logs(None))


class SyncConcurrencyTest(HarnessCase):
    model = "sync_concurrency"

    def test_concurrency_above_one_needs_an_async_predict(self) -> None:
        message = self.harness.setup()
        self.assertEqual(message["type"], "setup_failed")
        self.assertIn("requires an async predict()", message["error"])


class FilesTest(HarnessCase):
    model = "files"

    def test_path_file_and_secret_inputs_and_a_model_output_with_paths(self) -> None:
        self.ready()
        text = "data:text/plain;base64," + base64.b64encode(b"bar").decode()
        done = self.harness.predict("p1", {
            "doc": text, "blob": "data:,raw%20bytes", "key": "s3cret",
            "links": ["data:,a", "data:,b"], "remote": "https://example.com/dir/image.png",
        })
        self.assertEqual(done["status"], "succeeded", done)
        output = done["output"]
        self.assertEqual(list(output), ["text", "file", "extra"])
        self.assertEqual(output["text"], "raw bytes|s3cret|['Path', 'Path']|https://example.com/dir/image.png")
        self.assertEqual(decoded(output["file"]), "data:text/plain;name=out.txt;base64|.txt bar")
        self.assertEqual(output["extra"], [output["file"]])
        # A Secret prints masked.
        self.assertEqual(self.harness.logs("p1"), "key=**********\n")


class RunnerTest(HarnessCase):
    model = "runner"
    env = {"COG_WEIGHTS": "https://example.com/weights.tar"}

    def test_run_py_runner_with_weights_and_metrics(self) -> None:
        self.ready()
        done = self.harness.predict("r1", {"prompt": "hi"})
        self.assertEqual(done["output"], ["hi (https://example.com/weights.tar)"] * 2)
        metrics = [(m["name"], m["value"]) for m in self.harness.of("r1", "metric")]
        self.assertEqual(metrics, [("output_token_count", 2), ("weights_seen", 1)])


class FunctionTest(HarnessCase):
    model = "function"

    def test_a_function_predictor(self) -> None:
        self.ready()
        self.assertEqual(self.harness.predict("f1", {})["output"], "hello baz")
        self.assertEqual(self.harness.predict("f2", {"name": "you"})["output"], "hello you")


class DecoratedTest(HarnessCase):
    model = "decorated"

    def test_cog_concurrent_sets_the_concurrency_and_import_cog_style_works(self) -> None:
        self.assertEqual(self.harness.setup()["concurrency"], 3)
        done = self.harness.predict("d1", {})
        self.assertEqual(done["output"], "HI")
        self.assertEqual([(m["name"], m["value"]) for m in self.harness.of("d1", "metric")], [("calls", 1)])


class RichTest(HarnessCase):
    model = "rich"

    def test_defaults_and_conversions_reach_predict(self) -> None:
        self.ready()
        done = self.harness.predict("r1", {"text": "abc", "delay": 0, "token": "tok"})
        self.assertEqual(done["output"], ["abc|3|0.5|False|fast|1|Secret('**********')|None|None|None|x|0.0", "tok"])


if __name__ == "__main__":
    unittest.main()
