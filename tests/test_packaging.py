"""pyproject.toml: metadata that installs without setuptools deprecation warnings."""

import re
import tomllib

from conftest import REPO


def _pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())


def test_license_is_an_spdx_string_with_a_setuptools_that_reads_it():
    # a `license = {text = ...}` table makes setuptools >= 77 print a deprecation block on
    # every `make env`; the SPDX string is read by setuptools >= 77 only, so require that
    meta = _pyproject()
    assert meta["project"]["license"] == "MIT"
    assert not any(c.startswith("License ::") for c in meta["project"].get("classifiers", []))
    reqs = meta["build-system"]["requires"]
    st = [r for r in reqs if re.match(r"setuptools\b", r)]
    assert len(st) == 1, reqs
    m = re.fullmatch(r"setuptools\s*>=\s*(\d+)(\.\d+)*", st[0].strip())
    assert m and int(m.group(1)) >= 77, st[0]
