"""The body vocabulary: article.rng is written from the table, and the schema enforces it."""

from __future__ import annotations

from importlib import resources

import pytest
from lxml import etree

from publisher import model
from publisher.model import vocabulary as v
from publisher.xmlutil import PARSER

ARTICLE = """<article xmlns="urn:publisher:article:1" xmlns:h="http://www.w3.org/1999/xhtml"
  xmlns:s="http://www.w3.org/2000/svg" xmlns:m="http://www.w3.org/1998/Math/MathML"
  xmlns:xlink="http://www.w3.org/1999/xlink" version="1" xml:lang="en"><meta><id>a</id>
<uri>urn:x:a</uri><slug>a</slug><source format="markdown">a.md</source><headline>H</headline>
<authors><author><name>N</name></author></authors><published>2026-01-01T00:00:00Z</published>
<updated>2026-01-01T00:00:00Z</updated><summary/><language>en</language>
<canonical>https://e.org/a/</canonical></meta><body>{}</body></article>"""


def _valid(body: str) -> bool:
    return model.schema().validate(etree.fromstring(ARTICLE.format(body), PARSER))


def test_article_rng_is_written_from_the_table():
    rng = resources.files("publisher.model").joinpath("article.rng").read_text(encoding="utf-8")
    assert v.write_rng(rng) == rng, "run: python -m publisher.model.vocabulary"


@pytest.mark.parametrize("body", [
    '<h:p id="x" class="a b" style="text-align: center">t <h:a href="https://e.org/">l</h:a> <h:a href="#x">f</h:a></h:p>',
    '<h:table><h:caption>c</h:caption><h:thead><h:tr><h:th scope="col" colspan="2">h</h:th></h:tr></h:thead>'
    '<h:tbody><h:tr><h:td rowspan="1" style="vertical-align: top">d</h:td></h:tr></h:tbody></h:table>',
    '<h:img src="https://e.org/i.png" alt="" width="10" height="20"/>',
    '<h:ol start="3" reversed="reversed"><h:li value="5">x</h:li></h:ol>',
    '<s:svg viewBox="0 0 1 1"><s:rect id="r" width="1" height="1"/><s:use xlink:href="#r"/></s:svg>',
    '<m:math display="block"><m:mfrac><m:mi>a</m:mi><m:mn>2</m:mn></m:mfrac></m:math>',
    '<h:details open="open"><h:summary>s</h:summary><h:progress value="0.5" max="1">50%</h:progress></h:details>',
])
def test_the_schema_accepts_the_vocabulary(body: str):
    assert _valid(body), model.schema().error_log


@pytest.mark.parametrize("body", [
    "<h:script>x()</h:script>",
    "<h:center>c</h:center>",
    "<h:font>f</h:font>",
    '<h:p onclick="x()">p</h:p>',
    '<h:p style="color: red">p</h:p>',
    '<h:a href="javascript:alert(1)">a</h:a>',
    '<h:a href="ttps://e.org/">a</h:a>',
    '<h:a href="relative/path">a</h:a>',
    '<h:img src="https://e.org/i.png" width="100%"/>',
    '<h:td>cell</h:td><h:p id="1x">bad id</h:p>',
    '<h:p id="has space">p</h:p>',
    '<h:table width="100%" border="1"><h:tr><h:td>c</h:td></h:tr></h:table>',
    "<s:svg><s:script>x()</s:script></s:svg>",
    "<s:svg><s:foreignObject><h:p>t</h:p></s:foreignObject></s:svg>",
    '<s:svg><s:use xlink:href="https://e.org/x.svg#a"/></s:svg>',
    '<s:svg><s:animate attributeName="href"/></s:svg>',
    "<s:svg><s:style>x</s:style></s:svg>",
    '<s:svg onload="x()"/>',
    "<m:math><m:annotation-xml><h:p>t</h:p></m:annotation-xml></m:math>",
    '<m:math href="https://e.org/"><m:mi>x</m:mi></m:math>',
    '<h:iframe src="https://e.org/"/>',
    '<h:embed src="x"/>',
])
def test_the_schema_refuses_what_is_outside_it(body: str):
    assert not _valid(body)
