"""A small podcast site for the tests of enclosures: a local MP3 episode, a remote video, a plain
article, and (optionally) a ``[podcast]`` table with a square cover."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import write

#: One MPEG-1 layer III frame (32 kbit/s, 32 kHz, mono) of silence: 144 bytes, 36 ms.
MP3_FRAME = b"\xff\xfb\x18\xc0" + bytes(140)


def mp3(seconds: int) -> bytes:
    """A valid constant-bitrate MP3 of ``seconds`` of silence (deterministic bytes)."""
    return MP3_FRAME * round(seconds * 32000 / 1152)


EPISODE = mp3(90)
#: An Ogg page header: what a file named .mp3 that is really Ogg starts with.
OGG = b"OggS\x00\x02" + bytes(20) + b"\x01\x1e\x01vorbis" + bytes(200)

PODCAST = """
[podcast]
author = "Harbour Talk"
owner_name = "Mara Lindqvist"
owner_email = "mara@talk.example"
category = "News > Daily News"
image = "articles/cover.png"
"""


def podcast_site(root: Path, *, podcast: bool = True) -> Path:
    """The site's folder (``root``), with its config and articles written."""
    from PIL import Image

    write(root / "publisher.toml", '[site]\ntitle = "Harbour Talk"\nbase_url = "https://talk.example/"\n'
          'author = "Mara Lindqvist"\n' + (PODCAST if podcast else ""))
    write(root / "articles" / "episodes" / "ep1.mp3", EPISODE)
    write(root / "articles" / "images" / "studio.png", _png(64, 48))
    cover = root / "articles" / "cover.png"
    Image.new("RGB", (1400, 1400), (20, 60, 90)).save(cover, format="PNG")
    write(root / "articles" / "2026-11-01-episode-one.md", """---
title: Episode one
enclosure: episodes/ep1.mp3
episode: 1
explicit: false
---
![The studio](images/studio.png)

We talk about the harbour.
""")
    write(root / "articles" / "2026-11-02-launch-video.md", """---
title: Launch video
video: https://cdn.talk.example/video/launch.mp4
length: 1234567
duration: "00:03:10"
---
The launch, on video.
""")
    write(root / "articles" / "2026-11-03-plain.md", "---\ntitle: A plain article\n---\nJust text.\n")
    return root


def _png(width: int, height: int) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(out, format="PNG")
    return out.getvalue()
