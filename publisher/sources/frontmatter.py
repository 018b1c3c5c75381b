"""Front matter (YAML ``---`` or TOML ``+++``) and sidecar metadata files: split, load, type-check."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Any

import yaml

from publisher.errors import Reporter, SourceError, did_you_mean
from publisher.sources import SIDECAR_SUFFIXES, SourceArticle, SourceAuthor, decode, read_bounded
from publisher.xmlutil import forbidden_chars, strip_forbidden

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is ~10x faster; both are safe


class _YamlLoader(_Base):  # type: ignore[misc, valid-type]
    """Safe YAML loader that leaves timestamps as text: dates are parsed (and errors placed) by
    ``publisher.dates``, not by YAML, which would reject 2026-13-45 with no line number.

    Two more rules than YAML's: a key given twice in one mapping is an error (YAML says keys
    are unique; PyYAML keeps the last), and so is an alias (``*name``, also in a ``<<`` merge).
    An alias makes one node stand for many ("billion laughs": a few lines of anchors stand for
    billions of values, and everything that walks the data expands them); front matter has no
    use for them. Both are found on the composed node graph before anything is constructed.
    """

    def construct_document(self, node: yaml.Node) -> Any:
        seen: set[int] = set()
        stack = [node]
        mapping, sequence = yaml.MappingNode, yaml.SequenceNode
        while stack:
            item = stack.pop()
            if id(item) in seen:  # reached twice: an alias to it
                raise _Alias(item)
            seen.add(id(item))
            if isinstance(item, mapping):
                pairs = item.value
                if len({(k.tag, k.value) for k, _ in pairs if k.__class__ is yaml.ScalarNode}) < len(pairs):
                    _check_unique_keys(pairs)
                for key_node, value_node in pairs:
                    stack.append(key_node)
                    stack.append(value_node)
            elif isinstance(item, sequence):
                stack.extend(item.value)
        return super().construct_document(node)


def _check_unique_keys(pairs: list[tuple[yaml.Node, yaml.Node]]) -> None:
    """Raise _DuplicateKey at the second use of a scalar key among ``pairs``."""
    first: dict[tuple[str, Any], yaml.Mark] = {}
    for key_node, _ in pairs:
        if isinstance(key_node, yaml.ScalarNode):
            mark = first.setdefault((key_node.tag, key_node.value), key_node.start_mark)
            if mark is not key_node.start_mark:
                raise _DuplicateKey(key_node.value, mark.line, key_node.start_mark)


class _Alias(yaml.YAMLError):
    def __init__(self, node: yaml.Node) -> None:
        super().__init__("alias")
        self.node = node


class _DuplicateKey(yaml.YAMLError):
    def __init__(self, key: Any, first: int, mark: yaml.Mark) -> None:
        super().__init__(key)
        self.key, self.first, self.mark = key, first, mark


_YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}

_DATE = (str, dt.date, dt.datetime)

#: The front-matter vocabulary: key -> (accepted types, meaning). Aliases map onto these keys.
KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "title": ((str,), "headline (required)"),
    "deck": ((str,), "standfirst shown under the headline"),
    "authors": ((list, str), "author names, or tables with name and bio"),
    "date": (_DATE, "publication date: ISO 8601 date or date-time; site zone if none"),
    "updated": (_DATE, "last substantive update; defaults to date"),
    "tags": ((list, str), "list of tags, or one comma-separated string"),
    "summary": ((str,), "one-paragraph summary for feeds; defaults to the first paragraph"),
    "lang": ((str,), "BCP 47 language of the article; defaults to the site's"),
    "id": ((str, int), "permanent identity of the article; defaults to the slug"),
    "slug": ((str,), "URL name; defaults to the file name (the folder's for index.md)"),
    "canonical": ((str,), "absolute canonical URL; defaults to base_url + article_url"),
    "path": ((str,), "URL path under base_url (Zola style); sets canonical, slug, id and the date"),
    "draft": ((bool,), "true keeps the article out of every output"),
    "aliases": ((list, str), "earlier URLs of the article; kept"),
    "extra": ((dict,), "a table of site-specific values; kept as they are"),
    # Kept from an imported feed (publisher import): the entry's own id, so that subscribers'
    # readers, which tell items apart by it, do not see the imported articles as new.
    "uri": ((str,), "feed id as written (Atom id, RSS guid, JSON Feed id): an absolute URI; "
                    "defaults to a urn:uuid of the site's host and id"),
}
ALIASES = {
    "subtitle": "deck",
    "author": "authors",
    "description": "summary",
    "language": "lang",
    "url": "canonical",
    "lastmod": "updated",
}


def split(path: Path, text: str) -> tuple[str | None, str, str, int]:
    """Return (kind, front matter, body, body's first line number)."""
    first = text.split("\n", 1)[0].rstrip()
    for fence, kind in (("---", "yaml"), ("+++", "toml")):
        if first == fence:
            lines = text.split("\n")
            ends = ("---", "...") if kind == "yaml" else ("+++",)
            for i in range(1, len(lines)):
                if lines[i].rstrip() in ends:
                    return kind, "\n".join(lines[1:i]), "\n".join(lines[i + 1 :]), i + 2
            raise SourceError(
                f"front matter opened with {fence} on line 1 is never closed; add a {ends[0]} line",
                path,
                1,
            )
    return None, "", text, 1


def load(path: Path, kind: str, text: str, first_line: int) -> dict[str, Any]:
    """Parse front matter; errors carry the source line (first_line is the line of the text's start)."""
    if not text.strip():
        return {}
    if kind == "yaml":
        try:
            data = yaml.load(text, Loader=_YamlLoader)  # noqa: S506 - a safe loader
        except _Alias as exc:
            alias = _first_alias(text)
            mark = alias.start_mark if alias is not None else exc.node.start_mark
            name = f" *{alias.anchor}" if alias is not None else ""
            raise SourceError(f"alias{name} refused: front matter may not use YAML anchors and aliases "
                              "(&name, *name, <<); write the values out", path, first_line + mark.line,
                              mark.column + 1) from None
        except _DuplicateKey as exc:
            raise SourceError(f"front-matter key {exc.key!r} is given twice (first on line "
                              f"{first_line + exc.first}); keep one", path, first_line + exc.mark.line,
                              exc.mark.column + 1) from None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = first_line + mark.line if mark else first_line
            col = mark.column + 1 if mark else None
            raise SourceError(f"front matter is not valid YAML: {exc.problem or exc}", path, line, col) from exc
        except yaml.YAMLError as exc:
            raise SourceError(f"front matter is not valid YAML: {exc}", path, first_line) from exc
    else:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            msg, line, col = toml_error_position(str(exc), text)
            raise SourceError(f"front matter is not valid TOML: {msg}", path, first_line + line - 1, col) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SourceError(
            f"front matter must be a mapping of keys to values, not a {type(data).__name__}",
            path,
            first_line,
        )
    return data


def _first_alias(text: str) -> yaml.AliasEvent | None:
    """The first alias in ``text`` (parsed again for its place: on the error path only)."""
    return next((e for e in yaml.parse(text, Loader=_YamlLoader) if isinstance(e, yaml.AliasEvent)), None)


def toml_error_position(message: str, text: str) -> tuple[str, int, int | None]:
    """(message, line, column) from a tomllib error, whose position is only in its text before 3.14."""
    m = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
    if m:
        return message[: m.start()], int(m.group(1)), int(m.group(2))
    m = re.search(r"\s*\(at end of document\)$", message)
    if m:
        lines = text.rstrip("\n").split("\n")
        return message[: m.start()] + " at the end", len(lines), len(lines[-1]) + 1
    return message, 1, None


def key_lines(text: str, first_line: int) -> dict[str, int]:
    """Line of each top-level key (YAML ``key:`` or TOML ``key =``)."""
    lines: dict[str, int] = {}
    for offset, line in enumerate(text.split("\n")):
        m = re.match(r"""^["']?([A-Za-z_][\w-]*)["']?\s*[:=]""", line)
        if m and m.group(1) not in lines:
            lines[m.group(1)] = first_line + offset
    return lines


def apply(article: SourceArticle, data: dict[str, Any], lines: dict[str, int], report: Reporter) -> None:
    """Type-check front-matter ``data`` and store it on ``article``; unknown keys are kept as extras."""
    path = article.path
    for raw_key, value in data.items():
        key = ALIASES.get(str(raw_key), str(raw_key))
        line = lines.get(str(raw_key))
        value, stripped = _without_forbidden(value)
        if stripped:
            report.warn(path, f"removed characters XML 1.0 cannot hold from {raw_key!r}", line)
        if key not in KEYS:
            report.warn(path, f"unknown front-matter key {raw_key!r} kept as extra metadata"
                        + did_you_mean(str(raw_key), [*KEYS, *ALIASES]), line, code="unknown-key")
            article.extra[str(raw_key)] = _as_text(value)
            continue
        types, _ = KEYS[key]
        if value is None:
            continue
        if isinstance(value, bool) != (bool in types) or not isinstance(value, types):
            names = " or ".join(t.__name__ for t in types)
            raise SourceError(f"front-matter key {raw_key!r} must be {names}, not {type(value).__name__}", path, line)
        if key == "authors":
            article.authors = _authors(path, value, line)
        elif key == "tags":
            article.fields["tags"] = _tags(path, value, line)
        elif key in ("aliases", "extra"):
            # Kept verbatim for whoever needs them (redirects, templates); nothing here uses them.
            items = value.items() if isinstance(value, dict) else [("", value)]
            for sub, sub_value in items:
                article.extra[f"{key}.{sub}" if sub else key] = _as_text(sub_value)
        else:
            article.fields[key] = str(value) if key == "id" else value
        article.origins[key] = (path, line)


def _without_forbidden(value: Any) -> tuple[Any, bool]:
    """``value`` with characters XML 1.0 forbids removed from every string in it (YAML and TOML
    escapes such as "\\x01" can write them), and whether any were."""
    found = False

    def clean(v: Any) -> Any:
        nonlocal found
        if isinstance(v, str) and forbidden_chars(v):
            found = True
            return strip_forbidden(v)
        if isinstance(v, list):
            return [clean(x) for x in v]
        if isinstance(v, dict):
            return {clean(k): clean(x) for k, x in v.items()}
        return v

    value = clean(value)
    return value, found


def _authors(path: Path, value: Any, line: int | None) -> list[SourceAuthor]:
    items = [value] if isinstance(value, str) else value
    out = []
    for item in items:
        if isinstance(item, str) and item.strip():
            out.append(SourceAuthor(item.strip(), line=line))
        elif isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"].strip():
            bio = item.get("bio", "")
            if not isinstance(bio, str):
                raise SourceError("an author's bio must be a string", path, line)
            paras = [p.strip() for p in re.split(r"\n\s*\n", bio) if p.strip()]
            out.append(SourceAuthor(item["name"].strip(), paras, line))
        else:
            raise SourceError("each author must be a name or a table with a name (and bio)", path, line)
    return out


def _tags(path: Path, value: Any, line: int | None) -> list[str]:
    items = value.split(",") if isinstance(value, str) else value
    tags = []
    for item in items:
        if not isinstance(item, (str, int)) or isinstance(item, bool):
            raise SourceError("each tag must be a string", path, line)
        tag = str(item).strip()
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def _as_text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(_as_text(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_as_text(v)}" for k, v in value.items())
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def sidecar_for(path: Path) -> Path | None:
    """The metadata file beside a source (``NAME.meta.yaml`` or ``NAME.meta.toml``), if any;
    two of them (``.meta.yaml`` and ``.meta.toml``) are an error, since one would be ignored."""
    found = [c for c in (path.with_name(path.stem + suffix) for suffix in SIDECAR_SUFFIXES) if c.is_file()]
    if len(found) > 1:
        raise SourceError(f"{len(found)} metadata files for one source ({', '.join(c.name for c in found)}); "
                          "keep one", found[1], 1)
    return found[0] if found else None


def apply_sidecar(article: SourceArticle, report: Reporter) -> None:
    """Metadata from a sidecar overrides what the source says: wire copy stays as received."""
    side = sidecar_for(article.path)
    if side is None:
        return
    text = decode(side, read_bounded(side), report)
    kind = "toml" if side.suffix == ".toml" else "yaml"
    data = load(side, kind, text, 1)
    saved_path = article.path
    article.path = side  # errors and warnings point into the sidecar
    try:
        apply(article, data, key_lines(text, 1), report)
    finally:
        article.path = saved_path
