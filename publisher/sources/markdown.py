"""Markdown with YAML or TOML front matter: CommonMark plus tables, footnotes, strikethrough, heading ids."""

from __future__ import annotations

import functools
from pathlib import Path

from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin

from publisher.errors import Reporter
from publisher.sources import Reader, SourceArticle, decode, frontmatter
from publisher.xmlutil import html_fragment_to_xhtml


@functools.cache
def parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "xhtmlOut": True})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    md.use(anchors_plugin, min_level=1, max_level=6)
    return md


class MarkdownReader(Reader):
    name = "markdown"
    suffixes = (".md", ".markdown")

    def read(self, path: Path, data: bytes, report: Reporter) -> SourceArticle:
        text = decode(path, data, report)
        kind, fm_text, body, body_line = frontmatter.split(path, text)
        article = SourceArticle(path=path, format=self.name)
        if kind is not None:
            data_ = frontmatter.load(path, kind, fm_text, 2)
            frontmatter.apply(article, data_, frontmatter.key_lines(fm_text, 2), report)

        md = parser()
        env: dict = {}
        tokens = md.parse(body, env)
        if "title" not in article.fields:
            # A leading "# Headline" serves as the title when the front matter gives none.
            if len(tokens) >= 3 and tokens[0].type == "heading_open" and tokens[0].tag == "h1":
                article.fields["title"] = tokens[1].content
                article.origins["title"] = (path, body_line + tokens[0].map[0] if tokens[0].map else None)
                tokens = tokens[3:]
        html = md.renderer.render(tokens, md.options, env)
        article.body = html_fragment_to_xhtml(html) if html.strip() else []
        article.body_first_line = body_line
        return article
