"""The harness speaks the worker⇄runner protocol exactly: golden shapes, compact lines, setup,
a hello-world prediction, log attribution, exit on shutdown and on EOF."""
import unittest
from unittest import mock

import golden
from harness_process import Harness


class ProtocolTest(unittest.TestCase):
    def setUp(self) -> None:
        self.harness = Harness("hello")

    def tearDown(self) -> None:
        self.harness.close()

    def assert_all_golden(self) -> None:
        for message, raw in zip(self.harness.messages, self.harness.raw_lines):
            problem = golden.mismatch(message, raw)
            self.assertEqual(problem, "", problem)

    def test_the_golden_commands_drive_a_prediction(self) -> None:
        commands = golden.load("worker-to-runner.jsonl")
        self.assertEqual([c["type"] for c in commands], ["setup", "predict", "cancel", "shutdown"])
        self.assertEqual(self.harness.setup(), {"type": "ready", "concurrency": 1, "setup_time": mock.ANY, "_at": mock.ANY, "_taken": True})
        predict = commands[1]
        self.harness.send(predict)
        done = self.harness.done(predict["id"])
        self.assertEqual(done["status"], "succeeded")
        self.assertEqual(done["output"], "hello, Ada!")
        self.harness.send(commands[2])  # cancel of a finished prediction: ignored
        self.harness.send(commands[3])
        self.harness.drain()
        self.assertEqual(self.harness.process.wait(timeout=5), 0)
        self.assert_all_golden()

    def test_logs_are_attributed_to_the_prediction_that_printed_them(self) -> None:
        self.harness.setup()
        done = self.harness.predict("p1", {"name": "Grace"})
        self.assertEqual(done["output"], "hello, Grace!")
        self.assertEqual(self.harness.logs(None), "importing hello\nsetting up\n")
        self.assertEqual(self.harness.logs("p1"), "greeting Grace\nto stderr\nWARNING:root:a log record\n")
        # Every log line of the prediction arrives before its done.
        last_log = max(i for i, m in enumerate(self.harness.messages) if m["type"] == "log")
        self.assertLess(last_log, self.harness.messages.index(done))
        self.assert_all_golden()

    def test_a_missing_default_none_input_is_filled_and_unknown_inputs_dropped(self) -> None:
        self.harness.setup()
        self.assertEqual(self.harness.predict("p1", {})["output"], "hello, world!")
        self.assertEqual(self.harness.predict("p2", {"name": "Ada", "punctuation": "?", "extra": 1})["output"], "hello, Ada?")

    def test_predict_before_setup_is_a_system_failure(self) -> None:
        done = self.harness.predict("early", {})
        self.assertEqual((done["status"], done["fault"]), ("failed", "system"))
        self.assert_all_golden()

    def test_a_malformed_command_is_logged_and_ignored(self) -> None:
        self.harness.process.stdin.write(b"this is not json\n")
        self.harness.process.stdin.flush()
        log = self.harness.wait_for(lambda m: m["type"] == "log" and "malformed" in m["data"])
        self.assertIn("this is not json", log["data"])
        self.assertEqual(self.harness.setup()["type"], "ready")

    def test_eof_on_stdin_ends_the_process(self) -> None:
        self.harness.setup()
        self.harness.process.stdin.close()
        self.assertEqual(self.harness.process.wait(timeout=5), 0)


if __name__ == "__main__":
    unittest.main()
