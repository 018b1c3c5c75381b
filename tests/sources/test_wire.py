"""The wire format reader: the sample as it is, and the documented rules and edge cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher.errors import Reporter, SourceError
from publisher.sources.wire import WireReader
from publisher.xmlutil import text_content
from tests.conftest import SEED


def read(text: str | bytes, name: str = "story.txt"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return WireReader().read(Path(name), data, Reporter())


def paragraphs(article) -> list[str]:
    return [text_content(p) for p in article.body]


def test_sample_article_fields_and_every_paragraph():
    raw = SEED.read_text(encoding="utf-8")
    art = read(SEED.read_bytes(), SEED.name)
    assert art.fields["title"] == "Libya’s Gen. Hifter Meets Russia FM, Seeking Support"
    assert art.fields["deck"] == "Long-Time CIA General in the Market for a New Backer"
    assert [a.name for a in art.authors] == ["Jason Ditz"]
    assert art.authors[0].bio == ["Jason Ditz is senior editor of"]
    blocks = [b for b in raw.split("\n\n") if b.strip()]
    body_blocks = blocks[2:-2]  # headline, deck ... Author:, bio
    assert paragraphs(art) == body_blocks
    assert len(paragraphs(art)) == 7


def test_crlf_bom_and_trailing_spaces_read_like_the_plain_file():
    plain = read(SEED.read_bytes())
    messy_text = "\ufeff" + SEED.read_text(encoding="utf-8").replace("\n", "  \r\n")
    messy = read(messy_text.encode("utf-8"))
    assert messy.fields == plain.fields
    assert paragraphs(messy) == paragraphs(plain)
    assert [(a.name, a.bio) for a in messy.authors] == [(a.name, a.bio) for a in plain.authors]


def test_missing_deck_when_second_block_is_a_sentence():
    art = read("Headline here\n\nFirst paragraph ends like a sentence.\n\nSecond one.\n")
    assert "deck" not in art.fields
    assert paragraphs(art) == ["First paragraph ends like a sentence.", "Second one."]


def test_one_line_second_block_without_more_text_is_body_not_deck():
    art = read("Headline\n\nOnly line of text without stop\n")
    assert "deck" not in art.fields
    assert paragraphs(art) == ["Only line of text without stop"]


def test_missing_author_trailer_keeps_everything_as_body():
    art = read("Headline\n\nDeck line\n\nBody one.\n\nBody two.\n")
    assert art.authors == []
    assert paragraphs(art) == ["Body one.", "Body two."]


def test_several_bio_paragraphs_and_hard_wrapped_lines():
    art = read(
        "Headline\n\nDeck\n\nBody line one\ncontinues here.\n\nAuthor: Jane Roe\n\n"
        "Jane Roe writes about ports.\n\nShe lives in Bergen.\n"
    )
    assert paragraphs(art) == ["Body line one continues here."]
    assert art.authors[0].bio == ["Jane Roe writes about ports.", "She lives in Bergen."]


def test_two_authors_one_line_bios_go_to_the_named_author():
    art = read(
        "Headline\n\nBody.\n\nMore body.\n\nAuthors: Ann Lee and Bo Chan\n\n"
        "Bo Chan edits the desk.\n\nAnn Lee reports from Oslo.\n"
    )
    assert [(a.name, a.bio) for a in art.authors] == [
        ("Ann Lee", ["Ann Lee reports from Oslo."]),
        ("Bo Chan", ["Bo Chan edits the desk."]),
    ]


def test_one_trailer_per_author():
    art = read("Headline\n\nBody.\n\nAuthor: Ann Lee\nAnn Lee reports.\n\nAuthor: Bo Chan\n\nBo Chan edits.\n")
    assert [(a.name, a.bio) for a in art.authors] == [("Ann Lee", ["Ann Lee reports."]), ("Bo Chan", ["Bo Chan edits."])]


def test_empty_file_is_an_error_naming_the_file():
    with pytest.raises(SourceError) as err:
        read("  \n\n", "empty.txt")
    assert err.value.formatted() == "empty.txt:1: error: the file is empty; a wire story needs at least a headline line"


def test_invalid_utf8_is_an_error_with_the_line():
    with pytest.raises(SourceError) as err:
        read(b"Headline\n\nBody \xff here.\n", "bad.txt")
    assert err.value.formatted() == "bad.txt:3: error: not valid UTF-8 (byte 0xff); save the file as UTF-8"


def test_optional_header_block_sets_date_id_tags():
    art = read("Date: 2026-11-20T10:00:00+01:00\nID: wire-991\nTags: Port, Shipping\nDraft: no\n\nHeadline\n\nDeck\n\nBody.\n")
    assert art.fields["title"] == "Headline" and art.fields["deck"] == "Deck"
    assert (art.fields["date"], art.fields["id"], art.fields["tags"], art.fields["draft"]) == (
        "2026-11-20T10:00:00+01:00", "wire-991", ["Port", "Shipping"], False
    )
    assert art.origins["tags"] == (Path("story.txt"), 3)


def test_headline_that_looks_like_a_header_but_has_an_unknown_key_is_a_headline():
    art = read("Update: Ceasefire holds\n\nBody text.\n")
    assert art.fields["title"] == "Update: Ceasefire holds"


def test_bad_draft_value_in_header_names_the_line():
    with pytest.raises(SourceError) as err:
        read("Date: 2026-01-01\nDraft: maybe\n\nHeadline\n\nBody.\n")
    assert err.value.formatted() == "story.txt:2: error: Draft: must be true or false, not 'maybe'"
