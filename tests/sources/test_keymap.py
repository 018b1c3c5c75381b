"""Front-matter names of other generators: the built-in aliases, the site's [front_matter] table,
bylines in the shapes generators write them, and two keys giving one field."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher import sources
from publisher.config import load_config
from publisher.errors import ConfigError, Reporter
from publisher.sources.frontmatter import split_names
from tests.conftest import MINIMAL_CONFIG, write


def _load(root: Path, text: str, table: str = "", name: str = "post.md"):
    write(root / "publisher.toml", MINIMAL_CONFIG + table)
    config, _ = load_config(root / "publisher.toml")
    path = write(root / "articles" / name, text)
    report = Reporter()
    return sources.load(path, report, keys=config.keys), [d.format() for d in report.diagnostics]


def test_common_generators_names_are_built_in(tmp_path: Path):
    art, messages = _load(tmp_path, "---\ntitle: T\nby: [Ann Lee, Bo Park]\npubDate: 2026-01-02\n"
                                    "excerpt: Short.\nmodified: 2026-02-03\n---\nBody.\n")
    assert messages == []
    assert [a.name for a in art.authors] == ["Ann Lee", "Bo Park"]
    assert (str(art.fields["date"]), art.fields["summary"], str(art.fields["updated"])) == (
        "2026-01-02", "Short.", "2026-02-03")


def test_the_sites_table_maps_its_own_names(tmp_path: Path):
    table = '\n[front_matter]\nauthors = ["writers"]\ntags = ["tags", "categories"]\nextra = ["weight"]\n'
    art, messages = _load(tmp_path, "---\ntitle: T\nwriters: Ann Lee and Bo Park\ntags: [a]\n"
                                    "categories: [b, a]\nweight: 3\n---\nBody.\n", table)
    assert messages == []  # weight is kept without a warning; tags and categories are joined
    assert [a.name for a in art.authors] == ["Ann Lee", "Bo Park"]
    assert art.fields["tags"] == ["a", "b"]
    assert art.extra["weight"] == "3"


def test_the_table_overrides_a_built_in_name(tmp_path: Path):
    art, _ = _load(tmp_path, "---\ntitle: T\ndescription: The deck.\n---\nBody.\n",
                   '\n[front_matter]\ndeck = ["description"]\n')
    assert art.fields["deck"] == "The deck." and "summary" not in art.fields


@pytest.mark.parametrize(("byline", "names"), [
    ("Ann Lee and Bo Park", ["Ann Lee", "Bo Park"]),
    ("Ann Lee, Bo Park", ["Ann Lee", "Bo Park"]),
    ("Ann Lee & Bo Park", ["Ann Lee", "Bo Park"]),
    ("Ann Lee, Bo Park, and Cy Diaz", ["Ann Lee", "Bo Park", "Cy Diaz"]),
    ("Ann Lee; Bo Park", ["Ann Lee", "Bo Park"]),
    ("Sammy Davis, Jr. and Ann Lee", ["Sammy Davis, Jr.", "Ann Lee"]),
    ("Martin Luther King, Jr.", ["Martin Luther King, Jr."]),
    ("AT&T Press Office", ["AT&T Press Office"]),
    ("Ann Lee", ["Ann Lee"]),
])
def test_bylines_in_the_shapes_generators_write(byline: str, names: list[str]):
    assert split_names(byline) == names


def test_a_list_keeps_each_name_whole(tmp_path: Path):
    art, messages = _load(tmp_path, '---\ntitle: T\nauthor: ["Procter & Gamble", "Smith, Ann"]\n---\nBody.\n')
    assert [a.name for a in art.authors] == ["Procter & Gamble", "Smith, Ann"] and messages == []


def test_a_comma_that_may_be_inside_one_name_is_a_warning(tmp_path: Path):
    art, messages = _load(tmp_path, "---\ntitle: T\nauthor: Lindqvist, Mara\n---\nBody.\n")
    assert [a.name for a in art.authors] == ["Lindqvist", "Mara"]
    assert len(messages) == 1 and messages[0].endswith(
        "post.md:3:1: warning: byline 'Lindqvist, Mara' read as 2 authors ('Lindqvist', 'Mara'); if it is one "
        "name, write it as a list: ['Lindqvist, Mara']")


def test_two_keys_for_one_field_warn_with_both_lines_and_the_first_wins(tmp_path: Path):
    art, messages = _load(tmp_path, "---\ntitle: T\nauthor: Ann Lee\ndate: 2026-01-02\nby: Bo Park\n---\nBody.\n")
    assert [a.name for a in art.authors] == ["Ann Lee"]
    assert len(messages) == 1 and messages[0].endswith(
        "post.md:5:1: warning: front-matter keys 'author' (line 3) and 'by' both give 'authors': the first, "
        "'author', is used; remove one (or map them apart in [front_matter])")


def test_unknown_keys_keep_their_warning(tmp_path: Path):
    art, messages = _load(tmp_path, "---\ntitle: T\nbyy: Ann\n---\nBody.\n")
    assert art.extra["byy"] == "Ann"
    assert len(messages) == 1
    assert "unknown front-matter key 'byy' kept as extra metadata; did you mean 'by'?" in messages[0]


def test_an_unknown_field_in_the_table_is_an_error_with_did_you_mean(tmp_path: Path):
    write(tmp_path / "publisher.toml", MINIMAL_CONFIG + '\n[front_matter]\nautors = ["by"]\n')
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path / "publisher.toml")
    assert "publisher.toml:8:1: error: front_matter.autors: 'autors' is not a front-matter key; did you mean " \
           "'authors'?" in err.value.formatted()


def test_one_key_mapped_onto_two_fields_is_an_error(tmp_path: Path):
    write(tmp_path / "publisher.toml", MINIMAL_CONFIG + '\n[front_matter]\nauthors = ["by"]\ndeck = ["by"]\n')
    with pytest.raises(ConfigError, match="'by' is mapped onto both 'authors' and 'deck'"):
        load_config(tmp_path / "publisher.toml")


def test_the_table_reaches_the_build(tiny: Path):
    from publisher.build import build

    write(tiny / "publisher.toml", MINIMAL_CONFIG + '\n[front_matter]\nauthors = ["writers"]\n')
    write(tiny / "articles" / "2026-01-02-post.md", "---\ntitle: T\nwriters: [Ann Lee]\n---\nBody.\n")
    config, _ = load_config(tiny / "publisher.toml")
    result = build(config)
    assert not result.diagnostics
    assert "<dc:creator>Ann Lee</dc:creator>" in (tiny / "build" / "rss.xml").read_text()


def test_the_table_applies_to_sidecars_too(tmp_path: Path):
    write(tmp_path / "articles" / "story.meta.yaml", "writers: Ann Lee and Bo Park\npubDate: 2026-01-02\n")
    art, messages = _load(tmp_path, "Headline\n\nBody.\n\nAuthor: Someone Else\n",
                          '\n[front_matter]\nauthors = ["writers"]\n', name="story.txt")
    assert messages == [] and [a.name for a in art.authors] == ["Ann Lee", "Bo Park"]
    assert str(art.fields["date"]) == "2026-01-02"
