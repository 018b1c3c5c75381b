"""Redirects: the sources' redirect stubs and every article's aliases -> build/_redirects (Netlify
and Cloudflare Pages format) and build/redirects.json, for whatever serves the site."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from publisher.config import Config
from publisher.errors import Reporter, SourceError, display_path
from publisher.model import ArticleView
from publisher.normalize import identity, relative_source
from publisher.slugs import url_path

#: The files written (only when there is at least one redirect).
REDIRECTS_FILE = "_redirects"
REDIRECTS_JSON = "redirects.json"


@dataclass(frozen=True, order=True)
class Redirect:
    source: str  # absolute URL on the site's host, as requested
    target: str  # absolute URL it leads to
    origin: str  # the source file that asked for it (relative to the articles folder)
    line: int | None = None


_HOST = re.compile(r"[A-Za-z0-9.-]+(?::[0-9]{1,5})?")  # a host name and port, nothing a line could split at


def site_address(config: Config, value: str) -> str | None:
    """The absolute URL a redirect key or an alias names: a path under base_url (with or
    without a leading "/"), or an absolute http(s) URL; None for any other scheme."""
    text = value.strip()
    if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in text):
        return None  # a space would end the field of a _redirects line and start another
    parts = urlsplit(text)
    if parts.scheme or text.startswith("//"):
        if parts.scheme.lower() not in ("http", "https", "") or not _HOST.fullmatch(parts.netloc):
            return None
        scheme = parts.scheme.lower() or urlsplit(config.site_url).scheme
        kept, _ = url_path(parts.path)
        query = quote(parts.query, safe="=&;%+/?:@!$'()*,-._~")
        return f"{scheme}://{parts.netloc}/{kept}" + (f"?{query}" if query else "")
    kept, _ = url_path(text)
    return config.url(kept)


def stub_redirects(config: Config, stubs: list[Path], report: Reporter) -> list[Redirect]:
    """The redirects of redirect stubs (``redirect:``, or ``aliases`` alone): from the stub's own
    address and each of its aliases to its target (for ``aliases`` alone: its own address)."""
    from publisher import sources

    out = []
    for path in stubs:
        try:
            src = sources.load(path, Reporter(), keys=config.keys)  # its warnings came with the stage
            own = identity(src, config).canonical
        except SourceError as exc:
            report.add(exc.diagnostic())
            continue
        rel = relative_source(config, path)
        target = own
        if "redirect" in src.fields:
            where, line = src.origins.get("redirect", (path, None))
            found = site_address(config, str(src.fields["redirect"]))
            if found is None:
                report.error(where, f"redirect {src.fields['redirect']!r} must be a path on this site or an "
                             "http(s) URL, with no spaces", line)
                continue
            target = found
            out.append(Redirect(own, target, rel, line))
        line = src.origins.get("aliases", (path, None))[1]
        out += [Redirect(a, target, rel, line) for a in _aliases(config, src.fields.get("aliases", []), rel,
                                                                  line, report)]
    return out


def _aliases(config: Config, aliases: list[str] | tuple[str, ...], rel: str, line: int | None,
             report: Reporter) -> list[str]:
    """The aliases that can be redirected (on this site's host), as absolute URLs; the others
    are warnings (kept in the article's <extra> all the same)."""
    host = urlsplit(config.site_url).netloc.lower()
    out = []
    for alias in aliases:
        found = site_address(config, alias)
        if found is None or urlsplit(found).netloc.lower() != host:
            report.warn(config.articles_path / rel, f"alias {alias!r} is not an address on this site "
                        f"({host}): no redirect is made for it", line)
            continue
        out.append(found)
    return out


def article_redirects(config: Config, views: list[ArticleView], report: Reporter) -> list[Redirect]:
    """From each published article's aliases to its canonical URL."""
    out = []
    for view in views:
        if view.aliases:
            out += [Redirect(a, view.canonical, view.source) for a in
                    _aliases(config, view.aliases, view.source, None, report)]
    return out


def redirect_files(config: Config, views: list[ArticleView], redirects: list[Redirect],
                   report: Reporter) -> dict[str, bytes]:
    """``_redirects`` and ``redirects.json`` ({} when there is no redirect). Two sources sending
    one address to two places are an error naming both; an address that is an article's own,
    or that leads to itself, is a warning and gets no redirect."""
    articles = {v.canonical: v.source for v in views}
    chosen: dict[str, Redirect] = {}
    for r in sorted(redirects, key=lambda r: (r.origin, r.source)):
        where = config.articles_path / r.origin
        if r.source == r.target:
            report.warn(where, f"{r.source} redirects to itself: no redirect made", r.line)
            continue
        if r.source in articles:
            report.warn(where, f"{r.source} is the address of the article {articles[r.source]}: no redirect "
                        "made (it would hide the article)", r.line)
            continue
        first = chosen.setdefault(r.source, r)
        if first.target != r.target:
            report.error(display_path(where), f"{r.source} is sent to {r.target} here and to {first.target} by "
                         f"{first.origin}; keep one", r.line)
    if not chosen:
        return {}
    site = urlsplit(config.site_url)
    lines = ["# Redirects made by publisher from the sources' redirect and aliases keys "
             "(Netlify and Cloudflare Pages format)."]
    entries = []
    for source in sorted(chosen):
        r = chosen[source]
        target = urlsplit(r.target)
        to = r.target
        if (target.scheme, target.netloc) == (site.scheme, site.netloc):
            to = target.path + (f"?{target.query}" if target.query else "")
        lines.append(f"{urlsplit(source).path or '/'} {to} 301")
        entries.append({"from": source, "to": r.target, "status": 301, "source": r.origin})
    data = json.dumps({"version": 1, "redirects": entries}, indent=2, ensure_ascii=False) + "\n"
    return {REDIRECTS_FILE: ("\n".join(lines) + "\n").encode("utf-8"), REDIRECTS_JSON: data.encode("utf-8")}
