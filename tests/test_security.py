"""Hostile sources and faults (issue 15 items 1-6, YAML of item 9): nothing read from outside the
site, nothing written outside the output folder and the cache, one build at a time, no leftovers."""

from __future__ import annotations

import fcntl
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from publisher.config import load_config
from publisher.errors import ConfigError, OutputError
from publisher.output import Staging
from tests.conftest import copy_site, write

EPOCH = "1796083200"  # 2026-12-01T00:00:00Z: every bundled article published
SECRET = b"TOP-SECRET-HOST-FILE"


def run(site: Path, *args: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess[str]:
    """``publisher ARGS`` in a real process, in the site folder (``env``: variables to set)."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, **env}
    return subprocess.run([sys.executable, "-m", "publisher", *args], cwd=site, env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)


def files_of(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_diagnostic(proc: subprocess.CompletedProcess[str], where: str, words: str) -> None:
    """Exit 1, no traceback, and a ``path:line...: error:`` line naming ``where`` and saying ``words``."""
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert any(line.startswith(where) and ": error: " in line and words in line for line in proc.stderr.splitlines()), \
        proc.stderr


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the site, as any host folder: a secret image-looking file in it."""
    folder = tmp_path / "outside"
    write(folder / "secret.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><!--' + SECRET + b"--></svg>")
    write(folder / "notes.txt", SECRET + b"\n")
    return folder


# 1. .xml resource/@path ---------------------------------------------------------------------------


def _xml_article_with_resource(site: Path, resource_path: str) -> Path:
    """The bundled article with an image, as article XML whose resource names ``resource_path``."""
    md = site / "articles" / "2026-11-18-port-expansion-vote.md"
    proc = run(site, "normalize", str(md))
    assert proc.returncode == 0, proc.stderr
    xml = proc.stdout.replace('path="images/harbour-cranes.png"', f'path="{resource_path}"')
    assert f'path="{resource_path}"' in xml
    md.unlink()
    return write(md.with_suffix(".xml"), xml)


@pytest.mark.parametrize("resource_path", ["../../outside/secret.svg", "/ABS/outside/secret.svg", "images/../../../outside/secret.svg"])
def test_xml_resource_path_may_not_leave_the_articles_folder(site: Path, outside: Path, resource_path: str):
    resource_path = resource_path.replace("/ABS/outside", str(outside))
    source = _xml_article_with_resource(site, resource_path)
    line = next(i for i, text in enumerate(source.read_text().splitlines(), 1) if resource_path in text)
    proc = run(site, "build")
    assert_diagnostic(proc, f"articles/{source.name}:{line}", "resource path")
    assert not (site / "build").exists()
    assert sorted(p.name for p in outside.iterdir()) == ["notes.txt", "secret.svg"]  # nothing written beside it


def test_xml_resource_through_a_link_out_of_the_folder_is_refused(site: Path, outside: Path):
    (site / "articles" / "images" / "evil.svg").symlink_to(outside / "secret.svg")
    _xml_article_with_resource(site, "images/evil.svg")
    proc = run(site, "build")
    assert_diagnostic(proc, "articles/images/evil.svg", "outside the articles folder")
    assert not (site / "build").exists()


# 2. Symbolic links out of articles/ ------------------------------------------------------------------


def test_source_linked_out_of_the_articles_folder_is_refused(site: Path, outside: Path):
    run(site, "build").check_returncode()
    before = files_of(site / "build")
    (site / "articles" / "2026-11-25-notes.txt").symlink_to(outside / "notes.txt")
    for command in ("build", "check"):
        proc = run(site, command)
        assert_diagnostic(proc, "articles/2026-11-25-notes.txt", "outside the articles folder")
    assert files_of(site / "build") == before  # previous outputs untouched
    assert not any(SECRET in data for data in files_of(site / "build").values())
    assert not any(SECRET in data for data in files_of(site / ".publisher-cache").values())


def test_sidecar_linked_out_of_the_articles_folder_is_refused(site: Path, tmp_path: Path):
    write(tmp_path / "outside" / "x.meta.yaml", "title: " + SECRET.decode() + "\n")
    (site / "articles" / "2026-11-20-cafe-kultur.meta.yaml").symlink_to(tmp_path / "outside" / "x.meta.yaml")
    proc = run(site, "build")
    assert_diagnostic(proc, "articles/2026-11-20-cafe-kultur.meta.yaml", "outside the articles folder")


def test_link_through_a_linked_folder_is_not_an_article(site: Path, outside: Path):
    """An article's link to ``out/notes.txt``, where ``out`` links to a host folder: not read."""
    (site / "articles" / "out").symlink_to(outside, target_is_directory=True)
    with (site / "articles" / "2026-11-20-cafe-kultur.md").open("a") as fh:
        fh.write("\nSee [the notes](out/notes.txt).\n")
    proc = run(site, "build")
    assert proc.returncode == 0, proc.stderr
    assert not any(SECRET in data for data in files_of(site / "build").values())


def test_link_loop_is_a_diagnostic(site: Path):
    (site / "articles" / "2026-11-26-loop.md").symlink_to("2026-11-26-loop.md")
    proc = run(site, "build")
    assert_diagnostic(proc, "articles/2026-11-26-loop.md", "loop")


def test_links_inside_the_articles_folder_still_work(site: Path):
    os.symlink("2026-11-20-cafe-kultur.md", site / "articles" / "2026-11-27-cafe-again.md")
    proc = run(site, "build")
    assert proc.returncode == 1 and "is also used by" in proc.stderr  # read, and found to be a duplicate


# 3 and 9. YAML ----------------------------------------------------------------------------------------

_BOMB = "\n".join(
    ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]
    + ["title: *i"]
)


def test_yaml_alias_bomb_is_refused_fast(site: Path):
    write(site / "articles" / "2026-11-28-bomb.md", f"---\n{_BOMB}\n---\nBody.\n")
    start = time.monotonic()
    proc = run(site, "build", timeout=60)
    assert time.monotonic() - start < 30
    assert_diagnostic(proc, "articles/2026-11-28-bomb.md:3:", "alias *a refused")


def test_yaml_merge_keys_are_refused_too(tiny: Path):
    write(tiny / "articles" / "a.md", "---\nbase: &b {x: 1}\nextra:\n  <<: *b\ntitle: A\n---\nBody.\n")
    assert_diagnostic(run(tiny, "check"), "articles/a.md:4:7", "alias *b refused")


def test_yaml_star_in_a_value_is_no_alias(tiny: Path):
    write(tiny / "articles" / "2026-01-01-a.md", "---\ntitle: '*Stars* and a * b'\n---\nBody.\n")
    proc = run(tiny, "check")
    assert proc.returncode == 0, proc.stderr


def test_duplicate_yaml_keys_are_errors_with_both_lines(tiny: Path):
    write(tiny / "articles" / "a.md", "---\ntitle: A\ntags: [x]\ntitle: B\n---\nBody.\n")
    assert_diagnostic(run(tiny, "check"), "articles/a.md:4:1", "'title' is given twice (first on line 2)")
    write(tiny / "articles" / "a.md", "---\ntitle: A\nextra:\n  k: 1\n  k: 2\n---\nBody.\n")
    assert_diagnostic(run(tiny, "check"), "articles/a.md:5:3", "'k' is given twice (first on line 4)")
    write(tiny / "articles" / "a.md", "Body.\n")
    write(tiny / "articles" / "a.meta.yaml", "title: A\ntitle: B\n")
    assert_diagnostic(run(tiny, "check"), "articles/a.meta.yaml:2:1", "'title' is given twice (first on line 1)")


def test_yaml_and_toml_sidecars_together_are_an_error(tiny: Path):
    write(tiny / "articles" / "a.md", "Body.\n")
    write(tiny / "articles" / "a.meta.yaml", "title: From YAML\n")
    write(tiny / "articles" / "a.meta.toml", 'title = "From TOML"\n')
    assert_diagnostic(run(tiny, "check"), "articles/a.meta.toml:1", "2 metadata files for one source")


# 4. The lock on the output folder ----------------------------------------------------------------


def test_a_second_build_waits_for_the_lock(site: Path):
    """A real process holds the lock; a real build waits, says so, and builds once it is free."""
    from publisher.output import lock_path

    holder = subprocess.Popen(
        [sys.executable, "-c", ("import fcntl, os, sys\n"
                                f"fd = os.open({str(lock_path(site / 'build'))!r}, os.O_RDONLY | os.O_DIRECTORY)\n"
                                "fcntl.flock(fd, fcntl.LOCK_EX)\n"
                                "print('locked', flush=True); sys.stdin.read()")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "locked\n"
        env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
        build = subprocess.Popen([sys.executable, "-m", "publisher", "build"], cwd=site, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(3)
        assert build.poll() is None  # waiting
        assert not (site / "build").exists()
        holder.stdin.close()  # the holder exits: the kernel drops its lock
        _, err = build.communicate(timeout=120)
        assert build.returncode == 0, err
        assert "waiting for another build into" in err
        assert files_of(site / "build")
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


def test_lock_without_waiting_fails_with_a_clear_message(tmp_path: Path):
    from publisher.output import lock_path, locked

    out = tmp_path / "build"
    fd = os.open(lock_path(out), os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        with pytest.raises(OutputError, match="another build is writing into"), locked(out, wait=False):
            pass
    finally:
        os.close(fd)
    with locked(out, wait=False):  # free again
        pass
    assert not out.exists()  # locking writes nothing, not even the folder
    assert lock_path(out) == tmp_path and os.listdir(tmp_path) == []


def test_two_builds_at_once_leave_one_whole_build(tmp_path: Path):
    """Two real builds of different sources into one folder: both succeed, and the folder is
    exactly what one of them makes alone (without the lock it was a mix in 5 runs of 8)."""
    a = copy_site(tmp_path / "a")
    b = copy_site(tmp_path / "b")
    (b / "articles" / "2026-11-21-hafenfest.md").unlink()
    write(b / "articles" / "2026-11-29-extra.md", "---\ntitle: Extra\ntags: [extra]\n---\nA new one.\n")
    refs = {}
    for name, site in (("a", a), ("b", b)):
        run(site, "build", "--no-cache", "-o", str(tmp_path / f"ref-{name}")).check_returncode()
        refs[name] = files_of(tmp_path / f"ref-{name}")
    out = tmp_path / "shared-build"
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    for _ in range(2):
        procs = [subprocess.Popen([sys.executable, "-m", "publisher", "build", "-o", str(out)], cwd=site, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for site in (a, b)]
        for proc in procs:
            _, err = proc.communicate(timeout=180)
            assert proc.returncode == 0, err
        got = files_of(out)
        got.pop(".publisher-outputs")
        for ref in refs.values():
            ref.pop(".publisher-outputs", None)
        assert got in (refs["a"], refs["b"]), sorted(set(got) ^ set(refs["a"]))


# 5. Leftovers of a killed build ------------------------------------------------------------------


def test_staging_leftovers_are_removed_by_the_next_build(site: Path):
    run(site, "build").check_returncode()
    before = files_of(site / "build")
    leftovers = [site / "build" / ".tmp-abc123", site / "build" / "tags" / ".tmp-x", site / "build" / "gone" / ".tmp-y"]
    for path in leftovers:
        write(path, b"half a feed")
    write(site / "build" / "keep" / "mine.txt", b"a file of the site's own")
    proc = run(site, "build")
    assert proc.returncode == 0, proc.stderr
    assert not any(p.exists() for p in leftovers)
    assert not (site / "build" / "gone").exists()  # a folder made for staging only
    assert (site / "build" / "keep" / "mine.txt").is_file()  # foreign files stay
    assert files_of(site / "build") == {**before, "keep/mine.txt": b"a file of the site's own"}


def test_killed_builds_leave_old_or_new_outputs_and_no_leftovers_after_the_next(tmp_path: Path):
    """SIGKILL a real build at random points (seeded, a few runs): each output is the old or the
    new one, and the next build leaves exactly the new outputs and no staging files."""
    site = copy_site(tmp_path / "site")
    run(site, "build").check_returncode()
    old = files_of(site / "build")
    old_copy = tmp_path / "old-build"
    shutil.copytree(site / "build", old_copy)
    # the new sources change every feed and book: a new article, another one edited
    write(site / "articles" / "2026-11-29-extra.md", "---\ntitle: Extra\ntags: [port]\n---\nA new one.\n")
    cafe = site / "articles" / "2026-11-20-cafe-kultur.md"
    cafe.write_text(cafe.read_text(encoding="utf-8") + "\nOne more paragraph.\n", encoding="utf-8")
    run(site, "build", "--no-cache", "-o", str(tmp_path / "new-build")).check_returncode()
    new = files_of(tmp_path / "new-build")
    start = time.monotonic()
    took = run(site, "build", "--no-cache", "-o", str(tmp_path / "timed")).returncode == 0 and time.monotonic() - start
    rng = random.Random(15)
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    leftovers_seen = 0
    deadline = time.monotonic() + 90
    for _ in range(4):
        if time.monotonic() > deadline:
            break
        shutil.rmtree(site / "build")
        shutil.copytree(old_copy, site / "build")
        proc = subprocess.Popen([sys.executable, "-m", "publisher", "build", "--no-cache"], cwd=site, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(rng.uniform(0.3, max(0.5, took * 0.95)))
        os.killpg(proc.pid, signal.SIGKILL)  # the build and any worker processes
        proc.wait()
        for rel, data in files_of(site / "build").items():
            if rel.rpartition("/")[2].startswith(".tmp-"):
                leftovers_seen += 1
            elif rel in old or rel in new:
                assert data in (old.get(rel), new.get(rel)), rel
            else:
                pytest.fail(f"{rel}: neither an old nor a new output")
        proc = run(site, "build", "--no-cache")
        assert proc.returncode == 0, proc.stderr
        after = files_of(site / "build")
        assert not [rel for rel in after if rel.rpartition("/")[2].startswith(".tmp-")]
        assert after == new
    print(f"staging files left by the kills: {leftovers_seen}")


# 6. Output and cache folders -------------------------------------------------------------------


@pytest.mark.parametrize(("line", "words"), [
    ('output_dir = "articles"', "overlaps the articles folder"),
    ('output_dir = "articles/out"', "overlaps the articles folder"),
    ('output_dir = "."', "overlaps the articles folder"),
    ('output_dir = "/"', "may not be the root folder"),
    ('cache_dir = "/"', "may not be the root folder"),
    ('cache_dir = "articles/.cache"', "overlaps the articles folder"),
    ('cache_dir = "build/.cache"', "the output folder and the cache folder overlap"),
    ('output_dir = "publisher.toml"', "holds the config file"),
    ('epub_name = "../../escaped"', "goes up a folder"),
    ('epub_name = "/tmp/escaped"', "is an absolute path"),
    ('cache_dir = "afile"', "is a file, not a folder"),
])
def test_output_and_cache_folders_are_checked(site: Path, line: str, words: str):
    write(site / "afile", "x")
    config = site / "publisher.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("[site]\n", f"[site]\n{line}\n", 1), encoding="utf-8")
    with pytest.raises(ConfigError, match=words.replace("(", r"\(").replace(")", r"\)")):
        load_config(config)
    proc = run(site, "build")
    assert_diagnostic(proc, "publisher.toml", words)
    assert sorted(p.name for p in site.iterdir()) == ["afile", "articles", "publisher.toml"]  # nothing written


def test_output_folder_may_not_be_home(site: Path, tmp_path: Path):
    home = tmp_path / "home"
    home.mkdir()
    proc = run(site, "build", "-o", str(home), HOME=str(home))
    assert proc.returncode == 1 and "may not be the home folder" in proc.stderr, proc.stderr
    assert list(home.iterdir()) == []


def test_output_option_is_checked_too(site: Path):
    proc = run(site, "build", "-o", "articles")
    assert proc.returncode == 1 and "overlaps the articles folder" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (site / "articles" / "rss.xml").exists() and not (site / "articles" / "feed.xml").exists()


@pytest.mark.parametrize("name", ["../escaped.xml", "/etc/escaped.xml", "a/../../b.xml", "a//b.xml", "a\\b.xml", ""])
def test_staging_refuses_names_leaving_the_folder(tmp_path: Path, name: str):
    staging = Staging(tmp_path / "build")
    staging.add("ok.xml", b"ok")
    with pytest.raises(OutputError, match="outputs stay inside the output folder"):
        staging.add(name, b"x")
    assert not any(tmp_path.rglob("escaped*"))
    assert not any(p.is_file() for p in tmp_path.rglob("*"))  # the first one was dropped too



# The audit test: what a build opens ----------------------------------------------------------------

_AUDITED = '''
import os, sys
log = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
TWO = {"os.rename", "os.link", "os.symlink"}
EVENTS = TWO | {"open", "os.remove", "os.rmdir", "os.mkdir", "os.chmod", "os.truncate", "os.listdir",
                "os.scandir", "shutil.rmtree", "os.utime", "os.chown", "shutil.copyfile", "shutil.move"}
def hook(event, args):
    if event in EVENTS:
        for arg in args[:2] if event in TWO else args[:1]:
            if isinstance(arg, (str, bytes, os.PathLike)):
                path = os.path.abspath(os.fsdecode(arg))
                os.write(log, f"{event}\\t{path}\\n".encode("utf-8", "surrogateescape"))
sys.addaudithook(hook)  # inherited by forked worker processes, which append to the same log
sys.argv = ["publisher", *sys.argv[2:]]
from publisher.cli import main
main()
'''

#: Read-only system files a build needs besides Python's own: the time zone database
#: (``zoneinfo`` reads the system's before the tzdata package) and /dev/null.
_SYSTEM = ("/usr/share/zoneinfo/", "/dev/null")


def _audited(site: Path, log: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    return subprocess.run([sys.executable, "-I", "-c", _AUDITED, str(log), *args], cwd=site, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def _outside_of(site: Path, log: Path) -> list[str]:
    """The entries of ``log`` outside the site folder (sources, output folder, cache), the
    tool's package, the Python installation and the system files a build needs."""
    import publisher

    allowed = [str(site) + os.sep, str(Path(publisher.__file__).resolve().parent) + os.sep,
               *{os.path.realpath(p) + os.sep for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}, *_SYSTEM]
    lines = log.read_text(encoding="utf-8", errors="surrogateescape").splitlines()
    assert len(lines) > 100  # the hook saw the build
    return sorted({line for line in lines
                   if not any((line.split("\t", 1)[1] + os.sep).startswith(a) or line.split("\t", 1)[1] == a
                              for a in allowed)})


def test_a_build_touches_nothing_outside_the_site_its_outputs_cache_package_and_python(tmp_path: Path):
    """Every file a build, a rebuild and a check open, write, list, rename or remove (audit
    hooks, in the build and its workers) is in the site folder (sources, output folder, cache),
    the tool's package, the Python installation, or the system's time zone data."""
    site = copy_site(tmp_path / "site")
    log = tmp_path / "audit.log"
    for args in (["build", "-j", "2"], ["build", "-j", "2"], ["check"]):
        touched = (site / "articles" / "2026-11-20-cafe-kultur.md")
        touched.write_text(touched.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")  # not a no-op build
        proc = _audited(site, log, *args)
        assert proc.returncode == 0, proc.stderr
    assert _outside_of(site, log) == []


@pytest.mark.parametrize("attack", ["linked source", "linked sidecar", "xml resource"])
def test_a_hostile_site_makes_a_build_touch_nothing_outside_either(tmp_path: Path, outside: Path, attack: str):
    site = copy_site(tmp_path / "site")
    if attack == "linked source":
        (site / "articles" / "2026-11-25-notes.txt").symlink_to(outside / "notes.txt")
    elif attack == "linked sidecar":
        write(outside / "x.meta.yaml", "title: Secret\n")
        (site / "articles" / "2026-11-20-cafe-kultur.meta.yaml").symlink_to(outside / "x.meta.yaml")
    else:
        _xml_article_with_resource(site, "../../outside/secret.svg")
    log = tmp_path / "audit.log"
    for args in (["build"], ["check"]):
        proc = _audited(site, log, *args)
        assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert _outside_of(site, log) == []


# publisher/paths.py on its own ---------------------------------------------------------------------


def test_inside_resolves_links_before_it_compares(tmp_path: Path):
    from publisher.paths import inside

    root = tmp_path / "articles"
    write(root / "a" / "x.md", "x")
    write(tmp_path / "articles-old" / "y.md", "y")  # a sibling whose name starts like the root's
    (root / "up").symlink_to(tmp_path, target_is_directory=True)
    assert inside(root, root / "a" / "x.md") == "a/x.md"
    assert inside(root, root) == ""
    assert inside(root, root / "a" / ".." / "a" / "x.md") == "a/x.md"
    assert inside(root, root / ".." / "articles-old" / "y.md") is None
    assert inside(root, root / "up" / "articles-old" / "y.md") is None
    assert inside(root, root / "up" / "articles" / "a" / "x.md") == "a/x.md"


@pytest.mark.parametrize(("name", "ok"), [
    ("a.xml", True), ("tags/port/rss.xml", True), ("media/images/p.png", True), (".publisher-outputs", True),
    ("", False), ("/etc/passwd", False), ("../x", False), ("a/../../x", False), ("a/..", False), ("a//b", False),
    ("./a", False), ("a/", False), ("a\\b", False), ("a\0b", False), ("C:/x", False),
])
def test_relative_name(name: str, ok: bool):
    from publisher.paths import relative_name

    assert (relative_name(name) is None) == ok


def test_reading_many_files_inside_a_folder_resolves_links_as_one_read_at_a_time(tmp_path: Path):
    """paths.Inside (a build's images) resolves each folder once: what it lets through and what
    it refuses is what paths.read_inside, resolving every path whole, does, for links of every
    kind (a file or a folder, pointing in or out, a chain, a loop, a name that does not exist)."""
    from publisher import paths

    root, out = tmp_path / "site", tmp_path / "out"
    (root / "img" / "deep").mkdir(parents=True)
    out.mkdir()
    (root / "img" / "a.png").write_bytes(b"a")
    (root / "img" / "deep" / "b.png").write_bytes(b"b")
    (out / "secret.png").write_bytes(b"secret")
    (root / "img" / "in.png").symlink_to("deep/b.png")
    (root / "img" / "chain.png").symlink_to("in.png")
    (root / "img" / "out.png").symlink_to(out / "secret.png")
    (root / "img" / "chain-out.png").symlink_to("out.png")
    (root / "outdir").symlink_to(out)
    (root / "indir").symlink_to(root / "img" / "deep")
    (root / "img" / "loop.png").symlink_to("loop.png")
    names = ["img/a.png", "img/deep/b.png", "img/in.png", "img/chain.png", "img/out.png", "img/chain-out.png",
             "outdir/secret.png", "indir/b.png", "img/loop.png", "img/none.png", "none/a.png", "../out/secret.png",
             "img/./a.png", "/etc/passwd", "indir/../../out/secret.png"]

    def outcome(read, name: str) -> bytes | str:
        try:
            return read(name)
        except ValueError as exc:
            return "refused: " + str(exc).split(" (")[0]

    def whole(name: str) -> bytes:  # each path resolved whole (realpath), as before Inside
        if paths.relative_name(name) is not None:
            raise ValueError(f"{name!r} is not relative")
        if paths.inside(root, root / name) is None:
            raise ValueError(f"{name!r} leads outside")
        try:
            return (root / name).read_bytes()
        except OSError as exc:
            raise ValueError(f"{name!r} cannot be read ({exc.strerror})") from None

    def kind(result: bytes | str) -> bytes | str:
        return result if isinstance(result, bytes) else "outside" if "outside" in result else \
            "unreadable" if "cannot be read" in result else "not relative"

    many = paths.Inside(root)
    for _ in range(2):  # the second time from the folders resolved the first
        for name in names:
            assert kind(outcome(many.read, name)) == kind(outcome(whole, name)), name
            assert outcome(many.read, name) == outcome(lambda n: paths.read_inside(root, n), name), name
    assert many.read("img/chain.png") == b"b" and many.read("indir/b.png") == b"b"
    for name in ("img/out.png", "img/chain-out.png", "outdir/secret.png"):
        assert "outside" in outcome(many.read, name)
