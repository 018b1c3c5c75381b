"""The syntax of shortcodes: Hugo's ``{{< name args >}}`` / ``{{% name args %}}`` (opening,
closing, self-closing, escaped) and Go-template calls ``{{name args}}``, found in a text outside
the spans it is told are code, each as a Tag with its arguments."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from publisher import limits


@dataclass(frozen=True)
class Args:
    """A shortcode's arguments as written: ``positional`` in order, ``named`` (``key=value``)."""

    positional: tuple[str, ...] = ()
    named: dict[str, str] = field(default_factory=dict)

    def get(self, name: str, index: int | None = None, default: str | None = None) -> str | None:
        """The named argument ``name``, else the positional one at ``index``, else ``default``."""
        if name in self.named:
            return self.named[name]
        if index is not None and index < len(self.positional):
            return self.positional[index]
        return default



@dataclass
class Tag:
    start: int  # offsets in the body text
    end: int
    form: str
    name: str = ""
    args: Args = field(default_factory=Args)
    closing: bool = False
    self_closing: bool = False
    literal: str | None = None  # an escaped tag ({{</* x */>}}): the text it stands for
    comment: bool = False  # {{/* ... */}}: nothing
    action: bool = False  # a Go-template action that is no call ({{.Title}})
    malformed: bool = False  # a name, then arguments that cannot be read, then the tag's end
    inner: tuple[int, int] | None = None  # paired: the span between the tags
    children: list["Tag"] = field(default_factory=list)


_NAME = re.compile(r"[A-Za-z_][\w./-]*")
_GO_NAME = re.compile(r"[A-Za-z_]\w*")
_SPACE = re.compile(r"\s*")
# an unquoted argument ends at white space or the tag's end, and never runs into another "{{":
# a body of "{{<x~" repeated without spaces would otherwise scan to its end from every opening
_BARE = re.compile(r"(?:(?!\{\{)[^\s\"`])+?(?=\s|$|\{\{|/?[>%]}}|-?}})")
_OPENING = re.compile(r"\{\{")


def _string(text: str, i: int) -> tuple[str, int] | None:
    """A quoted ("..." with backslash escapes, one line) or raw (`...`) string at ``i``."""
    quote_char = text[i]
    if quote_char == "`":
        end = text.find("`", i + 1)
        return (text[i + 1:end], end + 1) if end >= 0 else None
    out, j = [], i + 1
    while j < len(text):
        c = text[j]
        if c == "\\" and j + 1 < len(text):
            nxt = text[j + 1]
            out.append({"n": "\n", "t": "\t"}.get(nxt, nxt))
            j += 2
            continue
        if c == '"':
            return "".join(out), j + 1
        if c == "\n":
            return None
        out.append(c)
        j += 1
    return None


def _arguments(text: str, i: int, ends: tuple[str, ...]) -> tuple[Args, int, str] | None:
    """Arguments from ``i`` up to one of ``ends``; (args, offset after the end, end found)."""
    positional: list[str] = []
    named: dict[str, str] = {}
    while True:
        i = _SPACE.match(text, i).end()
        if i >= len(text):
            return None
        for end in ends:
            if text.startswith(end, i):
                return Args(tuple(positional), named), i + len(end), end
        if text.startswith("{{", i):  # another opening before this one closed: not a tag
            return None
        key = None
        m = re.compile(r"([A-Za-z_][\w-]*)=").match(text, i)
        if m:
            key, i = m.group(1), m.end()
        if i < len(text) and text[i] in "\"`":
            got = _string(text, i)
            if got is None:
                return None
            value, i = got
        else:
            m = _BARE.match(text, i)
            if not m or not m.group(0):
                return None
            value, i = m.group(0), m.end()
        if key is None:
            positional.append(value)
        else:
            named[key] = value


