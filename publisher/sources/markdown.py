"""Markdown with YAML or TOML front matter: CommonMark plus tables, footnotes, strikethrough, heading ids."""

from __future__ import annotations

import functools
from pathlib import Path

from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin

from publisher.errors import Reporter
from publisher.sources import Reader, SourceArticle, decode, frontmatter
from publisher.xmlutil import LINE_ATTR, html_fragment_to_xhtml


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
        article.body = []
        for group in _top_level_groups(tokens):
            html = md.renderer.render(group, md.options, env)
            line = body_line + group[0].map[0] if group[0].map else None
            for node in html_fragment_to_xhtml(html):
                if isinstance(node, str):
                    if article.body and not isinstance(article.body[-1], str):
                        article.body[-1].tail = (article.body[-1].tail or "") + node
                    else:
                        article.body.append(node)
                    continue
                if line is not None:
                    node.set(LINE_ATTR, str(line))
                article.body.append(node)
        article.body_first_line = body_line
        return article


def _top_level_groups(tokens: list) -> list[list]:
    """Tokens split into top-level blocks, so each block's HTML can carry its source line."""
    groups: list[list] = []
    depth = 0
    for token in tokens:
        if depth == 0:
            groups.append([])
        groups[-1].append(token)
        depth += token.nesting
    return groups
