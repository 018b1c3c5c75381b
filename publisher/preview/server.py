"""The preview server: the standard library's ThreadingHTTPServer on 127.0.0.1 serving the preview
pages and the build's outputs, a watchfiles thread that rebuilds on every change of the sources,
the config or the theme, and server-sent events that reload open preview pages."""

from __future__ import annotations

import os
import signal
import socket
import threading
import traceback
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from publisher import paths
from publisher.config import Config
from publisher.errors import ConfigError, OutputError, PublisherError
from publisher.preview import pages
from publisher.preview.builder import Builder, Snapshot, remove_folder, temporary_output

#: Connections served at once; more wait in the listen queue or are closed.
MAX_CONNECTIONS = 64
#: Open pages listening for reloads at once (each holds a connection).
MAX_LISTENERS = 32
#: Seconds between keep-alive comments on an idle event stream (a closed page is noticed then).
KEEPALIVE = 15.0

CONTENT_TYPES = {
    ".xml": "application/xml",  # browsers show it (with feed.css); application/rss+xml is shown as source
    ".json": "application/json",
    ".opml": "application/xml",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".epub": "application/epub+zip",
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
    ".svg": "image/svg+xml", ".webp": "image/webp", ".avif": "image/avif",
}
#: Preview pages run one script, the reloader, from this server; nothing else runs anywhere.
PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data: http: https:; media-src 'self' http: https:; object-src 'none'; "
               "frame-src 'none'; base-uri 'none'; form-action 'none'")
FILE_POLICY = ("default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data: http: https:; "
               "font-src 'self'; base-uri 'none'; form-action 'none'")


class Reloads:
    """The generation of the preview shown, told to every listening page when it changes."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.generation = 0
        self.closed = False
        self.listeners = 0

    def publish(self, generation: int) -> None:
        with self._cond:
            self.generation = generation
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def join(self) -> bool:
        with self._cond:
            if self.closed or self.listeners >= MAX_LISTENERS:
                return False
            self.listeners += 1
            return True

    def leave(self) -> None:
        with self._cond:
            self.listeners -= 1

    def wait(self, seen: int | None, timeout: float) -> int | None:
        """The generation once it differs from ``seen`` (or after ``timeout``); None when closed."""
        with self._cond:
            self._cond.wait_for(lambda: self.closed or self.generation != seen, timeout)
            return None if self.closed else self.generation


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # an open event stream never holds up the shutdown

    def __init__(self, address: tuple[str, int], builder: Builder, out_dir: Path, reloads: Reloads) -> None:
        self.builder, self.out_dir, self.reloads = builder, out_dir, reloads
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)

    def process_request(self, request, client_address) -> None:  # noqa: ANN001 - socketserver's signature
        if not self._slots.acquire(blocking=False):
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address) -> None:  # noqa: ANN001
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    @property
    def snapshot(self) -> Snapshot:
        snapshot = self.builder.latest
        assert snapshot is not None  # the first build is done before the server starts
        return snapshot


class Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "publisher-preview"
    sys_version = ""
    timeout = 30  # seconds a connection may stay silent (an idle or slow client frees its thread)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass  # the terminal is for build messages

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self._answer(with_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(with_body=False)

    def _answer(self, with_body: bool) -> None:
        try:
            self._route(with_body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser went away
        except PublisherError as exc:  # e.g. a last good article whose document cannot be made again
            self._send(500, pages.MEDIA_TYPE, self._problem(exc.formatted()), with_body)
        except Exception:  # noqa: BLE001 - one failed request never stops the server
            traceback.print_exc()
            try:
                self._send(500, "text/plain; charset=utf-8", b"internal error; see the terminal\n", with_body)
            except OSError:
                pass

    def _problem(self, text: str) -> bytes:
        return self.server.snapshot.not_found(text)

    def _route(self, with_body: bool) -> None:
        raw = urlsplit(self.path).path
        try:
            name = unquote(raw, errors="strict")
        except UnicodeDecodeError:  # no file has a name that is not UTF-8 here
            return self._missing(raw, with_body)
        snap = self.server.snapshot
        if name == "/":
            return self._send(200, pages.MEDIA_TYPE, snap.index(), with_body)
        if name == pages.CSS_URL:
            return self._send(200, "text/css; charset=utf-8", pages.stylesheet(snap.frame.config), with_body)
        if name == pages.SCRIPT_URL:
            return self._send(200, "text/javascript; charset=utf-8", pages.RELOAD_JS.encode(), with_body)
        if name == pages.EVENTS_URL:
            return self._events()
        rel = name[1:] if name.startswith("/") else ""
        if paths.relative_name(rel) is not None:  # "..", "//", backslashes, NUL: never a file
            return self._missing(name, with_body)
        if name.startswith(pages.PREFIX + "articles/") and name.endswith(".xhtml"):
            page = snap.article(name[len(pages.PREFIX + "articles/"):-len(".xhtml")])
            return self._send(200, pages.MEDIA_TYPE, page, with_body) if page else self._missing(name, with_body)
        if name.startswith(pages.PREFIX + "media/"):
            data = snap.media(name[len(pages.PREFIX + "media/"):])
            if data is None:
                return self._missing(name, with_body)
            return self._send(200, _content_type(name), data, with_body, policy=FILE_POLICY)
        if name.startswith(pages.PREFIX + "fonts/"):
            font = pages.theme_font(snap.frame.config, name[len(pages.PREFIX + "fonts/"):])
            if font is None:
                return self._missing(name, with_body)
            return self._send(200, "font/" + name.rsplit(".", 1)[-1].lower(), font, with_body, policy=FILE_POLICY)
        if name.startswith(pages.PREFIX):
            return self._missing(name, with_body)
        return self._file(rel, with_body)

    def _file(self, rel: str, with_body: bool) -> None:
        """A file of the build's outputs: only inside the output folder, links resolved."""
        out = self.server.out_dir
        path = out / rel
        if os.path.isdir(path):
            path = path / "index.html"
        if paths.inside(out, path) is None or not os.path.isfile(path):
            return self._missing("/" + rel, with_body)
        try:
            fh = open(path, "rb")  # noqa: SIM115 - closed below, after streaming
        except OSError:
            return self._missing("/" + rel, with_body)
        with fh:
            size = os.fstat(fh.fileno()).st_size
            self.send_response(200)
            self._headers(_content_type(path.name), size, FILE_POLICY)
            if path.suffix == ".epub":
                self.send_header("Content-Disposition", f"attachment; filename*=UTF-8''{quote(path.name)}")
            self.end_headers()
            if with_body:
                while chunk := fh.read(1 << 16):
                    self.wfile.write(chunk)

    def _missing(self, name: str, with_body: bool) -> None:
        self._send(404, pages.MEDIA_TYPE, self.server.snapshot.not_found(name), with_body)

    def _headers(self, content_type: str, length: int, policy: str) -> None:
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Security-Policy", policy)

    def _send(self, status: int, content_type: str, data: bytes, with_body: bool, policy: str = PAGE_POLICY) -> None:
        self.send_response(status)
        self._headers(content_type, len(data), policy)
        self.end_headers()
        if with_body:
            self.wfile.write(data)

    def _events(self) -> None:
        """Server-sent events: the generation now, then each new one (a page reloads when it
        differs from its own)."""
        reloads = self.server.reloads
        if not reloads.join():
            return self._send(503, "text/plain; charset=utf-8", b"too many open pages\n", True)
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            seen = None
            while (generation := reloads.wait(seen, KEEPALIVE)) is not None:
                self.wfile.write(f"data: {generation}\n\n".encode() if generation != seen else b": idle\n\n")
                self.wfile.flush()
                seen = generation
        finally:
            reloads.leave()


