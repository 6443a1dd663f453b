"""The committed widget bundle is what a fresh esbuild build of service/widget/src produces, and small."""

from __future__ import annotations

import gzip
import shutil
import subprocess

import pytest

from tests.conftest import ROOT

WIDGET = ROOT / "service" / "widget"
BUNDLE = ROOT / "service" / "static" / "widget.js"


def test_bundle_is_small():
    assert len(gzip.compress(BUNDLE.read_bytes())) <= 40 * 1024


def test_committed_bundle_matches_a_fresh_build():
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is needed to rebuild the widget bundle (Node.js 20+)")
    if not (WIDGET / "node_modules" / "esbuild").exists():
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=WIDGET, check=True, timeout=300, capture_output=True
        )
    out = subprocess.run(
        ["node", "build.mjs", "--check"], cwd=WIDGET, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
