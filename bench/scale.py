"""Measures what docs/scaling.md extrapolates from: the per-article stage's CPU per article, and
the coordinator's serial part, on a generated site (bench/gen_corpus.py).

    python bench/gen_corpus.py /tmp/scale-1500 --n 1500
    python bench/scale.py /tmp/scale-1500 [--target 1000000] [--workers 16,64,256] [--dask 2]

1. **stage**: every article read and normalized in this one process, one after the other
   (what a Dask worker does per article), as CPU seconds (user + system) per article, and the
   size of the entries that come back and are stored.
2. **store**: those entries written to a local cache folder with a ``file://`` shared tier
   (what the coordinator does with each result).
3. **serial**: a build whose every article is in the cache but whose outputs, build state and
   kept feeds and books are gone: what the coordinator does besides normalizing (list and
   hash the sources, read the catalog, make feeds and books, write them), once with ``-j 1``.
   Split into ``load`` (list, hash, catalog) and the rest (feeds, books, writing).
4. ``--dask W``: a build with no cache on a LocalCluster of W workers, against the local
   process pool of W, both wall seconds (the cluster's own overhead at this size).

CPU time is what the extrapolation uses: wall time on a shared machine says more about the
neighbours than about the tool.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path


def cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("site", type=Path, help="a site made by bench/gen_corpus.py")
    ap.add_argument("--target", type=int, default=1_000_000, help="articles to extrapolate to [1000000]")
    ap.add_argument("--workers", default="16,64,256", help="worker counts to extrapolate to")
    ap.add_argument("--dask", type=int, default=0, help="also time a LocalCluster build of this many workers")
    args = ap.parse_args()

    from publisher import sources
    from publisher.build import build, load_articles
    from publisher.config import load_config
    from publisher.errors import Reporter
    from publisher.incremental.cache import Cache
    from publisher.incremental.remote import RemoteStore
    from publisher.incremental.stage import SourceIndex, _compute

    scratch = Path(tempfile.mkdtemp(prefix="publisher-scale-"))
    try:
        site = scratch / "site"
        shutil.copytree(args.site, site, ignore=shutil.ignore_patterns("build", ".publisher-cache"))
        config, _ = load_config(site / "publisher.toml")
        paths = [p for _, p in sources.discover_named(config.articles_path, config.exclude,
                                                      sources.scan(config.articles_path))]
        n = len(paths)

        # 1. the per-article stage, serially in this process
        index, hashes = SourceIndex(config), Cache(None)
        entries = []
        c0, w0 = cpu(), time.perf_counter()
        for path in paths:
            entry, _ = _compute(path, config, index, hashes)
            entries.append(entry)
        stage_cpu, stage_wall = cpu() - c0, time.perf_counter() - w0
        xml_bytes = sum(len(e.xml) for e in entries if e is not None)
        source_bytes = sum(p.stat().st_size for p in paths)
        print(f"articles: {n}, sources {source_bytes / n / 1024:.1f} KiB each, normalized XML "
              f"{xml_bytes / n / 1024:.1f} KiB", flush=True)
        print(f"stage: {stage_cpu:.1f} s CPU ({stage_wall:.1f} s wall) = {stage_cpu / n * 1000:.1f} ms CPU per article",
              flush=True)

        # 2. the coordinator storing each result: local tier and a file:// shared tier
        store = Cache(scratch / "store", RemoteStore(f"file://{scratch / 'bucket'}"))
        c0 = cpu()
        for i, entry in enumerate(entries):
            if entry is not None:
                store.put(f"{i:064x}", entry)
        store_cpu = cpu() - c0
        entry_bytes = sum(f.stat().st_size for f in (scratch / "bucket").rglob("*") if f.is_file())
        print(f"store: {store_cpu / n * 1000:.2f} ms CPU per entry (local tier + file:// shared tier), "
              f"{entry_bytes / n / 1024:.1f} KiB per stored entry", flush=True)

        # 3. the serial part: a build with every article cached and nothing else
        build(config, workers=1)
        cache_dir = config.cache_path
        shutil.rmtree(config.output_path)
        shutil.rmtree(cache_dir / "state", ignore_errors=True)
        for f in cache_dir.glob("*/b*"):  # blobs (feeds, books, chapter packs); entries are 64 hex digits
            if len(f.name) == 65:
                f.unlink()
        c0 = cpu()
        cache = Cache(cache_dir)
        load_articles(config, Reporter(), cache, 1)
        load_cpu = cpu() - c0
        assert cache.normalized == 0, cache.normalized
        shutil.rmtree(cache_dir / "state", ignore_errors=True)
        c0, w0 = cpu(), time.perf_counter()
        result = build(config, workers=1)
        serial_cpu, serial_wall = cpu() - c0, time.perf_counter() - w0
        assert result.normalized == 0, result.normalized
        print(f"serial part with every article cached, -j 1: {serial_cpu:.1f} s CPU ({serial_wall:.1f} s wall) = "
              f"{serial_cpu / n * 1000:.1f} ms per article; of which list + hash + catalog {load_cpu / n * 1000:.2f} ms",
              flush=True)

        if args.dask:
            shutil.rmtree(config.output_path)
            w0 = time.perf_counter()
            build(config, cache=Cache(None), workers=args.dask)
            pool_wall = time.perf_counter() - w0
            shutil.rmtree(config.output_path)
            w0 = time.perf_counter()
            build(config, cache=Cache(None), workers=args.dask, scheduler="local")
            print(f"no cache, {args.dask} workers: process pool {pool_wall:.1f} s wall, Dask LocalCluster "
                  f"{time.perf_counter() - w0:.1f} s wall", flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    per = stage_cpu / n
    put = store_cpu / n
    serial_per = serial_cpu / n
    N = args.target
    serial = N * (serial_per + put)
    print(f"\nextrapolated to {N:,} articles (serial part {serial / 60:.0f} min on the coordinator: "
          f"{N * serial_per / 60:.0f} min feeds/books/listing + {N * put / 60:.0f} min storing entries)")
    print("| workers | stage (N x c / W) | total (serial + stage) | speed-up over 1 worker |")
    print("|---:|---:|---:|---:|")
    one = serial + N * per
    for w in [1] + [int(x) for x in args.workers.split(",")]:
        stage = N * per / w
        print(f"| {w} | {stage / 60:.0f} min | {(serial + stage) / 60:.0f} min | {one / (serial + stage):.1f}x |")


if __name__ == "__main__":
    sys.exit(main())