def _content_type(name: str) -> str:
    return CONTENT_TYPES.get(os.path.splitext(name)[1].lower(), "application/octet-stream")


class Watcher(threading.Thread):
    """Rebuilds on every change under the articles folder or the theme folder, or of the config
    file; tells open pages to reload."""

    def __init__(self, builder: Builder, reloads: Reloads, stop: threading.Event,
                 told: Callable[[Snapshot], None]) -> None:
        super().__init__(name="publisher-watch", daemon=True)
        self.builder, self.reloads, self.stop, self.told = builder, reloads, stop, told
        #: Set once the OS watches the folders; until then an edit would go unseen.
        self.ready = threading.Event()
        #: What the files looked like before the first build (see :meth:`files`).
        self.before = self.files()

    def files(self) -> dict[str, tuple[int, int]]:
        """(modification time, size) of every file watched: what changed between the first build
        and the moment the OS began to watch is found by comparing two of these."""
        found: dict[str, tuple[int, int]] = {}
        config = self.config_state()
        if config is not None:
            found[""] = config
        for folder in self.watched(self.builder.config):
            for top, _, names in os.walk(folder):
                for name in names:
                    try:
                        st = os.stat(os.path.join(top, name))
                    except OSError:
                        continue
                    found[os.path.join(top, name)] = (st.st_mtime_ns, st.st_size)
        return found

    def watched(self, config: Config) -> list[Path]:
        folders = [config.articles_path, config.root / config.theme_dir]
        return [f for f in folders if f.is_dir()]

    def config_state(self) -> tuple[int, ...] | None:
        """The config file's (modification time, size, inode), and the same of the site's shortcode
        module (``site.shortcodes``, beside the config) when it names one: a change rebuilds."""
        file = self.builder.config_file or self.builder.config.file
        module = self.builder.config.shortcodes_path
        try:
            st = os.stat(file) if file is not None else None
        except OSError:
            return None
        if st is None:
            return None
        state: tuple[int, ...] = (st.st_mtime_ns, st.st_size, st.st_ino)
        try:
            if module is not None:
                sc = os.stat(module)
                state += (sc.st_mtime_ns, sc.st_size, sc.st_ino)
        except OSError:
            state += (-1,)
        return state

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self._watch()
            except Exception:  # noqa: BLE001 - a folder gone mid-watch, a closed terminal: watch on
                traceback.print_exc()
                self.ready.set()  # not watching, but the server must not wait for it forever
                self.stop.wait(1.0)

    def _watch(self) -> None:
        import watchfiles

        while not self.stop.is_set():
            folders = self.watched(self.builder.config)
            known = self.config_state()
            if not folders:  # nothing to watch but the config: look at it twice a second
                self.ready.set()
                if not self.stop.wait(0.5) and self.config_state() != known:
                    self._rebuild()
                continue
            for changes in watchfiles.watch(*folders, stop_event=self.stop, rust_timeout=500, yield_on_timeout=True,
                                            raise_interrupt=False, ignore_permission_denied=True):
                now = self.config_state()
                if not self.ready.is_set():  # watching now: catch up with what changed before
                    changes = changes or self.files() != self.before
                    self.ready.set()
                if changes or now != known:
                    known = now
                    self._rebuild()
                if self.watched(self.builder.config) != folders:  # a theme/ appeared, or the articles moved
                    self._rebuild()
                    break

    def _rebuild(self) -> None:
        snapshot = self.builder.rebuild()
        self.reloads.publish(snapshot.generation)
        self.told(snapshot)