def _tag_at(text: str, i: int, ends: _Ends) -> Tag | None:
    """The tag that starts with ``{{`` at ``i``, or None when none does."""
    j = i + 2
    if j < len(text) and text[j] in "<%":
        mark = text[j]
        close = (">" if mark == "<" else "%") + "}}"
        form = "hugo" if mark == "<" else "hugo-markdown"
        k = _SPACE.match(text, j + 1).end()
        if text.startswith("/*", k):  # {{</* x */>}}: the text of the tag, not a call
            following = text.find("{{", k + 2)  # not past the next opening: linear over many
            stop = text.find("*/", k + 2, following if following >= 0 else len(text))
            if stop < 0:
                return None
            after = _SPACE.match(text, stop + 2).end()
            if not text.startswith(close, after):
                return None
            inner = text[k + 2:stop].strip()
            return Tag(i, after + 3, form, literal="{{" + mark + " " + inner + " " + close)
        closing = text.startswith("/", k)
        if closing:
            k = _SPACE.match(text, k + 1).end()
        m = _NAME.match(text, k)
        if not m:
            return None
        got = _arguments(text, m.end(), ("/" + close, close))
        if got is None:
            return _malformed(text, i, m.group(0), form, close, ends)
        args, end, found = got
        return Tag(i, end, form, m.group(0), args, closing=closing, self_closing=found.startswith("/"))
    if i > 0 and text[i - 1] in "${":  # GitHub Actions' ${{ }}, a third brace
        return None
    k = j + 1 if text.startswith("-", j) and text[j + 1:j + 2].isspace() else j
    k = _SPACE.match(text, k).end()
    if text.startswith("/*", k):
        stop = text.find("*/", k + 2)
        if stop < 0:
            return None
        m = re.compile(r"\s*-?}}").match(text, stop + 2)
        return Tag(i, m.end(), "go", comment=True) if m else None
    if text.startswith(".", k) and _GO_NAME.match(text, k + 1):
        m = re.compile(r"[^{}\n]*}}").match(text, k)
        return Tag(i, m.end(), "go", text[k:m.end() - 2].strip(), action=True) if m else None
    m = _GO_NAME.match(text, k)
    if not m or m.end() >= len(text) or not (text[m.end()].isspace() or text.startswith("}}", m.end())
                                             or text.startswith("-}}", m.end())):
        return None
    got = _arguments(text, m.end(), ("-}}", "}}"))
    if got is None:
        return _malformed(text, i, m.group(0), "go", "}}", ends)
    args, end, _ = got
    return Tag(i, end, "go", m.group(0), args, self_closing=True)


class _Ends:
    """Where each line of a text ends and each tag end (``>}}``, ``%}}``, ``}}``) stands, found
    once: a body of many unreadable openings is searched by bisection, not once per opening."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._found: dict[str, list[int]] = {}

    def after(self, what: str, i: int) -> int | None:
        if what not in self._found:
            self._found[what] = [m.start() for m in re.finditer(re.escape(what), self.text)]
        found = self._found[what]
        n = bisect.bisect_left(found, i)
        return found[n] if n < len(found) else None


def _malformed(text: str, i: int, name: str, form: str, close: str, ends: _Ends) -> Tag | None:
    """A tag whose arguments cannot be read, when its end is on the same line (else it is no tag)."""
    line_end = ends.after("\n", i)
    end = ends.after(close, i)
    if end is None or (line_end is not None and end > line_end):
        return None
    return Tag(i, end + len(close), form, name, malformed=True, self_closing=True)


def find_tags(text: str, code: list[tuple[int, int]]) -> list[Tag]:
    """Every tag of ``text`` outside the ``code`` spans (offsets, end exclusive), in order."""
    tags: list[Tag] = []
    ends = _Ends(text)
    code = sorted(code)
    c = 0
    pos = 0
    while True:
        m = _OPENING.search(text, pos)
        if m is None:
            return tags
        i = m.start()
        while c < len(code) and code[c][1] <= i:
            c += 1
        if c < len(code) and code[c][0] <= i:
            pos = code[c][1]
            continue
        tag = _tag_at(text, i, ends)
        if tag is None:
            pos = i + 1
            continue
        tags.append(tag)
        if len(tags) > limits.SHORTCODES:
            raise TooMany()
        pos = tag.end


class TooMany(Exception):
    """More than limits.SHORTCODES tags."""
