"""The built-in shortcodes (figure, video links, gist and post links, code listings, ref), each
a function of (args, inner text, context) as a site's own are (docs/shortcodes.md)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from lxml import etree

from publisher.xmlutil import H

if TYPE_CHECKING:
    from publisher.sources.shortcodes import Args, Context

Result = Any
Function = Callable[["Args", "str | None", "Context"], Result]


class ShortcodeError(Exception):
    """Raised by a shortcode function for a problem of the source: reported at the shortcode's
    file, line and column, and the article is not published."""


def code_element(text: str, language: str | None = None, *, block: bool = False) -> etree._Element:
    code = etree.Element(H + "code")
    code.text = text
    if language:
        code.set("class", "language-" + re.sub(r"[^\w+#.-]", "", language)[:40])
    if not block:
        return code
    pre = etree.Element(H + "pre")
    pre.append(code)
    return pre


def _el(tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.Element(H + tag, {k: v for k, v in attrs.items() if v is not None})
    if text:
        el.text = text
    return el


def _ignored(args: Args, context: Context, known: set[str]) -> None:
    extra = sorted(set(args.named) - known)
    if extra:
        context.warn(f"ignored argument{'s' if len(extra) > 1 else ''} {', '.join(extra)} "
                     "(no meaning in feeds and books)")


def _number(value: str | None) -> str | None:
    return value if value is not None and value.isdigit() else None


def figure(args: Args, inner: str | None, context: Context) -> Result:
    """``figure``/``image``/``img``: an image (a local one is published like any Markdown image),
    in a figure with a caption when one is given."""
    src = args.get("src", 0)
    if not src:
        raise ShortcodeError('needs the image: src="file.png" (or the file as its first argument)')
    rest = list(args.positional[1:])
    numbers = [v for v in rest if v.isdigit()]
    words = [v for v in rest if not v.isdigit()]
    alt = args.get("alt") or (words[0] if words else None)
    caption = args.get("caption") or (inner.strip() if inner and inner.strip() else None)
    title = args.get("title")
    img = _el("img", src=src, alt=alt or title or "",
              width=_number(args.get("width")) or (numbers[0] if numbers else None),
              height=_number(args.get("height")) or (numbers[1] if len(numbers) > 1 else None))
    shown = img
    link = args.get("link")
    if link:
        shown = _el("a", href=link)
        shown.append(img)
    _ignored(args, context, {"src", "alt", "caption", "title", "link", "width", "height"})
    if not caption and not title:
        return shown
    fig = _el("figure")
    fig.append(shown)
    figcaption = etree.SubElement(fig, H + "figcaption")
    if title:
        strong = etree.SubElement(figcaption, H + "strong")
        strong.text = title
        if caption:
            strong.tail = " "
    if caption:
        for node in context._expander.render(caption):
            if isinstance(node, str):
                last = figcaption[-1] if len(figcaption) else None
                if last is not None:
                    last.tail = (last.tail or "") + node
                else:
                    figcaption.text = (figcaption.text or "") + node
            else:
                figcaption.append(node)
        if not alt and not title:  # the caption's words describe the image
            img.set("alt", " ".join("".join(figcaption.itertext()).split()))
    return fig


_VIDEO_ID = re.compile(r"[\w-]{1,64}")


def _video_link(url: str, label: str, args: Args, context: Context) -> etree._Element:
    link = _el("a", href=url)
    poster = args.get("poster") or args.get("thumbnail")
    if poster:
        link.append(_el("img", src=poster, alt=label))
    else:
        link.text = label
    return link


def youtube(args: Args, inner: str | None, context: Context) -> Result:
    """A link to the video on YouTube (a linked poster image with ``poster=``); never a player."""
    video = args.get("id", 0)
    if not video or not _VIDEO_ID.fullmatch(video):
        raise ShortcodeError(f"needs the video's id (letters, digits, - and _), not {video!r}")
    url = f"https://www.youtube.com/watch?v={video}"
    start = _number(args.get("start"))
    if start:
        url += f"&t={start}s"
    _ignored(args, context, {"id", "title", "poster", "thumbnail", "start"})
    return _video_link(url, args.get("title") or (inner or "").strip() or "Watch the video on YouTube", args, context)


def vimeo(args: Args, inner: str | None, context: Context) -> Result:
    """A link to the video on Vimeo (a linked poster image with ``poster=``)."""
    video = args.get("id", 0)
    if not video or not _VIDEO_ID.fullmatch(video):
        raise ShortcodeError(f"needs the video's id, not {video!r}")
    _ignored(args, context, {"id", "title", "poster", "thumbnail"})
    return _video_link(f"https://vimeo.com/{video}", args.get("title") or (inner or "").strip()
                       or "Watch the video on Vimeo", args, context)


def video(args: Args, inner: str | None, context: Context) -> Result:
    """A link to a video file or page (a local file resolves like a Markdown link to it)."""
    src = args.get("src", 0)
    if not src:
        raise ShortcodeError('needs the video: src="file.mp4" (or the file as its first argument)')
    _ignored(args, context, {"src", "title", "poster", "thumbnail", "caption"})
    label = args.get("title") or args.get("caption") or (inner or "").strip() or "Watch the video"
    return _video_link(src, label, args, context)


_USER = re.compile(r"[\w.-]{1,100}")


def gist(args: Args, inner: str | None, context: Context) -> Result:
    """A link to the gist (``{{< gist user id [file] >}}``)."""
    user, gist_id, file = args.get("user", 0), args.get("id", 1), args.get("file", 2)
    if not user or not _USER.fullmatch(user) or not gist_id or not _VIDEO_ID.fullmatch(gist_id):
        raise ShortcodeError("needs the gist's user and id: {{< gist user id >}}")
    url = f"https://gist.github.com/{user}/{gist_id}"
    if file:
        url += "#file-" + quote(re.sub(r"[^\w-]", "-", file.lower()))
    _ignored(args, context, {"user", "id", "file"})
    return _el("a", f"{file or 'Gist'} by {user} on GitHub", href=url)


def _post(site: str, label: str) -> Function:
    def post(args: Args, inner: str | None, context: Context) -> Result:
        """A link to the post (``user="name" id="123"``, or the id alone)."""
        user = args.get("user") or (args.positional[0] if len(args.positional) > 1 else None)
        post_id = args.get("id") or (args.positional[-1] if args.positional else None)
        if not post_id or not post_id.isdigit() or (user and not _USER.fullmatch(user)):
            raise ShortcodeError('needs the post\'s id (digits) and its author: user="name" id="123"')
        _ignored(args, context, {"user", "id"})
        if user:
            return _el("a", f"{label} by @{user}", href=f"https://{site}/{quote(user)}/status/{post_id}")
        return _el("a", label, href=f"https://{site}/i/web/status/{post_id}")
    return post


_FILE_LIKE = re.compile(r"[^\s<>\"'`|*?]+\.[A-Za-z0-9]{1,10}|[^\s<>\"'`|*?]*/[^\s<>\"'`|*?]+")
_LANGUAGES = {".go": "go", ".py": "python", ".rs": "rust", ".js": "javascript", ".ts": "typescript",
              ".sh": "sh", ".c": "c", ".h": "c", ".java": "java", ".rb": "ruby", ".html": "html",
              ".css": "css", ".json": "json", ".toml": "toml", ".yaml": "yaml", ".yml": "yaml"}


def _listing(language_arg: bool) -> Function:
    def listing(args: Args, inner: str | None, context: Context) -> Result:
        """A code block: the inner text, the file the first argument names (inside articles/),
        or the arguments themselves."""
        language = args.get("lang") or (args.get("language"))
        if language_arg and args.positional:
            language = language or args.positional[0]
        if inner is not None:
            text = inner[1:] if inner.startswith("\n") else inner
        elif not language_arg and args.positional and _FILE_LIKE.fullmatch(args.positional[0]):
            name = args.positional[0]
            text = context.read(name)
            language = language or _LANGUAGES.get(os.path.splitext(name)[1].lower())
            if len(args.positional) > 1:
                context.warn("the file is included whole: selecting its lines by pattern is not supported")
        elif not language_arg and args.positional:
            text = " ".join(args.positional)
        else:
            raise ShortcodeError("needs the code: between an opening and a closing tag, or a file's name")
        return code_element(text, language, block=True)
    listing.literal = True  # type: ignore[attr-defined]
    return listing


def ref(args: Args, inner: str | None, context: Context) -> Result:
    """The canonical URL of another article (``[text]({{< ref "other.md" >}})``)."""
    name = args.get("path", 0)
    if not name:
        raise ShortcodeError('needs the article\'s source file: {{< ref "other.md" >}}')
    return context.url_of(name)


_LISTING, _HIGHLIGHT = _listing(False), _listing(True)

#: The built-in shortcodes by name (a function with ``literal = True`` takes its inner text as
#: written).
BUILT_IN: dict[str, Function] = {
    "figure": figure, "image": figure, "img": figure,
    "youtube": youtube, "vimeo": vimeo, "video": video,
    "gist": gist, "tweet": _post("twitter.com", "Post on X"), "x": _post("x.com", "Post on X"),
    "raw": _LISTING, "code": _LISTING, "play": _LISTING, "highlight": _HIGHLIGHT,
    "ref": ref, "relref": ref,
}
