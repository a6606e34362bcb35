"""The first sheet of an uploaded .xlsx, read within limits (rosters, question banks).

An .xlsx is a ZIP archive: a few kilobytes can declare a sheet of 1,048,576 × 16,384 cells (openpyxl
pads every row to the declared width) or unpack to gigabytes. So the archive's unpacked size is
checked first, and the sheet is read within its declared size but never beyond the caller's limits.
"""

import io
import zipfile

from openpyxl import load_workbook

MAX_UNPACKED_BYTES = 100 * 1024 * 1024


class SpreadsheetTooLarge(Exception):
    """More rows than the caller allows, or an archive that unpacks to too much."""


class SpreadsheetUnreadable(Exception):
    """Not an .xlsx workbook, or a damaged one."""


def first_sheet_rows(data: bytes, max_rows: int, max_columns: int) -> list[tuple]:
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
        rows = list(sheet.iter_rows(max_row=last_row, max_col=last_column, values_only=True))
        workbook.close()
    except SpreadsheetTooLarge:
        raise
    except Exception as error:  # openpyxl and zipfile raise many types for a damaged file
        raise SpreadsheetUnreadable from error
    if len(rows) > max_rows:
        raise SpreadsheetTooLarge
    return rows
