"""Benchmark runner: times whole `publisher build` processes on generated sites, against a floor.

    python bench/run.py [--sizes 100,1000,10000] [--runs 3] [--out bench/results.md]

For each size N and each corpus (--corpora: "images", two own images per article, the default;
"shared", the earlier corpus whose articles share 50 small images; "lt", the shared one with
literal '<' in prose) it copies a cached generated site into a temp folder and measures, as
separate processes, the median over --runs of wall-clock seconds and peak RSS:

  floor           bench/floor.py: read every source and image, write an EPUB-shaped zip
  a full build    `publisher build` into an empty output folder with no cache
  b no-op         the same command again, nothing changed
  c edit one      after appending a sentence to one article
  f CI clone      the site and its .publisher-cache (not build/) copied to another path, as a CI
                  run restores its cache into a fresh clone, one more article edited, built there
  h CI, build/    as f, with build/ copied too, as docs/ci/publish.yml restores it with the cache
  d add one       after adding one article
  e delete one    after deleting one article
  g defaults      a full build of a copy of the site with the config's default feed settings
                  (per-tag and per-author feeds, archives, JSON Feed), and the size of its build/
  pandoc          `pandoc -o book.epub` over the same articles (if pandoc is on PATH)
  hugo            a Hugo build of a full-content RSS of the same articles (if hugo is on PATH)

--cases picks some of them (floor, a..g, pandoc, hugo): `--sizes 100000 --runs 1 --cases floor,a`
is the one-run point that shows whether the cost stays linear; with more than one size the
results end with the full build's cost per 1,000 articles and its memory at each.

See bench/README.md for what each case means and the caveats.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CACHE = BENCH / ".cache"
NOW = "2030-01-01T00:00:00Z"  # every generated article is older: all are published, reproducibly
EDIT_SENTENCE = "\nThe Dispatch added this sentence after publication, which isn't unusual.\n"

sys.path.insert(0, str(BENCH))
import gen_corpus  # noqa: E402

PUBLISHER_CASES = [
    ("a", "a full build"),
    ("b", "b no-op rebuild"),
    ("c", "c edit one article"),
    ("f", "CI: fresh clone at another path, cache restored, one article edited"),
    ("h", "CI as docs/ci/publish.yml: fresh clone at another path, cache and build/ restored, one article edited"),
    ("d", "d add one article"),
    ("e", "e delete one article"),
    ("g", "g default settings: full build"),
]
CORPORA = ("images", "shared", "lt")
CASES = ("floor", *(key for key, _ in PUBLISHER_CASES), "pandoc", "hugo")

# A fresh wrapper per measurement: RUSAGE_CHILDREN of a process that has waited for exactly one
# child is that child's own peak (ru_maxrss is a maximum over all children waited for so far).
WRAPPER = r"""
import resource, subprocess, sys, time
t = time.perf_counter()
rc = subprocess.call(sys.argv[2:])
wall = time.perf_counter() - t
with open(sys.argv[1], "w") as fh:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    fh.write(f"{ru.ru_maxrss} {wall!r} {ru.ru_utime + ru.ru_stime!r}\n")
sys.exit(rc)
"""


# --------------------------------------------------------------------------- measuring


@dataclass
class Sample:
    wall: float
    peak_kib: int | None
    rc: int | None  # None: killed after the timeout
    cpu: float | None  # user + system seconds of the child (less sensitive to a busy machine)
    stdout: str
    stderr: str
    tree_pss_kib: int | None = None  # peak of the whole process tree's summed PSS, sampled

    @property
    def stderr_lines(self) -> int:
        return len(self.stderr.splitlines())


class Meter:
    """Runs one command as a child process and measures its wall time and peak RSS.

    With GNU time (``/usr/bin/time -f %M``) the peak is the child's own ru_maxrss from wait4;
    otherwise a fresh Python wrapper process runs the child and reports its RUSAGE_CHILDREN.
    Wall time is taken with ``time.perf_counter`` around the process (GNU time adds ~1 ms).
    """

    def __init__(self, scratch: Path, method: str = "auto") -> None:
        self.scratch = scratch
        self.method = method
        self.killed = ""  # why the last run was killed, if it was
        if method == "auto":
            self.method = "gnu-time" if self._gnu_time_works() else "wrapper"

    def _gnu_time_works(self) -> bool:
        if not Path("/usr/bin/time").is_file():
            return False
        out = self.scratch / "time-probe"
        try:
            subprocess.run(["/usr/bin/time", "-f", "%M", "-o", str(out), "true"], check=True,
                           capture_output=True, timeout=10)
            return out.read_text().strip().isdigit()
        except (OSError, subprocess.SubprocessError):
            return False

    def run(self, cmd: list[str], cwd: Path, env: dict[str, str] | None = None,
            timeout: float | None = None, max_mib: float | None = None) -> Sample:
        """Run ``cmd``; kill its process group after ``timeout`` seconds or once the group's
        resident memory exceeds ``max_mib`` (checked every 0.2 s): the sample then has rc None."""
        rfile = self.scratch / "rusage"
        rfile.unlink(missing_ok=True)
        if self.method == "gnu-time":
            full = ["/usr/bin/time", "-f", "%M %U %S", "-o", str(rfile), *cmd]
        else:
            full = [sys.executable, "-c", WRAPPER, str(rfile), *cmd]
        out_path, err_path = self.scratch / "stdout", self.scratch / "stderr"
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            t0 = time.perf_counter()
            proc = subprocess.Popen(full, cwd=cwd, env=env, stdout=out, stderr=err,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
            self.killed = ""
            done = threading.Event()

            tree_peak = [0, False]  # the tree's largest summed PSS seen; was it ever readable?

            def watchdog() -> None:  # in a thread, so the wait below returns the moment the child ends
                while not done.wait(PSS_EVERY):
                    group = group_processes(proc.pid)
                    pss = group_pss_kib(group)
                    if pss is not None:
                        tree_peak[0], tree_peak[1] = max(tree_peak[0], pss), True
                    if timeout is not None and time.perf_counter() - t0 > timeout:
                        self.killed = f"timed out after {timeout:.0f} s"
                    elif max_mib is not None and group_rss_kib(group) > max_mib * 1024:
                        self.killed = f"killed at {max_mib:.0f} MiB resident"
                    if self.killed:
                        os.killpg(proc.pid, signal.SIGKILL)  # the group we started, and only it
                        return

            guard = threading.Thread(target=watchdog, daemon=True)
            guard.start()
            rc: int | None = proc.wait()
            wall = time.perf_counter() - t0
            done.set()
            guard.join()
            if self.killed:
                rc = None
        peak = cpu = None
        if rfile.is_file():
            # GNU time writes "Command exited with non-zero status N" before the figures
            fields = rfile.read_text().splitlines()[-1].split() if rfile.read_text().strip() else []
            try:
                if self.method == "gnu-time" and len(fields) == 3:
                    peak, cpu = int(fields[0]), float(fields[1]) + float(fields[2])
                elif self.method == "wrapper" and len(fields) == 3:
                    peak, wall, cpu = int(fields[0]), float(fields[1]), float(fields[2])
            except ValueError:
                pass
        return Sample(wall, peak, rc, cpu,
                      out_path.read_text("utf-8", "replace"), err_path.read_text("utf-8", "replace"),
                      tree_peak[0] if tree_peak[1] else None)


#: How often the process tree's memory is sampled (seconds): reading smaps_rollup of a few
#: processes costs the kernel about a millisecond, about 0.5 % of a core at this rate.
PSS_EVERY = 0.2


def group_processes(pgid: int) -> list[tuple[str, list[bytes]]]:
    """(pid, the fields of /proc/PID/stat after "(comm)") of every process in group ``pgid``."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read().rsplit(b")", 1)[1].split()
            if int(stat[2]) == pgid:  # the fields after "(comm)": state, ppid, pgrp, ...
                found.append((entry.name, stat))
        except (OSError, IndexError, ValueError):
            continue
    return found


