"""Packaging: every data file the packages read is declared as package data.

A normal (non-editable) install used to leave out ``receptors.csv`` and the
catalogue's modulation tables (``import celltypes`` failed). The wheel itself is
built, installed and used by ``.ci/wheel_check`` in CI; this test catches an
undeclared file in a second.
"""

import configparser
import fnmatch
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.codegen_independent


def declared():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    out = {}
    for package, patterns in cfg["options.package_data"].items():
        out[package] = [p.strip() for p in patterns.replace("\n", ",").split(",") if p.strip()]
    return out


def data_files():
    for top in ("compartments", "celltypes"):
        for path in (ROOT / top).rglob("*"):
            if path.is_file() and path.suffix not in (".py", ".pyc") \
                    and "__pycache__" not in path.parts:
                yield path


def test_every_data_file_is_package_data():
    patterns = declared()
    missing = []
    for path in data_files():
        rel = path.relative_to(ROOT)
        covered = False
        for package, globs in patterns.items():
            base = pathlib.Path(*package.split("."))
            if base in rel.parents:
                inner = rel.relative_to(base).as_posix()
                covered |= any(fnmatch.fnmatch(inner, g) for g in globs)
        if not covered:
            missing.append(rel.as_posix())
    assert not missing, f"not in setup.cfg [options.package_data]: {missing}"


def test_the_ci_checks_a_wheel_install():
    run = (ROOT / ".ci" / "run").read_text()
    assert "wheel_check" in run
    check = (ROOT / ".ci" / "wheel_check").read_text()
    assert "pip wheel" in check and "--target" in check
