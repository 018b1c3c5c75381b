"""Front matter (YAML ``---`` or TOML ``+++``) and sidecar metadata files: split, load, type-check."""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import tomllib
from dataclasses import dataclass
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
    "authors": ((list, str, dict), "author names, or tables with name and bio"),
    "date": (_DATE, "publication date: ISO 8601 date or date-time; site zone if none"),
    "updated": (_DATE, "last substantive update; defaults to date"),
    "tags": ((list, str), "list of tags, or one comma-separated string"),
    "summary": ((str,), "one-paragraph summary for feeds; defaults to the first paragraph"),
    "lang": ((str,), "BCP 47 language of the article; defaults to the site's"),
    "id": ((str, int), "permanent identity of the article; defaults to the slug"),
    "slug": ((str,), "URL name, kept as written; defaults to the file name (the folder's for index.md)"),
    "canonical": ((str,), "absolute canonical URL, on any host; defaults to base_url + article_url"),
    "url": ((str,), "the article's address on this site: a path under base_url (Hugo style) or an "
                    "absolute URL on base_url's host, kept as written"),
    "path": ((str,), "URL path under base_url (Zola style); sets canonical, slug, id and the date"),
    "draft": ((bool,), "true keeps the article out of every output"),
    "aliases": ((list, str), "earlier URLs of the article: kept, and redirected to it (_redirects)"),
    "redirect": ((str,), "a source that only redirects: the URL its address (and aliases) lead to"),
    "extra": ((dict,), "a table of site-specific values; kept as they are"),
    # Kept from an imported feed (publisher import): the entry's own id, so that subscribers'
    # readers, which tell items apart by it, do not see the imported articles as new.
    "uri": ((str,), "feed id as written (Atom id, RSS guid, JSON Feed id): an absolute URI; "
                    "defaults to a urn:uuid of the site's host and id"),
}
#: The names other generators (Hugo, Jekyll, Zola, Eleventy, Astro...) give our keys, built in
#: where they mean one thing everywhere; a site's ``[front_matter]`` table adds more and wins.
#: Left out on purpose: ``categories``/``keywords`` (in Hugo a taxonomy of their own beside
#: tags), ``publishDate`` (Hugo's "not before", beside ``date``), ``permalink`` (Jekyll's may be
#: a pattern): map them in the config when a site means them as ours.
ALIASES = {
    "subtitle": "deck",
    "author": "authors",
    "by": "authors",
    "byline": "authors",
    "creator": "authors",
    "pubDate": "date",
    "published": "date",
    "description": "summary",
    "excerpt": "summary",
    "language": "lang",
    "lastmod": "updated",
    "modified": "updated",
    "updatedDate": "updated",
    "redirect_to": "redirect",
}
#: Keys whose values several source keys may give together: their lists are joined in order.
#: For any other key, two source keys in one file are a warning and the first one is used.
MERGED = ("tags", "aliases")
#: A mapping target that is not a field: the key is kept as extra metadata, without a warning.
EXTRA = "extra"


@dataclass(frozen=True)
class KeyMap:
    """Which front-matter key of a source gives which of our keys: the built-in ALIASES and our
    own names, overridden by the site's ``[front_matter]`` table (``{our key: [their keys]}``)."""

    table: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @functools.cached_property
    def names(self) -> dict[str, str]:
        names = {**{k: k for k in KEYS}, **ALIASES}
        for target, theirs in self.table:
            for name in theirs:
                names[name] = target
        return names

    def target(self, key: str) -> str | None:
        return self.names.get(key)

    def known(self) -> list[str]:
        return sorted(self.names)


DEFAULT_KEYS = KeyMap()


def mapping_problems(table: object) -> tuple[dict[str, tuple[str, ...]], list[str]]:
    """The ``[front_matter]`` table of a config as ``{our key: (their keys, ...)}``, and what is
    wrong with it (each problem a sentence; an unknown target gets a "did you mean")."""
    out: dict[str, tuple[str, ...]] = {}
    problems: list[str] = []
    if not isinstance(table, dict):
        return out, ["[front_matter] must be a table of our keys, each given a list of the site's key names"]
    owner: dict[str, str] = {}
    for target, value in table.items():
        if target not in KEYS and target != EXTRA:
            problems.append(f"front_matter.{target}: {target!r} is not a front-matter key"
                            + did_you_mean(target, KEYS) + f"; keys: {', '.join(KEYS)}")
            continue
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
            problems.append(f"front_matter.{target} must be a list of key names, e.g. {target} = [\"by\"]")
            continue
        for name in names:
            if name in owner and owner[name] != target:
                problems.append(f"front_matter: key {name!r} is mapped onto both {owner[name]!r} and {target!r}; "
                                "keep one")
            owner[name] = target
        out[target] = tuple(names)
    return out, problems


# Audio and video (podcast episodes): read by publisher/normalize/media.py.
KEYS.update({
    "enclosure": ((str,), "an audio or video file beside the article, or its http(s) URL"),
    "duration": ((str, int), "the enclosure's length of time: seconds or HH:MM:SS; read from the file if absent"),
    "length": ((int,), "a remote enclosure's size in bytes (a local file's is its own)"),
    "enclosure_type": ((str,), "a remote enclosure's MIME type when its name does not tell"),
    "episode": ((int,), "podcast episode number"),
    "explicit": ((bool,), "podcast: the episode has explicit content"),
})
ALIASES.update({"audio": "enclosure", "video": "enclosure", "size": "length"})


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


_KEY_LINE = re.compile(r"""^["']?([A-Za-z_][\w-]*)["']?\s*[:=]""")


