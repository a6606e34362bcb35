"""Archive imports that are bombs or liars: an XLSX roster and an EPUB for the library.

An .xlsx and an .epub are ZIP archives. A few kilobytes can declare a worksheet of 1,048,576 rows by
16,384 columns, or unpack to gigabytes; a ZIP can also lie about its sizes. Each is refused with a
message within seconds and writes nothing. (The course .zip has its own cases in
tests/courses/test_upload.py.)
"""

import io
import struct
import time
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db
from app.library.importers import ImportRefused, parse_file
from app.library.models import Document
from app.org.roster import RosterFileError, read_table
from tests.web import csrf_token

HEADER = ["姓名", "用户名/工号", "所在支部", "角色", "手机"]


def rebuild(data: bytes, replace: dict[str, bytes]) -> bytes:
    """The same ZIP with some members' contents replaced."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info.filename)))
    return out.getvalue()


def roster_xlsx(rows=(["张三", "zhangsan", "甲党委/机关党总支/第一党支部", "党员", ""],)) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_xml(dimension: str, rows: str) -> bytes:
    return (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>'
    ).encode()


def cell_row(number: int, column: str = "A", text: str = "x") -> str:
    return f'<row r="{number}"><c r="{column}{number}" t="inlineStr"><is><t>{text}</t></is></c></row>'


def lie_about_size(data: bytes, name: str, size: int = 100) -> bytes:
    """Rewrite the central directory so ``name`` claims to unpack to ``size`` bytes."""
    data = bytearray(data)
    position = 0
    while (position := data.find(b"PK\x01\x02", position)) != -1:
        length = struct.unpack("<H", data[position + 28 : position + 30])[0]
        if data[position + 46 : position + 46 + length] == name.encode():
            data[position + 24 : position + 28] = size.to_bytes(4, "little")
        position += 4
    return bytes(data)


HOSTILE_ROSTERS = {
    # A few KB claiming a full-size sheet: openpyxl pads every row to the declared width.
    "declared-full-sheet": lambda: rebuild(
        roster_xlsx(), {"xl/worksheets/sheet1.xml": sheet_xml("A1:XFD1048576", cell_row(1) + cell_row(2))}
    ),
    # Two cells a million rows apart, one of them in the last column.
    "far-apart-cells": lambda: rebuild(
        roster_xlsx(),
        {"xl/worksheets/sheet1.xml": sheet_xml("A1:A1", cell_row(1, "XFD") + cell_row(1048576))},
    ),
    # A worksheet that unpacks to 200 MB from a few hundred KB.
    "compression-bomb": lambda: rebuild(
        roster_xlsx(),
        {"xl/worksheets/sheet1.xml": sheet_xml("A1:A1", cell_row(1) + " " * (200 * 1024 * 1024))},
    ),
    # Sizes the archive lies about.
    "lying-sizes": lambda: lie_about_size(
        rebuild(roster_xlsx(), {"xl/worksheets/sheet1.xml": sheet_xml("A1:A2", cell_row(1) + "  " * 50_000)}),
        "xl/worksheets/sheet1.xml",
    ),
}


@pytest.mark.parametrize("name", HOSTILE_ROSTERS)
def test_a_hostile_xlsx_roster_is_refused_within_seconds(name):
    data = HOSTILE_ROSTERS[name]()
    assert len(data) < 1024 * 1024
    started = time.monotonic()
    try:
        rows = read_table(data, "roster.xlsx")
    except RosterFileError as error:
        assert error.message
    else:
        assert len(rows) <= 100_001 and all(len(row) <= 64 for row in rows)
    assert time.monotonic() - started < 10


def test_an_honest_roster_still_reads(app):
    rows = read_table(roster_xlsx(), "roster.xlsx")
    assert rows[0] == HEADER and rows[1][:2] == ["张三", "zhangsan"]


def test_a_roster_bomb_through_the_page_writes_nothing(app, client, auth, world):
    auth.login("admin")
    with app.app_context():
        before = db.session.scalar(select(func.count(User.id)))
    started = time.monotonic()
    response = client.post(
        "/org/roster/import",
        data={
            "csrf_token": csrf_token(client, "/org/roster/import"),
            "roster": (io.BytesIO(HOSTILE_ROSTERS["declared-full-sheet"]()), "roster.xlsx"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code in (200, 302) and time.monotonic() - started < 10
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == before


# --- EPUB in the library ---------------------------------------------------------------------------

CONTAINER = (
    '<?xml version="1.0"?><container xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
    'version="1.0"><rootfiles><rootfile full-path="content.opf"/></rootfiles></container>'
)
OPF = (
    '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
    '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>炸弹</dc:title></metadata>'
    '<manifest><item id="a" href="a.xhtml"/></manifest><spine><itemref idref="a"/></spine></package>'
)


def epub(chapter: bytes, opf: str = OPF) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("META-INF/container.xml", CONTAINER)
        archive.writestr("content.opf", opf)
        archive.writestr("a.xhtml", chapter)
    return buffer.getvalue()


def chapter(size: int) -> bytes:
    return b"<html><body><h1>\xe7\xab\xa0</h1><p>" + b"a" * size + b"</p></body></html>"


HOSTILE_EPUBS = {
    "compression-bomb": lambda: epub(chapter(100 * 1024 * 1024)),
    "lying-sizes": lambda: lie_about_size(epub(chapter(5 * 1024 * 1024)), "a.xhtml"),
    "spine-outside-the-archive": lambda: epub(
        chapter(10), OPF.replace('href="a.xhtml"', 'href="../../etc/passwd"')
    ),
}


@pytest.mark.parametrize("name", HOSTILE_EPUBS)
def test_a_hostile_epub_is_refused_with_a_reason(name):
    data = HOSTILE_EPUBS[name]()
    assert len(data) < 1024 * 1024
    with pytest.raises(ImportRefused) as refused:
        parse_file("book.epub", data)
    assert refused.value.reason


@pytest.mark.parametrize("name", HOSTILE_EPUBS)
def test_a_hostile_epub_through_the_upload_page_adds_nothing(app, client, auth, world, name):
    auth.login("trainer")
    response = client.post(
        "/library/upload",
        data={
            "csrf_token": csrf_token(client, "/library/upload"),
            "collection": "测试文集",
            "document": (io.BytesIO(HOSTILE_EPUBS[name]()), "book.epub"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200 and 'class="flash flash-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Document.id))) == 0


@pytest.mark.parametrize("name", HOSTILE_ROSTERS)
def test_a_hostile_question_bank_workbook_is_refused_within_seconds(app, name):
    """The question bank's Excel import reads through the same guard (app/spreadsheets.py)."""
    from app.quizzes.errors import QuizError
    from app.quizzes.excel import MAX_ROWS, read_workbook

    data = HOSTILE_ROSTERS[name]()
    started = time.monotonic()
    with app.test_request_context():
        try:
            result = read_workbook(data)
        except QuizError as error:
            assert error.message
        else:  # what little it read is bounded, and no question came of a roster's cells
            assert len(result.items) + len(result.errors) <= MAX_ROWS and result.items == []
    assert time.monotonic() - started < 10
