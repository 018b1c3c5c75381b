"""Audio and video enclosures in RSS, Atom and JSON Feed, local media published once under
media/, and the iTunes tags of the site's RSS feed when the site is a podcast."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from publisher.build import build
from publisher.feeds.check import check_feed
from tests.conftest import site_config
from tests.media_support import EPISODE, podcast_site
from tests.validators import feed_files, w3c_check

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
NS = {"atom": "http://www.w3.org/2005/Atom", "itunes": ITUNES, "media": "http://search.yahoo.com/mrss/"}
MP3_URL = "https://talk.example/media/episodes/ep1.mp3"
VIDEO_URL = "https://cdn.talk.example/video/launch.mp4"


@pytest.fixture(scope="module")
def podcast(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = podcast_site(tmp_path_factory.mktemp("podcast") / "site")
    build(site_config(root))
    return root / "build"


def _items(rss: Path) -> dict[str, etree._Element]:
    return {i.findtext("title"): i for i in etree.parse(str(rss)).iter("item")}


def test_rss_encloses_the_episode_and_the_video_with_type_length_and_duration(podcast: Path):
    items = _items(podcast / "rss.xml")
    episode, video, plain = items["Episode one"], items["Launch video"], items["A plain article"]
    assert [dict(e.attrib) for e in episode.findall("enclosure")] == [
        {"url": MP3_URL, "length": str(len(EPISODE)), "type": "audio/mpeg"}]
    # the lead image is no longer the enclosure (RSS allows one): it stays as media:content
    assert episode.find("media:content", NS).get("url") == "https://talk.example/media/images/studio.png"
    assert episode.findtext("itunes:duration", namespaces=NS) == "90"
    assert episode.findtext("itunes:episode", namespaces=NS) == "1"
    assert episode.findtext("itunes:explicit", namespaces=NS) == "false"
    assert [dict(e.attrib) for e in video.findall("enclosure")] == [
        {"url": VIDEO_URL, "length": "1234567", "type": "video/mp4"}]
    assert video.findtext("itunes:duration", namespaces=NS) == "190"
    assert plain.find("enclosure") is None and plain.find("itunes:duration", NS) is None


def test_atom_and_json_feed_carry_the_same_enclosures(podcast: Path):
    atom = etree.parse(str(podcast / "atom.xml"))
    links = [dict(link.attrib) for link in atom.xpath("//atom:link[@rel='enclosure']", namespaces=NS)]
    assert links == [
        {"rel": "enclosure", "type": "video/mp4", "length": "1234567", "href": VIDEO_URL},
        {"rel": "enclosure", "type": "audio/mpeg", "length": str(len(EPISODE)), "href": MP3_URL},
    ]
    items = {i["title"]: i for i in json.loads((podcast / "feed.json").read_text())["items"]}
    assert items["Episode one"]["attachments"] == [
        {"url": MP3_URL, "mime_type": "audio/mpeg", "size_in_bytes": len(EPISODE), "duration_in_seconds": 90}]
    assert items["Episode one"]["image"] == "https://talk.example/media/images/studio.png"
    assert items["Launch video"]["attachments"] == [
        {"url": VIDEO_URL, "mime_type": "video/mp4", "size_in_bytes": 1234567, "duration_in_seconds": 190}]
    assert "attachments" not in items["A plain article"]


@pytest.mark.parametrize("name", ["rss.xml", "atom.xml"])
def test_feedparser_reads_the_enclosures(podcast: Path, name: str):
    parsed = feedparser.parse((podcast / name).read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    found = {e.title: [(x.href, x.type, x.length) for x in e.enclosures] for e in parsed.entries}
    assert found == {
        "A plain article": [],
        "Launch video": [(VIDEO_URL, "video/mp4", "1234567")],
        "Episode one": [(MP3_URL, "audio/mpeg", str(len(EPISODE)))],
    }
    if name == "rss.xml":
        assert parsed.feed.image.href == "https://talk.example/media/cover.png"
        assert [t.term for t in parsed.feed.tags] == ["News", "Daily News"]
        assert [e.get("itunes_duration") for e in parsed.entries] == [None, "190", "90"]


def test_the_site_rss_is_a_podcast_feed_and_no_other_feed_is(podcast: Path):
    channel = etree.parse(str(podcast / "rss.xml")).find("channel")
    assert channel.findtext("itunes:author", namespaces=NS) == "Harbour Talk"
    assert channel.findtext("itunes:owner/itunes:email", namespaces=NS) == "mara@talk.example"
    assert channel.findtext("itunes:owner/itunes:name", namespaces=NS) == "Mara Lindqvist"
    assert channel.find("itunes:image", NS).get("href") == "https://talk.example/media/cover.png"
    category = channel.find("itunes:category", NS)
    assert (category.get("text"), category.find("itunes:category", NS).get("text")) == ("News", "Daily News")
    assert channel.findtext("itunes:explicit", namespaces=NS) == "false"
    assert (podcast / "media" / "cover.png").is_file()
    for other in ("atom.xml", "authors/mara-lindqvist/rss.xml"):
        assert ITUNES.encode() not in (podcast / other).read_bytes(), other


def test_the_w3c_validator_and_our_checks_find_nothing(podcast: Path):
    feeds = feed_files(podcast)
    assert w3c_check(feeds) == []
    for feed in feeds:
        assert check_feed(feed.read_bytes(), str(feed), self_url=None) == []


def test_local_media_is_published_once_and_not_put_in_the_book(podcast: Path):
    import zipfile

    copies = [p for p in podcast.rglob("*") if p.is_file() and p.read_bytes() == EPISODE]
    assert copies == [podcast / "media" / "episodes" / "ep1.mp3"]
    with zipfile.ZipFile(podcast / "articles.epub") as book:
        assert not any(name.endswith(".mp3") for name in book.namelist())


def test_no_podcast_table_no_itunes_tags(tmp_path: Path):
    root = podcast_site(tmp_path / "site", podcast=False)
    build(site_config(root))
    rss = (root / "build" / "rss.xml").read_bytes()
    assert ITUNES.encode() not in rss and b"itunes:" not in rss
    assert [dict(e.attrib) for e in _items(root / "build" / "rss.xml")["Episode one"].findall("enclosure")] == [
        {"url": MP3_URL, "length": str(len(EPISODE)), "type": "audio/mpeg"}]
    assert not (root / "build" / "media" / "cover.png").exists()


def test_same_sources_same_bytes_at_another_path(podcast: Path, tmp_path: Path):
    root = podcast_site(tmp_path / "elsewhere" / "site")
    build(site_config(root), workers=1)
    first = {p.relative_to(podcast): p.read_bytes() for p in sorted(podcast.rglob("*")) if p.is_file()}
    second = {p.relative_to(root / "build"): p.read_bytes() for p in sorted((root / "build").rglob("*"))
              if p.is_file()}
    assert first == second
    shutil.rmtree(root)


@pytest.mark.parametrize(("change", "message"), [
    (("mara@talk.example", "Mara"), "podcast.owner_email must be an e-mail address: Apple Podcasts requires the "
                                    "owner's (itunes:owner), got 'Mara'"),
    (("News > Daily News", "News > Gossip"), "podcast.category 'News > Gossip' is not one of Apple Podcasts' "
                                             "categories"),
    (("articles/cover.png", "articles/small.png"), "podcast.image 'articles/small.png' is 1400 x 1000 pixels; "
                                                   "Apple Podcasts wants a square of 1400 to 3000 pixels"),
    (("articles/cover.png", "../cover.png"), "podcast.image '../cover.png' is not inside the articles folder"),
])
def test_podcast_settings_are_checked_before_the_build(tmp_path: Path, change: tuple[str, str], message: str):
    from PIL import Image

    from publisher.config import load_config
    from publisher.errors import ConfigError

    root = podcast_site(tmp_path / "site")
    Image.new("RGB", (1400, 1000)).save(root / "articles" / "small.png")
    Image.new("RGB", (1400, 1400)).save(tmp_path / "cover.png")
    config = root / "publisher.toml"
    config.write_text(config.read_text().replace(*change))
    with pytest.raises(ConfigError) as err:
        load_config(config)
    assert message in str(err.value)


def test_our_checks_apply_the_w3c_itunes_rules(podcast: Path):
    rss = (podcast / "rss.xml").read_bytes()
    broken = (rss.replace(b"<itunes:duration>90<", b"<itunes:duration>1:75<")
              .replace(b"launch.mp4", b"launch.webm").replace(b"<itunes:explicit>false</itunes:explicit>\n    <itunes:type>",
                                                             b"<itunes:type>"))
    found = [(d.severity, d.message) for d in check_feed(broken, "rss.xml")]
    assert found == [
        ("warning", "a podcast's <channel> has no <itunes:explicit>; Apple Podcasts requires it"),
        ("warning", "<enclosure> of <item> 2 is a .webm file, which Apple Podcasts does not play "
                    "(it plays .m4a, .mp3, .mov, .mp4, .m4v)"),
        ("error", '<itunes:duration> of <item> 3 is "1:75"; write seconds or HH:MM:SS'),
    ]
    # the W3C code checks the suffix only in items that turn the iTunes rules on themselves (its
    # channel's tags come first here); ours checks every item of a podcast feed
    names = {f.name for f in w3c_check([_write(podcast.parent / "broken.xml", broken)])}
    assert names == {"MissingItunesElement", "InvalidDuration"}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_a_changed_media_file_is_seen_by_the_cached_rebuild(tmp_path: Path):
    from tests.media_support import mp3

    root = podcast_site(tmp_path / "site")
    build(site_config(root))
    shorter = mp3(30)
    (root / "articles" / "episodes" / "ep1.mp3").write_bytes(shorter)
    build(site_config(root))
    episode = _items(root / "build" / "rss.xml")["Episode one"]
    assert episode.find("enclosure").get("length") == str(len(shorter))
    assert episode.findtext("itunes:duration", namespaces=NS) == "30"
    assert (root / "build" / "media" / "episodes" / "ep1.mp3").read_bytes() == shorter
