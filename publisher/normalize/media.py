"""Audio and video enclosures (podcast episodes): a local file's type sniffed from its bytes, its
length and duration, contained and bounded, or a remote URL with what the source says of it."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, urlsplit

from publisher import limits, paths
from publisher.config import Config
from publisher.errors import Reporter, SourceError
from publisher.model import Enclosure
from publisher.normalize import urls

#: What a file name's suffix promises: checked against the bytes of a local file, taken as said
#: of a remote one.
SUFFIX_TYPES = {
    ".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".m4b": "audio/mp4", ".aac": "audio/aac",
    ".ogg": "audio/ogg", ".oga": "audio/ogg", ".opus": "audio/ogg", ".wav": "audio/wav",
    ".flac": "audio/flac", ".weba": "audio/webm",
    ".mp4": "video/mp4", ".m4v": "video/mp4", ".mov": "video/quicktime", ".webm": "video/webm",
    ".ogv": "video/ogg",
}
#: Types that one container holds either way: the suffix tells which (an .m4a file's brand may
#: be the generic "isom", an audio-only WebM looks like a video one).
_FAMILIES = ({"audio/mp4", "video/mp4", "video/quicktime"}, {"audio/ogg", "video/ogg"},
             {"audio/webm", "video/webm"})
KNOWN = "MP3, AAC, M4A/MP4, MOV, Ogg (Vorbis, Opus, Theora), WAV, FLAC or WebM"
_TYPE = re.compile(r"(audio|video)/[a-z0-9][a-z0-9.+-]*")
_DURATION = re.compile(r"\d+(?::[0-5]?\d){0,2}(?:\.\d+)?")


def attributes(enc: Enclosure) -> dict[str, str]:
    """The attributes of the article XML's ``<enclosure>`` for ``enc``."""
    attrs = {"href": enc.href, "type": enc.type, "length": str(enc.length)}
    if enc.path:
        attrs["path"] = enc.path
    if enc.duration is not None:
        attrs["duration"] = str(enc.duration)
    if enc.episode is not None:
        attrs["episode"] = str(enc.episode)
    if enc.explicit is not None:
        attrs["explicit"] = "true" if enc.explicit else "false"
    return attrs


def sniff(fh: IO[bytes]) -> str | None:
    """The MIME type of an audio or video file from its first bytes, or None when they are none
    of :data:`KNOWN`."""
    head = fh.read(64)
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"M4A ", b"M4B ", b"M4P "):
            return "audio/mp4"
        return "video/quicktime" if brand == b"qt  " else "video/mp4"
    if head.startswith(b"OggS"):
        return "video/ogg" if b"theora" in head + fh.read(64) else "audio/ogg"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[:4] == b"fLaC":
        return "audio/flac"
    if head[:4] == b"\x1a\x45\xdf\xa3":  # EBML: WebM says so in its DocType; other Matroska is not web media
        return "video/webm" if b"webm" in head else None
    frame = head[:4]
    if head[:3] == b"ID3" and len(head) >= 10:  # an ID3v2 tag (synchsafe size), then the first frame
        size = (head[6] & 0x7F) << 21 | (head[7] & 0x7F) << 14 | (head[8] & 0x7F) << 7 | (head[9] & 0x7F)
        fh.seek(10 + size + (10 if head[5] & 0x10 else 0))
        frame = fh.read(4)
    if len(frame) < 4 or frame[0] != 0xFF or frame[1] & 0xE0 != 0xE0:
        return None
    version, layer = (frame[1] >> 3) & 3, (frame[1] >> 1) & 3
    if layer == 0 and frame[1] & 0xF6 == 0xF0:  # ADTS: MPEG-2/4 AAC
        return "audio/aac"
    bitrate, rate = frame[2] >> 4, (frame[2] >> 2) & 3
    if version != 1 and layer == 1 and bitrate not in (0, 15) and rate != 3:  # MPEG audio layer III
        return "audio/mpeg"
    return None


