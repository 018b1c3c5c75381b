"""publisher: syndication feeds and EPUB books from a newsroom's article files."""

__version__ = "0.1.0"