def group_pss_kib(processes: list[tuple[str, list[bytes]]]) -> int | None:
    """Proportional set size summed over ``processes`` (:func:`group_processes`; Linux
    /proc/PID/smaps_rollup), in KiB: pages shared between the build and its forked workers are
    counted once in all, not once per process as a sum of RSS would. None where smaps_rollup
    cannot be read."""
    total, seen = 0, False
    for pid, _ in processes:
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
                for line in fh:
                    if line.startswith(b"Pss:"):
                        total += int(line.split()[1])
                        seen = True
                        break
        except (OSError, IndexError, ValueError):
            continue
    return total if seen else None


def group_rss_kib(processes: list[tuple[str, list[bytes]]]) -> int:
    """Resident memory of ``processes`` (:func:`group_processes`), in KiB."""
    page_kib = os.sysconf("SC_PAGE_SIZE") // 1024
    return sum(int(stat[21]) * page_kib for _, stat in processes)  # rss is the 22nd field after "(comm)"


# --------------------------------------------------------------------------- corpora


def corpus_key(n: int, seed: int, variant: str) -> str:
    return f"n{n}-s{seed}" + {"images": "-img", "shared": "", "lt": "-lt"}[variant]


def generator_stamp() -> str:
    try:
        import PIL
        pil = PIL.__version__
    except ImportError:
        pil = "none"
    h = hashlib.sha256((BENCH / "gen_corpus.py").read_bytes())
    h.update(pil.encode())
    return h.hexdigest()


def ensure_corpus(n: int, seed: int, variant: str) -> Path:
    """The generated site for (n, seed, variant), from bench/.cache/ when the generator is unchanged."""
    key = corpus_key(n, seed, variant)
    where, stamp_file = CACHE / key, CACHE / f"{key}.stamp"
    stamp = generator_stamp()
    if where.is_dir() and stamp_file.is_file() and stamp_file.read_text() == stamp:
        return where
    CACHE.mkdir(exist_ok=True)
    tmp = CACHE / f"{key}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    cmd = [sys.executable, str(BENCH / "gen_corpus.py"), str(tmp), "--n", str(n), "--seed", str(seed)]
    t0 = time.perf_counter()
    subprocess.run(cmd + {"images": [], "shared": ["--shared-images"], "lt": ["--shared-images", "--lt"]}[variant],
                   check=True)
    print(f"  generated {key} in {time.perf_counter() - t0:.1f} s", flush=True)
    shutil.rmtree(where, ignore_errors=True)
    tmp.rename(where)
    stamp_file.write_text(stamp)
    return where


def article_files(articles: Path) -> list[Path]:
    return sorted(articles.glob("*.md"))


