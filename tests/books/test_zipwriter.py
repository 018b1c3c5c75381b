"""The ZIP writer: readable by zipfile, deterministic, mimetype first and stored, entries packed ahead."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from publisher.books.zipwriter import write_zip

WHEN = dt.datetime(2026, 11, 24, 7, 0, 1, tzinfo=dt.UTC)
ENTRIES = [
    ("mimetype", b"application/epub+zip"),
    ("META-INF/container.xml", b"<container/>" * 50),
    ("EPUB/text/caf\u00e9.xhtml", "<p>caf\u00e9 \u2013 \U0001f950</p>".encode() * 100),
    ("EPUB/empty.css", b""),
]


def test_zipfile_reads_back_every_entry_with_its_crc():
    data = write_zip(ENTRIES, WHEN)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        assert [(i.filename, z.read(i)) for i in z.infolist()] == ENTRIES
        first = z.infolist()[0]
        assert first.compress_type == zipfile.ZIP_STORED and first.filename == "mimetype"
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in z.infolist()[1:])
        assert {i.date_time for i in z.infolist()} == {(2026, 11, 24, 7, 0, 0)}
    assert data[30:38] == b"mimetype" and data[38:58] == b"application/epub+zip"  # as EPUB OCF requires


def test_same_entries_same_bytes_and_times_before_1980_are_clamped():
    assert write_zip(ENTRIES, WHEN) == write_zip(list(ENTRIES), WHEN)
    old = write_zip(ENTRIES, dt.datetime(1970, 1, 1, tzinfo=dt.UTC))
    with zipfile.ZipFile(io.BytesIO(old)) as z:
        assert z.infolist()[0].date_time == (1980, 1, 1, 0, 0, 0)


def test_packed_entries_are_written_as_they_are(monkeypatch):
    """A book's chapters and frame arrive compressed already (kept between builds): nothing is
    deflated again, and the zip is the one the raw entries give."""
    from publisher.books import zipwriter

    packed = [(name, data if name == "mimetype" else zipwriter.pack(data)) for name, data in ENTRIES]
    calls = []
    real = zipwriter.zlib.compressobj
    monkeypatch.setattr(zipwriter.zlib, "compressobj", lambda *a: calls.append(a) or real(*a))
    assert write_zip(packed, WHEN) == write_zip(ENTRIES, WHEN)
    assert len(calls) == len(ENTRIES) - 1  # only for the raw entries (mimetype is stored)


def test_stored_entries_are_written_as_they_are_and_read_only_when_written():
    """Images (compressed already) are stored, method 0; one given as a reader is read when its
    entry is written, not before, and the zip comes out piece by piece."""
    from publisher.books.zipwriter import Stored, stream_zip

    image = bytes(range(256)) * 40
    reads = []

    def read() -> bytes:
        reads.append(len(pieces))
        return image

    pieces: list[bytes] = []
    entries = [*ENTRIES[:2], ("EPUB/media/a.png", Stored(read)), ("EPUB/b.jpg", Stored(image)), *ENTRIES[2:]]
    stream_zip(iter(entries), WHEN, pieces.append)
    assert reads and reads[0] > 2  # after the entries before it were given out
    data = b"".join(pieces)
    assert data == write_zip([*ENTRIES[:2], ("EPUB/media/a.png", Stored(image)), ("EPUB/b.jpg", Stored(image)),
                              *ENTRIES[2:]], WHEN)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        kinds = {i.filename: i.compress_type for i in z.infolist()}
        assert kinds["EPUB/media/a.png"] == kinds["EPUB/b.jpg"] == zipfile.ZIP_STORED
        assert kinds["EPUB/text/caf\u00e9.xhtml"] == zipfile.ZIP_DEFLATED
        assert z.read("EPUB/media/a.png") == image


def test_a_zip_that_would_need_zip64_is_refused(monkeypatch):
    """Past 65,535 files or 4 GiB a ZIP needs ZIP64, which many e-readers cannot open: a book
    stops there with ZipLimit (a 100,000-article archive crashed in struct.pack before)."""
    import pytest

    from publisher.books import zipwriter

    when = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    monkeypatch.setattr(zipwriter, "MAX_ENTRIES", 3)
    with pytest.raises(zipwriter.ZipLimit, match="files"):
        write_zip([(f"f{i}", b"x") for i in range(4)], when)
    assert zipfile.ZipFile(io.BytesIO(write_zip([(f"f{i}", b"x") for i in range(3)], when))).testzip() is None
    monkeypatch.setattr(zipwriter, "MAX_ENTRIES", 0xFFFF)
    monkeypatch.setattr(zipwriter, "MAX_BYTES", 100)
    with pytest.raises(zipwriter.ZipLimit, match="4 GiB"):
        write_zip([("big", bytes(range(256)) * 2)], when)


def test_a_book_too_big_for_a_plain_zip_is_a_config_error_and_nothing_is_written(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from publisher.books import epub
    from publisher.cli import cli
    from tests.conftest import copy_small_site

    site = copy_small_site(tmp_path / "site")
    monkeypatch.chdir(site)
    assert CliRunner().invoke(cli, ["build"]).exit_code == 0
    before = {p: p.read_bytes() for p in (site / "build").rglob("*") if p.is_file()}
    (site / "articles" / "2026-11-22-tide-tables-explained.md").write_text(
        (site / "articles" / "2026-11-22-tide-tables-explained.md").read_text("utf-8") + "\nMore.\n", "utf-8")
    monkeypatch.setattr(epub, "MAX_ENTRIES", epub._FRAME_FILES + 3)  # a book of more than 3 chapters and images
    result = CliRunner().invoke(cli, ["build"])
    assert result.exit_code == 1, result.output
    assert "publisher.toml" in result.output and "ZIP64" in result.output and 'kind = "period"' in result.output
    assert "Traceback" not in result.output
    assert {p: p.read_bytes() for p in (site / "build").rglob("*") if p.is_file()} == before
