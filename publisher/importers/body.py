"""An entry's HTML as the body of a Markdown file: converted to Markdown when the conversion
loses nothing (checked by reading both back as the build reads Markdown), else kept as HTML
written so that Markdown passes it through whole."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from lxml import etree

from publisher.model.vocabulary import XLINK_NS
from publisher.normalize.html import parse_fragment
from publisher.sources.markdown import heading_id, render_html
from publisher.xmlutil import XHTML_NS

H = f"{{{XHTML_NS}}}"
#: Start tags that open a CommonMark HTML block running to the next blank line (type 6), and
#: pre (type 1, to its end tag): a body written as these, with no blank line, reaches the HTML
#: parser as written.
BLOCK_TAGS = frozenset("""address article aside blockquote caption center col colgroup dd details dialog dir div
dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr legend li main menu nav ol p
section summary table tbody td tfoot th thead tr ul pre""".split())
VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
_URL_ATTRS = ("href", "src", "cite", "poster")
_BLANK_LINES = re.compile(r"\n[ \t]*\n[\s]*")
_BLOCK_TOKEN = re.compile(r"\s*(</?(?:" + "|".join(sorted(BLOCK_TAGS | {"br"})) + r")\b[^>]*>)\s*")
_SPACE = re.compile(r"\s+")
_PRE = re.compile(r"(<pre\b.*?</pre>)", re.DOTALL)


def prepare(html: str, base: str, notes: list[str]) -> list:
    """The body as the build's HTML parser reads it (XHTML nodes; text first, maybe), URLs made
    absolute against ``base`` (an image at a relative URL would otherwise be looked for in
    articles/); what the parser removes is added to ``notes``."""
    found: list[tuple[str, str]] = []
    nodes = parse_fragment(html, found)
    for _, message in found:
        if message not in notes:
            notes.append(message)
    if base and urlsplit(base).scheme in ("http", "https"):
        for node in nodes:
            if isinstance(node, str):
                continue
            for el in node.iter(etree.Element):
                for name in _URL_ATTRS:
                    value = el.get(name)
                    if value is not None and value.strip() and not urlsplit(value.strip()).scheme:
                        el.set(name, urljoin(base, value.strip()))
                srcset = el.get("srcset")
                if srcset:
                    el.set("srcset", ", ".join(_srcset_item(base, part) for part in srcset.split(",") if part.strip()))
    return nodes


def lift_own_markup(nodes: list, entry) -> None:
    """What this tool's own feeds add around a body, back into front matter: a leading
    ``<p class="deck">`` is the deck, a trailing ``<section class="bio">`` of one author is that
    author's bio (of several, only when each bio starts with its author's name: the feed does
    not say whose paragraph is whose)."""
    elements = [n for n in nodes if not isinstance(n, str)]
    if not elements:
        return
    first, last = elements[0], elements[-1]
    if first.tag == H + "p" and first.get("class") == "deck" and len(first) == 0 and first is nodes[0]:
        entry.deck = " ".join((first.text or "").split())
        nodes.remove(first)
        if first.tail and first.tail.strip():
            nodes.insert(0, first.tail)
    if (last.tag == H + "section" and last.get("class") == "bio" and last is nodes[-1] and len(last) > 1
            and last[0].tag in (H + "h2", H + "h3") and all(p.tag == H + "p" and len(p) == 0 for p in last[1:])):
        bios = _bios([" ".join((p.text or "").split()) for p in last[1:]], entry.authors)
        if bios is not None:
            entry.bios = bios
            nodes.remove(last)


def _bios(paragraphs: list[str], authors: list[str]) -> dict[str, list[str]] | None:
    """Each author's paragraphs, when there is one author, or when each author's bio starts
    with their name (as bios do: "Mara Lindqvist covers the port."); else None."""
    if len(authors) == 1:
        return {authors[0]: paragraphs}
    found: dict[str, list[str]] = {}
    current = None
    for para in paragraphs:
        named = [a for a in authors if para.startswith(a) and a not in found]
        if named:
            current = named[0]
            found[current] = []
        if current is None:
            return None
        found[current].append(para)
    return found


def _srcset_item(base: str, part: str) -> str:
    url, _, size = part.strip().partition(" ")
    return (urljoin(base, url) + (" " + size.strip() if size.strip() else "")) if not urlsplit(url).scheme else part.strip()


def as_markdown_body(nodes: list, mode: str) -> tuple[str, str]:
    """(text, "markdown" or "html"): Markdown where ``mode`` is "md" and the conversion keeps
    every element, attribute and word; the HTML otherwise."""
    html = html_block(nodes)
    if mode == "md" and html:
        markdown = to_markdown(html)
        if markdown is not None and "{{" not in markdown and same(markdown, html):  # (braces: see _text)
            return markdown, "markdown"
    return html, "html"


def to_markdown(html: str) -> str | None:
    from markdownify import markdownify  # only the import command needs it

    try:
        text = markdownify(html, heading_style="ATX", bullets="-", escape_misc=True, wrap=False,
                           newline_style="BACKSLASH", code_language_callback=_language)
    except Exception:  # noqa: BLE001 - whatever it cannot convert stays HTML
        return None
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _language(pre) -> str | None:
    """The fence's info string: the language of ``<pre><code class="language-x">``."""
    code = pre.find("code")
    classes = code.get("class") if code is not None else None
    for name in classes if isinstance(classes, list) else []:
        if name.startswith("language-"):
            return name[len("language-"):]
    return None


