"""Seeded, deterministic generator of a realistic publisher site for benchmarks.

    python bench/gen_corpus.py OUT_DIR --n 1000 [--seed 1] [--lt]

writes ``OUT_DIR/publisher.toml`` and ``OUT_DIR/articles/`` (N Markdown articles with YAML
front matter, plus a pool of small PNG/JPEG images under ``articles/images/``). The same
arguments always give byte-identical files (for a given Pillow/zlib build).

``--lt`` adds literal ``<`` characters ("x < y", "a<b") to many paragraphs. The rest of the
corpus is drawn from the same random stream, so the plain and ``--lt`` corpora differ only
by those sentences.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import shutil
import sys
from pathlib import Path

SITE_NOW = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)  # every generated date is before this
FIRST_DAY = dt.date(2012, 1, 1)
LAST_DAY = dt.date(2025, 12, 31)
N_IMAGES = 50

# --------------------------------------------------------------------------- vocabulary

AUTHORS = [
    "Mara Lindqvist", "Tomás Ó Briain", "Zoë Papadopoulou", "Łukasz Wróbel", "Søren Kierkegaard-Holm",
    "Amélie Durand", "Jürgen Weiß", "Siobhán Nic Aoidh", "Nuno Conceição", "Ingrid Åkesson",
    "Yamada Haruka", "Chen Wei", "Priya Raman", "Olusegun Adeyemi", "Catalina Muñoz",
    "Dmitri Volkov", "Aoife Ní Bhriain", "Henrik Sæther", "Marta Kovačević", "Émile Laurent",
    "Fatima Zahra El Idrissi", "Georgios Alexandrou", "Hannah Becker", "Iñaki Etxeberria",
    "Joanna Nowak", "Kofi Mensah", "Lena Fischer", "Matteo Rossi", "Noor Haddad", "Oskar Lund",
    "Paula Ferreira", "Rafael Ortiz", "Sara Björk", "Théo Martin", "Uma Sato", "Valentina Bruno",
    "William O'Connor", "Xu Mei", "Yusuf Demir", "Dispatch Staff",
]
ROLES = [
    "the harbour master", "a council spokesperson", "the port authority's chief engineer",
    "a local fisherman", "the opposition leader", "a shop owner on Quay Street",
    "the city's deputy mayor", "an economist at the university", "a union representative",
    "the head of the residents' association", "a marine biologist", "the ferry operator's CEO",
]
ORGS = [
    "port authority", "city council", "harbour trust", "ferry company", "chamber of commerce",
    "regional government", "water board", "university", "transport ministry", "fishermen's union",
    "tourist board", "housing association", "coastguard", "museum", "rail operator",
]
NOUNS = [
    "budget", "terminal", "quay", "bridge", "tide gauge", "ferry route", "bond issue", "tender",
    "salt marsh", "container yard", "cycle lane", "tram line", "breakwater", "fish market",
    "housing scheme", "festival", "lighthouse", "dredging plan", "parking levy", "harbour wall",
    "crane", "warehouse", "market hall", "school", "library", "seawall", "pier", "marina",
]
ADJS = [
    "ambitious", "costly", "delayed", "controversial", "overdue", "modest", "temporary", "new",
    "revised", "unpopular", "long-awaited", "expensive", "cautious", "historic", "fragile",
    "crowded", "quiet", "busy", "windswept", "renovated", "disputed", "promising", "uncertain",
]
VERBS_PAST = [
    "approved", "rejected", "postponed", "criticised", "defended", "announced", "revised",
    "questioned", "welcomed", "blocked", "funded", "reviewed", "opened", "closed", "extended",
]
VERBS_PP = [
    "approved", "rejected", "postponed", "reviewed", "funded", "extended", "debated", "delayed",
]
TIME_PHRASES = [
    "on Tuesday night", "last week", "after a six-hour debate", "earlier this month",
    "in a closed session", "for the third time this year", "without a vote", "on Friday morning",
    "despite protests outside the town hall", "ahead of the winter storms", "before the summer",
]
PLACES = [
    "the north quay", "Stortorget", "the old town", "Quay Street", "the estuary", "the fish market",
    "the ferry terminal", "Harbour Road", "the west pier", "the salt marsh", "the railway station",
]
TAGS = [
    "Port", "Economy", "City Council", "Transport", "Environment", "Housing", "Culture", "Food",
    "Old Town", "Opinion", "Education", "Health", "Sport", "Weather", "Tourism", "Fishing",
    "Energy", "Budget", "Elections", "Crime", "Courts", "Science", "History", "Ferries",
    "Cycling", "Tram", "Festivals", "Music", "Theatre", "Books", "Schools", "University",
    "Jobs", "Unions", "Shipping", "Climate", "Floods", "Bridges", "Markets", "Heritage",
    "Data", "Analysis", "Interview", "Letters", "Obituaries", "Business", "Technology",
    "Migration", "Police", "Parks", "Water", "Tides", "Coast", "Islands", "Europe", "Fact check",
    "Café culture", "Über-tourism", "Économie", "Ελλάδα · Greece",  # a Greek-only tag is rejected (no ASCII slug)
]
FOREIGN = [
    "Η πόλη χτίστηκε γύρω από το λιμάνι, και το λιμάνι θυμάται τα πάντα.",
    "Το συμβούλιο θα ψηφίσει ξανά τον Ιανουάριο.",
    "「港は町の心臓だ」と彼女は言った。",
    "市议会周二晚上以二十七票对二十五票通过了扩建计划。",
    "항구 확장 계획은 두 표 차이로 통과되었다.",
    "Les habitants de la vieille ville réclament une étude d'impact indépendante.",
    "Der Hafenmeister sagt, die Fähre fährt ab März wieder stündlich über die Förde.",
    "Właściciele kutrów rybackich obawiają się wyższych opłat portowych.",
    "Á morgun verður ferjan lokuð vegna óveðurs við ströndina.",
    "Çok pahalı, ama gerekli — dedi balıkçı Ömer Şahin.",
    "Não sabemos ainda quanto custará a obra, admitiu a vereadora.",
    "Ñandú Coffee abrió en noviembre y ya tiene cola a las siete de la mañana.",
    "Kaffestugan säljer fyrahundra kardemummabullar om dagen — slut vid lunch.",
    "Ο λιμενάρχης είπε ότι «η ασφάλεια έρχεται πρώτη».",
]
EMOJI = ["🚢", "⚓", "🌊", "📈", "🎉", "🐟", "☔", "🚲", "🏛️", "🧭", "⛴️", "🌉"]
LT_SENTENCES = [
    "The model in the appendix assumes x < y for every quarter.",
    "In the engineers' notation, a<b whenever the tide is below datum.",
    "Officials expect the overrun to stay < €{n} million.",
    "The rule is simple: if n<{k}, the berth stays closed.",
    "Readings where depth < {k} m were logged {n} times last year.",
    "Residents asked why p < 0.05 was treated as proof.",
    "For i<{k} the spreadsheet returns nothing at all.",
    "Wait times of <{k} minutes are promised for the new ferry.",
    "Temperatures <0 °C froze the sluice gates twice.",
    "The report's footnote reads simply: cost(A) < cost(B).",
]
EXTERNAL_HOSTS = [
    "https://council.example.org/meetings/", "https://www.example.com/reports/",
    "https://data.example.net/tides/", "https://en.wikipedia.org/wiki/",
    "https://port.example.org/press/", "https://archive.example.org/1987/",
]

# --------------------------------------------------------------------------- text helpers


def _a(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


class Writer:
    """Prose made from templates; every choice comes from ``rng``."""

    def __init__(self, rng: random.Random, filenames: list[str], own: str) -> None:
        self.rng = rng
        self.filenames = filenames
        self.own = own

    def c(self, seq):
        return self.rng.choice(seq)

    def other_article(self) -> str:
        while True:
            name = self.c(self.filenames)
            if name != self.own or len(self.filenames) == 1:
                return name

    def sentence(self) -> str:
        r, c = self.rng, self.c
        k = r.randrange(16)
        if k == 0:
            return f"The {c(ORGS)} {c(VERBS_PAST)} the {c(ADJS)} {c(NOUNS)} {c(TIME_PHRASES)}."
        if k == 1:
            return f"{c(AUTHORS[:-1]).split()[0]}, {c(ROLES)}, said the {c(NOUNS)} was \"{c(ADJS)} but {c(ADJS)}\"."
        if k == 2:
            return f"It's the {c(['second', 'third', 'fourth', 'fifth'])} time the {c(ORGS)} has {c(VERBS_PP)} the {c(NOUNS)} since {r.randint(1987, 2024)}."
        if k == 3:
            return f"The {c(ORGS)}'s spending on the {c(NOUNS)} rose by {r.randint(2, 60)} per cent {c(TIME_PHRASES)}."
        if k == 4:
            return f"Residents' groups say they weren't consulted -- a claim the {c(ORGS)} denies."
        if k == 5:
            return f"\"We don't yet know what it'll cost,\" {c(ROLES)} admitted, \"but we can't wait another {r.randint(2, 12)} years.\""
        if k == 6:
            return f"Critics point to the {c(NOUNS)}, the {c(NOUNS)} and the {c(ADJS)} {c(NOUNS)} near {c(PLACES)}."
        if k == 7:
            return f"According to the {c(ORGS)}, about {r.randint(120, 9800):,} people use {c(PLACES)} every day."
        if k == 8:
            return f"Work on the {c(NOUNS)} is expected to take {r.randint(3, 40)} months... if the money arrives."
        if k == 9:
            return f"At {c(PLACES)}, the mood was {c(ADJS)}; one stallholder called it '{_a(c(ADJS))} mess'."
        if k == 10:
            return f"The figures --- published {c(TIME_PHRASES)} --- show a gap of €{r.randint(1, 250)} million."
        if k == 11:
            return f"Nobody at the {c(ORGS)} would say whether the {c(NOUNS)} is *still* on schedule."
        if k == 12:
            return f"The {c(ADJS)} plan for {c(PLACES)} includes a **{c(NOUNS)}** and a {c(NOUNS)}."
        if k == 13:
            return f"Opponents have until {r.randint(1, 28)} {c(['January', 'March', 'June', 'September', 'November'])} to lodge an appeal."
        if k == 14:
            return f"The {c(NOUNS)} at {c(PLACES)} was built in {r.randint(1850, 1990)} and hasn't been repaired since {r.randint(1991, 2020)}."
        return f"Asked about the {c(NOUNS)}, the {c(ORGS)} referred questions to the {c(ORGS)}."

    def link(self) -> str:
        r, c = self.rng, self.c
        if r.random() < 0.5:
            target = self.other_article()
            if r.random() < 0.15:
                target += "#" + c(["background", "what-happens-next", "the-numbers", "reaction"])
            return f"[our earlier reporting on the {c(NOUNS)}]({target})"
        host = c(EXTERNAL_HOSTS)
        path = f"{c(NOUNS).replace(' ', '-')}-{r.randint(1, 999)}"
        return f"[the {c(ORGS)}'s {c(['report', 'statement', 'minutes', 'data'])}]({host}{path})"

    def paragraph(self) -> str:
        return " ".join(self.sentences())

    def sentences(self) -> list[str]:
        r = self.rng
        parts = [self.sentence() for _ in range(r.randint(3, 7))]
        if r.random() < 0.30:
            parts.insert(r.randrange(len(parts) + 1), f"More detail is in {self.link()}.")
        if r.random() < 0.12:
            parts.append(self.c(FOREIGN))
        if r.random() < 0.08:
            parts.append(f"The crowd cheered {self.c(EMOJI)}.")
        if r.random() < 0.05:
            parts.append(f"The code `{self.c(['HX-7', 'berth_id=42', 'TIDE<4'])}` appears on every permit.")
        return parts

    def heading(self) -> str:
        c = self.c
        return "## " + c([
            f"What the {c(ORGS)} says", f"The {c(NOUNS)} question", "What happens next", "Background",
            f"Why the {c(NOUNS)} matters", "The numbers", "Reaction", f"Life around {c(PLACES)}",
            f"The {c(ADJS)} {c(NOUNS)}", "Q&A: what we know so far",
        ])

    def list_block(self, ordered: bool) -> list[str]:
        r, c = self.rng, self.c
        items = []
        for _ in range(r.randint(3, 6)):
            items.append(c([
                f"the {c(ADJS)} {c(NOUNS)} near {c(PLACES)}",
                f"a {r.randint(2, 40)} per cent rise in the {c(NOUNS)} budget",
                f"the {c(ORGS)}'s review of the {c(NOUNS)}",
                f"{self.link()}",
                f"{_a(c(NOUNS))}, due in {r.randint(2019, 2031)}",
                f"\"{_cap(c(ADJS))}\" delays at the {c(NOUNS)}",
            ]))
        if ordered:
            return [f"{i}. {_cap(t)}." for i, t in enumerate(items, 1)]
        return [f"- {t}," if i < len(items) - 1 else f"- {t}." for i, t in enumerate(items)]

    def quote(self) -> list[str]:
        said = [s for s in (self.sentence() for _ in range(6)) if '"' not in s][:2] or ["It will not happen."]
        text = '"' + " ".join(said) + '"'
        if self.rng.random() < 0.2:
            text += " " + self.c(FOREIGN)
        return [">" + (" " + line if line else "") for line in wrap(text)] + [">", f"> -- {_cap(self.c(ROLES))}"]


def wrap(text: str, width: int = 92) -> list[str]:
    """Hard-wrap prose like an editor would, never starting a line with a token that would
    open a block (list marker, heading, quote, setext underline)."""
    lines: list[str] = []
    cur = ""
    for word in text.split(" "):
        if cur and len(cur) + 1 + len(word) > width and not _opens_block(word):
            lines.append(cur)
            cur = word
        else:
            cur = f"{cur} {word}" if cur else word
    if cur:
        lines.append(cur)
    return lines


def _opens_block(word: str) -> bool:
    if word[:1] in "-+*#>=|`~<":
        return True
    digits = len(word) - len(word.lstrip("0123456789"))
    return 0 < digits and word[digits:digits + 1] in (".", ")")


def yq(s: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(s, ensure_ascii=False)


# --------------------------------------------------------------------------- articles


def title_for(rng: random.Random) -> str:
    c = rng.choice
    return _cap(c([
        f"{_cap(c(ORGS))} {c(VERBS_PAST)} {c(ADJS)} {c(NOUNS)} plan",
        f"Why the {c(NOUNS)} at {c(PLACES)} still isn't finished",
        f"'{_cap(c(ADJS))}' {c(NOUNS)} splits the {c(ORGS)}",
        f"The {c(NOUNS)}: {rng.randint(3, 12)} questions for the {c(ORGS)}",
        f"{_cap(c(ADJS))} {c(NOUNS)} faces €{rng.randint(2, 90)} million gap",
        f"Opinion: the {c(NOUNS)} deserves a \"{c(ADJS)}\" rethink",
        f"{_cap(c(NOUNS))} reopens at {c(PLACES)} after {rng.randint(2, 30)} months",
        f"What the {c(ORGS)}'s {c(NOUNS)} vote means for {c(PLACES)}",
    ]))


def slugify(title: str) -> str:
    out, dash = [], False
    for ch in title.lower():
        if ch.isascii() and ch.isalnum():
            out.append(ch)
            dash = False
        elif not dash:
            out.append("-")
            dash = True
    return "".join(out).strip("-")[:60].strip("-")


def pick_dates(rng: random.Random, n: int) -> list[dt.date]:
    """Dates spread over the years, with runs of several articles on the same day."""
    span = (LAST_DAY - FIRST_DAY).days
    days: list[dt.date] = []
    for _ in range(n):
        if days and rng.random() < 0.35:
            days.append(rng.choice(days[-20:]))
        else:
            days.append(FIRST_DAY + dt.timedelta(days=rng.randrange(span + 1)))
    return days


def fmt_time(rng: random.Random, day: dt.date) -> tuple[str, dt.datetime]:
    """A front-matter date value (date-only, naive or with offset) and the moment it means."""
    k = rng.random()
    moment = dt.datetime(day.year, day.month, day.day, rng.randint(6, 22), rng.choice([0, 5, 15, 30, 40, 45]))
    if k < 0.3:
        return day.isoformat(), moment.replace(hour=0, minute=0)
    if k < 0.8:
        return moment.isoformat(), moment
    off = rng.choice(["+01:00", "+02:00", "Z", "-05:00"])
    return moment.isoformat() + off, moment


def front_matter(rng: random.Random, title: str, day: dt.date, bios: dict[str, str]) -> list[str]:
    c = rng.choice
    fm = ["---", f"title: {yq(title)}"]
    if rng.random() < 0.8:
        fm.append(f"deck: {yq(_cap(f'the {c(ADJS)} {c(NOUNS)} and what it means for {c(PLACES)}'))}")
    k = rng.random()
    names = rng.sample(AUTHORS, 2)
    if k < 0.65:
        fm.append(f"author: {yq(names[0])}")
    elif k < 0.75:
        fm += ["authors:", f"  - {yq(names[0])}"]
    elif k < 0.93:
        fm += ["authors:", f"  - {yq(names[0])}", f"  - {yq(names[1])}"]
    else:
        fm += ["authors:", f"  - {yq(names[0])}", f"  - name: {yq(names[1])}",
               f"    bio: {yq(names[1] + ' writes about ' + c(NOUNS) + 's and the ' + c(ORGS) + '.')}"]
    value, moment = fmt_time(rng, day)
    fm.append(f"date: {value}")
    if rng.random() < 0.2:
        later = moment + dt.timedelta(hours=rng.randint(1, 24 * 60))
        if value.endswith("-05:00") and later - moment < dt.timedelta(hours=7):
            later += dt.timedelta(hours=7)  # written without an offset, it must still come after the date
        cap = dt.datetime(LAST_DAY.year, 12, 31, 23, 0)
        fm.append(f"updated: {min(later, cap).isoformat()}")
    tags = rng.sample(TAGS, rng.randint(1, 4))
    k = rng.random()
    if k < 0.6:
        fm.append("tags:")
        fm += [f"  - {yq(t)}" for t in tags]
    elif k < 0.9:
        fm.append("tags: [" + ", ".join(yq(t) for t in tags) + "]")
    else:
        fm.append(f"tags: {yq(', '.join(tags))}")
    if rng.random() < 0.03:
        fm.append(f"lang: {c(['de', 'fr', 'es', 'sv'])}")
    fm.append("---")
    return fm


def body(rng: random.Random, lt_rng: random.Random | None, filenames: list[str], own: str,
         own_images: list[str] | None = None) -> list[str]:
    """The body's lines. ``own_images`` (paths under articles/): this article's own images, all
    of them placed; None: up to two from the shared pool (the corpus of earlier benchmarks)."""
    w = Writer(rng, filenames, own)
    target = rng.randint(600, 1380)  # the last block overshoots by < 120 words
    pool = rng.sample(range(N_IMAGES), 2) if rng.random() < 0.6 else []  # drawn either way: same text
    if own_images is None:
        images = [f"images/img-{i:02d}.{'png' if i % 2 == 0 else 'jpg'}" for i in pool]
    else:
        images = list(reversed(own_images))
    blocks: list[list[str]] = []
    words = 0
    last = "heading"
    while words < target:
        k = rng.random()
        if k < 0.62 or last == "heading":
            sents = w.sentences()
            counted = sum(len(x.split()) for x in sents)  # lt sentences aside: same stream either way
            if lt_rng is not None and lt_rng.random() < 0.6:
                for _ in range(lt_rng.randint(1, 3)):
                    s = lt_rng.choice(LT_SENTENCES).format(n=lt_rng.randint(2, 90), k=lt_rng.randint(2, 20))
                    sents.insert(lt_rng.randrange(len(sents) + 1), s)
            block, last = wrap(" ".join(sents)), "p"
        elif k < 0.72:
            block, last = [w.heading()], "heading"
        elif k < 0.80:
            block, last = w.list_block(ordered=False), "ul"
        elif k < 0.86:
            block, last = w.list_block(ordered=True), "ol"
        elif k < 0.94:
            block, last = w.quote(), "quote"
        elif images:
            alt = f"The {rng.choice(NOUNS)} at {rng.choice(PLACES)}"
            block, last = [f"![{alt}]({images.pop()} \"{_cap(rng.choice(ADJS))} view\")"], "img"
        else:
            continue
        if last != "p":
            counted = sum(len(line.split()) for line in block)
        words += counted
        blocks.append(block)
    if last == "heading":
        blocks.append(wrap(w.paragraph()))
    if own_images is not None:  # the ones the prose did not reach: spread over the body
        place = random.Random(own)
        while images:
            at = place.randint(1, len(blocks))
            blocks.insert(at, [f"![A view of {place.choice(PLACES)}]({images.pop()})"])
    out: list[str] = []
    for block in blocks:
        out += block + [""]
    return out


def plan(rng: random.Random, n: int) -> list[tuple[str, str, dt.date]]:
    """(file name, title, day) for every article, so bodies can link to any other file."""
    days = pick_dates(rng, n)
    seen: set[str] = set()
    out = []
    for day in days:
        title = title_for(rng)
        base = slugify(title)  # the slug (file name without the date) must be unique site-wide
        slug, i = base, 2
        while slug in seen:
            slug, i = f"{base}-{i}", i + 1
        seen.add(slug)
        out.append((f"{day.isoformat()}-{slug}.md", title, day))
    return out


def article_text(rng: random.Random, lt_rng: random.Random | None, title: str, day: dt.date,
                 filenames: list[str], own: str, bios: dict[str, str],
                 own_images: list[str] | None = None) -> str:
    lines = front_matter(rng, title, day, bios) + [""] + body(rng, lt_rng, filenames, own, own_images)
    return "\n".join(lines).rstrip("\n") + "\n"


def extra_article(seed: int, n: int, lt: bool, filenames: list[str],
                  own_images: list[str] | None = None) -> tuple[str, str]:
    """One more article (file name, text) that is not in the generated corpus: for the
    benchmark's "add one article" case. Deterministic in (seed, n, lt). ``own_images``: as for
    ``body`` (pass ``[]`` for a corpus without the shared pool: no image)."""
    rng = random.Random(f"extra-{seed}-{n}")
    lt_rng = random.Random(f"extra-lt-{seed}-{n}") if lt else None
    day = dt.date(2025, 12, 30)
    title = "Late addition: " + title_for(rng)
    name = f"{day.isoformat()}-bench-extra-{slugify(title)}.md"
    return name, article_text(rng, lt_rng, title, day, filenames, name, author_bios(), own_images)


# --------------------------------------------------------------------------- images and config


def make_images(rng: random.Random, folder: Path) -> None:
    from PIL import Image, ImageDraw

    folder.mkdir(parents=True, exist_ok=True)
    for i in range(N_IMAGES):
        w, h = rng.randint(200, 600), rng.randint(200, 600)
        bg = tuple(rng.randint(0, 255) for _ in range(3))
        img = Image.new("RGB", (w, h), bg)
        draw = ImageDraw.Draw(img)
        for y in range(0, h, 4):  # a vertical gradient, like sky over water
            t = y / h
            draw.rectangle([0, y, w, y + 3], fill=tuple(int(v * (1 - t) + 30 * t) for v in bg))
        for _ in range(rng.randint(5, 25)):
            x0, y0 = rng.randrange(w), rng.randrange(h)
            x1, y1 = x0 + rng.randint(5, w // 2), y0 + rng.randint(5, h // 2)
            fill = tuple(rng.randint(0, 255) for _ in range(3))
            if rng.random() < 0.5:
                draw.ellipse([x0, y0, x1, y1], fill=fill)
            else:
                draw.rectangle([x0, y0, x1, y1], fill=fill)
        buf = io.BytesIO()
        if i % 2 == 0:
            img.save(buf, "PNG", optimize=False)
            ext = "png"
        else:
            img.save(buf, "JPEG", quality=85)
            ext = "jpg"
        (folder / f"img-{i:02d}.{ext}").write_bytes(buf.getvalue())


PHOTO_WIDTHS = [320, 400, 480, 560, 640, 800]
ASPECTS = [(4, 3), (3, 2), (16, 9), (1, 1), (2, 3)]


def article_image(key: str) -> tuple[str, bytes]:
    """One article image (suffix, bytes), deterministic in ``key``: two in three a photo-like
    JPEG (soft colour fields, a few sharp lines; quality 35-65, 320-800 px wide), the rest a
    chart-like palette PNG (flat bars and lines). Sizes are those of compressed inline images
    (about 2-15 KB; 6-7 KB on average), drawn small and scaled up so that 20,000 take under a
    minute."""
    from PIL import Image, ImageDraw

    rng = random.Random(key)
    photo = rng.random() < 0.65  # the first draw: image_plan knows the suffix from it
    w = rng.choice(PHOTO_WIDTHS)
    a, b = rng.choice(ASPECTS)
    h = w * b // a
    buf = io.BytesIO()
    if photo:
        sw, sh = max(w // 8, 4), max(h // 8, 4)
        small = Image.new("RGB", (3, 3))
        small.putdata([tuple(rng.randint(0, 255) for _ in range(3)) for _ in range(9)])
        small = small.resize((sw, sh), Image.BILINEAR)
        draw = ImageDraw.Draw(small)
        for _ in range(rng.randint(3, 12)):
            x0, y0 = rng.randrange(sw), rng.randrange(sh)
            x1, y1 = x0 + rng.randint(2, max(sw // 3, 2)), y0 + rng.randint(2, max(sh // 3, 2))
            draw.ellipse([x0, y0, x1, y1], fill=tuple(rng.randint(0, 255) for _ in range(3)))
        img = small.resize((w, h), Image.BILINEAR)
        draw = ImageDraw.Draw(img)
        for _ in range(rng.randint(0, 3)):
            x0, y0 = rng.randrange(w), rng.randrange(h)
            draw.line([x0, y0, x0 + rng.randint(-w // 4, w // 4), y0 + rng.randint(-h // 4, h // 4)],
                      fill=tuple(rng.randint(0, 255) for _ in range(3)), width=rng.randint(1, 3))
        img.save(buf, "JPEG", quality=rng.choice([35, 45, 55, 65]))
        return "jpg", buf.getvalue()
    img = Image.new("P", (w, h), 0)
    img.putpalette([rng.randint(0, 255) for _ in range(3 * 8)])
    draw = ImageDraw.Draw(img)
    for _ in range(rng.randint(4, 20)):
        x0, y0 = rng.randrange(w), rng.randrange(h)
        x1, y1 = x0 + rng.randint(5, w // 2), y0 + rng.randint(5, h // 2)
        if rng.random() < 0.5:
            draw.rectangle([x0, y0, x1, y1], fill=rng.randrange(8))
        else:
            draw.line([x0, y0, x1, y1], fill=rng.randrange(8), width=rng.randint(1, 4))
    img.save(buf, "PNG")
    return "png", buf.getvalue()


def _write_image(job: tuple[str, str]) -> None:
    key, base = job
    ext, data = article_image(key)
    Path(f"{base}.{ext}").write_bytes(data)


def image_plan(seed: int, entries: list[tuple[str, str, dt.date]], per_article: int) -> list[list[str]]:
    """Each article's own image paths (relative to articles/): images/YEAR/SLUG-K.EXT. The suffix
    is decided by the image's key alone, so the plan needs no drawing."""
    out = []
    for name, _, day in entries:
        stem = name[:-3]
        paths = []
        for k in range(1, per_article + 1):
            ext = "jpg" if random.Random(f"img-{seed}-{stem}-{k}").random() < 0.65 else "png"
            paths.append(f"images/{day.year}/{stem}-{k}.{ext}")
        out.append(paths)
    return out


