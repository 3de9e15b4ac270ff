"""Set-up files agree with each other: pyproject.toml, environment.yml, the Makefile."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
#: conda-forge names that differ from PyPI's.
CONDA_NAMES = {"python-duckdb": "duckdb"}


def _split(requirement: str) -> tuple[str, str]:
    requirement = requirement.replace(" ", "")
    name = re.match(r"[A-Za-z0-9_.\-]+(\[[^\]]+\])?", requirement).group(0)
    spec = requirement[len(name) :]
    name = re.sub(r"\[.*\]", "", name).lower().replace("_", "-")
    return CONDA_NAMES.get(name, name), spec


def test_environment_yml_names_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = dict(_split(r) for r in project["dependencies"])
    wanted |= dict(_split(r) for r in project["optional-dependencies"]["test"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "conda-forge" in env["channels"]
    listed = [d for d in env["dependencies"] if isinstance(d, str)]
    assert "pip" in listed
    got = dict(_split(d) for d in listed if not d.startswith(("python>", "python=", "pip")))
    assert got == wanted


def test_makefile_stamps_are_keyed_to_pyproject():
    makefile = (ROOT / "Makefile").read_text()
    assert "pyproject.toml" in makefile.split("HASH")[1].splitlines()[0]
    assert re.search(r"^\$\(TEST_STAMP\): pyproject.toml", makefile, re.M)
    assert re.search(r"^test: \$\(TEST_STAMP\)", makefile, re.M)
    assert re.search(r"^lab: \$\(RUNTIME_STAMP\)", makefile, re.M)


def test_ci_runs_make_test():
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_readme_shows_the_two_commands_first():
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("```")[1]
    assert "make lab" in first_block and "make test" in first_block
