"""--schema mode: the OpenAPI document has Cog's shape (cog.md §1.3, §3.5) and the same skeleton
as the document Sprocket generates for TS predictors."""
import os
import sys
import unittest
from typing import Any, Dict, Iterator, List, Optional, Union

from harness_process import PYTHON_DIR, Harness

sys.path.insert(0, PYTHON_DIR)

import cog  # noqa: E402
from _sprocket.schema_input import input_component, title  # noqa: E402
from _sprocket.schema_output import output_component  # noqa: E402


def schema_of(model: str) -> Dict[str, Any]:
    harness = Harness(model, schema=True)
    try:
        messages = harness.drain()
        assert harness.process.wait(timeout=10) == 0
    finally:
        harness.close()
    return messages[-1]


class RichSchemaTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.message = schema_of("rich")
        cls.doc = cls.message["openapi_schema"]
        cls.schemas = cls.doc["components"]["schemas"]

    def test_the_message(self) -> None:
        self.assertEqual(self.message["type"], "schema")
        self.assertEqual(self.message["predictor"], "predict.py:Predictor")

    def test_input_is_exactly_cogs(self) -> None:
        self.assertEqual(self.schemas["Input"], {
            "title": "Input",
            "type": "object",
            "properties": {
                "text": {"title": "Text", "type": "string", "minLength": 1, "maxLength": 50, "pattern": "^[a-z ]+$", "description": "Some text", "x-order": 0},
                "n": {"title": "N", "type": "integer", "minimum": 1, "maximum": 10, "default": 3, "x-order": 1},
                "temp": {"title": "Temp", "type": "number", "minimum": 0, "maximum": 1, "default": 0.5, "x-order": 2},
                "flag": {"title": "Flag", "type": "boolean", "default": False, "x-order": 3},
                "mode": {"allOf": [{"$ref": "#/components/schemas/mode"}], "default": "fast", "x-order": 4},
                "k": {"allOf": [{"$ref": "#/components/schemas/k"}], "default": 1, "x-order": 5},
                "token": {"title": "Token", "type": "string", "format": "password", "x-cog-secret": True, "x-order": 6},
                "image": {"title": "Image", "type": "string", "format": "uri", "x-order": 7},
                "files": {"title": "Files", "type": "array", "items": {"type": "string", "format": "uri"}, "x-order": 8},
                "maybe": {"title": "Maybe", "type": "string", "nullable": True, "x-order": 9},
                "old": {"title": "Old", "type": "string", "default": "x", "deprecated": True, "x-order": 10},
                "delay": {"title": "Delay", "type": "number", "default": 0.0, "x-order": 11},
            },
            "required": ["text"],
        })
        # pydantic v2 renders ge=1 as 1, not 1.0.
        self.assertIs(type(self.schemas["Input"]["properties"]["n"]["minimum"]), int)

    def test_enum_components(self) -> None:
        self.assertEqual(self.schemas["mode"], {"title": "mode", "description": "An enumeration.", "enum": ["fast", "slow"], "type": "string"})
        self.assertEqual(self.schemas["k"], {"title": "k", "description": "An enumeration.", "enum": [1, 2, 4], "type": "integer"})

    def test_output_is_a_concatenate_iterator(self) -> None:
        self.assertEqual(self.schemas["Output"], {
            "title": "Output", "type": "array", "items": {"type": "string"},
            "x-cog-array-type": "iterator", "x-cog-array-display": "concatenate",
        })

    def test_document_skeleton_matches_cogs_and_the_ts_one(self) -> None:
        self.assertEqual(self.doc["openapi"], "3.0.2")
        self.assertEqual(self.doc["info"], {"title": "Cog", "version": "0.1.0"})
        operations = [f"{method} {path} {op['operationId']}" for path, methods in self.doc["paths"].items() for method, op in methods.items()]
        self.assertEqual(operations, [
            "get / root__get",
            "get /health-check healthcheck_health_check_get",
            "post /predictions predict_predictions_post",
            "put /predictions/{prediction_id} predict_idempotent_predictions__prediction_id__put",
            "post /predictions/{prediction_id}/cancel cancel_predictions__prediction_id__cancel_post",
            "post /shutdown start_shutdown_shutdown_post",
        ])
        self.assertEqual(list(self.schemas), ["Input", "Output", "PredictionRequest", "PredictionResponse", "Status",
                                              "WebhookEvent", "HTTPValidationError", "ValidationError", "mode", "k"])
        self.assertEqual(self.schemas["Status"]["enum"], ["starting", "processing", "succeeded", "canceled", "failed"])
        self.assertEqual(self.schemas["PredictionRequest"]["properties"]["webhook_events_filter"]["default"], ["start", "output", "logs", "completed"])
        self.assertEqual(self.schemas["ValidationError"]["required"], ["loc", "msg", "type"])

    def test_every_ref_resolves(self) -> None:
        def refs(node: Any) -> List[str]:
            if isinstance(node, dict):
                return [v for k, v in node.items() if k == "$ref"] + [r for v in node.values() for r in refs(v)]
            return [r for v in node for r in refs(v)] if isinstance(node, list) else []

        for ref in refs(self.doc):
            node: Any = self.doc
            for part in ref[2:].split("/"):
                node = node[part]