def make_article_images(seed: int, articles: Path, plans: list[list[str]], jobs: int) -> None:
    """Draws every planned image, on ``jobs`` processes (each image's bytes depend only on its key)."""
    work = []
    for paths in plans:
        for path in paths:
            stem, k = path.rsplit("/", 1)[1].rsplit(".", 1)[0].rsplit("-", 1)
            (articles / path).parent.mkdir(parents=True, exist_ok=True)
            work.append((f"img-{seed}-{stem}-{k}", str(articles / path.rsplit(".", 1)[0])))
    if jobs > 1 and len(work) > 200:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            pool.map(_write_image, work, chunksize=256)
    else:
        for job in work:
            _write_image(job)


def author_bios() -> dict[str, str]:
    return {a: f"{a} reports on the harbour city for the Dispatch." for a in AUTHORS[::2]}


def config_text(n: int, seed: int, lt: bool) -> str:
    lines = [
        f"# Generated by bench/gen_corpus.py --n {n} --seed {seed}{' --lt' if lt else ''}",
        "[site]",
        'title = "The Harbour Dispatch (benchmark)"',
        'description = "A generated corpus for benchmarking publisher"',
        'base_url = "https://dispatch.example.com/"',
        'article_url = "articles/{slug}/"',
        'language = "en"',
        'timezone = "Europe/London"',
        'author = "Dispatch Staff"',
        'publisher = "The Harbour Dispatch"',
        'output_dir = "build"',
        'epub_name = "articles"',
        "# the workload of issue 6: RSS + Atom of the latest 50 and one EPUB of every article",
        'feed_formats = ["rss", "atom"]',
        "feed_groups = []",
        "feed_archives = false",
        "",
    ]
    for name, bio in author_bios().items():
        lines += [f"[authors.{json.dumps(name, ensure_ascii=False)}]", f"bio = {json.dumps(bio, ensure_ascii=False)}", ""]
    lines += [BOOK_MARK, "[[editions]]", 'kind = "archive"', ""]
    return "\n".join(lines)


