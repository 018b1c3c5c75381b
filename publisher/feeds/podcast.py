"""Audio and video enclosures in feeds (RSS enclosure, Atom link rel="enclosure", JSON Feed
attachment) and the iTunes podcast tags of the site's RSS feed when ``[podcast]`` is set."""

from __future__ import annotations

from urllib.parse import quote

from lxml import etree

from publisher.config import Config
from publisher.config.podcast import PodcastSpec
from publisher.model import ArticleView, Enclosure

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
ATOM = "http://www.w3.org/2005/Atom"
I = "{%s}" % ITUNES  # noqa: E741


def rss_enclosure(item: etree._Element, enc: Enclosure) -> None:
    """RSS allows one enclosure per item: the media file's (a lead image stays media:content).
    An unknown length is 0, which RSS readers and the W3C validator take as unknown."""
    etree.SubElement(item, "enclosure", url=enc.href, length=str(enc.length), type=enc.type)


def atom_enclosure(enc: Enclosure) -> etree._Element:
    return etree.Element(f"{{{ATOM}}}link", rel="enclosure", type=enc.type, length=str(enc.length), href=enc.href)


def json_attachment(enc: Enclosure) -> dict:
    attachment: dict = {"url": enc.href, "mime_type": enc.type}
    if enc.length:
        attachment["size_in_bytes"] = enc.length
    if enc.duration is not None:
        attachment["duration_in_seconds"] = enc.duration
    return attachment


def _sub(parent: etree._Element, name: str, text: str | None = None, attrs: dict[str, str] | None = None
         ) -> etree._Element:
    el = etree.SubElement(parent, I + name, attrs or {})
    el.text = text
    return el


def itunes_channel(channel: etree._Element, config: Config, podcast: PodcastSpec) -> None:
    """The channel's iTunes tags (what the W3C validator's itunes rules require: language,
    category, explicit, owner with e-mail), and its language as the podcast's."""
    if podcast.language:
        channel.find("language").text = podcast.language
    _sub(channel, "author", podcast.author or config.author)
    owner = _sub(channel, "owner")
    if podcast.owner_name:
        _sub(owner, "name", podcast.owner_name)
    _sub(owner, "email", podcast.owner_email)
    if podcast.image_path:
        _sub(channel, "image", attrs={"href": config.url("media/" + quote(podcast.image_path))})
    path = podcast.category_path
    category = _sub(channel, "category", attrs={"text": path[0]})
    if len(path) > 1:
        _sub(category, "category", attrs={"text": path[1]})
    _sub(channel, "explicit", "true" if podcast.explicit else "false")
    _sub(channel, "type", "episodic")
    first = channel.find("item")
    if first is not None:  # before the items, where readers look for the channel's own elements
        for el in [el for el in channel if el.tag.startswith(I)]:
            first.addprevious(el)


def itunes_item(item: etree._Element, view: ArticleView) -> None:
    """An episode's iTunes tags: its duration in seconds, its number, whether it is explicit."""
    enc = view.enclosure
    if enc is None:
        return
    if enc.duration is not None:
        _sub(item, "duration", str(enc.duration))
    if enc.episode is not None:
        _sub(item, "episode", str(enc.episode))
    if enc.explicit is not None:
        _sub(item, "explicit", "true" if enc.explicit else "false")