class SchemaFailureTest(unittest.TestCase):
    def test_an_import_error_is_a_setup_failure_with_the_traceback_in_the_logs(self) -> None:
        message = schema_of("import_fails")
        self.assertEqual(message["type"], "setup_failed")
        self.assertEqual(message["error"], "No module named 'a_module_that_does_not_exist'")

    def test_setup_does_not_run_in_schema_mode(self) -> None:
        message = schema_of("setup_fails")
        self.assertEqual(message["type"], "schema")

    def test_newer_run_py_runner_and_function_predictors(self) -> None:
        runner = schema_of("runner")
        self.assertEqual(runner["predictor"], "run.py:Runner")
        schemas = runner["openapi_schema"]["components"]["schemas"]
        self.assertEqual(schemas["Input"]["properties"]["prompt"], {"title": "Prompt", "type": "string", "description": "The prompt", "x-order": 0})
        self.assertEqual(schemas["Output"], {"title": "Output", "type": "array", "items": {"type": "string"}})
        function = schema_of("function")["openapi_schema"]["components"]["schemas"]
        self.assertEqual(function["Input"]["properties"]["name"], {"title": "Name", "type": "string", "default": "baz", "x-order": 0})
        self.assertNotIn("required", function["Input"])


class Output(cog.BaseModel):
    file_url: cog.Path
    n_tokens: int
    tags: List[str]
    note: str = "none"


class Other(cog.BaseModel):
    score: float


class OutputShapesTest(unittest.TestCase):
    def output(self, fn: Any) -> Dict[str, Any]:
        components: Dict[str, Any] = {}
        return {"Output": output_component(fn, components), **components}

    def test_a_model_named_output_is_inlined(self) -> None:
        def predict() -> Output: ...
        self.assertEqual(self.output(predict), {"Output": {
            "title": "Output", "type": "object",
            "properties": {
                "file_url": {"title": "File Url", "type": "string", "format": "uri"},
                "n_tokens": {"title": "N Tokens", "type": "integer"},
                "tags": {"title": "Tags", "type": "array", "items": {"type": "string"}},
                "note": {"title": "Note", "type": "string", "default": "none"},
            },
            "required": ["file_url", "n_tokens", "tags"],
        }})

    def test_another_model_is_a_ref_and_optional_unions_are_nullable(self) -> None:
        def predict() -> Union[Other, Optional[str]]: ...
        self.assertEqual(self.output(predict), {
            "Output": {"title": "Output", "anyOf": [{"$ref": "#/components/schemas/Other"}, {"type": "string"}], "nullable": True},
            "Other": {"title": "Other", "type": "object", "properties": {"score": {"title": "Score", "type": "number"}}, "required": ["score"]},
        })

    def test_primitives_lists_paths_and_iterators(self) -> None:
        def a() -> str: ...
        def b() -> List[cog.Path]: ...
        def c() -> Iterator[cog.Path]: ...
        def d() -> cog.AsyncConcatenateIterator[str]: ...
        def e(): ...
        self.assertEqual(self.output(a)["Output"], {"title": "Output", "type": "string"})
        self.assertEqual(self.output(b)["Output"], {"title": "Output", "type": "array", "items": {"type": "string", "format": "uri"}})
        self.assertEqual(self.output(c)["Output"], {"title": "Output", "type": "array", "items": {"type": "string", "format": "uri"}, "x-cog-array-type": "iterator"})
        self.assertEqual(self.output(d)["Output"], {"title": "Output", "type": "array", "items": {"type": "string"}, "x-cog-array-type": "iterator", "x-cog-array-display": "concatenate"})
        self.assertEqual(self.output(e)["Output"], {"title": "Output"})


class InputShapesTest(unittest.TestCase):
    def test_titles_follow_pythons_str_title(self) -> None:
        self.assertEqual([title(n) for n in ["no_default", "n", "image_URL", "x2y"]], ["No Default", "N", "Image Url", "X2Y"])

    def test_literal_union_and_optional_path(self) -> None:
        from typing import Literal

        def predict(self, text: Literal["foo", "bar"], many: Union[int, List[int]], p: Optional[cog.Path] = None, **kwargs: Any) -> str: ...
        component, enums = input_component(predict.__get__(object()))
        self.assertEqual(component["properties"], {
            "text": {"allOf": [{"$ref": "#/components/schemas/text"}], "x-order": 0},
            "many": {"title": "Many", "anyOf": [{"type": "integer"}, {"type": "array", "items": {"type": "integer"}}], "x-order": 1},
            "p": {"title": "P", "type": "string", "format": "uri", "nullable": True, "x-order": 2},
        })
        self.assertEqual(component["required"], ["text", "many"])
        self.assertEqual(enums["text"]["enum"], ["foo", "bar"])

    def test_what_cog_refuses(self) -> None:
        def untyped(x): ...
        def model_input(x: Other): ...
        def star_args(*xs: int): ...
        for fn, message in [(untyped, "No input type provided"), (model_input, "does not accept"), (star_args, "\\*xs")]:
            with self.assertRaisesRegex(TypeError, message):
                input_component(fn)


if __name__ == "__main__":
    unittest.main()
