"""The whole OpenAPI document of a Python predictor, in the shape of Cog's and of Sprocket's TS
predictors (src/sdk/openapi-schema.ts): same header, paths and component order."""
from __future__ import annotations

from typing import Any, Dict

from .loader import Predictor
from .openapi_fixed import cog_paths, fixed_components
from .schema_input import input_component
from .schema_output import output_component


def build_openapi_schema(predictor: Predictor) -> Dict[str, Any]:
    input_schema, enums = input_component(predictor.entry)
    models: Dict[str, Any] = {}
    output_schema = output_component(predictor.entry, models)
    clash = sorted(set(models) & (set(enums) | set(fixed_components()) | {"Input", "Output"}))
    if clash:
        raise TypeError(f"output model name(s) {', '.join(clash)} clash with other schema components; rename the class")
    return {
        "openapi": "3.0.2",
        "info": {"title": "Cog", "version": "0.1.0"},
        "paths": cog_paths(),
        "components": {
            "schemas": {"Input": input_schema, "Output": output_schema, **fixed_components(), **enums, **models},
        },
    }
