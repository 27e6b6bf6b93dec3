"""The `errors` extension has one shape everywhere: `check_problem` (which every service's `running_app` client and
bad-input table applies to each problem answer) and the OpenAPI `Problem` schema agree on it."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator
from linkwork_runtime.openapi import problem_schema
from linkwork_runtime.testing import ERROR_KEYS, check_problem

pytestmark = pytest.mark.unit

GOOD = {"type": "/problems/invalid-request", "title": "Invalid request", "status": 422, "errors": []}
ONE = {"field": "needs", "rule": "required", "message": "needs are required"}


def test_the_one_shape_passes_and_others_do_not() -> None:
    check_problem({**GOOD, "errors": [ONE]})
    check_problem({"type": "about:blank", "title": "Not Found", "status": 404})  # no errors at all: fine
    for wrong in (["postcode 'LS1 1AA' is not in the postcode table"], [{**ONE, "value": "x"}], [{"field": "a"}], {}):
        with pytest.raises(AssertionError):
            check_problem({**GOOD, "errors": wrong})


def test_the_openapi_problem_schema_declares_the_same_shape() -> None:
    items = problem_schema()["properties"]["errors"]["items"]
    assert set(items["required"]) == set(items["properties"]) == ERROR_KEYS
    validator = Draft202012Validator(problem_schema())
    assert list(validator.iter_errors({**GOOD, "errors": [ONE]})) == []
    assert list(validator.iter_errors({**GOOD, "errors": [{**ONE, "value": "x"}]})) != []
    assert list(validator.iter_errors({**GOOD, "errors": ["a string"]})) != []
