"""Tables as CSV or Excel downloads (the league tables)."""

from __future__ import annotations

import csv
from io import BytesIO, StringIO

from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A text cell starting with one of these is read as a formula by Excel and LibreOffice (CSV
# injection); tab and carriage return start one too after some importers strip them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value as a spreadsheet shows it and never runs: text that would start a formula is
    prefixed with an apostrophe; numbers stay numbers (a negative score is not text)."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def table_response(*, header: list[str], rows: list[list], filename: str, fmt: str, title: str = "") -> HttpResponse:
    """``fmt`` is "csv" (UTF-8 with a BOM, so Excel opens Chinese correctly) or "xlsx"."""
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = (title or "Sheet1")[:31]
        sheet.append([safe_cell(v) for v in header])
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
        buffer = BytesIO()
        book.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    else:
        buffer = StringIO()
        writer = csv.writer(buffer)
        writer.writerow([safe_cell(v) for v in header])
        writer.writerows([[safe_cell(v) for v in row] for row in rows])
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{ "xlsx" if fmt == "xlsx" else "csv"}"'
    return response