def corpus_stats(site: Path) -> dict[str, float]:
    mds = article_files(site / "articles")
    images = sorted(p for p in (site / "articles" / "images").rglob("*") if p.is_file())
    md_bytes = sum(p.stat().st_size for p in mds)
    words = 0
    lt_paragraphs = 0
    for p in mds:
        text = p.read_text("utf-8")
        body = text.split("\n---\n", 1)[1]
        words += len(body.split())
        lt_paragraphs += sum("<" in para and "`" not in para for para in body.split("\n\n"))
    return {
        "articles": len(mds), "md_mib": md_bytes / 2**20, "words": words,
        "images": len(images), "img_mib": sum(p.stat().st_size for p in images) / 2**20,
        "lt_paragraphs": lt_paragraphs,
    }


def default_settings(site: Path) -> None:
    """The site's config without the workload's keys and book: the defaults a new user gets."""
    config = site / "publisher.toml"
    config.write_text(gen_corpus.default_settings(config.read_text("utf-8")), "utf-8")


def tree_size(folder: Path) -> tuple[int, int, int]:
    """(files, bytes, bytes on disk in 4 KiB blocks as a host stores them) of a folder."""
    files = size = disk = 0
    for p in folder.rglob("*"):
        if p.is_file():
            st = p.stat()
            files += 1
            size += st.st_size
            disk += st.st_blocks * 512
    return files, size, disk


def inbound_links(articles: Path, name: str) -> int:
    needle = f"]({name}"
    return sum(p.read_text("utf-8").count(needle) for p in article_files(articles))


# --------------------------------------------------------------------------- other tools


def prepare_pandoc(corpus: Path, where: Path) -> list[str]:
    """Front matter stripped and the title made a level-1 heading, so pandoc makes one chapter
    per article (with YAML left in, pandoc merges every block into the book's metadata and
    writes a single chapter). Images are reached through a symlink to the corpus."""
    import yaml  # publisher's own dependency, so present in its venv

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    where.mkdir(parents=True)
    names = []
    for p in article_files(corpus / "articles"):
        _, fm, body = p.read_text("utf-8").split("---\n", 2)
        title = yaml.load(fm, Loader=loader)["title"]
        (where / p.name).write_text(f"# {title}\n\n{body.lstrip()}", "utf-8")
        names.append(p.name)
    (where / "images").symlink_to(corpus / "articles" / "images")
    return names


HUGO_CONFIG = """\
baseURL = "https://dispatch.example.com/"
title = "The Harbour Dispatch (benchmark)"
languageCode = "en"
timeZone = "Europe/London"
# Only the home page's RSS is written; pages are still read, rendered and listed (not written).
disableKinds = ["section", "taxonomy", "term", "sitemap", "robotsTXT", "404"]
[outputs]
home = ["RSS"]
page = []
[[cascade]]
[cascade._build]
render = "never"
list = "always"
[cascade._target]
kind = "page"
"""

HUGO_RSS = """\
{{- printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\"?>" | safeHTML }}
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
<title>{{ .Site.Title }}</title>
<link>{{ .Permalink }}</link>
<description>Full-content feed of every article</description>
{{- range .Site.RegularPages.ByDate.Reverse }}
<item>
<title>{{ .Title }}</title>
<link>{{ .Permalink }}</link>
<guid isPermaLink="false">{{ .File.Path }}</guid>
<pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" | safeHTML }}</pubDate>
{{- with .Params.tags }}{{ $tags := . }}{{ if not (reflect.IsSlice .) }}{{ $tags = split . ", " }}{{ end }}
{{- range $tags }}
<category>{{ . }}</category>
{{- end }}{{ end }}
<content:encoded>{{ .Content | html }}</content:encoded>
</item>
{{- end }}
</channel>
</rss>
"""


def prepare_hugo(corpus: Path, where: Path) -> None:
    (where / "content" / "posts").mkdir(parents=True)
    (where / "layouts" / "_default").mkdir(parents=True)
    (where / "config.toml").write_text(HUGO_CONFIG)
    (where / "layouts" / "_default" / "rss.xml").write_text(HUGO_RSS)
    for p in article_files(corpus / "articles"):
        shutil.copyfile(p, where / "content" / "posts" / p.name)
    shutil.copytree(corpus / "articles" / "images", where / "static" / "posts" / "images")


def tool_version(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout
        return out.splitlines()[0].strip() if out else "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


# --------------------------------------------------------------------------- the machine


def machine() -> list[str]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        f"CPU: {cpu}",
        f"Cores: {os.cpu_count()} logical, {usable} usable by this process",
        f"RAM: {ram}",
        f"Python: {platform.python_version()} ({sys.executable})",
        f"OS: {platform.platform()}",
    ]


