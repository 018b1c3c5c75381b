"""A WordPress export made for the test: posts, a draft, a page, an attachment, categories and
tags, <!--more-->, a [caption] shortcode, a post without title, a repeated guid, a trashed post."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner

from publisher import importers
from publisher.build import build
from publisher.cli import cli
from publisher.errors import Reporter
from publisher.sources import frontmatter
from tests.conftest import site_config, write

WXR = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Old Blog</title>
  <link>https://old.example/blog</link>
  <wp:wxr_version>1.2</wp:wxr_version>
  <wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[jdoe]]></wp:author_login>
    <wp:author_display_name><![CDATA[Jane Doe]]></wp:author_display_name></wp:author>
  <item>
    <title>Hello: world # one</title>
    <link>https://old.example/blog/2019/05/hello-world/</link>
    <pubDate>Wed, 01 May 2019 10:00:00 +0000</pubDate>
    <dc:creator><![CDATA[jdoe]]></dc:creator>
    <guid isPermaLink="false">https://old.example/blog/?p=11</guid>
    <description></description>
    <content:encoded><![CDATA[First paragraph of the teaser.
Second line of it.
<!--more-->
After the fold, with <a href="/blog/about/">a relative link</a> and an image:

<img src="/wp-content/uploads/2019/05/cat.jpg" alt="A cat" />]]></content:encoded>
    <excerpt:encoded><![CDATA[]]></excerpt:encoded>
    <wp:post_id>11</wp:post_id>
    <wp:post_date><![CDATA[2019-05-01 12:00:00]]></wp:post_date>
    <wp:post_date_gmt><![CDATA[2019-05-01 10:00:00]]></wp:post_date_gmt>
    <wp:post_modified_gmt><![CDATA[2019-06-02 08:00:00]]></wp:post_modified_gmt>
    <wp:post_name><![CDATA[hello-world]]></wp:post_name>
    <wp:status><![CDATA[publish]]></wp:status>
    <wp:post_type><![CDATA[post]]></wp:post_type>
    <category domain="category" nicename="news"><![CDATA[News]]></category>
    <category domain="post_tag" nicename="cats"><![CDATA[Cats]]></category>
  </item>
  <item>
    <title>Unfinished thoughts</title>
    <link>https://old.example/blog/?p=12</link>
    <dc:creator><![CDATA[jdoe]]></dc:creator>
    <guid isPermaLink="false">https://old.example/blog/?p=12</guid>
    <content:encoded><![CDATA[Not ready yet.]]></content:encoded>
    <wp:post_date><![CDATA[2019-05-03 09:00:00]]></wp:post_date>
    <wp:post_date_gmt><![CDATA[0000-00-00 00:00:00]]></wp:post_date_gmt>
    <wp:post_name><![CDATA[]]></wp:post_name>
    <wp:status><![CDATA[draft]]></wp:status>
    <wp:post_type><![CDATA[post]]></wp:post_type>
  </item>
  <item>
    <title>About</title>
    <link>https://old.example/blog/about/</link>
    <guid isPermaLink="false">https://old.example/blog/?page_id=2</guid>
    <content:encoded><![CDATA[About us.]]></content:encoded>
    <wp:post_date_gmt><![CDATA[2019-01-01 00:00:00]]></wp:post_date_gmt>
    <wp:status><![CDATA[publish]]></wp:status>
    <wp:post_type><![CDATA[page]]></wp:post_type>
  </item>
  <item>
    <title>cat.jpg</title>
    <guid isPermaLink="false">https://old.example/wp-content/uploads/2019/05/cat.jpg</guid>
    <wp:post_date_gmt><![CDATA[2019-05-01 09:00:00]]></wp:post_date_gmt>
    <wp:status><![CDATA[inherit]]></wp:status>
    <wp:post_type><![CDATA[attachment]]></wp:post_type>
    <wp:attachment_url><![CDATA[https://old.example/wp-content/uploads/2019/05/cat.jpg]]></wp:attachment_url>
  </item>
  <item>
    <title>Harbour pictures</title>
    <link>https://old.example/blog/2019/06/harbour/</link>
    <dc:creator><![CDATA[jdoe]]></dc:creator>
    <guid isPermaLink="false">https://old.example/blog/?p=14</guid>
    <content:encoded><![CDATA[The boats came in.

[caption id="attachment_15" align="aligncenter" width="640"]<img src="https://old.example/wp-content/uploads/boat.jpg" alt="A boat" width="640" height="480" /> The <em>first</em> boat[/caption]

[gallery ids="1,2,3"]]]></content:encoded>
    <excerpt:encoded><![CDATA[Boats, in pictures.]]></excerpt:encoded>
    <wp:post_date_gmt><![CDATA[2019-06-10 07:30:00]]></wp:post_date_gmt>
    <wp:post_name><![CDATA[harbour-pictures]]></wp:post_name>
    <wp:status><![CDATA[publish]]></wp:status>
    <wp:post_type><![CDATA[post]]></wp:post_type>
    <category domain="post_tag" nicename="boats"><![CDATA[Boats]]></category>
  </item>
  <item>
    <title></title>
    <guid isPermaLink="false">https://old.example/blog/?p=16</guid>
    <content:encoded><![CDATA[A post nobody titled.]]></content:encoded>
    <wp:post_date_gmt><![CDATA[2019-06-11 07:30:00]]></wp:post_date_gmt>
    <wp:status><![CDATA[publish]]></wp:status>
    <wp:post_type><![CDATA[post]]></wp:post_type>
  </item>
  <item>
    <title>Hello again</title>
    <guid isPermaLink="false">https://old.example/blog/?p=11</guid>
    <content:encoded><![CDATA[Same guid as the first.]]></content:encoded>
    <wp:post_date_gmt><![CDATA[2019-06-12 07:30:00]]></wp:post_date_gmt>
    <wp:status><![CDATA[publish]]></wp:status>
    <wp:post_type><![CDATA[post]]></wp:post_type>
  </item>
  <item>
    <title>Thrown away</title>
    <guid isPermaLink="false">https://old.example/blog/?p=17</guid>
    <content:encoded><![CDATA[Gone.]]></content:encoded>
    <wp:post_date_gmt><![CDATA[2019-06-13 07:30:00]]></wp:post_date_gmt>
    <wp:status><![CDATA[trash]]></wp:status>
    <wp:post_type><![CDATA[post]]></wp:post_type>
  </item>
</channel>
</rss>
"""


