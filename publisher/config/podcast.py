"""The ``[podcast]`` settings: the iTunes channel tags of the site's RSS feed, checked as Apple
Podcasts and the W3C validator check them (category names, owner e-mail, a square cover image)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from publisher.errors import Reporter, did_you_mean

#: Apple Podcasts' categories and their subcategories (the list the W3C validator checks).
CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": ("Careers", "Entrepreneurship", "Investing", "Management", "Marketing", "Non-Profit"),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": ("Alternative Health", "Fitness", "Medicine", "Mental Health", "Nutrition", "Sexuality"),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": ("Animation & Manga", "Automotive", "Aviation", "Crafts", "Games", "Hobbies", "Home & Garden",
                "Video Games"),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": ("Business News", "Daily News", "Entertainment News", "News Commentary", "Politics", "Sports News",
             "Tech News"),
    "Religion & Spirituality": ("Buddhism", "Christianity", "Hinduism", "Islam", "Judaism", "Spirituality"),
    "Science": ("Astronomy", "Chemistry", "Earth Sciences", "Life Sciences", "Mathematics", "Natural Sciences",
                "Nature", "Physics", "Social Sciences"),
    "Society & Culture": ("Documentary", "Personal Journals", "Philosophy", "Places & Travel", "Relationships"),
    "Sports": ("Baseball", "Basketball", "Cricket", "Fantasy Sports", "Football", "Golf", "Hockey", "Rugby",
               "Running", "Soccer", "Swimming", "Tennis", "Volleyball", "Wilderness", "Wrestling"),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}
#: Sides of the cover image Apple Podcasts accepts, in pixels (square).
IMAGE_SIDES = (1400, 3000)
_EMAIL = re.compile(r"[\w.+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


@dataclass(frozen=True)
class PodcastSpec:
    """The ``[podcast]`` table: its presence makes the site's RSS feed a podcast feed."""

    #: Who makes the podcast (itunes:author); default: site.author.
    author: str = ""
    #: The owner Apple Podcasts writes to (itunes:owner): a name and an e-mail address (required).
    owner_name: str = ""
    owner_email: str = ""
    #: "Category" or "Category > Subcategory", from Apple's list (required).
    category: str = ""
    #: The whole podcast has explicit content (itunes:explicit); an episode may say otherwise.
    explicit: bool = False
    #: Cover: a square JPEG or PNG of 1400 to 3000 pixels inside the articles folder, named
    #: relative to the config file; published under media/ (itunes:image).
    image: str = ""
    #: Language of the podcast feed's channel; default: site.language.
    language: str = ""
    #: The image's path relative to the articles folder, once checked ("" when none).
    image_path: str = ""

    @property
    def category_path(self) -> tuple[str, ...]:
        return tuple(part.strip() for part in self.category.split(">") if part.strip())


_STRINGS = ("author", "owner_name", "owner_email", "category", "image", "language")


def parse_podcast(table: Any, shown: str, report: Reporter, root: Path, articles: Path) -> PodcastSpec | None:
    """The checked ``[podcast]`` table (None when absent); problems go to ``report``."""
    if table is None:
        return None
    if not isinstance(table, dict):
        report.error(shown, "[podcast] must be a table")
        return None
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in (*_STRINGS, "explicit"):
            report.warn(shown, f"unknown key podcast.{key} ignored" + did_you_mean(key, (*_STRINGS, "explicit")),
                        code="unknown-key")
        elif (key == "explicit") != isinstance(value, bool) or (key != "explicit" and not isinstance(value, str)):
            report.error(shown, f"podcast.{key} must be a {'boolean' if key == 'explicit' else 'string'}, "
                         f"not {type(value).__name__}")
        else:
            values[key] = value
    spec = PodcastSpec(**values)
    if not _EMAIL.fullmatch(spec.owner_email):
        report.error(shown, "podcast.owner_email must be an e-mail address: Apple Podcasts requires the owner's "
                     f"(itunes:owner), got {spec.owner_email!r}")
    path = spec.category_path
    if not path or path[0] not in CATEGORIES or len(path) > 2 or (len(path) == 2 and path[1] not in CATEGORIES[path[0]]):
        wanted = ", ".join(CATEGORIES[path[0]]) if path and path[0] in CATEGORIES else ", ".join(CATEGORIES)
        report.error(shown, f"podcast.category {spec.category!r} is not one of Apple Podcasts' categories "
                     f"(\"Category\" or \"Category > Subcategory\"): {wanted}")
    image_path = _image(spec.image, shown, report, root, articles) if spec.image else ""
    return PodcastSpec(**{**values, "image_path": image_path})


def _image(name: str, shown: str, report: Reporter, root: Path, articles: Path) -> str:
    """The cover's path relative to the articles folder, or "" with an error saying why not."""
    from PIL import Image

    from publisher.paths import inside

    target = root / name
    rel = inside(articles, target)
    if rel is None:
        report.error(shown, f"podcast.image {name!r} is not inside the articles folder {articles}; put it there "
                     "(it is published under media/ like the articles' images)")
        return ""
    if not os.path.isfile(target):
        report.error(shown, f"podcast.image {name!r} not found")
        return ""
    try:
        with Image.open(target) as image:
            kind, (width, height) = image.format, image.size
    except (OSError, ValueError, Image.DecompressionBombError):
        kind, width, height = None, 0, 0
    low, high = IMAGE_SIDES
    if kind not in ("JPEG", "PNG"):
        report.error(shown, f"podcast.image {name!r} is not a JPEG or PNG image, as Apple Podcasts requires")
    elif width != height or not low <= width <= high:
        report.error(shown, f"podcast.image {name!r} is {width} x {height} pixels; Apple Podcasts wants a square "
                     f"of {low} to {high} pixels")
    return rel
