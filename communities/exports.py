"""Tables as CSV or Excel downloads (the league tables)."""

from __future__ import annotations

import csv
from io import BytesIO, StringIO

from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_response(*, header: list[str], rows: list[list], filename: str, fmt: str, title: str = "") -> HttpResponse:
    """``fmt`` is "csv" (UTF-8 with a BOM, so Excel opens Chinese correctly) or "xlsx"."""
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = (title or "Sheet1")[:31]
        sheet.append(header)
        for row in rows:
            sheet.append(["" if v is None else v for v in row])
        buffer = BytesIO()
        book.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    else:
        buffer = StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows([["" if v is None else v for v in row] for row in rows])
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{ "xlsx" if fmt == "xlsx" else "csv"}"'
    return response
