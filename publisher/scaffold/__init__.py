"""New sites and new articles: ``publisher init`` (a commented config made from the Config
dataclass, an example article, .gitignore, the CI workflow) and ``publisher new`` (article.py)."""

from __future__ import annotations

import ast
import datetime as dt
import inspect
import json
import os
from dataclasses import MISSING, fields
from importlib import resources
from pathlib import Path

from publisher import config as config_module
from publisher.config import _SITE_KEYS, CONFIG_NAME, Config
from publisher.errors import PublisherError

__all__ = ["config_text", "init_site", "site_keys"]


def _template(name: str) -> str:
    return resources.files("publisher.scaffold").joinpath("templates", name).read_text(encoding="utf-8")


def _comments() -> dict[str, list[str]]:
    """Each Config field's ``#:`` comment lines, read from the class's source (so the written
    config says what the code says, and never goes stale)."""
    source = inspect.getsource(config_module)
    lines = source.splitlines()
    tree = ast.parse(source)
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == Config.__name__)
    found: dict[str, list[str]] = {}
    for node in cls.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            above: list[str] = []
            n = node.lineno - 2  # the line above, 0-based
            while n >= 0 and lines[n].strip().startswith("#:"):
                above.insert(0, lines[n].strip()[2:].strip())
                n -= 1
            found[node.target.id] = above
    return found


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    raise TypeError(f"no TOML for {value!r}")


def site_keys() -> list[str]:
    """The keys of ``[site]``, in the order Config declares them."""
    return [f.name for f in fields(Config) if f.name in _SITE_KEYS]


def config_text(title: str = "") -> str:
    """A publisher.toml listing every ``[site]`` key with its default (commented out) and its
    meaning; ``title`` (if given) is set."""
    comments = _comments()
    out = [
        "# publisher.toml: the site's settings. Every key is optional; each is shown with its",
        "# default, commented out. Paths are relative to this file.",
        "",
        "[site]",
    ]
    for f in fields(Config):
        if f.name not in _SITE_KEYS:
            continue
        default = f.default if f.default is not MISSING else f.default_factory()  # type: ignore[misc]
        out.append("")
        out += [f"# {line}" if line else "#" for line in comments.get(f.name) or [f.name]]
        if f.name == "base_url":
            out.append("# Set this first: until then every URL is under the default, and each build warns.")
        if f.name == "title" and title:
            out.append(f"title = {_toml(title)}")
        else:
            out.append(f"# {f.name} = {_toml(default)}")
    return "\n".join(out) + "\n" + _template("config-tail.toml")


def init_site(folder: Path, today: dt.date | None = None) -> list[Path]:
    """Write a new site into ``folder`` (made if missing) and return the files written. Refuses,
    writing nothing, when any of them exists already."""
    today = today or dt.datetime.now(dt.UTC).date()
    title = folder.resolve().name.replace("-", " ").replace("_", " ").strip().title() or "My Site"
    files = {
        CONFIG_NAME: config_text(title),
        f"articles/{today.isoformat()}-welcome.md": _template("example.md").replace(
            "{author}", Config.author).replace("{date}", today.isoformat()),
        ".gitignore": _template("gitignore"),
        ".github/workflows/publish.yml": _template("publish.yml"),
    }
    if folder.exists() and not folder.is_dir():
        raise PublisherError("is a file; give a folder for the new site", folder)
    existing = [name for name in files if os.path.lexists(folder / name)]
    if existing:
        raise PublisherError("already exists; nothing was written (init never overwrites a file: "
                             "move it away, or run init in an empty folder)", folder / existing[0])
    written = []
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        written.append(path)
    return written