def listen(bind: str, port: int, builder: Builder, out_dir: Path, reloads: Reloads) -> PreviewServer:
    try:
        return PreviewServer((bind, port), builder, out_dir, reloads)
    except (OSError, OverflowError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise OutputError(f"cannot listen on {bind}:{port} ({why}); choose another --port, or --port 0 "
                          "for any free one") from None


def summary(snapshot: Snapshot) -> tuple[str, list[str]]:
    """What to print after a build: a line for the terminal, and the errors (path:line:col)."""
    frame = snapshot.frame
    if not snapshot.ok:
        return (f"Build failed ({len(frame.errors)} error(s)) in {snapshot.seconds:.2f} s; the preview shows the "
                "errors and the last good pages.", [d.format() for d in frame.errors])
    views = snapshot.views
    drafts = sum(pages.status(v, frame.moment) == "draft" for v in views)
    scheduled = sum(pages.status(v, frame.moment) == "scheduled" for v in views)
    warnings = sum(len(found) for found in frame.by_source.values()) + len(frame.others)
    return (f"Built {len(views)} article(s) ({drafts} draft(s), {scheduled} scheduled: preview only) in "
            f"{snapshot.seconds:.2f} s" + (f"; {warnings} warning(s), shown on the pages" if warnings else "")
            + ".", [])


def serve(config: Config, config_file: Path | None, *, output: Path | None = None, bind: str = "127.0.0.1",
          port: int = 8000, workers: int | None = None, say: Callable[[str], None] = print,
          warn: Callable[[str], None] = print) -> None:
    """Build, serve and watch until SIGINT or SIGTERM; then stop the watcher and the server and
    remove the temporary output folder (an ``output`` folder given stays)."""
    if output is not None:
        problems = paths.folder_problems("output", output, articles=config.articles_path, config_file=config.file,
                                         other=config.cache_path)
        if problems:
            raise ConfigError("; ".join(problems))
    holder, out_dir = (None, output.resolve()) if output is not None else temporary_output()
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    server: PreviewServer | None = None
    watcher: Watcher | None = None
    reloads = Reloads()
    builder = Builder(config_file, out_dir, config)
    serving = False

    def told(snapshot: Snapshot) -> None:
        line, errors = summary(snapshot)
        for error in errors:
            warn(error)
        say(line)

    try:
        server = listen(bind, port, builder, out_dir, reloads)
        watcher = Watcher(builder, reloads, stop, told)  # notes the files as they are now
        first = builder.rebuild(workers)  # all cores: no thread of ours runs yet to be forked
        told(first)
        reloads.publish(first.generation)
        watcher.start()
        while not watcher.ready.wait(0.5) and not stop.is_set() and watcher.is_alive():
            pass  # the address is given once an edit cannot go unseen
        if stop.is_set():  # stopped before it began
            return
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.25}, name="publisher-serve",
                         daemon=True).start()
        serving = True
        host, bound = server.server_address[:2]
        shown = f"[{host}]" if ":" in str(host) else host
        say(f"Serving the preview of {config.title} at http://{shown}:{bound}/ (built into {out_dir}); "
            "Ctrl-C stops it.")
        if host not in ("127.0.0.1", "::1"):
            warn(f"note: listening on {host}, not only on this machine: others on the network can see drafts")
        while not stop.wait(0.5):
            pass
    finally:
        stop.set()
        reloads.close()
        if watcher is not None and watcher.ident is not None:
            watcher.join()  # a build under way finishes first
        if server is not None:
            if serving:
                server.shutdown()
            server.server_close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if holder is not None:
            builder.forget_state()
            remove_folder(holder)


__all__ = ["serve", "PreviewServer", "Reloads", "Watcher", "summary"]
