"""Every author of an article reaches the reader: RSS parsers that keep only one dc:creator (as
rss-parser, gofeed and ROME do) still see all co-authors, and Atom and JSON Feed keep the list.
The npm parsers run where .ci/run installed them, and are skipped with the reason elsewhere."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import feedparser
import pytest

from tests.clients import node_env, npm_package

SCRIPTS = {
    # each prints a JSON list: per item, the author names the parser gives
    "rss-parser": """
const Parser = require('rss-parser');
new Parser().parseString(require('fs').readFileSync(process.argv[1], 'utf8'))
  .then(f => console.log(JSON.stringify(f.items.map(i => [i.creator || '']))));
""",
    "feedsmith": """
const { parseFeed } = require('feedsmith');
const r = parseFeed(require('fs').readFileSync(process.argv[1], 'utf8'));
console.log(JSON.stringify(r.feed.items.map(i => (i.dc && (i.dc.creators || [i.dc.creator])) || [])));
""",
}
CO_AUTHORS = ["Mara Lindqvist", "Tomás Ó Briain"]


def _expected(feed: Path) -> list[list[str]]:
    """Each entry's authors as feedparser reads them from the Atom feed (which keeps the list)."""
    atom = feedparser.parse(feed.with_name("atom.xml").read_bytes())
    return [[a.name for a in e.authors] for e in atom.entries]


@pytest.mark.parametrize("parser", sorted(SCRIPTS))
def test_node_parsers_see_every_co_author(built: Path, parser: str):
    reason = npm_package(parser)
    if reason:
        pytest.skip(reason)
    feed = built / "rss.xml"
    proc = subprocess.run(["node", "-e", SCRIPTS[parser], str(feed)], capture_output=True, text=True,
                          env=node_env(), timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    seen = [" ".join(names) for names in json.loads(proc.stdout)]
    expected = _expected(feed)
    assert CO_AUTHORS in expected  # the bundled site has an article with two authors
    assert len(seen) == len(expected)
    for names, shown in zip(expected, seen, strict=True):
        assert all(name in shown for name in names), (names, shown)


def test_rss_has_one_creator_naming_all_and_atom_and_json_keep_the_list(built: Path):
    rss = feedparser.parse((built / "rss.xml").read_bytes())
    two = [e for e in rss.entries if "Tomás Ó Briain" in e.author and "Mara Lindqvist" in e.author]
    assert len(two) == 1 and two[0].author == "Mara Lindqvist, Tomás Ó Briain"
    assert CO_AUTHORS in _expected(built / "rss.xml")
    items = json.loads((built / "feed.json").read_text(encoding="utf-8"))["items"]
    assert [[a["name"] for a in item["authors"]] for item in items].count(CO_AUTHORS) == 1