def _read_duration(fh: IO[bytes], mtype: str) -> float | None:
    """Seconds of media, from its headers by mutagen (MP4 has no duration mutagen reads for a
    video track alone, WebM none at all: None then)."""
    from mutagen import aac, flac, mp3, mp4, oggflac, oggopus, oggtheora, oggvorbis, wave

    kinds: dict[str, tuple[Any, ...]] = {
        "audio/mpeg": (mp3.MP3,), "audio/aac": (aac.AAC,), "audio/wav": (wave.WAVE,), "audio/flac": (flac.FLAC,),
        "audio/mp4": (mp4.MP4,), "video/mp4": (mp4.MP4,), "video/quicktime": (mp4.MP4,),
        "audio/ogg": (oggvorbis.OggVorbis, oggopus.OggOpus, oggflac.OggFLAC), "video/ogg": (oggtheora.OggTheora,),
    }
    for kind in kinds.get(mtype, ()):
        fh.seek(0)
        try:
            length = kind(fh).info.length
        except Exception:  # noqa: BLE001 - a parser of untrusted bytes: any failure means "unknown"
            continue
        if length and length > 0:
            return float(length)
    return None


def parse_duration(value: object) -> int | None:
    """Whole seconds from a ``duration`` key: seconds, "MM:SS" or "HH:MM:SS"; None if it is none."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value >= 0 else None
    if not isinstance(value, str) or not _DURATION.fullmatch(value.strip()):
        return None
    seconds = 0.0
    for part in value.strip().split(":"):
        seconds = seconds * 60 + float(part)
    return round(seconds)


class EnclosureReader:
    """The enclosure of one article from its fields (``enclosure`` and the keys beside it)."""

    def __init__(self, config: Config, report: Reporter, source: Path,
                 origins: dict[str, tuple[Path, int | None]]) -> None:
        self.config, self.report, self.source, self.origins = config, report, source, origins
        #: Keys of an enclosure in an article that has none, as text: kept in ``<extra>``.
        self.orphans: dict[str, str] = {}

    def _where(self, key: str) -> tuple[Path, int | None]:
        return self.origins.get(key, (self.source, None))

    def _warn(self, key: str, message: str) -> None:
        path, line = self._where(key)
        self.report.warn(path, message, line)

    def read(self, fields: dict[str, Any]) -> Enclosure | None:
        value, stored = fields.get("enclosure"), fields.get("enclosure_file")
        if value is None and stored is None:
            for key in ("duration", "length", "enclosure_type", "episode", "explicit"):
                if key in fields:  # another generator's key of the same name, perhaps: kept
                    self._warn(key, f"{key!r} says something of an enclosure, and the article has none; "
                               "kept as extra metadata (add 'enclosure', a media file or URL, or remove it)")
                    value = fields[key]
                    self.orphans[key] = str(value).lower() if isinstance(value, bool) else str(value)
            return None
        duration = None
        if fields.get("duration") is not None:
            duration = parse_duration(fields["duration"])
            if duration is None:
                raise SourceError(f"duration {fields['duration']!r} is not a length of time; write seconds "
                                  "or \"HH:MM:SS\"", *self._where("duration"))
        episode = fields.get("episode")
        if episode is not None and (isinstance(episode, bool) or not isinstance(episode, int) or episode < 1):
            raise SourceError(f"episode {episode!r} must be a whole number from 1", *self._where("episode"))
        explicit = fields.get("explicit")
        if stored is not None:  # article XML read back: a file inside the articles folder, by its path there
            enc = self._local(self.config.articles_path / str(stored), str(stored), fields, duration)
        else:
            enc = self._from_value(str(value).strip(), fields, duration)
        return Enclosure(enc.href, enc.path, enc.type, enc.length, enc.duration, episode, explicit)

    def _from_value(self, value: str, fields: dict[str, Any], duration: int | None) -> Enclosure:
        where = self._where("enclosure")
        if not value:
            raise SourceError("enclosure is empty; name a media file beside the article or an http(s) URL", *where)
        scheme = urls.scheme(value)
        if scheme is not None:
            parts = urlsplit(value)
            if scheme not in ("http", "https") or not parts.netloc:
                raise SourceError(f"enclosure {value!r} is not an http(s) URL or a file; feed readers "
                                  "download enclosures over http(s)", *where)
            return self._remote(urls.escape(scheme + value[len(scheme):]), fields, duration)  # HTTPS: -> https:
        if value.startswith("/") or "\\" in value or "\0" in value:
            raise SourceError(f"enclosure {value!r} is an absolute path; name the file relative to the "
                              "article, or give an http(s) URL", *where)
        joined = self.source.parent / value
        if os.path.islink(joined):
            problem = paths.link_problem(self.config.articles_path, joined)
            if problem is not None:
                raise SourceError(f"enclosure {value!r} {problem}", *where)
        rel = paths.inside(self.config.articles_path, joined)
        if rel is None:
            raise SourceError(f"enclosure {value!r} is outside the articles folder; a build reads nothing "
                              f"outside it: copy the file into {self.config.articles_dir}/", *where)
        return self._local(joined, value, fields, duration)

    def _remote(self, url: str, fields: dict[str, Any], duration: int | None) -> Enclosure:
        mtype = fields.get("enclosure_type")
        if mtype is not None and not _TYPE.fullmatch(str(mtype)):
            raise SourceError(f"enclosure_type {mtype!r} is not an audio or video MIME type (e.g. audio/mpeg)",
                              *self._where("enclosure_type"))
        if mtype is None:
            mtype = SUFFIX_TYPES.get(os.path.splitext(urlsplit(url).path)[1].lower())
        if mtype is None:
            raise SourceError(f"enclosure {url!r}: its type cannot be told from its name; add "
                              "'enclosure_type' (e.g. audio/mpeg, video/mp4)", *self._where("enclosure"))
        length = fields.get("length")
        if length is None:
            self._warn("enclosure", f"enclosure {url!r} is remote and its size unknown: RSS writes length 0; "
                       "add 'length' (bytes) so that podcast apps can plan the download")
            length = 0
        elif isinstance(length, bool) or not isinstance(length, int) or length < 0:
            raise SourceError(f"length {length!r} must be the size in bytes, a whole number",
                              *self._where("length"))
        return Enclosure(url, "", str(mtype), length, duration)

    def _local(self, target: Path, named: str, fields: dict[str, Any], duration: int | None) -> Enclosure:
        where = self._where("enclosure")
        rel = paths.inside(self.config.articles_path, target)
        if rel is None:
            raise SourceError(f"enclosure {named!r} is outside the articles folder", *where)
        if not os.path.isfile(target):  # not Path.is_file: a name too long raises
            raise SourceError(f"enclosure {named!r} not found (looked for {rel}); fix the path or add the file",
                              *where)
        size = target.stat().st_size
        if size > limits.MEDIA_BYTES:
            raise SourceError(f"enclosure {named!r} is {size:,} bytes; a local media file may have at most "
                              f"{limits.mib(limits.MEDIA_BYTES)}: publish it elsewhere and give its URL "
                              "(with 'length')", *where)
        with open(target, "rb") as fh:
            sniffed = sniff(fh)
            if sniffed is None:
                raise SourceError(f"enclosure {named!r} is not an audio or video file: its bytes are none of "
                                  f"{KNOWN}; export it as one of those", *where)
            promised = SUFFIX_TYPES.get(target.suffix.lower())
            mtype = sniffed
            if promised is not None and promised != sniffed:
                if any(promised in f and sniffed in f for f in _FAMILIES):
                    mtype = promised
                else:
                    self._warn("enclosure", f"enclosure {named!r} is named {target.suffix} but its bytes are "
                               f"{sniffed}; published as {sniffed} (rename the file to match)")
            if duration is None:
                seconds = _read_duration(fh, mtype)
                duration = round(seconds) if seconds is not None else None
        if fields.get("length") is not None and fields["length"] != size:
            self._warn("length", f"length {fields['length']!r} ignored: the file {rel} has {size} bytes")
        if fields.get("enclosure_type") is not None and fields["enclosure_type"] != mtype:
            self._warn("enclosure_type", f"enclosure_type {fields['enclosure_type']!r} ignored: the bytes of "
                       f"{rel} are {mtype}")
        return Enclosure(self.config.url("media/" + quote(rel)), rel, mtype, size, duration)
