"""The incremental layer, the one place that decides what is kept between builds and when it is
reused: the content-addressed cache (cache.py), the per-article stage that reads and normalizes
sources in parallel through it (stage.py), the record of what the last build read and wrote,
which lets a rebuild with nothing changed be skipped (buildstate.py), and the outputs of the
renderers through the cache: feed documents (feeds.py), books and their parts (books.py).
In: sources, settings, and the renderers' outputs with what they are made from; out: article
views and outputs, made again only when something they are made from changed. Renderers
(feeds/, books/) never import it."""
