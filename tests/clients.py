"""Where the tests find the real clients that are not Python packages: npm tools (Ace by DAISY,
rss-parser, feedsmith) installed by .ci/run into a cache folder outside the repository."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

#: The npm prefix .ci/run installs into; PUBLISHER_TOOLS overrides it.
TOOLS = Path(os.environ.get("PUBLISHER_TOOLS") or Path.home() / ".cache" / "publisher-tools")
NODE_MODULES = TOOLS / "node_modules"


def npm_package(name: str) -> str | None:
    """Why ``name`` cannot be used (None when it can): node missing, or the package not installed."""
    if shutil.which("node") is None:
        return "node is not installed (Debian: apt-get install nodejs npm)"
    if not (NODE_MODULES / name / "package.json").is_file():
        return f"npm package {name} is not installed under {TOOLS} (.ci/run installs it)"
    return None


def node_env() -> dict[str, str]:
    """The environment for node scripts and the Ace CLI: its modules, and Debian's chromium."""
    env = {**os.environ, "NODE_PATH": str(NODE_MODULES), "PUPPETEER_SKIP_DOWNLOAD": "1"}
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium:
        env["PUPPETEER_EXECUTABLE_PATH"] = chromium
    return env