def publisher_revision() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, timeout=30).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "publisher"], cwd=ROOT,
                               capture_output=True, text=True, timeout=30).stdout.strip()
        return f"{head}" + (" + uncommitted changes in publisher/" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "?"


def export_revision(rev: str, dest: Path) -> str:
    """Unpack the ``publisher`` package of git revision ``rev`` into ``dest``; return its full sha.

    Benchmarks then run that snapshot (``python -m publisher`` with ``PYTHONPATH=dest``), so
    edits made to the working tree while a long run is going do not change what is measured."""
    import io
    import tarfile

    sha = subprocess.run(["git", "rev-parse", "--verify", f"{rev}^{{commit}}"], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.strip()
    tar = subprocess.run(["git", "archive", "--format=tar", sha, "publisher"], cwd=ROOT, check=True,
                         capture_output=True).stdout
    dest.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(tar)) as tf:
        tf.extractall(dest, filter="data")
    # Byte-compile now: with PYTHONDONTWRITEBYTECODE set, every build would otherwise compile the
    # whole package again at start-up and measure the compiler.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(dest / "publisher")], check=True)
    probe = subprocess.run([sys.executable, "-c", "import publisher; print(publisher.__file__)"],
                           env={**os.environ, "PYTHONPATH": str(dest)}, cwd=dest, capture_output=True, text=True)
    if not probe.stdout.strip().startswith(str(dest)):
        sys.exit(f"--rev: the snapshot in {dest} is not what Python imports: {probe.stdout}{probe.stderr}")
    return sha


def bytecode_status() -> str:
    """Whether the installed package's modules have up-to-date .pyc files (else every build
    compiles them at start-up, e.g. when PYTHONDONTWRITEBYTECODE is set)."""
    code = ("import importlib.util, pathlib, pkgutil, publisher\n"
            "mods = [m.name for m in pkgutil.walk_packages(publisher.__path__, 'publisher.')]\n"
            "stale = 0\n"
            "for name in ['publisher', *mods]:\n"
            "    spec = importlib.util.find_spec(name)\n"
            "    src = pathlib.Path(spec.origin); pyc = pathlib.Path(importlib.util.cache_from_source(spec.origin))\n"
            "    stale += not pyc.is_file() or pyc.stat().st_mtime < src.stat().st_mtime\n"
            "print(stale, len(mods) + 1)\n")
    try:
        out = subprocess.run([sys.executable, "-c", code], cwd=BENCH.parent.parent, capture_output=True,
                             text=True, timeout=60).stdout.split()
        stale, total = int(out[0]), int(out[1])
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return "unknown"
    if not stale:
        return "all modules byte-compiled"
    return (f"{stale} of {total} modules without an up-to-date .pyc: every build compiles them at start-up"
            + (" (PYTHONDONTWRITEBYTECODE is set)" if os.environ.get("PYTHONDONTWRITEBYTECODE") else ""))


def publisher_command() -> list[str]:
    script = Path(sys.executable).parent / "publisher"
    if script.is_file():
        return [str(script)]
    found = shutil.which("publisher")
    return [found] if found else [sys.executable, "-m", "publisher"]


# --------------------------------------------------------------------------- the benchmark


@dataclass
class Row:
    n: int
    corpus: str
    case: str
    samples: list[Sample] = field(default_factory=list)
    note: str = ""
    sizes: list[tuple[int, int, int]] = field(default_factory=list)  # (files, bytes, on disk): a size row

    def ok(self) -> list[Sample]:
        return [s for s in self.samples if s.rc == 0]

    def median(self) -> float | None:
        ok = self.ok()
        return statistics.median(s.wall for s in ok) if ok else None

    def cpu(self) -> float | None:
        cpus = [s.cpu for s in self.ok() if s.cpu is not None]
        return statistics.median(cpus) if cpus else None

    def peak_mib(self) -> float | None:
        peaks = [s.peak_kib for s in self.ok() if s.peak_kib is not None]
        return statistics.median(peaks) / 1024 if peaks else None

    def tree_mib(self) -> float | None:
        peaks = [s.tree_pss_kib for s in self.ok() if s.tree_pss_kib is not None]
        return statistics.median(peaks) / 1024 if peaks else None


WRITTEN = re.compile(r"(\d+) file\(s\) written, (\d+) unchanged(?:, (\d+) removed)?")
BUILT = re.compile(r"Built (\d+) article\(s\)")
NORMALIZED = re.compile(r"^Normalized (\d+) article\(s\) from source", re.MULTILINE)  # with --verbose


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="publisher-bench-", dir=args.tmp))
        self.meter = Meter(self.tmp, args.rss)
        self.pythonpath: str | None = None
        if args.rev:
            sha = export_revision(args.rev, self.tmp / "publisher-src")
            self.pythonpath = str(self.tmp / "publisher-src")
            self.publisher = [sys.executable, "-m", "publisher"]
            revision = f"{sha[:12]} ({args.rev}, a byte-compiled snapshot of the committed package; working-tree edits not included)"
        else:
            self.publisher = publisher_command()
            revision = publisher_revision() + "; " + bytecode_status()
        self.rows: list[Row] = []
        self.corpora = [c.strip() for c in args.corpora.split(",") if c.strip()]
        self.cases = {c.strip() for c in args.cases.split(",") if c.strip()}
        self.notes: dict[int, list[str]] = {}
        self.stats: dict[tuple[int, str], dict[str, float]] = {}
        self.pandoc = shutil.which("pandoc") if not args.no_tools else None
        self.hugo = shutil.which("hugo") if not args.no_tools else None
        self.header = machine() + [
            f"Peak RSS measured with: {'/usr/bin/time -f %M' if self.meter.method == 'gnu-time' else 'a Python wrapper (RUSAGE_CHILDREN)'}",
            f"publisher: {shlex.join(self.publisher)} build --config publisher.toml --now {NOW}"
            + (f" {args.build_args}" if args.build_args else "") + f" (git {revision})",
            "pandoc: " + (tool_version([self.pandoc, "--version"]) if self.pandoc else ("skipped (--no-tools)" if args.no_tools else "not on PATH: skipped")),
            "hugo: " + (tool_version([self.hugo, "version"]) if self.hugo else ("skipped (--no-tools)" if args.no_tools else "not on PATH: skipped")),
            f"Temp folder: {self.tmp}",
        ]

    def note(self, n: int, text: str) -> None:
        self.notes.setdefault(n, [])
        if text not in self.notes[n]:
            self.notes[n].append(text)

    def env(self, run_dir: Path) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("SOURCE_DATE_EPOCH", None)  # --now decides instead
        env["XDG_CACHE_HOME"] = str(run_dir / "xdg-cache")  # no cache carried between runs
        if self.pythonpath:
            env["PYTHONPATH"] = self.pythonpath
        return env

    def build(self, row: Row, site: Path, run_dir: Path, expect: int, extra: tuple[str, ...] = ()) -> Sample:
        cmd = [*self.publisher, "build", "--config", "publisher.toml", "--now", NOW, *extra,
               *shlex.split(self.args.build_args)]
        s = self.meter.run(cmd, site, self.env(run_dir), self.args.build_timeout)
        if s.rc != 0:
            print(f"\n`{shlex.join(cmd)}` in {site} "
                  + (self.meter.killed if s.rc is None else f"failed with exit code {s.rc}")
                  + f" ({row.case}, N={row.n}, {row.corpus}); its stderr ({s.stderr_lines} lines):",
                  file=sys.stderr)
            lines = s.stderr.splitlines()
            shown = lines if len(lines) <= 80 else lines[:40] + [f"... {len(lines) - 80} more lines ..."] + lines[-40:]
            print("\n".join(shown), file=sys.stderr)
            print(f"(temp folder kept: {self.tmp})", file=sys.stderr)
            sys.exit(1)
        built = BUILT.search(s.stdout)
        if not built or int(built.group(1)) != expect:
            self.note(row.n, f"{row.corpus} {row.case}: expected {expect} articles built, stdout says "
                      f"{s.stdout.strip()[:200]!r}")
        w = WRITTEN.search(s.stdout)
        if w:
            summary = f"{w.group(1)} written, {w.group(2)} unchanged" + (f", {w.group(3)} removed" if w.group(3) else "")
            normalized = NORMALIZED.search(s.stdout)
            if normalized:
                summary += f", {normalized.group(1)} normalized"
            if not row.note:
                row.note = summary
            elif summary not in row.note.split(" / "):
                row.note += " / " + summary
        if s.stderr_lines and not any(t.startswith(f"{row.corpus} {row.case}: stderr") for t in self.notes.get(row.n, [])):
            first = s.stderr.splitlines()[:2]
            self.note(row.n, f"{row.corpus} {row.case}: stderr begins: " + " | ".join(f"`{line[:300]}`" for line in first))
        return s

    def row(self, n: int, corpus: str, case: str) -> Row:
        for r in self.rows:
            if (r.n, r.corpus, r.case) == (n, corpus, case):
                return r
        r = Row(n, corpus, case)
        self.rows.append(r)
        return r

    def tool_failure(self, s) -> str:
        """The note for a pandoc or hugo run that was killed or failed (it is not run again)."""
        why = self.meter.killed if s.rc is None else f"failed (rc={s.rc}): {s.stderr.strip()[-300:]}"
        return (why if s.rc is None else f"{why} after {s.wall:.0f} s") + "; not retried"

    def report(self, label: str, s: Sample) -> None:
        peak = f"{s.peak_kib / 1024:.0f} MiB" if s.peak_kib is not None else "? MiB"
        if s.tree_pss_kib is not None:
            peak += f" (tree {s.tree_pss_kib / 1024:.0f} MiB PSS)"
        status = "" if s.rc == 0 else (" TIMEOUT" if s.rc is None else f" FAILED rc={s.rc}")
        cpu = f"{s.cpu:8.2f} s CPU" if s.cpu is not None else ""
        print(f"    {label:<24} {s.wall:8.2f} s  {cpu}  {peak:>9}{status}", flush=True)

    def run_size(self, n: int, runs: int) -> None:
        args = self.args
        load0 = os.getloadavg()
        for corpus_name in self.corpora:
            lt = corpus_name == "lt"
            print(f"\nN={n} corpus={corpus_name}", flush=True)
            corpus = ensure_corpus(n, args.seed, corpus_name)
            self.stats[(n, corpus_name)] = corpus_stats(corpus)
            var_dir = self.tmp / f"n{n}-{corpus_name}"
            var_dir.mkdir()
            pandoc_files = hugo_site = None
            if self.pandoc and "pandoc" in self.cases:
                pandoc_files = prepare_pandoc(corpus, var_dir / "pandoc-src")
            if self.hugo and "hugo" in self.cases:
                hugo_site = var_dir / "hugo-site"
                prepare_hugo(corpus, hugo_site)
            names = [p.name for p in article_files(corpus / "articles")]
            edit_name = names[len(names) // 2]
            # (f) edits an article no other links to, so that exactly one is normalized again
            # (an article that links to an edited one is normalized again too, by design).
            texts = "".join(p.read_text("utf-8") for p in article_files(corpus / "articles"))
            clone_edit_name = next((name for name in names[(len(names) * 2) // 3:][:50]
                                    if f"]({name}" not in texts), names[(len(names) * 2) // 3])
            del texts
            delete_name = names[len(names) // 3]
            extra_name, extra_text = gen_corpus.extra_article(args.seed, n, lt, names,
                                                              [] if corpus_name == "images" else None)
            self.note(n, f"{corpus_name}: (c) appends a sentence to {edit_name}; (f) copies the site and its "
                      f"cache elsewhere and appends one to {clone_edit_name}; (d) adds {extra_name}; "
                      f"(e) deletes {delete_name} (linked from {inbound_links(corpus / 'articles', delete_name)} "
                      "place(s) in other articles)")
            skip_tools: set[str] = set()
            for r in range(runs):
                print(f"  run {r + 1}/{runs}", flush=True)
                run_dir = var_dir / f"run{r}"
                site = run_dir / "site"
                shutil.copytree(corpus, site)
                articles = site / "articles"

                if "floor" in self.cases:
                    row = self.row(n, corpus_name, "floor")
                    s = self.meter.run([sys.executable, str(BENCH / "floor.py"), str(articles),
                                        str(run_dir / "floor.epub")], run_dir, timeout=args.build_timeout)
                    if s.rc != 0:
                        sys.exit(f"floor.py failed: {s.stderr}")
                    row.samples.append(s)
                    row.note = s.stdout.strip()
                    self.report("floor", s)

                for key, label in PUBLISHER_CASES:
                    if key not in self.cases:
                        continue
                    expect = n
                    if key == "g":
                        defaults = run_dir / "defaults" / "site"
                        shutil.copytree(corpus, defaults)
                        default_settings(defaults)
                        row = self.row(n, corpus_name, label)
                        s = self.build(row, defaults, run_dir, n)
                        row.samples.append(s)
                        self.report("g default settings", s)
                        files, size, disk = tree_size(defaults / "build")
                        size_row = self.row(n, corpus_name, "g default settings: size of build/")
                        size_row.sizes.append((files, size, disk))
                        groups = {}
                        for part in sorted((defaults / "build").iterdir()):
                            groups[part.name] = tree_size(part)[1] if part.is_dir() else part.stat().st_size
                        top = sorted(groups.items(), key=lambda kv: -kv[1])[:6]
                        size_row.note = ", ".join(f"{name} {b / 2**20:.1f}" for name, b in top) + " (MiB)"
                        shutil.rmtree(run_dir / "defaults")
                        continue
                    if key in ("f", "h"):
                        clone = run_dir / "ci-clone" / "elsewhere" / "site"
                        shutil.copytree(site, clone, ignore=shutil.ignore_patterns("build") if key == "f" else None)
                        with open(clone / "articles" / clone_edit_name, "a", encoding="utf-8") as fh:
                            fh.write(EDIT_SENTENCE)
                        row = self.row(n, corpus_name, label)
                        s = self.build(row, clone, run_dir, expect, ("--verbose",))
                        shutil.rmtree(run_dir / "ci-clone")
                        row.samples.append(s)
                        self.report(f"{key} CI clone, one edited", s)
                        continue
                    if key == "c":
                        with open(articles / edit_name, "a", encoding="utf-8") as fh:
                            fh.write(EDIT_SENTENCE)
                    elif key == "d":
                        (articles / extra_name).write_text(extra_text, "utf-8")
                        expect = n + 1
                    elif key == "e":
                        (articles / delete_name).unlink()
                    row = self.row(n, corpus_name, label)
                    s = self.build(row, site, run_dir, expect)
                    if key == "a":
                        out = site / "build"
                        total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
                        files = sum(1 for p in out.rglob("*") if p.is_file())
                        sizes = ", ".join(f"{p.name} {p.stat().st_size / 2**20:.1f} MiB"
                                          for p in sorted(out.iterdir()) if p.is_file() and not p.name.startswith("."))
                        self.note(n, f"{corpus_name} outputs after (a): {files} files, {total / 2**20:.1f} MiB ({sizes})")
                    row.samples.append(s)
                    self.report(label, s)

                if pandoc_files is not None and "pandoc" not in skip_tools and "pandoc" in self.cases:
                    row = self.row(n, corpus_name, "pandoc → EPUB")
                    book = run_dir / "pandoc.epub"
                    s = self.meter.run([self.pandoc, "-o", str(book), "--metadata", "title=Benchmark",
                                        "--resource-path", ".", *pandoc_files],
                                       var_dir / "pandoc-src", timeout=args.tool_timeout, max_mib=args.tool_max_mib)
                    row.samples.append(s)
                    self.report("pandoc → EPUB", s)
                    if s.rc != 0:
                        skip_tools.add("pandoc")
                        row.note = self.tool_failure(s)
                    else:
                        row.note = f"{book.stat().st_size / 2**20:.1f} MiB EPUB"
                        if s.stderr_lines:
                            row.note += f"; {s.stderr_lines} stderr line(s)"

                if hugo_site is not None and "hugo" not in skip_tools and "hugo" in self.cases:
                    row = self.row(n, corpus_name, "hugo → RSS")
                    dest, hcache = run_dir / "hugo-out", run_dir / "hugo-cache"
                    shutil.rmtree(hugo_site / "resources", ignore_errors=True)
                    s = self.meter.run([self.hugo, "--quiet", "--source", str(hugo_site), "--destination", str(dest),
                                        "--cacheDir", str(hcache)], hugo_site, timeout=args.tool_timeout,
                                       max_mib=args.tool_max_mib)
                    row.samples.append(s)
                    self.report("hugo → RSS", s)
                    if s.rc != 0:
                        skip_tools.add("hugo")
                        row.note = self.tool_failure(s)
                    else:
                        feed = dest / "index.xml"
                        items = feed.read_text("utf-8").count("<item>")
                        row.note = f"{items} items, {feed.stat().st_size / 2**20:.1f} MiB"
                        if items != n:
                            self.note(n, f"{corpus_name} hugo: {items} items in the RSS, expected {n}")

                shutil.rmtree(run_dir)
            for tool, present in (("pandoc", self.pandoc), ("hugo", self.hugo)):
                if not present:
                    self.note(n, f"{tool}: skipped (" + ("--no-tools)" if args.no_tools else "not on PATH)"))
            shutil.rmtree(var_dir, ignore_errors=True)
        load1 = os.getloadavg()
        self.note(n, f"load average (1 min) when N={n} started: {load0[0]:.1f}, when it ended: {load1[0]:.1f} "
                  f"on {os.cpu_count()} cores")
        print()
        print(self.table(n))

    # ----------------------------------------------------------------------- output

    def table(self, n: int) -> str:
        lines = [
            f"### N = {n}",
            "",
            "| corpus | case | median s | min–max s | CPU s | peak MiB | tree PSS MiB | × floor | stderr lines | runs | notes |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for corpus in self.corpora:
            floor = self.row(n, corpus, "floor").median()
            for r in [r for r in self.rows if r.n == n and r.corpus == corpus]:
                if r.sizes:
                    files, size, disk = r.sizes[len(r.sizes) // 2]
                    lines.append(f"| {corpus} | {r.case} | **{size / 2**20:,.1f} MiB** ({disk / 2**20:,.1f} MiB on disk, "
                                 f"{files:,} files) | | | | | | | {len(r.sizes)} | {r.note} |")
                    continue
                med = r.median()
                ok = r.ok()
                spread = f"{min(s.wall for s in ok):.2f}–{max(s.wall for s in ok):.2f}" if ok else "—"
                peak = r.peak_mib()
                tree = r.tree_mib()
                cpu = r.cpu()
                ratio = f"{med / floor:.1f}" if med is not None and floor else "—"
                err = f"{statistics.median(s.stderr_lines for s in ok):.0f}" if ok else "—"
                lines.append(
                    f"| {corpus} | {r.case} | {med:.2f} | {spread} | {'—' if cpu is None else f'{cpu:.2f}'} "
                    f"| {'—' if peak is None else f'{peak:.0f}'} | {'—' if tree is None else f'{tree:.0f}'} "
                    f"| {ratio} | {err} | {len(ok)}/{len(r.samples)} | {r.note} |"
                    if med is not None else
                    f"| {corpus} | {r.case} | — | — | — | — | — | — | — | {len(ok)}/{len(r.samples)} | {r.note} |"
                )
        lines.append("")
        for corpus in self.corpora:
            ratios = self.ratios(n, corpus)
            if ratios:
                lines.append(f"- {corpus} ratios (this run): " + "; ".join(ratios))
        for corpus in self.corpora:
            st = self.stats.get((n, corpus))
            if st:
                lines.append(
                    f"- {corpus} corpus: {st['articles']} articles, {st['words']:,} words, "
                    f"{st['md_mib']:.1f} MiB of Markdown, {st['images']} images ({st['img_mib']:.1f} MiB), "
                    f"{st['lt_paragraphs']:,} paragraphs with a literal '<'"
                )
        for text in self.notes.get(n, []):
            lines.append(f"- {text}")
        return "\n".join(lines) + "\n"

    def ratios(self, n: int, corpus: str) -> list[str]:
        """The issue's targets as ratios of rows of this one run."""
        def med(case: str) -> float | None:
            rows = [r for r in self.rows if (r.n, r.corpus, r.case) == (n, corpus, case)]
            return rows[0].median() if rows else None
        floor, full, edit = med("floor"), med("a full build"), med("c edit one article")
        ci, ci_build = med(PUBLISHER_CASES[3][1]), med(PUBLISHER_CASES[4][1])
        defaults, hugo = med("g default settings: full build"), med("hugo → RSS")
        out = []
        for label, a, b in (("full build / floor", full, floor), ("full build / Hugo", full, hugo),
                            ("default settings / full build", defaults, full), ("edit / floor", edit, floor),
                            ("CI / edit", ci, edit), ("CI with build/ / edit", ci_build, edit)):
            if a is not None and b:
                out.append(f"{label} {a / b:.2f}")
        return out

    def markdown(self, sizes_done: list[int], started: str, elapsed: float) -> str:
        cmd = shlex.join(["python", "bench/run.py", *sys.argv[1:]])
        parts = [
            "# publisher benchmark results",
            "",
            f"Command: `{cmd}` — started {started}, took {elapsed / 60:.1f} min. "
            f"Median over the runs shown per case (--runs {self.args.runs}), seed {self.args.seed}; "
            "see [README.md](README.md) for the cases and caveats.",
            "",
            "## Machine",
            "",
            *[f"- {line}" for line in self.header if not line.startswith("Temp folder")],
            "",
            "## Results",
            "",
            "“median s” is wall-clock; “CPU s” the median user+system time of the process tree (more than the "
            "wall time when several cores work, less when the machine is busy with other work). "
            "“× floor” is the case's median wall time divided by the floor's median for the same N and corpus. "
            "Notes for publisher rows give the build's own summary (files written / unchanged / removed).",
            "",
        ]
        for n in sizes_done:
            parts.append(self.table(n))
        parts += self.scaling(sizes_done)
        return "\n".join(parts)

    def scaling(self, sizes: list[int]) -> list[str]:
        """Is the full build's cost linear in N? Its seconds and CPU per 1,000 articles, and its
        memory, at each size of this run, side by side."""
        lines = []
        for corpus, case in [(c, k) for c in self.corpora for k in ("a full build", PUBLISHER_CASES[-1][1])]:
            points = []
            for n in sizes:
                rows = [r for r in self.rows if (r.n, r.corpus, r.case) == (n, corpus, case)]
                if rows and rows[0].median() is not None:
                    r = rows[0]
                    cpu, tree = r.cpu(), r.tree_mib()
                    points.append(f"N={n:,}: {r.median() / n * 1000:.2f} s"
                                  + (f", CPU {cpu / n * 1000:.2f} s" if cpu is not None else "")
                                  + f" per 1,000 articles, peak {r.peak_mib():.0f} MiB"
                                  + (f" (tree PSS {tree:.0f} MiB)" if tree is not None else ""))
            if len(points) > 1:
                lines.append(f"- {corpus}, {case} across sizes: " + "; ".join(points))
        return ["## Scaling", "", *lines, ""] if lines else []


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark `publisher build` against a floor, pandoc and hugo.")
    ap.add_argument("--sizes", default="100,1000,10000", help="comma-separated article counts [100,1000,10000]")
    ap.add_argument("--runs", default="3",
                    help="runs per case, the median is reported; one number, or one per size (3,3,1) [3]")
    ap.add_argument("--out", type=Path, default=BENCH / "results.md", help="Markdown results file [bench/results.md]")
    ap.add_argument("--seed", type=int, default=1, help="corpus seed [1]")
    ap.add_argument("--corpora", default="images",
                    help="comma-separated corpora: images (two own images per article), shared (50 images "
                    "shared by all), lt (shared, with literal '<' in prose) [images]")
    ap.add_argument("--append", action="store_true", help="append to --out instead of replacing it")
    ap.add_argument("--tmp", default=None, help="parent of the temp folder [system default]")
    ap.add_argument("--keep", action="store_true", help="keep the temp folder")
    ap.add_argument("--no-tools", action="store_true", help="skip pandoc and hugo even when present")
    ap.add_argument("--rss", choices=["auto", "gnu-time", "wrapper"], default="auto",
                    help="how to measure peak RSS [auto: /usr/bin/time if it works]")
    ap.add_argument("--rev", default=None,
                    help="benchmark the publisher package of this git revision (e.g. HEAD) instead of the "
                    "installed working tree")
    ap.add_argument("--cases", default=",".join(CASES),
                    help="comma-separated cases to run: floor, a, b, c, f, h, d, e, g, pandoc, hugo (b to h "
                    "need a; e.g. floor,a for a one-run 100,000-article point) [all]")
    ap.add_argument("--build-args", default="", help="extra arguments for `publisher build`, e.g. \"-j 1\"")
    ap.add_argument("--build-timeout", type=float, default=None, help="seconds before a build is killed [none]")
    ap.add_argument("--tool-timeout", type=float, default=1800, help="seconds before pandoc/hugo is killed [1800]")
    ap.add_argument("--tool-max-mib", type=float, default=8192,
                    help="resident MiB at which pandoc/hugo is killed, to spare the machine [8192]")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    try:
        runs = [int(r) for r in args.runs.split(",")]
    except ValueError:
        ap.error("--runs takes a number or a comma-separated list of numbers")
    if len(runs) == 1:
        runs *= len(sizes)
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    if not cases or any(c not in CASES for c in cases):
        ap.error(f"--cases takes a comma-separated list of {', '.join(CASES)}")
    if set(cases) & set("bcfhde") and "a" not in cases:
        ap.error("--cases: b, c, f, h, d and e rebuild what a built; add a")
    if any(c.strip() not in CORPORA for c in args.corpora.split(",")):
        ap.error(f"--corpora takes a comma-separated list of {', '.join(CORPORA)}")
    if not sizes or min(sizes) < 3 or len(runs) != len(sizes) or min(runs) < 1:
        ap.error("--sizes needs article counts of at least 3; --runs one count of at least 1, or one per size")

    bench = Bench(args)
    started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    t0 = time.perf_counter()
    print("\n".join(bench.header), flush=True)
    done: list[int] = []
    before = args.out.read_text("utf-8") + "\n---\n\n" if args.append and args.out.is_file() else ""
    try:
        for n, k in zip(sizes, runs):
            bench.run_size(n, k)
            done.append(n)
            args.out.write_text(before + bench.markdown(done, started, time.perf_counter() - t0), "utf-8")
        print(f"results written to {args.out}")
    finally:
        if not args.keep and bench.tmp.exists() and sys.exc_info()[0] is None:
            shutil.rmtree(bench.tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
