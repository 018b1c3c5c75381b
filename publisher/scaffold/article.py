"""``publisher new``: a new article file, front matter filled in, laid out as the site's articles are."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path

from publisher import paths, sources
from publisher.config import Config
from publisher.errors import PublisherError
from publisher.slugs import slug_or_hash

#: Where an article goes, by how the site's existing articles are laid out: (template, pattern
#: matching an existing article's path relative to articles_dir). First match wins per file; the
#: layout most files follow is used. None found: the first.
LAYOUTS = (
    ("{y}-{m}-{d}-{slug}", re.compile(r"\d{4}-\d{2}-\d{2}-[^/]+")),
    ("{y}/{m}/{d}/{slug}", re.compile(r"\d{4}/\d{2}/\d{2}/[^/]+")),
    ("{y}/{m}/{d}-{slug}", re.compile(r"\d{4}/\d{2}/\d{2}-[^/]+")),
    ("{y}/{m}/{y}-{m}-{d}-{slug}", re.compile(r"(\d{4})/(\d{2})/\1-\2-\d{2}-[^/]+")),
    ("{y}/{y}-{m}-{d}-{slug}", re.compile(r"(\d{4})/\1-\d{2}-\d{2}-[^/]+")),
)
#: The slug of a headline with nothing to make one of ("!!!", "—").
FALLBACK_SLUG = "article"
FORMATS = {"md": ".md", "txt": ".txt"}


def layout(config: Config) -> str:
    """The layout template the site's existing articles follow (the flat one for a new site)."""
    counts: Counter[str] = Counter()
    root = config.articles_path
    if root.is_dir():
        for rel, _ in sources.discover_named(root, config.exclude):
            if rel is None:
                continue
            for template, pattern in LAYOUTS:
                if pattern.fullmatch(rel):
                    counts[template] += 1
                    break
    if not counts:
        return LAYOUTS[0][0]
    order = [t for t, _ in LAYOUTS]
    return max(counts, key=lambda t: (counts[t], -order.index(t)))


def _yaml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def markdown_text(headline: str, date: dt.date, authors: list[str], tags: list[str], draft: bool) -> str:
    lines = ["---", f"title: {_yaml_string(headline)}"]
    if len(authors) == 1:
        lines.append(f"author: {_yaml_string(authors[0])}")
    elif authors:
        lines.append("authors:")
        lines += [f"  - {_yaml_string(a)}" for a in authors]
    lines.append(f"date: {date.isoformat()}")
    if tags:
        lines.append("tags: [" + ", ".join(_yaml_string(t) for t in tags) + "]")
    if draft:
        lines.append("draft: true")
    lines += ["---", "", "Write the article here.", ""]
    return "\n".join(lines)


def _one_line(value: str, what: str) -> str:
    if "\n" in value or "\r" in value:
        raise PublisherError(f"the {what} must be one line")
    return value.strip()


def wire_text(headline: str, date: dt.date, authors: list[str], tags: list[str], draft: bool) -> str:
    """The wire format (docs/wire-format.md): a header block, the headline, the body, the trailer."""
    for tag in tags:
        if "," in tag:
            raise PublisherError(f"tag {tag!r} holds a comma, which the wire format's Tags: line "
                                 "separates tags with; use --format md")
    for name in authors:
        if ";" in name:
            raise PublisherError(f"author {name!r} holds a semicolon, which the wire format's Authors: line "
                                 "separates names with; use --format md")
    header = [f"Date: {date.isoformat()}"] + (["Draft: true"] if draft else [])
    if tags:
        header.append("Tags: " + ", ".join(tags))
    blocks = ["\n".join(header), headline,
              "Write the article here, one paragraph per block."]
    if authors:
        blocks.append(("Author: " if len(authors) == 1 else "Authors: ") + "; ".join(authors))
    return "\n\n".join(blocks) + "\n"


def new_article(config: Config, headline: str, authors: list[str] | None = None, tags: list[str] | None = None,
                date: dt.date | None = None, fmt: str = "md", draft: bool = False) -> Path:
    """Write a new article (``draft``: marked as a draft) into the site's articles folder and return its path.
    Refuses to overwrite a file."""
    headline = _one_line(headline, "headline")
    if not headline:
        raise PublisherError("the headline is empty; give one, e.g. publisher new \"Council votes on budget\"")
    authors = [_one_line(a, "author") for a in authors or () if a.strip()]
    tags = [_one_line(t, "tag") for t in tags or () if t.strip()]
    date = date or dt.datetime.now(config.zone).date()
    slug = slug_or_hash(headline) or FALLBACK_SLUG
    text = (markdown_text if fmt == "md" else wire_text)(headline, date, authors, tags, draft)
    rel = layout(config).format(y=f"{date.year:04d}", m=f"{date.month:02d}", d=f"{date.day:02d}",
                                slug=slug) + FORMATS[fmt]
    root = config.articles_path
    target = root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    if paths.inside(root, target.parent) is None:
        raise PublisherError(f"{target.parent} leads outside the articles folder through a symbolic link; "
                             "nothing was written", target.parent)
    try:
        with open(target, "x", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    except FileExistsError:
        raise PublisherError("already exists; nothing was written (new never overwrites a file: give "
                             "another headline, or edit that one)", target) from None
    return target
