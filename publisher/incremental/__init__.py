"""The incremental layer: the content-addressed cache (cache.py), the per-article stage that
reads and normalizes sources in parallel through it (stage.py), and the record of what the last
build read and wrote, which lets a rebuild with nothing changed be skipped (buildstate.py)."""
