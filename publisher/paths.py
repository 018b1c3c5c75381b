"""Where a build may read and write: every containment rule for source, output and cache paths."""

from __future__ import annotations

import errno
import os
from pathlib import Path, PurePosixPath


def inside(root: Path | str, path: Path | str) -> str | None:
    """``path``'s real location relative to ``root``'s (``/``-separated; "" for ``root`` itself),
    both with every symbolic link resolved, or None when it lies outside ``root``."""
    return lexically_inside(os.path.realpath(path), os.path.realpath(root))


def lexically_inside(path: str, root: str) -> str | None:
    """``path`` relative to ``root`` (both absolute, normal and already resolved), ``/``-separated
    ("" for ``root`` itself), or None when it is not inside: by their text alone."""
    if path == root:
        return ""
    prefix = root if root.endswith(os.sep) else root + os.sep
    if not path.startswith(prefix):
        return None
    return path[len(prefix):].replace(os.sep, "/")


def link_problem(root: Path | str, link: Path | str) -> str | None:
    """Why the symbolic link ``link`` under ``root`` may not be read (it leads out of ``root``,
    or round in a loop), or None if it may. A broken link is not a problem here: it is no file."""
    try:
        real = os.path.realpath(link, strict=True)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "is a symbolic link that leads round in a loop; remove it or point it at a file"
        return None
    if inside(root, real) is None:
        return (f"is a symbolic link to {real}, outside the articles folder; a build reads nothing "
                "outside it: copy the file in instead")
    return None


def relative_name(name: str) -> str | None:
    """Why ``name`` cannot be a path relative to a folder that stays inside it (absolute, a
    ``..`` or empty segment, a backslash, a NUL), or None if it can. Purely lexical: links are
    checked where the file is opened (:func:`inside`)."""
    if not name:
        return "is empty"
    if "\0" in name or "\\" in name:
        return "holds a NUL or a backslash"
    if name.startswith("/") or PurePosixPath(name).is_absolute() or (len(name) > 1 and name[1] == ":"):
        return "is an absolute path"
    parts = name.split("/")
    if ".." in parts:
        return "goes up a folder (..)"
    if any(part in ("", ".") for part in parts):
        return "has an empty or '.' segment"
    return None


def read_inside(root: Path, name: str) -> bytes:
    """The bytes of file ``name`` (relative to ``root``), which must lie inside ``root`` with
    links resolved. ValueError (its message says why) if it does not, or cannot be read."""
    return Inside(root).read(name)


class RealPaths:
    """``os.path.realpath`` for the many files of one build, in a few folders: each folder's
    real path is resolved once, not once per file (``realpath`` looks at every component of a
    path: for 20,000 images that was 5 s of an edit's rebuild). A file's real path is its
    folder's real path and its name, or, when the file itself is a symbolic link, that link
    resolved. Made for one build: a folder replaced by a link after it was resolved is not seen
    again, so a long-lived process makes a new one."""

    def __init__(self) -> None:
        self._folders: dict[str, str] = {}

    def __call__(self, path: str) -> str:
        folder, name = os.path.split(path)
        if name in ("", ".", ".."):  # not a file's name: resolved whole
            return os.path.realpath(path)
        real = self._folders.get(folder)
        if real is None:
            real = self._folders[folder] = os.path.realpath(folder)
        path = os.path.join(real, name)
        return os.path.realpath(path) if os.path.islink(path) else path


class Inside:
    """Reads files by their names relative to ``root``, as :func:`read_inside`, for many files
    at once (a build's images), each folder resolved once (:class:`RealPaths`)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._real_root = os.path.realpath(root)
        self._real = RealPaths()

    def real(self, name: str) -> str | None:
        """``name``'s real location relative to the root's, or None when it lies outside
        (``name`` already a :func:`relative_name`)."""
        return lexically_inside(self._real(os.path.join(self.root, name)), self._real_root)

    def read(self, name: str) -> bytes:
        problem = relative_name(name)
        if problem is not None:
            raise ValueError(f"{name!r} {problem}")
        if self.real(name) is None:
            raise ValueError(f"{name!r} leads outside {self.root.name}/ through a symbolic link")
        try:
            with open(os.path.join(self.root, name), "rb") as fh:
                return fh.read()
        except OSError as exc:
            raise ValueError(f"{name!r} cannot be read ({exc.strerror})") from None


def _overlap(a: Path, b: Path) -> bool:
    return a == b or a in b.parents or b in a.parents


def folder_problems(kind: str, folder: Path, *, articles: Path, config_file: Path | None,
                    other: Path | None = None) -> list[str]:
    """Why ``folder`` (the output folder, ``kind`` "output", or the cache, "cache") may not be
    written to: it is ``/`` or the home folder, overlaps the articles folder or holds the
    config file, overlaps the ``other`` of the two, or is a file. Paths are compared resolved."""
    folder = Path(os.path.realpath(folder))
    if folder == Path(folder.anchor):
        return [f"the {kind} folder may not be the root folder {folder}"]
    home = os.environ.get("HOME")
    if home and folder == Path(os.path.realpath(home)):
        return [f"the {kind} folder may not be the home folder {folder}"]
    problems = []
    if _overlap(folder, Path(os.path.realpath(articles))):
        problems.append(f"the {kind} folder {folder} overlaps the articles folder {articles}; "
                        "keep them apart (a build would write over sources)")
    if config_file is not None:
        conf = Path(os.path.realpath(config_file))
        if folder == conf or folder in conf.parents:
            problems.append(f"the {kind} folder {folder} holds the config file {conf}")
    if other is not None and _overlap(folder, Path(os.path.realpath(other))):
        problems.append(f"the output folder and the cache folder overlap ({folder}, {other}); "
                        "the cache would be deployed with the site, or swept by it")
    if folder.exists() and not folder.is_dir():
        problems.append(f"the {kind} folder {folder} is a file, not a folder")
    return problems
