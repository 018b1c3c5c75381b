"""Headless Chromium driven over the DevTools protocol (``--remote-debugging-pipe``, no websocket
library): open a page, click its links, and record dialogs, requests and title changes."""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

#: Links to these are a reader's own choice (another page, another chapter), not a payload: not clicked.
FOLLOWED_SCHEMES = {"http:", "https:", "mailto:", "file:"}

#: Every element a user can click that may navigate, with the URL it would go to.
_LINKS_JS = """
(() => {
  const out = [];
  const els = document.querySelectorAll('a, area, [*|href]');
  els.forEach((el, i) => {
    let href = el.href;
    if (href && typeof href === 'object') href = href.animVal || href.baseVal;
    if (!href) href = el.getAttribute('href') || el.getAttributeNS('http://www.w3.org/1999/xlink', 'href') || '';
    el.setAttribute('data-probe', String(i));
    out.push({i, href: String(href), tag: el.localName});
  });
  return JSON.stringify(out);
})()
"""

_CENTER_JS = """
(() => {
  const el = document.querySelector('[data-probe="%d"]');
  if (!el) return 'null';
  el.scrollIntoView({block: 'center'});
  const r = el.getBoundingClientRect();
  return JSON.stringify({x: r.left + Math.min(r.width / 2, 3), y: r.top + r.height / 2, w: r.width, h: r.height});
})()
"""


