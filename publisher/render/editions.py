"""Which books to make: the editions declared in the config, each a selection of articles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from publisher.errors import Reporter

if TYPE_CHECKING:
    from publisher.config import Config
    from publisher.model import ArticleView


@dataclass(frozen=True)
class EditionSpec:
    """One ``[[editions]]`` table of publisher.toml."""

    kind: str = "archive"  # "archive": every article in one book


def parse_editions(raw: Any, where: str, report: Reporter) -> tuple[EditionSpec, ...]:
    """Validate the ``editions`` array of tables; problems go to ``report``."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        report.error(where, "editions must be an array of tables ([[editions]])")
        return ()
    specs = []
    for n, table in enumerate(raw, start=1):
        kind = table.get("kind", "archive")
        if kind != "archive":
            report.error(where, f"editions #{n}: unknown kind {kind!r}; known: archive")
            continue
        for key in sorted(set(table) - {"kind"}):
            report.warn(where, f"editions #{n}: unknown key {key!r} ignored")
        specs.append(EditionSpec(kind))
    return tuple(specs)


def render_editions(config: Config, views: list[ArticleView], media: dict[str, bytes]) -> dict[str, bytes]:
    """Every configured edition as output path -> EPUB bytes; by default the archive edition."""
    from publisher.render.epub import render_epub

    specs = config.editions or (EditionSpec(),)
    files = {}
    for spec in specs:
        if spec.kind == "archive" and views:
            files[f"{config.epub_name}.epub"] = render_epub(config, views, media, edition="archive")
    return files
