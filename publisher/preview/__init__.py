"""The preview of ``publisher serve``: every article (drafts and scheduled ones too) as a page made
from the normalized model, beside the outputs of a real build, rebuilt and reloaded on each edit.

``builder.py`` builds the site and keeps what the pages are made from (a :class:`Snapshot`);
``pages.py`` makes the pages (functions of the views and the diagnostics, like every renderer);
``server.py`` serves them and the build's outputs on 127.0.0.1, watches the sources and reloads
open pages. Preview pages live in memory only: they never join the output folder.
"""