@dataclass
class Visit:
    url: str
    title_before: str = ""
    title_after: str = ""
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # every URL the page asked for but its own file
    clicked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class Chromium:
    """One headless Chromium; ``visit(url)`` opens a fresh tab per page and per clicked link."""

    def __init__(self, binary: str, timeout: float = 20.0, *, loopback: bool = False) -> None:
        """``loopback``: 127.0.0.1 may be reached (a test's own server); no other address can."""
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="chromium-probe-")
        cmd_r, self._cmd_w = os.pipe()
        self._res_r, res_w = os.pipe()

        def fds() -> None:  # the protocol pipe is fds 3 (commands) and 4 (replies)
            low_r, low_w = os.dup(cmd_r), os.dup(res_w)  # neither may be 3 or 4 while moving
            os.dup2(low_r, 3)
            os.dup2(low_w, 4)

        self.proc = subprocess.Popen(
            [
                binary, "--headless=new", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--allow-file-access-from-files",
                # nothing leaves the machine; requests are still seen (and fail) in the protocol
                "--proxy-server=127.0.0.1:9",  # loopback is never proxied, so only the rule below decides
                "--host-resolver-rules=MAP * ~NOTFOUND" + (", EXCLUDE 127.0.0.1" if loopback else ""),
                f"--user-data-dir={self.profile}", "about:blank",
            ],
            pass_fds=(3, 4), preexec_fn=fds, close_fds=True,  # noqa: PLW1509 (only dup2 runs there)
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        os.close(cmd_r)
        os.close(res_w)
        self._buf = b""
        self._next = 0
        self._loaded = False
        self._current: tuple[str, Visit] | None = None  # (session, visit) being watched

    def _seen(self, msg: dict) -> None:
        if self._current is not None:
            session, visit = self._current
            self._loaded |= self._observe(msg, session, visit)

    # --- protocol -----------------------------------------------------------------------------
    def _send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self._next += 1
        msg = {"id": self._next, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._cmd_w, json.dumps(msg).encode() + b"\0")
        return self._next

    def _read(self, timeout: float) -> dict | None:
        while b"\0" not in self._buf:
            ready, _, _ = select.select([self._res_r], [], [], timeout)
            if not ready:
                return None
            chunk = os.read(self._res_r, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        wanted = self._send(method, params, session)
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            msg = self._read(deadline - time.monotonic())
            if msg is None:
                break
            if msg.get("id") == wanted:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self._seen(msg)
        raise TimeoutError(f"chromium did not answer {method} in {self.timeout} s")

    def pump(self, seconds: float) -> None:
        """Collect events for ``seconds``."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            msg = self._read(left)
            if msg is None:
                return
            self._seen(msg)

    # --- pages --------------------------------------------------------------------------------
    def _open(self, url: str, visit: Visit) -> tuple[str, str]:
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self._current = (session, visit)
        for domain in ("Page", "Network", "Runtime"):
            self.call(f"{domain}.enable", {}, session)
        self._loaded = False
        self.call("Page.navigate", {"url": url}, session)
        self._settle(session, visit)
        return target, session

    def _settle(self, session: str, visit: Visit, seconds: float = 0.6) -> None:
        """Wait for load plus ``seconds`` (timers, animations), answering dialogs as they come."""
        deadline = time.monotonic() + self.timeout
        quiet_until = None
        while time.monotonic() < deadline:
            if self._loaded and quiet_until is None:
                quiet_until = time.monotonic() + seconds
            if quiet_until is not None and time.monotonic() >= quiet_until:
                break
            msg = self._read(0.1)
            if msg is not None:
                self._seen(msg)

    def _observe(self, msg: dict, session: str, visit: Visit) -> bool:
        method = msg.get("method", "")
        params = msg.get("params", {})
        if method == "Page.javascriptDialogOpening":
            visit.dialogs.append(f"{params.get('type')}: {params.get('message')}")
            self._send("Page.handleJavaScriptDialog", {"accept": True}, msg.get("sessionId") or session)
        elif method == "Network.requestWillBeSent":
            req = params.get("request", {}).get("url", "")
            if req != visit.url and not req.startswith("data:image/"):
                visit.requests.append(req)
        elif method == "Page.windowOpen":
            visit.requests.append("window.open " + params.get("url", ""))
        return method == "Page.loadEventFired"

    def _eval(self, session: str, expr: str) -> object:
        got = self.call("Runtime.evaluate", {"expression": expr, "returnByValue": True}, session)
        return got.get("result", {}).get("value")

    def _close(self, target: str) -> None:
        try:
            self.call("Target.closeTarget", {"targetId": target})
        except (RuntimeError, TimeoutError):
            pass

    def visit(self, url: str, title: str, click: bool = True) -> Visit:
        """Open ``url`` (whose own title is ``title``), then open it again for each link whose target is not an ordinary
        http(s)/mailto address and click that link with the mouse."""
        visit = Visit(url, title_before=title)
        target, session = self._open(url, visit)
        links = json.loads(str(self._eval(session, _LINKS_JS) or "[]"))
        visit.title_after = str(self._eval(session, "document.title") or "")
        self._close(target)
        if not click:
            return visit
        for link in links:
            if any(link["href"].startswith(s) for s in FOLLOWED_SCHEMES):
                continue
            target, session = self._open(url, visit)
            self._eval(session, _LINKS_JS)
            box = json.loads(str(self._eval(session, _CENTER_JS % link["i"]) or "null"))
            if box and box["w"] > 0 and box["h"] > 0:
                for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
                    self.call("Input.dispatchMouseEvent", {
                        "type": kind, "x": box["x"], "y": box["y"], "button": "left", "clickCount": 1,
                    }, session)
                visit.clicked.append(f"<{link['tag']}> {link['href'][:80]}")
                self._loaded = True  # a click may navigate, or not: give it the quiet time only
                self._settle(session, visit, 0.5)
                try:
                    title = str(self._eval(session, "document.title") or "")
                except (RuntimeError, TimeoutError) as exc:  # navigated somewhere it cannot be read
                    title = f"<unreadable: {exc}>"
                if title != visit.title_before:
                    visit.title_after = title
            self._close(target)
        self._current = None
        return visit

    def close(self) -> None:
        try:
            self._send("Browser.close")
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        for fd in (self._cmd_w, self._res_r):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)


def chromium_binary() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def page_for(html: str, title: str) -> str:
    """A feed item's HTML as a reader's web view would show it: an HTML5 page around it."""
    from html import escape

    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{escape(title)}</title></head>"
            f"<body>{html}</body></html>")


def file_url(path: Path) -> str:
    return path.resolve().as_uri()
