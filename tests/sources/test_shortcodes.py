"""Shortcodes in Markdown bodies (issue 19, point 3): built-ins end to end through the real
validators, code left alone, unknown ones, a site's own functions, hostile arguments, the cache."""

from __future__ import annotations

import importlib.metadata
import os
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from publisher import limits
from publisher.build import build, normalize_file
from publisher.cli import cli
from publisher.errors import Reporter, SourceError
from publisher.sources import shortcodes
from publisher.xmlutil import to_bytes
from tests.conftest import epubcheck, site_config, write
from tests.validators import feed_files, w3c_check

FRONT = "---\ntitle: {title}\ndate: 2026-01-0{n}\n---\n"


def article(root: Path, name: str, body: str, n: int = 1, title: str = "A title") -> Path:
    return write(root / "articles" / name, FRONT.format(title=title, n=n) + body)


def xml_of(root: Path, name: str, report: Reporter | None = None) -> str:
    return to_bytes(normalize_file(root / "articles" / name, site_config(root), report or Reporter())).decode()


def error_of(root: Path, name: str) -> SourceError:
    with pytest.raises(SourceError) as caught:
        normalize_file(root / "articles" / name, site_config(root), Reporter())
    return caught.value


def image(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (8, 6), "teal").save(path)
    return path


BUILT_INS = """\
Intro with a video {{< youtube dQw4w9WgXcQ >}} in the middle.

{{< figure src="photo.png" caption="A *teal* square, [source](https://example.org/)" >}}

{{image "photo.png"}}

{{< vimeo 76979871 >}} and {{< video src="clip.mp4" poster="photo.png" title="The clip" >}}

A gist {{< gist spf13 7896402 >}}, a tweet {{< tweet user="SanDiegoZoo" id="1453110110599868418" >}}
and a post {{< x user="SanDiegoZoo" id="1453110110599868418" >}}.

{{< highlight go >}}
func main() { fmt.Println("{{ not a call }}") }
{{< /highlight >}}

{{code "main.go"}}

{{< raw >}}<b>shown as code</b>{{< /raw >}}

Read [the other one]({{< ref "2026-01-02-other.md" >}}) or {{< relref "/2026-01-02-other.md#part" >}}.
"""


def built_in_site(root: Path) -> Path:
    write(root / "publisher.toml", '[site]\ntitle = "Shortcodes"\nbase_url = "https://sc.example/"\n'
          'feed_groups = []\n')
    image(root / "articles" / "photo.png")
    write(root / "articles" / "main.go", 'package main\n\nfunc main() { println("<script>") }\n')
    article(root, "2026-01-01-all.md", BUILT_INS, 1, "All built-ins")
    article(root, "2026-01-02-other.md", "Other.\n\n## Part\n\nMore.\n", 2, "Other")
    # and a site's own, returning Markdown and an element (cleaned of its script)
    write(root / "publisher.toml", (root / "publisher.toml").read_text() + 'shortcodes = "site_shortcodes"\n')
    write(root / "site_shortcodes.py", SITE_MODULE)
    write(root / "articles" / "snippet.py", "x = 1\n")
    article(root, "2026-01-03-own.md", '{{% note %}}\nA note.\n{{% /note %}}\n\nA {{< badge "new" >}}.\n\n'
            '{{< listing "snippet.py" >}}\n', 3, "The site's own")
    return root


