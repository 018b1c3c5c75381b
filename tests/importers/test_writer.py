"""Front matter written by the importer reads back as written, whatever the title holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher.importers.writer import front_matter, slug_for
from publisher.sources import frontmatter

TITLES = [
    "Hello: world", "# not a comment", "- not a list", "* not an alias", "*alias", "&anchor", "!tag",
    "| block", "> folded", "'quoted'", '"double"', "@at", "`tick`", "%percent", "{not: a map}",
    "[not, a list]", "yes", "no", "null", "~", "1.0", "0x10", "2020-01-01", "10:30", "a #b", "trailing:",
    " leading space", "tab\there", "line\nbreak", "\u2028sep", "caf\u00e9 \u201cquoted\u201d", "---", "...",
    "key: value # comment", "\ufeffbom",
]


@pytest.mark.parametrize("title", TITLES)
def test_titles_round_trip(title: str):
    fields = {"title": title, "authors": [title, {"name": title, "bio": title}], "tags": [title],
              "summary": title, "date": "2020-01-01T10:00:00+00:00"}
    text = front_matter(fields)
    kind, fm, _, _ = frontmatter.split(Path("x.md"), text + "\nBody\n")
    assert kind == "yaml"
    assert frontmatter.load(Path("x.md"), kind, fm, 2) == fields


def test_slugs_are_bounded_ascii():
    assert slug_for("", "Hello: World!") == "hello-world"
    assert slug_for("../../etc/passwd") == "etc-passwd"
    assert len(slug_for("word-" * 100)) <= 80 and not slug_for("word-" * 100).endswith("-")
    assert slug_for("港口", "") == ""
