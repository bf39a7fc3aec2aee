"""environment.yml and pyproject.toml must list the same dependencies."""

import re
import tomllib

import yaml

from conftest import REPO

# conda-forge names that differ from PyPI's
CONDA_TO_PYPI = {"python-kaleido": "kaleido", "python-duckdb": "duckdb"}


def _name(req: str) -> str:
    return re.split(r"[<>=!~\[ ;]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _spec(req: str) -> str:
    return req.strip()[len(_name(req)):].strip().replace(" ", "")


def test_environment_yml_matches_pyproject():
    py = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pyproject = {_name(r): _spec(r) for r in py["dependencies"]}
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    conda, pip = {}, []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip.extend(dep.get("pip", []))
            continue
        name = _name(dep)
        if name in ("python", "pip"):
            continue
        conda[CONDA_TO_PYPI.get(name, name)] = _spec(dep)
    pip_reqs = {_name(r): _spec(r) for r in pip if not r.startswith("-e")}
    listed = {**conda, **pip_reqs}
    only_env = sorted(set(listed) - set(pyproject))
    only_py = sorted(set(pyproject) - set(listed))
    pins = sorted(k for k in listed.keys() & pyproject.keys() if listed[k] != pyproject[k])
    assert listed == pyproject, (
        f"environment.yml and pyproject.toml disagree: only in environment.yml {only_env}, "
        f"only in pyproject {only_py}, different pins {pins}"
    )
    assert any(r.startswith("-e .[dev]") for r in pip), "environment.yml must pip-install -e .[dev]"
    assert py["requires-python"] == ">=3.11"