def test_each_built_in_end_to_end_passes_the_validators(tmp_path: Path):
    root = built_in_site(tmp_path / "site")
    result = build(site_config(root))
    assert not [d for d in result.diagnostics if d.severity == "error"], result.diagnostics
    out = root / "build"
    assert (out / "media" / "photo.png").is_file()  # the figure's image, published like ![](photo.png)
    xml = xml_of(root, "2026-01-01-all.md")
    assert '<h:a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ">Watch the video on YouTube</h:a>' in xml
    assert ('<h:figure><h:img src="https://sc.example/media/photo.png" alt="A teal square, source"/>'
            '<h:figcaption>A <h:em>teal</h:em> square, <h:a href="https://example.org/">source</h:a>'
            '</h:figcaption></h:figure>') in xml
    assert '<h:p><h:img src="https://sc.example/media/photo.png" alt=""/></h:p>' in xml
    assert '<h:a href="https://vimeo.com/76979871">' in xml
    assert ('<h:a href="https://sc.example/articles/all/clip.mp4"><h:img src="https://sc.example/media/photo.png"'
            ' alt="The clip"/></h:a>') in xml
    assert 'href="https://gist.github.com/spf13/7896402"' in xml
    assert 'href="https://twitter.com/SanDiegoZoo/status/1453110110599868418"' in xml
    assert 'href="https://x.com/SanDiegoZoo/status/1453110110599868418"' in xml
    assert '<h:code class="language-go">func main() { fmt.Println("{{ not a call }}") }\n</h:code>' in xml
    assert '<h:code class="language-go">package main\n\nfunc main() { println("&lt;script&gt;") }\n</h:code>' in xml
    assert "<h:code>&lt;b&gt;shown as code&lt;/b&gt;</h:code>" in xml
    assert 'href="https://sc.example/articles/other/"' in xml
    assert "https://sc.example/articles/other/#part" in xml
    assert "{{" not in xml.replace("{{ not a call }}", "")
    assert "iframe" not in xml and "<h:script" not in xml
    feeds = feed_files(out)
    assert feeds
    errors = [f for f in w3c_check(feeds) if f.kind == "error"]
    assert errors == [], "\n".join(map(str, errors))
    messages = epubcheck(out / "articles.epub").messages
    assert messages == [], messages
    with zipfile.ZipFile(out / "articles.epub") as z:
        chapters = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xhtml"))
    assert 'class="badge"' in chapters and "<script" not in chapters and "alert" not in chapters
    assert "youtube.com/watch?v=dQw4w9WgXcQ" in chapters


def test_code_spans_and_blocks_keep_their_braces(tiny: Path):
    body = ("Inline `{{< nope >}}` and ``{{nope}}`` stay.\n\n```\n{{< nope >}}\n{{nope \"x\"}}\n```\n\n"
            "    {{% nope %}}\n\n> - quoted `{{nope}}`\n\n| a | `{{nope}}` |\n|---|---|\n| b | c |\n\n"
            "Not calls: {{ 1 + 2 }}, ${{ secrets.token }}, {{closure}}`x`\n")
    article(tiny, "2026-01-01-code.md", body.replace("{{closure}}`x`", "`{{closure}}`"))
    xml = xml_of(tiny, "2026-01-01-code.md")
    assert "<h:code>{{&lt; nope &gt;}}</h:code>" in xml and "<h:code>{{nope}}</h:code>" in xml
    assert "{{&lt; nope &gt;}}\n{{nope \"x\"}}\n" in xml and "{{% nope %}}" in xml
    assert xml.count("{{nope}}") >= 3 and "{{ 1 + 2 }}" in xml and "${{ secrets.token }}" in xml


def test_an_unknown_shortcode_is_an_error_with_line_and_column(tiny: Path, monkeypatch):
    article(tiny, "2026-01-01-u.md", "First line.\n\nSee {{< instagram BWNjjyYFxVx >}} here.\n")
    err = error_of(tiny, "2026-01-01-u.md")
    assert (err.line, err.col) == (7, 5)
    assert "unknown shortcode 'instagram'" in err.plain_message and "unknown_shortcodes" in err.plain_message
    monkeypatch.chdir(tiny)
    result = CliRunner().invoke(cli, ["build"], catch_exceptions=False)
    assert result.exit_code == 1
    assert "articles/2026-01-01-u.md:7:5: error: unknown shortcode 'instagram'" in result.output
    assert "Traceback" not in result.output and not (tiny / "build").exists()


def test_a_go_template_call_and_a_stray_closing_tag_are_errors_too(tiny: Path):
    article(tiny, "2026-01-01-g.md", "Text {{.Title}} here.\n")
    assert "template action {{.Title}}" in error_of(tiny, "2026-01-01-g.md").plain_message
    article(tiny, "2026-01-01-g.md", "Some text\n{{% /note %}}\n")
    err = error_of(tiny, "2026-01-01-g.md")
    assert "closing tag" in err.plain_message and (err.line, err.col) == (6, 1)