#: The workload's keys of config_text (the lines starting with them) and its book, last: what
#: default_settings takes out.
WORKLOAD_KEYS = ("feed_formats", "feed_groups", "feed_archives")
BOOK_MARK = "# the workload's book: every article (without [[editions]] the book holds the newest 100)"


def default_settings(config: str) -> str:
    """A generated publisher.toml without the benchmark's workload: the defaults a new user gets
    (every feed family in every format, archives, the default book)."""
    kept = config.split(BOOK_MARK, 1)[0]
    return "".join(line for line in kept.splitlines(keepends=True) if not line.startswith(WORKLOAD_KEYS))


def generate(out: Path, n: int, seed: int = 1, lt: bool = False, images: int = 2,
             shared_images: bool = False, jobs: int = 0) -> None:
    """``images`` own images per article (drawn from the article's key), or with
    ``shared_images`` the pool of 50 that every article draws from (earlier benchmarks)."""
    rng = random.Random(seed)
    lt_rng = random.Random(f"lt-{seed}") if lt else None
    articles = out / "articles"
    if articles.exists():
        shutil.rmtree(articles)
    articles.mkdir(parents=True)
    (out / "publisher.toml").write_text(config_text(n, seed, lt), encoding="utf-8")
    entries = plan(rng, n)
    if shared_images:
        make_images(random.Random(f"images-{seed}"), articles / "images")
        own: list[list[str] | None] = [None] * n
    else:
        own = image_plan(seed, entries, images)  # type: ignore[assignment]
        make_article_images(seed, articles, own, jobs or os.cpu_count() or 1)  # type: ignore[arg-type]
    filenames = [e[0] for e in entries]
    bios = author_bios()
    for (name, title, day), own_images in zip(entries, own):
        text = article_text(rng, lt_rng, title, day, filenames, name, bios, own_images)
        (articles / name).write_bytes(text.encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--n", type=int, default=1000, help="number of articles [1000]")
    ap.add_argument("--seed", type=int, default=1, help="random seed [1]")
    ap.add_argument("--lt", action="store_true", help="put literal '<' characters in many paragraphs")
    ap.add_argument("--images", type=int, default=2, help="own images per article [2]")
    ap.add_argument("--shared-images", action="store_true",
                    help="no own images: articles draw from one pool of 50 (the earlier benchmarks' corpus)")
    ap.add_argument("-j", "--jobs", type=int, default=0, help="processes drawing images [one per core]")
    args = ap.parse_args(argv)
    if args.n < 1 or args.images < 0:
        ap.error("--n must be at least 1 and --images at least 0")
    generate(args.out_dir, args.n, args.seed, args.lt, args.images, args.shared_images, args.jobs)
    count = N_IMAGES if args.shared_images else args.n * args.images
    print(f"wrote {args.n} articles and {count} images into {args.out_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
