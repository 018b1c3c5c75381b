"""The CI workflow shipped for sites (docs/ci/publish.yml), and publisher's own CI running the same steps."""

from __future__ import annotations

import os
import subprocess
import sys

import yaml

from tests.conftest import REPO


def _load(path: str) -> dict:
    return yaml.safe_load((REPO / path).read_text(encoding="utf-8"))


def _site_steps(steps: list[dict]) -> list[dict]:
    """The steps from the cache restore on (installing differs: a site installs a release)."""
    start = next(i for i, s in enumerate(steps) if s.get("name") == "Restore the build cache")
    return [s for s in steps[start:] if "upload" not in s.get("uses", "")]


def test_site_workflow_checks_builds_with_a_cache_and_publishes():
    flow = _load("docs/ci/publish.yml")
    steps = flow["jobs"]["build"]["steps"]
    runs = [s.get("run", "") for s in steps]
    assert any(r.startswith("pipx install") for r in runs)
    assert runs.index("publisher check --format github") < runs.index("publisher build --format github")
    restore = next(s for s in steps if s.get("uses", "").startswith("actions/cache/restore@"))
    save = next(s for s in steps if s.get("uses", "").startswith("actions/cache/save@"))
    assert restore["with"]["path"].split() == save["with"]["path"].split() == [".publisher-cache", "build"]
    assert restore["with"]["key"] == save["with"]["key"]
    assert "hashFiles('publisher.toml', 'articles/**')" in restore["with"]["key"]
    # an edit changes the key: the newest earlier cache must still be restored
    assert restore["with"]["key"].startswith(restore["with"]["restore-keys"])
    assert steps.index(restore) < runs.index("publisher build --format github") < steps.index(save)
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "build/"
    assert flow["jobs"]["deploy"]["steps"][0]["uses"].startswith("actions/deploy-pages@")


def test_own_ci_runs_the_suite_and_the_site_steps():
    own = _load(".github/workflows/ci.yml")
    assert any(s.get("run") == "bash .ci/run" for s in own["jobs"]["tests"]["steps"])
    assert _site_steps(own["jobs"]["site"]["steps"]) == _site_steps(_load("docs/ci/publish.yml")["jobs"]["build"]["steps"])
    assert {"run": "pipx install .", "name": "Install publisher"} in own["jobs"]["site"]["steps"]


def test_ci_script_runs_the_suite_then_a_clone_without_shared_and_the_built_packages():
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert os.access(REPO / ".ci" / "run", os.X_OK)
    assert "PUBLISHER_NO_SHARED=1" in script and "git clone" in script
    assert "-m build" in script and "for kind in whl tar.gz" in script
    assert subprocess.run(["bash", "-n", str(REPO / ".ci" / "run")], check=False).returncode == 0


def test_ci_finds_the_tests_that_use_shared():
    """.ci/shared_tests.py: the tests .ci/run runs again with no ../shared beside the clone."""
    found = subprocess.run([sys.executable, str(REPO / ".ci" / "shared_tests.py"), "tests"], cwd=REPO,
                           capture_output=True, text=True, check=True).stdout.split()
    assert "tests/test_corpus.py" in found  # a module-level skip mark: the whole file
    assert "tests/sources/test_wire.py::test_sample_article_fields_and_every_paragraph" in found
    assert "tests/incremental/test_stage.py::test_fast_route_agrees_with_a_full_read_on_the_corpus" in found
    assert not any(f.startswith("tests/test_cli.py") for f in found)
