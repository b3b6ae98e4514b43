"""The exception tree of releasekit.errors: drawn in its docstring, codes on classes only."""

from __future__ import annotations

import inspect
import re

import releasekit.errors as errors
from releasekit.errors import ExitCode, ReleasekitError


def _error_classes() -> list[type[ReleasekitError]]:
    return [c for c in vars(errors).values() if inspect.isclass(c) and issubclass(c, ReleasekitError)]


def test_exit_codes_are_the_documented_ones() -> None:
    assert {c.name: int(c) for c in ExitCode} == {
        "OK": 0,
        "REFUSED": 1,
        "USAGE": 2,
        "INTERNAL": 3,
        "NO_POLICIES": 4,
        "TIMED_OUT": 124,
        "INTERRUPTED": 130,
    }


def test_every_error_is_drawn_in_the_module_docstring_and_exported() -> None:
    doc = errors.__doc__ or ""
    for cls in _error_classes():
        assert re.search(rf"(── |^    ){cls.__name__}\b", doc, re.MULTILINE), cls.__name__
        assert cls.__name__ in errors.__all__


def test_codes_belong_to_classes_not_instances() -> None:
    """No constructor sets exit_code/error_code: an instance means what its class says."""
    for cls in _error_classes():
        params = inspect.signature(cls).parameters
        extra = {"result": None, "cause": errors.OtpRequired("otp")}
        instance = cls("m", **{name: value for name, value in extra.items() if name in params})
        assert "exit_code" not in vars(instance) and "error_code" not in vars(instance), cls.__name__
        assert isinstance(cls.exit_code, ExitCode) and cls.error_code


def test_a_bad_input_file_on_publish_is_a_usage_error_yet_still_a_stage_gate_failure() -> None:
    assert issubclass(errors.StageInputInvalid, errors.StageGateFailed)
    assert errors.StageInputInvalid.exit_code == ExitCode.USAGE and errors.StageGateFailed.exit_code == 1
    assert issubclass(errors.Declined, errors.UsageError) and issubclass(
        errors.FixtureError, errors.RefusedError
    )
