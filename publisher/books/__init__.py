"""Books: from the published article views and the settings to EPUB 3 files: which editions
(editions.py), each chapter (chapters.py, chapterset.py), the generated pages and navigation
(pages.py), the cover (cover.py), accessibility metadata (a11y.py), the package (epub.py) and
the zip (zipwriter.py). What is kept between builds is not decided here: a book's parts are
handed to a keeper (parts.py) that the incremental layer implements."""