def test_a_shortcode_whose_arguments_cannot_be_read_is_an_error(tiny: Path):
    article(tiny, "2026-01-01-m.md", 'Text {{< figure src="a.png caption="x" >}} here.\n')
    err = error_of(tiny, "2026-01-01-m.md")
    assert "cannot read the arguments of shortcode 'figure'" in err.plain_message and (err.line, err.col) == (5, 6)
    article(tiny, "2026-01-01-m.md", 'Link {{< figure src=https://e.example/a.png?w=1&h=2 >}} here.\n')
    assert 'src="https://e.example/a.png?w=1&amp;h=2"' in xml_of(tiny, "2026-01-01-m.md")


def test_warning_mode_keeps_the_shortcode_as_visible_text(tiny: Path):
    write(tiny / "publisher.toml", (tiny / "publisher.toml").read_text() + 'unknown_shortcodes = "warning"\n')
    article(tiny, "2026-01-01-w.md", "Before {{< instagram x >}} after.\n\n{{% note %}}\n*Inner* text.\n{{% /note %}}\n")
    report = Reporter()
    xml = xml_of(tiny, "2026-01-01-w.md", report)
    assert "<h:code>{{&lt; instagram x &gt;}}</h:code>" in xml
    assert "<h:code>{{% note %}}</h:code>" in xml and "<h:em>Inner</h:em> text." in xml
    assert "<h:code>{{% /note %}}</h:code>" in xml
    found = [(d.line, d.col, d.message) for d in report.diagnostics]
    assert (5, 8, "unknown shortcode 'instagram' kept as text (site.unknown_shortcodes = \"warning\")") in found
    assert any(line == 7 and "'note'" in message for line, _, message in found)


def test_lines_after_a_multi_line_shortcode_are_the_source_lines(tiny: Path):
    article(tiny, "2026-01-01-l.md", "{{< highlight go >}}\na\nb\nc\n{{< /highlight >}}\n\n![x](missing.png)\n")
    err = error_of(tiny, "2026-01-01-l.md")
    assert err.line == 11 and "missing.png" in err.plain_message


SITE_MODULE = '''
from lxml import etree

def note(args, inner, context):
    kind = args.get("kind", 0, "note")
    return f"> **{kind.title()}:** {inner.strip()}"

def badge(args, inner, context):
    span = etree.Element("span", {"class": "badge", "onclick": "alert(1)"})
    span.text = args.get("text", 0)
    script = etree.SubElement(span, "script")
    script.text = "alert(2)"
    return span

def listing(args, inner, context):
    return "```\\n" + context.read(args.get("file", 0)) + "```\\n"

def fails(args, inner, context):
    raise ValueError("no such thing")

SHORTCODES = {"note": note, "badge": badge, "listing": listing, "fails": fails}
'''


def test_a_site_module_adds_shortcodes(tiny: Path):
    write(tiny / "publisher.toml", (tiny / "publisher.toml").read_text() + 'shortcodes = "site_shortcodes"\n')
    write(tiny / "site_shortcodes.py", SITE_MODULE)
    write(tiny / "articles" / "snippet.py", "x = 1\n")
    article(tiny, "2026-01-01-m.md", '{{% note warning %}}\nMind *the* gap.\n{{% /note %}}\n\n'
            'A {{< badge "new" >}} badge.\n\n{{< listing "snippet.py" >}}\n')
    report = Reporter()
    xml = xml_of(tiny, "2026-01-01-m.md", report)
    assert "<h:blockquote>\n<h:p><h:strong>Warning:</h:strong> Mind <h:em>the</h:em> gap.</h:p>" in xml
    assert '<h:span class="badge">new</h:span>' in xml and "alert" not in xml
    assert "<h:pre><h:code>x = 1\n</h:code></h:pre>" in xml
    assert any("removed <script>" in d.message and (d.line, d.col) == (9, 3) for d in report.diagnostics), report.diagnostics
    article(tiny, "2026-01-01-m.md", "Then {{< fails >}}.\n")
    err = error_of(tiny, "2026-01-01-m.md")
    assert "shortcode 'fails' (from site_shortcodes.py) failed: ValueError: no such thing" in err.plain_message
    assert (err.line, err.col) == (5, 6)