def same(a: str, b: str) -> bool:
    """Whether two Markdown texts give the build the same body (ignoring source positions,
    whitespace HTML does not show, and heading ids the reader would make anyway)."""
    return canon(a) == canon(b)


def canon(markdown: str) -> str:
    nodes = parse_fragment(render_html(markdown), [])
    out: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            out.append(_esc(node))
        else:
            _canon(node, out, False)
    # whitespace between blocks shows nowhere; inside pre it is the content
    parts = _PRE.split("".join(out))
    return "".join(part if i % 2 else _BLOCK_TOKEN.sub(r"\1", part).strip() for i, part in enumerate(parts))


def _canon(el: etree._Element, out: list[str], pre: bool) -> None:
    name = etree.QName(el).localname
    pre = pre or name == "pre"
    attrs = {k: v for k, v in el.attrib.items() if k != "data-sourcepos"}
    if name in {f"h{n}" for n in range(1, 7)} and attrs.get("id") == heading_id("".join(el.itertext())):
        del attrs["id"]
    out.append(f"<{name}" + "".join(f' {k}="{_esc(v)}"' for k, v in sorted(attrs.items())) + ">")
    out.append(_esc(el.text or "", pre))
    for child in el:
        if isinstance(child.tag, str):
            _canon(child, out, pre)
        out.append(_esc(child.tail or "", pre))
    out.append(f"</{name}>")


def _esc(text: str, pre: bool = False) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;")
    return text if pre else _SPACE.sub(" ", text)


# -- HTML written for a Markdown file ---------------------------------------------------------

def html_block(nodes: list) -> str:
    """The nodes as HTML that CommonMark passes through as it is: every top-level element a
    block (inline runs wrapped in <p>), one after the other, and no blank line anywhere (a
    blank line would end the HTML block and let Markdown read what follows)."""
    groups: list[str] = []
    run: list[str] = []

    def flush() -> None:
        joined = "".join(run).strip()
        if joined:
            groups.append(f"<p>{joined}</p>")
        run.clear()

    for node in nodes:
        if isinstance(node, str):
            run.append(_text(node, False))
            continue
        name = etree.QName(node).localname
        if node.tag == H + name and name in BLOCK_TAGS:
            flush()
            groups.append(_element(node, False))
            if node.tail and node.tail.strip():
                run.append(_text(node.tail, False))
        else:
            run.append(_element(node, False) + _text(node.tail or "", False))
    flush()
    return "\n".join(groups) + ("\n" if groups else "")


def _text(text: str, pre: bool) -> str:
    # "{" as a character reference: "{{ .Title }}" in a post about templates is text, and the
    # build would read it as a shortcode or template call
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("{", "&#123;")
    if pre:
        return text.replace("\n", "&#10;")
    return _BLANK_LINES.sub("\n", text)


def _attr_name(key: str) -> str:
    if key.startswith("{"):
        ns, _, name = key[1:].partition("}")
        return ("xlink:" if ns == XLINK_NS else "xml:" if ns.endswith("/XML/1998/namespace") else "") + name
    return key


def _element(el: etree._Element, pre: bool) -> str:
    name = etree.QName(el).localname
    foreign = not el.tag.startswith(H)
    inside_pre = pre or name in ("pre", "textarea")
    attrs = "".join(
        f' {_attr_name(k)}="' + v.replace("&", "&amp;").replace('"', "&quot;").replace("\n", "&#10;") + '"'
        for k, v in el.attrib.items()
    )
    if not foreign and name in VOID:
        return f"<{name}{attrs}>"
    if foreign and len(el) == 0 and not el.text:
        return f"<{name}{attrs}/>"
    inner = el.text or ""
    lead = "&#10;" if name == "pre" and inner.startswith("\n") else ""  # HTML drops one leading newline
    parts = [f"<{name}{attrs}>", lead, _text(inner, inside_pre)]
    for child in el:
        if isinstance(child.tag, str):
            parts.append(_element(child, inside_pre))
        parts.append(_text(child.tail or "", inside_pre))
    parts.append(f"</{name}>")
    return "".join(parts)
