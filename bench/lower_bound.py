"""A lower bound for this design's full build: only the steps no implementation of it can skip.

    python bench/lower_bound.py SITE_DIR [--workers N] [--runs R]

SITE_DIR holds ``publisher.toml`` and the articles (for example a corpus made by
``bench/gen_corpus.py``). First, untimed, every article is normalized by publisher itself, to
have its real article document. Then, timed, on all cores like ``publisher build``, each
article goes only through what the design card and the issues require of any implementation:

1. read the source and split off its front matter; load the YAML (the C loader);
2. render the Markdown with cmark-gfm and parse its XHTML with lxml (the fast XML route);
3. parse the article document (a stand-in for building it: lxml's C parser is faster than
   making the same tree through the Python API), validate it against the shipped schema and
   serialize it;
4. make the EPUB chapter: an XHTML page with the article's body copied in, serialized and
   deflated.

The main process then writes one EPUB-shaped zip of the chapters and images, as the floor
(``bench/floor.py``) does with the raw files; the floor is timed in the same run, and the
lower bound is printed as a multiple of it.

Left out, although a build needs them: typography, link and image resolution, the per-article
metadata, EPUB conformance fixes, the navigation, the feeds, the cache, and the check of every
output. So a real build costs more than this, never less.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
import zlib
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import yaml
from lxml import etree

from publisher import sources
from publisher.books.zipwriter import Packed, write_zip
from publisher.config import load_config
from publisher.incremental.cache import Cache
from publisher.incremental.stage import run_stage
from publisher.model import schema
from publisher.sources import frontmatter
from publisher.sources.markdown import render_html
from publisher.xmlutil import PARSER, XHTML_NS

BENCH = Path(__file__).resolve().parent
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FAST = etree.XMLParser(resolve_entities=False, no_network=True)

_docs: list[tuple[str, bytes]] = []  # (source path, normalized document); set before the fork


STEPS = ("read + front matter", "cmark + parse", "document: parse + validate + serialize", "chapter + deflate")


def _one(i: int, clock=None) -> tuple[str, Packed]:
    """One article through the required steps; ``clock(step)`` is called after each one."""
    tick = clock or (lambda step: None)
    path, document = _docs[i]
    with open(path, "rb") as fh:
        text = fh.read().decode("utf-8")
    kind, front, body, _ = frontmatter.split(Path(path), text)
    if kind == "yaml":
        yaml.load(front, Loader=_LOADER)  # noqa: S506 - a safe loader
    tick(0)
    etree.fromstring(f'<div xmlns="{XHTML_NS}">{render_html(body)}</div>', _FAST)
    tick(1)
    root = etree.fromstring(document, PARSER)
    schema().validate(root)
    etree.tostring(root, encoding="utf-8", xml_declaration=True)
    tick(2)
    page = etree.Element(f"{{{XHTML_NS}}}html", nsmap={None: XHTML_NS})
    page_body = etree.SubElement(page, f"{{{XHTML_NS}}}body")
    for block in root.iter(f"{{{XHTML_NS}}}*"):
        if block.getparent() is not None and not block.getparent().tag.startswith(f"{{{XHTML_NS}}}"):
            page_body.append(copy.deepcopy(block))
    data = etree.tostring(page, encoding="utf-8", xml_declaration=True)
    squeeze = zlib.compressobj(6, zlib.DEFLATED, -15)
    packed = squeeze.compress(data) + squeeze.flush()
    tick(3)
    return f"OEBPS/chapter-{i:05d}.xhtml", Packed(zlib.crc32(data) & 0xFFFFFFFF, len(data), packed)


def step_costs(sample: int) -> list[float]:
    """CPU milliseconds per article of each step, in this process, over the first ``sample`` articles."""
    spent = [0.0] * len(STEPS)
    last = [0.0]

    def clock(step: int) -> None:
        now = time.process_time()
        spent[step] += now - last[0]
        last[0] = now

    n = min(sample, len(_docs))
    for i in range(n):
        last[0] = time.process_time()
        _one(i, clock)
    return [1000 * s / n for s in spent]


def lower_bound(images: list[Path], out: Path, workers: int) -> float:
    t0 = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        chapters = list(pool.map(_one, range(len(_docs)), chunksize=max(1, len(_docs) // (workers * 8))))
    entries: list[tuple[str, bytes | Packed]] = [("mimetype", b"application/epub+zip"), *chapters]
    entries += [(f"OEBPS/media/{p.name}", p.read_bytes()) for p in images]
    out.write_bytes(write_zip(entries, dt.datetime(2026, 1, 1, tzinfo=dt.UTC)))
    return time.perf_counter() - t0


def floor(articles: Path, out: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, str(BENCH / "floor.py"), str(articles), str(out)], check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("site", type=Path)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    config, _ = load_config(args.site / "publisher.toml")
    paths = sources.discover(config.articles_path, config.exclude)
    print(f"normalizing {len(paths)} articles (untimed) ...", file=sys.stderr)
    outcomes = run_stage(paths, config, Cache(None), args.workers)
    _docs[:] = [(str(o.path), o.view.xml) for o in outcomes if o.view is not None]
    images = sorted(p for p in config.articles_path.rglob("*") if p.suffix.lower() in (".png", ".jpg", ".jpeg", ".gif", ".webp"))
    scratch = args.site / ".lower-bound"
    scratch.mkdir(exist_ok=True)
    lows, floors = [], []
    for _ in range(args.runs):  # side by side, alternating
        floors.append(floor(config.articles_path, scratch / "floor.epub"))
        lows.append(lower_bound(images, scratch / "lower.epub", args.workers))
    low, flo = statistics.median(lows), statistics.median(floors)
    print(f"articles {len(_docs)}, workers {args.workers}, runs {args.runs}")
    print(f"floor        median {flo:.2f} s  (runs: {', '.join(f'{t:.2f}' for t in floors)})")
    print(f"lower bound  median {low:.2f} s  (runs: {', '.join(f'{t:.2f}' for t in lows)})  = {low / flo:.1f}x floor")
    print("(a lower bound's process start-up and imports are not counted; a build's are)")
    costs = step_costs(1000)
    print(f"CPU per article, one process, first {min(1000, len(_docs))} articles:")
    for step, ms in zip(STEPS, costs, strict=True):
        print(f"  {step:40s} {ms:.3f} ms")
    print(f"  {'total':40s} {sum(costs):.3f} ms")
    budget = 3 * flo * args.workers / len(_docs) * 1000
    print(f"3x the floor on {args.workers} cores allows {budget:.3f} ms of CPU per article for everything")
    return 0


if __name__ == "__main__":
    sys.exit(main())
