"""The parts of a Cog OpenAPI document that do not depend on the predictor (cog.md §1.3): the
paths with FastAPI's operationIds and titles, and the request/response components. A copy of
src/sdk/cog-paths.ts and cog-components.ts, so Python and TS models get the same document.
Built fresh per call: callers may mutate the result.
"""
from __future__ import annotations

from typing import Any, Dict

Json = Dict[str, Any]


def _ref(name: str) -> Json:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: Json) -> Json:
    return {"application/json": {"schema": schema}}


def _untyped_ok(title: str) -> Json:
    # FastAPI titles an unannotated handler's response "Response <Summary> <Path words> <Method>".
    return {"200": {"description": "Successful Response", "content": _json({"title": title})}}


def _prediction_responses() -> Json:
    return {
        "200": {"description": "Successful Response", "content": _json(_ref("PredictionResponse"))},
        "422": {"description": "Validation Error", "content": _json(_ref("HTTPValidationError"))},
    }


def _prefer_header() -> Json:
    return {"in": "header", "name": "prefer", "required": False, "schema": {"title": "Prefer", "type": "string"}}


def _prediction_id_param() -> Json:
    return {"in": "path", "name": "prediction_id", "required": True, "schema": {"title": "Prediction ID", "type": "string"}}


def cog_paths() -> Json:
    return {
        "/": {"get": {"summary": "Root", "operationId": "root__get", "responses": _untyped_ok("Response Root  Get")}},
        "/health-check": {
            "get": {
                "summary": "Healthcheck",
                "operationId": "healthcheck_health_check_get",
                "responses": _untyped_ok("Response Healthcheck Health Check Get"),
            }
        },
        "/predictions": {
            "post": {
                "summary": "Predict",
                "description": "Run a single prediction on the model",
                "operationId": "predict_predictions_post",
                "parameters": [_prefer_header()],
                "requestBody": {"content": _json(_ref("PredictionRequest"))},
                "responses": _prediction_responses(),
            }
        },
        "/predictions/{prediction_id}": {
            "put": {
                "summary": "Predict Idempotent",
                "description": "Run a single prediction on the model (idempotent creation).",
                "operationId": "predict_idempotent_predictions__prediction_id__put",
                "parameters": [_prediction_id_param(), _prefer_header()],
                "requestBody": {
                    "required": True,
                    "content": _json({"title": "Prediction Request", "allOf": [_ref("PredictionRequest")]}),
                },
                "responses": _prediction_responses(),
            }
        },
        "/predictions/{prediction_id}/cancel": {
            "post": {
                "summary": "Cancel",
                "description": "Cancel a running prediction",
                "operationId": "cancel_predictions__prediction_id__cancel_post",
                "parameters": [_prediction_id_param()],
                "responses": {
                    **_untyped_ok("Response Cancel Predictions  Prediction Id  Cancel Post"),
                    "422": {"description": "Validation Error", "content": _json(_ref("HTTPValidationError"))},
                },
            }
        },
        "/shutdown": {
            "post": {
                "summary": "Start Shutdown",
                "operationId": "start_shutdown_shutdown_post",
                "responses": _untyped_ok("Response Start Shutdown Shutdown Post"),
            }
        },
    }


def _date_time(title: str) -> Json:
    return {"title": title, "type": "string", "format": "date-time"}


def fixed_components() -> Json:
    """PredictionRequest … ValidationError, in the order the TS document lists them."""
    events = ["start", "output", "logs", "completed"]
    return {
        "PredictionRequest": {
            "title": "PredictionRequest",
            "type": "object",
            "properties": {
                "input": _ref("Input"),
                "id": {"title": "Id", "type": "string"},
                "created_at": _date_time("Created At"),
                "context": {"title": "Context", "type": "object", "additionalProperties": {"type": "string"}},
                "output_file_prefix": {"title": "Output File Prefix", "type": "string"},
                "webhook": {"title": "Webhook", "type": "string", "format": "uri", "minLength": 1, "maxLength": 65536},
                "webhook_events_filter": {"type": "array", "items": _ref("WebhookEvent"), "default": list(events)},
            },
        },
        "PredictionResponse": {
            "title": "PredictionResponse",
            "type": "object",
            "properties": {
                "input": _ref("Input"),
                "output": _ref("Output"),
                "id": {"title": "Id", "type": "string"},
                "version": {"title": "Version", "type": "string"},
                "created_at": _date_time("Created At"),
                "started_at": _date_time("Started At"),
                "completed_at": _date_time("Completed At"),
                "logs": {"title": "Logs", "type": "string", "default": ""},
                "error": {"title": "Error", "type": "string"},
                "status": _ref("Status"),
                "metrics": {"title": "Metrics", "type": "object"},
            },
        },
        "Status": {
            "title": "Status",
            "enum": ["starting", "processing", "succeeded", "canceled", "failed"],
            "type": "string",
            "description": "An enumeration.",
        },
        "WebhookEvent": {"title": "WebhookEvent", "enum": list(events), "type": "string", "description": "An enumeration."},
        # FastAPI's standard 422 body.
        "HTTPValidationError": {
            "title": "HTTPValidationError",
            "type": "object",
            "properties": {"detail": {"title": "Detail", "type": "array", "items": _ref("ValidationError")}},
        },
        "ValidationError": {
            "title": "ValidationError",
            "type": "object",
            "required": ["loc", "msg", "type"],
            "properties": {
                "loc": {"title": "Location", "type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
                "msg": {"title": "Message", "type": "string"},
                "type": {"title": "Error Type", "type": "string"},
            },
        },
    }