def test_a_missing_site_module_is_a_config_error(tiny: Path, monkeypatch):
    write(tiny / "publisher.toml", (tiny / "publisher.toml").read_text() + 'shortcodes = "nowhere"\n')
    monkeypatch.chdir(tiny)
    result = CliRunner().invoke(cli, ["check"], catch_exceptions=False)
    assert result.exit_code == 1 and "site.shortcodes: no file nowhere.py beside the config" in result.output


def test_an_entry_point_adds_a_shortcode(tiny: Path, tmp_path: Path, monkeypatch, request):
    write(tmp_path / "pkg" / "sc_entry_point_mod.py",
          "def aside(args, inner, context):\n    return '*' + args.get('text', 0) + '*'\n")
    monkeypatch.syspath_prepend(str(tmp_path / "pkg"))
    # an installed distribution's metadata, as importlib.metadata reads it from site-packages
    dist_info = write(tmp_path / "site-packages" / "newsroom_sc-1.0.dist-info" / "entry_points.txt",
                      "[publisher.shortcodes]\naside = sc_entry_point_mod:aside\n").parent
    write(dist_info / "METADATA", "Metadata-Version: 2.1\nName: newsroom-sc\nVersion: 1.0\n")
    real = importlib.metadata.distributions

    def distributions(**kwargs):
        yield from real(**kwargs)
        yield importlib.metadata.PathDistribution(dist_info)

    before = site_config(tiny).shortcodes_identity
    monkeypatch.setattr(importlib.metadata, "distributions", distributions)
    shortcodes.forget_entry_points()
    request.addfinalizer(shortcodes.forget_entry_points)  # after monkeypatch's undo: the real ones
    identity = site_config(tiny).shortcodes_identity
    assert identity != before  # a new entry point: new cache keys
    article(tiny, "2026-01-01-e.md", 'An {{< aside "emphasised" >}} word.\n')
    assert "<h:em>emphasised</h:em>" in xml_of(tiny, "2026-01-01-e.md")
    write(dist_info / "METADATA", "Metadata-Version: 2.1\nName: newsroom-sc\nVersion: 1.1\n")
    shortcodes.forget_entry_points()
    assert site_config(tiny).shortcodes_identity not in (before, identity)  # a new version: new keys


def test_changing_the_site_module_or_an_included_file_rebuilds(tiny: Path):
    write(tiny / "publisher.toml", (tiny / "publisher.toml").read_text() + 'shortcodes = "site_shortcodes"\n')
    module = write(tiny / "site_shortcodes.py", "SHORTCODES = {'v': lambda a, i, c: 'version one'}\n")
    write(tiny / "articles" / "inc.go", "package one\n")
    article(tiny, "2026-01-01-c.md", "Says {{< v >}}.\n\n{{< code \"inc.go\" >}}\n")
    build(site_config(tiny))
    feed = tiny / "build" / "feed.json"
    assert "version one" in feed.read_text() and "package one" in feed.read_text()
    write(module, "SHORTCODES = {'v': lambda a, i, c: 'version two'}\n")
    result = build(site_config(tiny))
    assert "version two" in feed.read_text() and result.normalized == 1
    write(tiny / "articles" / "inc.go", "package two\n")
    result = build(site_config(tiny))
    assert "package two" in feed.read_text() and result.normalized == 1
    result = build(site_config(tiny))
    assert result.normalized == 0