def key_lines(text: str, first_line: int) -> dict[str, int]:
    """Line of each top-level key (YAML ``key:`` or TOML ``key =``)."""
    lines: dict[str, int] = {}
    for offset, line in enumerate(text.split("\n")):
        m = _KEY_LINE.match(line)
        if m and m.group(1) not in lines:
            lines[m.group(1)] = first_line + offset
    return lines


def apply(article: SourceArticle, data: dict[str, Any], lines: dict[str, int], report: Reporter,
          keys: KeyMap = DEFAULT_KEYS) -> None:
    """Type-check front-matter ``data`` and store it on ``article``; unknown keys are kept as extras.

    ``keys`` says which of the file's keys give which of ours. Two keys giving one of ours
    (``author`` and ``by``) are a warning naming both, and the first in the file is used;
    the lists of ``tags`` and ``aliases`` are joined instead.
    """
    path = article.path
    given: dict[str, str] = {}  # our key -> the file's key that gave it
    for raw_key, value in data.items():
        name = str(raw_key)
        key = keys.target(name) or name
        line = lines.get(name)
        col = 1 if line is not None else None
        value, stripped = _without_forbidden(value)
        if stripped:
            report.warn(path, f"removed characters XML 1.0 cannot hold from {raw_key!r}", line)
        if key == EXTRA and name != EXTRA:  # mapped onto extra by the site: kept, no warning
            article.extra[name] = _as_text(value)
            continue
        if key not in KEYS:
            report.warn(path, f"unknown front-matter key {raw_key!r} kept as extra metadata"
                        + did_you_mean(name, keys.known()), line, code="unknown-key")
            article.extra[name] = _as_text(value)
            continue
        types, _ = KEYS[key]
        if value is None:
            continue
        if isinstance(value, bool) != (bool in types) or not isinstance(value, types):
            names = " or ".join(t.__name__ for t in types)
            raise SourceError(f"front-matter key {raw_key!r} must be {names}, not {type(value).__name__}", path, line)
        first = given.get(key)
        if first is not None and key not in MERGED:
            where = f" (line {lines[first]})" if first in lines else ""
            report.warn(path, f"front-matter keys {first!r}{where} and {name!r} both give {key!r}: the first, "
                        f"{first!r}, is used; remove one (or map them apart in [front_matter])", line, col,
                        code="duplicate-key")
            continue
        given.setdefault(key, name)
        if key == "authors":
            article.authors = _authors(path, value, line, report)
        elif key == "tags":
            tags = article.fields.get("tags", []) if first is not None else []
            article.fields["tags"] = tags + [t for t in _tags(path, value, line) if t not in tags]
        elif key == "aliases":
            items = [value] if isinstance(value, str) else value
            if not all(isinstance(item, str) for item in items):
                raise SourceError("each alias must be a URL or a path (a string)", path, line, col)
            merged = article.fields.get("aliases", []) if first is not None else []
            article.fields["aliases"] = merged + [a for a in items if a not in merged]
            # Kept verbatim as well, for whoever needs them (templates)
            article.extra["aliases"] = _as_text(article.fields["aliases"])
        elif key == "extra":
            for sub, sub_value in value.items():
                article.extra[f"extra.{sub}"] = _as_text(sub_value)
        else:
            article.fields[key] = str(value) if key == "id" else value
        if first is None:
            article.origins[key] = (path, line)


#: Name suffixes that follow a comma inside one name ("Sammy Davis, Jr.").
_SUFFIX = re.compile(r"^(?:jr|sr|[ivx]{1,4}|phd|ph\.d|md|m\.d|esq|dds|mba)\.?$", re.IGNORECASE)
#: Where a byline string is cut into names: ";", ",", " and ", " & " (with spaces: "AT&T" is one)
_NAME_SEPARATOR = re.compile(r"\s*;\s*|\s*,\s*(?:(?:and|&)\s+)?|\s+(?:and|&)\s+", re.IGNORECASE)


def split_names(text: str) -> list[str]:
    """The names in a byline string as generators write them: "A and B", "A, B and C",
    "A & B", "A; B". A comma before a suffix ("Smith, Jr.") stays inside the name; anything
    else that must stay whole ("Procter & Gamble") is written as a list in the source."""
    names: list[str] = []
    for part in _NAME_SEPARATOR.split(text.strip()):
        part = part.strip()
        if not part:
            continue
        if names and _SUFFIX.match(part):
            names[-1] += ", " + part
        else:
            names.append(part)
    return names


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


def _authors(path: Path, value: Any, line: int | None, report: Reporter | None = None) -> list[SourceAuthor]:
    """Authors from a name string (cut at "and", "&", "," and ";"), a table, or a list of either:
    each item of a list is one name, kept whole."""
    if isinstance(value, str):
        names = split_names(value)
        if len(names) > 1 and report is not None and "," in value and any(len(n.split()) == 1 for n in names):
            report.warn(path, f"byline {value!r} read as {len(names)} authors ({', '.join(map(repr, names))}); "
                        f"if it is one name, write it as a list: [{value!r}]", line, 1 if line else None)
        items: list[Any] = names or [value]  # nothing but separators: an error below
    else:
        items = [value] if isinstance(value, dict) else value
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
    folder = os.path.dirname(str(path))  # what path.with_name(...) names, as strings: no Path per name
    stem = path.stem
    found = [Path(c) for c in (os.path.join(folder, stem + suffix) for suffix in SIDECAR_SUFFIXES)
             if os.path.isfile(c)]
    if len(found) > 1:
        raise SourceError(f"{len(found)} metadata files for one source ({', '.join(c.name for c in found)}); "
                          "keep one", found[1], 1)
    return found[0] if found else None


def apply_sidecar(article: SourceArticle, report: Reporter, keys: KeyMap = DEFAULT_KEYS) -> None:
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
        apply(article, data, key_lines(text, 1), report, keys)
    finally:
        article.path = saved_path
