"""The floor: the least any builder must do -- read every source file and image, write one zip.

    python bench/floor.py ARTICLES_DIR OUT.epub

Reads every file under ARTICLES_DIR (sorted, recursively, dot-files skipped) and writes an
EPUB-shaped zip of the same bytes: ``mimetype`` first and stored, everything else deflated with
zlib at its default level. No parsing, no rendering: the time a build could approach only by
doing nothing but I/O and compression.
"""

from __future__ import annotations

import os
import sys
import zipfile
from pathlib import Path


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    root, out = Path(argv[0]), Path(argv[1])
    paths = sorted(
        p for p in root.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )
    tmp = out.with_name(out.name + ".tmp")
    total = 0
    with zipfile.ZipFile(tmp, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype", (1980, 1, 1, 0, 0, 0)), b"application/epub+zip",
                   compress_type=zipfile.ZIP_STORED)
        for p in paths:
            data = p.read_bytes()
            total += len(data)
            info = zipfile.ZipInfo("OEBPS/" + p.relative_to(root).as_posix(), (1980, 1, 1, 0, 0, 0))
            z.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    os.replace(tmp, out)
    print(f"{len(paths)} files, {total} bytes read; {out.stat().st_size} bytes written")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