def _front(path: Path) -> tuple[dict, str]:
    kind, text, body, _ = frontmatter.split(path, path.read_text(encoding="utf-8"))
    assert kind == "yaml"
    return frontmatter.load(path, kind, text, 2), body


def test_wxr_imports_posts_and_reports_the_rest(tiny: Path):
    source = write(tiny / "export.xml", WXR)
    report = Reporter()
    result = importers.run(source, tiny / "articles", report)
    assert result.kind == "WordPress WXR"
    assert [i.path for i in result.imported] == [
        "2019-05-01-hello-world.md", "2019-05-03-unfinished-thoughts.md", "2019-06-10-harbour-pictures.md"]
    reasons = {e.number: e.skip for e in result.skipped}
    assert set(reasons) == {3, 4, 6, 7, 8}
    assert "WordPress page" in reasons[3] and "WordPress attachment" in reasons[4]
    assert "no title" in reasons[6]
    assert "repeats the id of item 1" in reasons[7]
    assert "'trash'" in reasons[8]
    lines = {d.line for d in report.diagnostics if d.code == "not-imported"}
    assert len(lines) == 5 and None not in lines  # each skipped item is reported at its line

    first, body = _front(tiny / "articles" / "2019-05-01-hello-world.md")
    assert first == {
        "title": "Hello: world # one", "authors": ["Jane Doe"], "date": "2019-05-01T10:00:00+00:00",
        "updated": "2019-06-02T08:00:00+00:00", "tags": ["News", "Cats"],
        "summary": "First paragraph of the teaser. Second line of it.",
        "uri": "https://old.example/blog/?p=11", "canonical": "https://old.example/blog/2019/05/hello-world/",
    }
    assert "https://old.example/wp-content/uploads/2019/05/cat.jpg" in body  # images stay remote, absolute
    assert "https://old.example/blog/about/" in body
    assert "more" not in body

    draft, _ = _front(tiny / "articles" / "2019-05-03-unfinished-thoughts.md")
    assert draft["draft"] is True and draft["date"] == "2019-05-03T09:00:00"

    pictures, body = _front(tiny / "articles" / "2019-06-10-harbour-pictures.md")
    assert pictures["summary"] == "Boats, in pictures."
    assert "<figure>" in body and "<figcaption>The <em>first</em> boat</figcaption>" in body
    assert "[caption" not in body
    assert any("[gallery] kept as written" in d.message for d in report.diagnostics)

    # the imported site builds: the draft left out, the caption a figure in the feed
    result = build(site_config(tiny), workers=1)
    assert result.articles == 2 and result.drafts == 1
    rss = (tiny / "build" / "rss.xml").read_text(encoding="utf-8")
    assert "https://old.example/blog/?p=11" in rss and "&lt;figcaption&gt;" in rss


def test_import_command_reports_in_json_and_dry_run_writes_nothing(tiny: Path, monkeypatch):
    write(tiny / "export.xml", WXR)
    monkeypatch.chdir(tiny)
    out = CliRunner().invoke(cli, ["import", "export.xml", "--dry-run", "--format", "json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert doc["command"] == "import" and doc["summary"]["dry_run"] is True
    assert [i["path"] for i in doc["summary"]["imported"]] == [
        "articles/2019-05-01-hello-world.md", "articles/2019-05-03-unfinished-thoughts.md",
        "articles/2019-06-10-harbour-pictures.md"]
    assert [(n["item"], n["title"]) for n in doc["summary"]["not_imported"]] == [
        (3, "About"), (4, "cat.jpg"), (6, ""), (7, "Hello again"), (8, "Thrown away")]
    assert not list((tiny / "articles").iterdir())

    out = CliRunner().invoke(cli, ["import", "export.xml", "--body", "html"])
    assert out.exit_code == 0, out.output
    assert "Imported 3 of 8 item(s) of export.xml (WordPress WXR) into articles/; 5 not imported" in out.stdout
    assert "export.xml:47: warning: item 3 'About' is a WordPress page" in out.stderr
    assert len(list((tiny / "articles").iterdir())) == 3
    text = (tiny / "articles" / "2019-05-01-hello-world.md").read_text(encoding="utf-8")
    assert "\n<p>First paragraph of the teaser.<br>" in text  # --body html: the HTML as it is
    assert yaml.safe_load(text.split("---\n")[1])["title"] == "Hello: world # one"