@pytest.mark.parametrize(("call", "message"), [
    ('{{< code "../../outside.go" >}}', "is outside the articles folder"),
    ('{{< code "/../outside.go" >}}', "is outside the articles folder"),
    ('{{< code "link.go" >}}', "is outside the articles folder"),
    ('{{< code "big.go" >}}', f"an included file may have at most {limits.mib(limits.INCLUDE_BYTES)}"),
    ('{{< code "sub/dir.go" >}}', "is a folder"),
    ('{{< code "fifo.go" >}}', "is not a regular file"),
    ('{{< code "sub/.env" >}}', "is a hidden file"),
    ('{{< code "missing.go" >}}', "file 'missing.go' not found"),
    ('{{< youtube "<script>alert(1)</script>" >}}', "needs the video's id"),
    ('{{< tweet user="x" id="1;alert(1)" >}}', "needs the post's id"),
    ('{{< ref "nowhere.md" >}}', "no article 'nowhere.md'"),
    ('{{< ref "../../etc/passwd" >}}', "is outside the articles folder"),
])
def test_hostile_arguments_are_errors_at_the_shortcode(tiny: Path, call: str, message: str):
    write(tiny / "outside.go", "secret\n")
    os.symlink(tiny / "outside.go", tiny / "articles" / "link.go")
    write(tiny / "articles" / "big.go", "x" * (limits.INCLUDE_BYTES + 1))
    (tiny / "articles" / "sub" / "dir.go").mkdir(parents=True)
    os.mkfifo(tiny / "articles" / "fifo.go")
    write(tiny / "articles" / "sub" / ".env", "TOKEN=secret\n")
    article(tiny, "2026-01-01-h.md", f"Line.\n\nCall {call} here.\n")
    err = error_of(tiny, "2026-01-01-h.md")
    assert message in err.plain_message and (err.line, err.col) == (7, 6), err.formatted()
    assert "secret" not in err.plain_message


def test_script_in_arguments_never_reaches_an_output(tiny: Path):
    article(tiny, "2026-01-01-s.md",
            '{{< figure src="javascript:alert(1)" caption="<script>alert(2)</script> <img src=x onerror=alert(3)>" >}}\n\n'
            '{{< video src="javascript:alert(4)" title="<b onmouseover=alert(5)>t</b>" >}}\n\n'
            '{{< figure src="https://img.example/a.png" title="\\"><script>alert(6)</script>" >}}\n')
    report = Reporter()
    xml = xml_of(tiny, "2026-01-01-s.md", report)
    assert 'src="javascript' not in xml and 'href="javascript' not in xml and "<h:script" not in xml
    assert "onerror=" not in xml.replace("onerror=alert(3)&gt;", "") and "onmouseover=" not in xml.replace(
        "&lt;b onmouseover=alert(5)&gt;", "")  # escaped text, shown as written
    assert "<h:strong>\"&gt;&lt;script&gt;alert(6)&lt;/script&gt;</h:strong>" in xml.replace("“", '"').replace("”", '"')
    assert any("javascript" in d.message for d in report.diagnostics)


def test_too_many_shortcodes_is_an_error(tiny: Path):
    article(tiny, "2026-01-01-n.md", "{{< youtube abc >}} " * (limits.SHORTCODES + 1) + "\n")
    assert "more than" in error_of(tiny, "2026-01-01-n.md").plain_message


def test_unterminated_openings_cost_linear_time(tiny: Path):
    import time

    article(tiny, "2026-01-01-t.md", ('{{< a "' * 20_000) + "\n\n" + ("{{ x `" * 4_000) + "\n")
    started = time.perf_counter()
    xml_of(tiny, "2026-01-01-t.md")
    assert time.perf_counter() - started < 5


def test_wire_bodies_are_not_expanded(tiny: Path):
    write(tiny / "articles" / "2026-01-01-w.txt", "Headline here\n\nBody with {{< youtube abc >}} kept.\n")
    write(tiny / "articles" / "2026-01-01-w.meta.yaml", "date: 2026-01-01\n")
    assert "{{&lt; youtube abc &gt;}}" in xml_of(tiny, "2026-01-01-w.txt")


@pytest.mark.parametrize("piece", ["{{<x~", "{{</* x", '{{<x "', "{{x ~"])
def test_many_openings_without_spaces_are_read_in_linear_time(piece: str):
    """One scan per opening must stop at the next "{{": a 1 MiB body of openings is not hours."""
    import time

    from publisher.sources.shortcode_syntax import find_tags

    def cost(n: int) -> float:
        start = time.process_time()
        find_tags(piece * (n // len(piece)), [])
        return time.process_time() - start

    small, large = cost(40_000), cost(320_000)  # 8 times the text
    assert large < 30 * max(small, 0.005), (small, large)  # linear: about 8x; quadratic: about 64x
