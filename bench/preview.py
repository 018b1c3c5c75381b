"""How long `publisher serve` takes from saving a source to serving the rebuilt page with the new
text, on the bundled site and on the Rust blog corpus (../shared/corpus/rust-blog) when present.

    python bench/preview.py                       # both sites, 5 edits each
    python bench/preview.py --sites bundled --runs 3
    python bench/preview.py --out bench/results-preview.md

Each site is copied into a temporary folder with an empty cache; `publisher serve --port 0` is
started on it (the first build, cold, is timed as "first build"), then one article is edited
``--runs`` times: a paragraph with a new marker is appended and the time runs from the write to
the first response of the article's preview page that holds the marker (polled every 10 ms), which
is what an open page shows after it reloads. Not a test: numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus" / "rust-blog" / "content"
CORPUS_CONFIG = """[site]
title = "Rust Blog"
description = "Empowering everyone to build reliable and efficient software."
base_url = "https://blog.rust-lang.org/"
exclude = ["releases/latest.md"]
missing_images = "remote"
"""


def make_site(name: str, root: Path) -> tuple[Path, Path]:
    """(site folder, the article to edit)."""
    site = root / name
    if name == "bundled":
        shutil.copytree(REPO / "articles", site / "articles")
        shutil.copy2(REPO / "publisher.toml", site / "publisher.toml")
        return site, site / "articles" / "2026-11-18-port-expansion-vote.md"
    shutil.copytree(CORPUS, site / "articles")
    (site / "publisher.toml").write_text(CORPUS_CONFIG, encoding="utf-8")
    return site, site / "articles" / "Rust-1.0-beta.md"


def slug_of(site: Path, article: Path) -> str:
    xml = subprocess.run([sys.executable, "-m", "publisher", "normalize", str(article)], cwd=site,
                         capture_output=True, text=True, check=True).stdout
    return re.search(r"<(?:\w+:)?slug>([^<]+)<", xml)[1]


def get(host: str, port: int, path: str) -> bytes:
    conn = http.client.HTTPConnection(host, port, timeout=120)
    try:
        conn.request("GET", path)
        return conn.getresponse().read()
    finally:
        conn.close()


def measure(name: str, runs: int, tmp: Path) -> dict:
    site, article = make_site(name, tmp)
    slug = slug_of(site, article)
    sources = sum(1 for p in (site / "articles").rglob("*") if p.suffix in (".md", ".txt", ".xml"))
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "publisher", "serve", "--port", "0"], cwd=site,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    host = port = None
    for line in proc.stdout:
        lines.append(line)
        found = re.search(r"at http://([0-9.]+):(\d+)/", line)
        if found:
            host, port = found[1], int(found[2])
            break
    if host is None:
        raise SystemExit(f"serve did not start on {name}:\n" + "".join(lines))
    first = time.perf_counter() - start
    threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True).start()
    page = f"/_preview/articles/{slug}.xhtml"
    assert get(host, port, page), "no article page"
    times = []
    try:
        for i in range(runs):
            time.sleep(1.0)  # let the watcher settle between edits
            marker = f"bench-edit-{i}-{os.getpid()}"
            text = article.read_text(encoding="utf-8")
            t0 = time.perf_counter()
            article.write_text(text + f"\n\n{marker}\n", encoding="utf-8")
            while marker.encode() not in get(host, port, page):
                if time.perf_counter() - t0 > 300:
                    raise SystemExit(f"no reload after 300 s on {name}:\n" + "".join(lines))
                time.sleep(0.01)
            times.append(time.perf_counter() - t0)
            print(f"  {name}: edit {i + 1}: {times[-1]:.2f} s", flush=True)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=120)
    builds = [float(m[1]) for m in (re.search(r"^Built .* in ([0-9.]+) s", ln) for ln in lines) if m]
    # the same edit made by `publisher build` (a new process each time, into build/), for scale
    subprocess.run([sys.executable, "-m", "publisher", "build", "-q"], cwd=site, check=True,
                   stderr=subprocess.DEVNULL)
    cli = []
    for i in range(max(1, runs // 2)):
        text = article.read_text(encoding="utf-8")
        t0 = time.perf_counter()
        article.write_text(text + f"\n\nbench-cli-{i}\n", encoding="utf-8")
        subprocess.run([sys.executable, "-m", "publisher", "build", "-q"], cwd=site, check=True,
                   stderr=subprocess.DEVNULL)
        cli.append(time.perf_counter() - t0)
        print(f"  {name}: publisher build after an edit {i + 1}: {cli[-1]:.2f} s", flush=True)
    return {"site": name, "sources": sources, "first": first, "times": times, "builds": builds[1:], "cli": cli}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", default="bundled,corpus")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None, help="also write the table to this file")
    args = parser.parse_args()
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f}")
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-preview-") as tmp:
        for name in args.sites.split(","):
            if name == "corpus" and not CORPUS.is_dir():
                print(f"skipped corpus: {CORPUS} is not there")
                continue
            got = measure(name, args.runs, Path(tmp))
            rows.append(got)
    table = [f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", "",
             "| site | sources | first build (cold cache) | save → page served: median (min–max) | rebuild as "
             "reported | `publisher build` after the same edit |",
             "|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        t, b, c = r["times"], r["builds"], r["cli"]
        table.append(f"| {r['site']} | {r['sources']} | {r['first']:.1f} s | {statistics.median(t):.2f} s "
                     f"({min(t):.2f}–{max(t):.2f}) | {statistics.median(b) if b else float('nan'):.2f} s | "
                     f"{statistics.median(c):.2f} s |")
    print("\n".join(table))
    if args.out:
        args.out.write_text("\n".join(table) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
