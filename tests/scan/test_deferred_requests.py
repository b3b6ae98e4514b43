"""detect-secrets imported with ``requests`` deferred: nothing imported that is not used,
everything used still the real thing. Each case runs in a fresh interpreter, where
neither is imported yet."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from tests.scan.corpus import secrets


def _run(code: str) -> dict[str, object]:
    run = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    answer: dict[str, object] = json.loads(run.stdout.splitlines()[-1])
    return answer


def test_the_plugins_load_without_requests_and_the_scan_is_unchanged() -> None:
    key = secrets()["aws_key_id"][0]
    answer = _run(
        f"""
        import json, sys
        from releasekit.scan import ScanSettings, scan_files
        from releasekit.scan.engine import plugin_classes

        classes = plugin_classes()
        loaded = "requests" in sys.modules
        settings = ScanSettings.default()
        found = scan_files([("a.js", b"const k = '{key}';\\n")], settings.plan, 1)
        print(json.dumps({{
            "plugins": sorted(c.secret_type for c in classes.values()),
            "requests_loaded": loaded,
            "requests_after_scan": "requests" in sys.modules,
            "found": [f.type for f in found],
        }}))
        """
    )
    on_its_own = _run(  # every plugin detect-secrets loads on its own
        """
        import json
        from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

        print(json.dumps({"plugins": sorted(get_mapping_from_secret_type_to_class())}))
        """
    )
    assert answer["plugins"] == on_its_own["plugins"]
    assert answer["requests_loaded"] is False
    assert answer["requests_after_scan"] is False
    assert answer["found"] == ["AWS Access Key"]


def test_a_use_of_requests_gets_the_real_module() -> None:
    answer = _run(
        """
        import json, sys
        from releasekit.scan.engine import plugin_classes
        from releasekit.scan.deferred_requests import UnimportedResponse

        plugin_classes()
        from detect_secrets.plugins import base, ibm_cloud_iam

        annotation = ibm_cloud_iam.verify_cloud_iam_api_key.__annotations__["return"]
        get = base.requests.get  # what a verification would call: imports requests now
        import requests

        print(json.dumps({
            "annotation_is_placeholder": annotation is UnimportedResponse,
            "get_is_real": get is requests.get,
            "response_is_real": base.requests.Response is requests.Response,
            "exceptions_real": base.requests.exceptions is requests.exceptions,
            "real_in_sys_modules": type(sys.modules["requests"]).__name__ == "module",
        }))
        """
    )
    assert answer == {
        "annotation_is_placeholder": True,
        "get_is_real": True,
        "response_is_real": True,
        "exceptions_real": True,
        "real_in_sys_modules": True,
    }


def test_requests_imported_first_is_used_as_it_is() -> None:
    answer = _run(
        """
        import json
        import requests
        from releasekit.scan.engine import plugin_classes

        plugin_classes()
        from detect_secrets.plugins import base, ibm_cloud_iam

        print(json.dumps({
            "same_module": base.requests is requests,
            "annotation_real": ibm_cloud_iam.verify_cloud_iam_api_key.__annotations__["return"]
            is requests.Response,
        }))
        """
    )
    assert answer == {"same_module": True, "annotation_real": True}
