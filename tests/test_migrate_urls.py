"""URLs kept: a Hugo-shaped blog brought over keeps every canonical URL its front matter gives
(slug, url, path: dots, case, trailing slash or none), in RSS, Atom and JSON Feed; what a URL
cannot hold is changed with a warning naming the old and new value."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from publisher.build import build
from publisher.config import load_config
from publisher.errors import BuildFailed
from tests.conftest import write

CONFIG = """
[site]
title = "Go notes"
base_url = "https://blog.example/"
article_url = "blog/{slug}"
timezone = "UTC"
feed_groups = []

[front_matter]
authors = ["by"]
"""

#: file -> (front matter lines, the canonical URL the old site had)
POSTS = {
    "go1.21.md": ("slug: go1.21", "https://blog.example/blog/go1.21"),
    "go122.md": ("url: /blog/Go1.22", "https://blog.example/blog/Go1.22"),
    "go123.md": ("url: /blog/go1.23/", "https://blog.example/blog/go1.23/"),
    "release.md": ("path: releases/1.0.0", "https://blog.example/releases/1.0.0"),
    "release2.md": ("path: /releases/2.0/", "https://blog.example/releases/2.0/"),
    "same-host.md": ("url: https://blog.example/old/Page.html", "https://blog.example/old/Page.html"),
    "Derived Name.md": ("", "https://blog.example/blog/derived-name"),
    "2024-05-06-Dated.Post.md": ("", "https://blog.example/blog/dated-post"),
    "bundle/index.md": ("slug: Bundle_v2~x", "https://blog.example/blog/Bundle_v2~x"),
}


def _site(root: Path, posts: dict[str, tuple[str, str]]) -> Path:
    write(root / "publisher.toml", CONFIG)
    for n, (name, (front, _)) in enumerate(sorted(posts.items())):
        write(root / "articles" / name,
              f"---\ntitle: Post {n}\ndate: 2024-01-{n + 1:02d}T10:00:00Z\nby: [Ann Lee]\n{front}\n---\n\nText {n}.\n")
    return root


def test_a_hugo_blog_keeps_every_canonical_url(tmp_path: Path):
    from tests.validators import feed_files, w3c_check

    root = _site(tmp_path / "site", POSTS)
    config, _ = load_config(root / "publisher.toml")
    result = build(config)
    assert [d.format() for d in result.diagnostics] == []
    expected = sorted(url for _, url in POSTS.values())
    out = root / "build"
    rss = etree.parse(str(out / "rss.xml"))
    atom = etree.parse(str(out / "atom.xml"))
    feed = json.loads((out / "feed.json").read_text())
    assert sorted(rss.xpath("/rss/channel/item/link/text()")) == expected
    assert sorted(atom.xpath("//a:entry/a:link[not(@rel) or @rel='alternate']/@href",
                             namespaces={"a": "http://www.w3.org/2005/Atom"})) == expected
    assert sorted(item["url"] for item in feed["items"]) == expected
    found = w3c_check(feed_files(out))
    assert [f for f in found if f.kind == "error"] == [], "\n".join(map(str, found))


def test_the_blogs_stubs_aliases_and_text_files_are_not_articles(tmp_path: Path):
    posts = {"go1.21.md": ("slug: go1.21\naliases: [/blog/go121.html]", "")}
    root = _site(tmp_path / "site", posts)
    write(root / "articles" / "old-go.md", "---\ntitle: Moved\nredirect_to: /blog/go1.21\n---\n")
    write(root / "articles" / "LICENSE.txt", "Creative Commons Attribution 4.0\n\nYou are free to share.\n")
    config, _ = load_config(root / "publisher.toml")
    result = build(config)
    assert (result.articles, result.assets, result.diagnostics) == (1, ["LICENSE.txt"], [])
    assert (root / "build" / "_redirects").read_text().splitlines()[1:] == [
        "/blog/go121.html /blog/go1.21 301",
        "/blog/old-go /blog/go1.21 301",
    ]


@pytest.mark.parametrize(("front", "url", "message"), [
    ("slug: Go 1.21", "https://blog.example/blog/go-1-21",
     "post.md:5:1: warning: slug 'Go 1.21' is not a URL path as written (a space); the URL uses 'go-1-21'"),
    ("url: /blog/a b/../x", "https://blog.example/blog/a%20b/x",
     "post.md:5:1: warning: url '/blog/a b/../x' is not a URL path as written (a space, a \"..\" segment); "
     "the URL uses 'blog/a%20b/x'"),
    ("path: releases/1.0?beta", "https://blog.example/releases/1.0%3Fbeta",
     "post.md:5:1: warning: path 'releases/1.0?beta' is not a URL path as written (a \"?\"); the URL uses "
     "'releases/1.0%3Fbeta'"),
    ("url: https://old.example/blog/Go1.20", "https://blog.example/blog/Go1.20",
     "post.md:5:1: warning: url 'https://old.example/blog/Go1.20' is not a URL path as written (it is on another "
     "host than base_url (blog.example); for an article whose canonical address is elsewhere, use canonical); "
     "the URL uses 'https://blog.example/blog/Go1.20'"),
    # canonical wins over url; the unused url is a warning at its line (this one once raised a TypeError)
    ("canonical: https://example.org/a\nurl: /blog/x", "https://example.org/a",
     "post.md:6: warning: url is not used: canonical gives the article's URL"),
])
def test_a_url_changed_from_what_the_source_says_is_a_warning(tmp_path: Path, front: str, url: str, message: str):
    root = tmp_path / "site"
    write(root / "publisher.toml", CONFIG)
    write(root / "articles" / "post.md", f"---\ntitle: T\ndate: 2024-01-01\nby: Ann\n{front}\n---\nText.\n")
    config, _ = load_config(root / "publisher.toml")
    result = build(config)
    assert len(result.diagnostics) == 1 and result.diagnostics[0].format().endswith(message), \
        [d.format() for d in result.diagnostics]
    assert json.loads((root / "build" / "feed.json").read_text())["items"][0]["url"] == url


def test_a_url_of_another_scheme_is_an_error(tmp_path: Path):
    root = tmp_path / "site"
    write(root / "publisher.toml", CONFIG)
    write(root / "articles" / "post.md", "---\ntitle: T\ndate: 2024-01-01\nurl: javascript:alert(1)\n---\nText.\n")
    config, _ = load_config(root / "publisher.toml")
    with pytest.raises(BuildFailed) as err:
        build(config)
    assert "post.md:4: error: url 'javascript:alert(1)' must be a path on this site or an http(s) URL" \
        in err.value.formatted()


def test_slugs_that_differ_only_in_case_are_an_error_naming_both(tmp_path: Path):
    root = _site(tmp_path / "site", {"a.md": ("slug: Go1.21", ""), "b.md": ("slug: go1.21", "")})
    config, _ = load_config(root / "publisher.toml")
    with pytest.raises(BuildFailed) as err:
        build(config)
    text = err.value.formatted()
    assert "b.md:5:1: error: slug 'go1.21' and slug 'Go1.21' of a.md (line 5) differ only in case or punctuation" \
        in text, text
    assert not (root / "build").exists()


def test_a_zola_site_may_keep_its_trailing_slash(tmp_path: Path):
    root = _site(tmp_path / "site", {"p.md": ("path: 2019/11/19/Rust-1.39.0", "")})
    write(root / "publisher.toml", CONFIG.replace('feed_groups = []', 'feed_groups = []\npath_trailing_slash = true'))
    config, _ = load_config(root / "publisher.toml")
    build(config)
    assert json.loads((root / "build" / "feed.json").read_text())["items"][0]["url"] == \
        "https://blog.example/2019/11/19/Rust-1.39.0/"


def test_a_url_on_the_site_host_with_another_scheme_is_a_warning(tmp_path: Path):
    root = tmp_path / "site"
    write(root / "publisher.toml", CONFIG)
    write(root / "articles" / "post.md",
          "---\ntitle: T\ndate: 2024-01-01\nby: Ann\nurl: http://blog.example/x\n---\nT.\n")
    config, _ = load_config(root / "publisher.toml")
    result = build(config)
    assert [d.format()[-120:] for d in result.diagnostics] == [
        "url 'http://blog.example/x' is not a URL path as written (base_url's scheme and host are "
        "https://blog.example); the URL uses 'https://blog.example/x'"[-120:]]


def test_a_mapped_url_key_is_kept_and_links_to_it_resolve(tmp_path: Path):
    root = tmp_path / "site"
    write(root / "publisher.toml", CONFIG + 'url = ["permalink"]\n')
    write(root / "articles" / "target.md", "---\ntitle: T\ndate: 2024-01-01\npermalink: /blog/Go1.22\n---\nT.\n")
    write(root / "articles" / "linker.md", "---\ntitle: L\ndate: 2024-01-02\n---\nSee [it](target.md).\n")
    config, _ = load_config(root / "publisher.toml")
    assert build(config).diagnostics == []
    items = {i["title"]: i for i in json.loads((root / "build" / "feed.json").read_text())["items"]}
    assert items["T"]["url"] == "https://blog.example/blog/Go1.22"
    assert 'href="https://blog.example/blog/Go1.22"' in items["L"]["content_html"]
