"""One article as a chapter: the book's link map (Rewriter) on every kind of element."""

from __future__ import annotations

import pytest
from lxml import etree

from publisher.books.chapters import Rewriter
from publisher.build import normalize_file
from publisher.errors import Reporter
from publisher.model import ArticleView
from publisher.model.content import article_content
from tests.conftest import site_config, write

BODY = """
[other](2026-01-01-other.md#part) [web](https://elsewhere.example/) ![here](pic.png)

<p><img alt="remote" src="https://img.example/x.png" srcset="https://img.example/x2.png 2x">
<img alt="no source"><video poster="https://v.example/p.jpg" src="https://v.example/v.mp4">
<source src="https://v.example/v.webm"><track src="https://v.example/t.vtt">fallback</video>
<audio src="https://a.example/a.mp3">a</audio><input type="image" src="https://i.example/b.png" alt="b">
<picture><source srcset="https://img.example/p.webp"><img src="https://img.example/p.png" alt="pic"></picture>
<map name="m"><area href="2026-01-01-other.md" alt="area"></map><span poster="x">odd</span></p>
"""


class _Everywhere(Rewriter):
    select = None  # called on every element, as before it had a selection


def test_selected_elements_get_the_same_rewrite_as_visiting_every_element(tiny):
    write(tiny / "articles" / "2026-01-01-other.md", "---\ntitle: Other\n---\n\n## Part\n\nText.\n")
    write(tiny / "articles" / "pic.png", bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"))
    write(tiny / "articles" / "2026-01-02-all.md", "---\ntitle: All\n---\n" + BODY)
    config = site_config(tiny)
    views = [ArticleView(normalize_file(tiny / "articles" / name, config, Reporter()))
             for name in ("2026-01-01-other.md", "2026-01-02-all.md")]
    out = []
    for kind in (Rewriter, _Everywhere):
        rewrite = kind(views)
        content = article_content(views[1], with_header=True, rewrite=rewrite)
        rewrite.finish()
        out.append(etree.tostring(content))
    assert out[0] == out[1]
    text = out[0].decode()
    assert 'href="../text/other.xhtml#part"' in text and 'src="../media/pic.png"' in text
    assert "srcset" not in text and "poster" not in text and "<video" not in text and "<audio" not in text


@pytest.mark.parametrize(
    ("levels", "shifted"),
    [
        ([4, 5, 4], [2, 3, 2]),  # from the headline straight to h4
        ([1, 2, 2, 1], [2, 3, 3, 2]),  # sections as h1, under the headline's h1
        ([2, 4, 3, 2], [2, 3, 3, 2]),  # h4 after h2 skips a level; h3 is then h4's sibling
        ([3, 2, 3], [2, 2, 3]),  # a shallower heading later starts again at h2
        ([2, 3, 4, 5, 6, 6], [2, 3, 4, 5, 6, 6]),  # nothing to fix
        ([1, 2, 3, 4, 5, 6], [2, 3, 4, 5, 6, 6]),  # h7 does not exist
    ],
)
def test_body_headings_start_at_h2_under_the_headline_and_skip_no_level(levels, shifted):
    from publisher.books.chapters import shift_headings
    from publisher.xmlutil import H

    article = etree.Element(H + "article")
    etree.SubElement(etree.SubElement(article, H + "header"), H + "h1").text = "Headline"
    for level in levels:
        etree.SubElement(etree.SubElement(article, H + "section"), H + f"h{level}")
    shift_headings(article)
    found = [int(el.tag[-1]) for el in article.iter() if isinstance(el.tag, str) and el.tag[-2:-1] == "h"]
    assert found == [1, *shifted]
