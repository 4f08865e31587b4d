"""results.xlsx for spreadsheet users: one sheet per CSV and a README sheet of every column.

Numbers stay numbers, and month columns ("YYYY-MM") become real dates shown as yyyy-mm, so
a user can filter, chart and pivot without converting anything. Text that a spreadsheet
would run as a formula is escaped as in the CSVs. Sheets too long for a comfortable
workbook are left out and the README sheet says so (the CSV has them).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from stockpile.analysis.columns import describe_column
from stockpile.experiment.output import escape_text

DATE_FORMAT = "yyyy-mm"
ROW_LIMIT = 100_000
MONTH = re.compile(r"^\d{4}-\d{2}$")
BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def is_month_column(column: str) -> bool:
    return (column in {"date", "first_met"} or column.endswith("_date")
            or column.startswith("first_met_p"))


def _month(value: object) -> object:
    """'2031-06' -> 2031-06-01; 'never' stays text; blank -> empty cell."""
    if isinstance(value, str) and MONTH.match(value):
        return pd.Timestamp(f"{value}-01").to_pydatetime()
    if value is None or value == "" or (isinstance(value, float) and pd.isna(value)):
        return None
    return value


def cells(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame as the workbook should hold it: months as dates, formulas escaped."""
    out = frame.copy()
    for column in out.columns:
        if is_month_column(column):
            out[column] = out[column].map(_month).astype(object)
        elif out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(escape_text)
    return out


def sheet_name(name: str, used: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique (case-insensitive)."""
    base = BAD_SHEET_CHARS.sub("_", name)[:31] or "sheet"
    candidate, n = base, 2
    while candidate.lower() in used:
        suffix = f"~{n}"
        candidate, n = base[:31 - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate


def readme(sheets: dict[str, pd.DataFrame], skipped: dict[str, int]) -> pd.DataFrame:
    """One row per sheet and column: what it holds."""
    rows = []
    for sheet, frame in sheets.items():
        rows.extend({"sheet": sheet, "column": column, "meaning": describe_column(column)}
                    for column in frame.columns)
    for sheet, count in skipped.items():
        rows.append({"sheet": sheet, "column": "",
                     "meaning": f"not in the workbook: {count:,} rows (open the CSV)"})
    return pd.DataFrame(rows, columns=["sheet", "column", "meaning"])


def write_workbook(tables: dict[str, pd.DataFrame], path: Path) -> dict[str, str]:
    """Write the workbook; return table name -> sheet name (tables left out are absent).

    openpyxl's write-only mode streams rows: several times faster than pandas' writer.
    """
    from openpyxl import Workbook

    used = {"readme"}
    sheets, names, skipped = {}, {}, {}
    for name, frame in tables.items():
        if len(frame) > ROW_LIMIT:
            skipped[name] = len(frame)
            continue
        names[name] = sheet_name(name, used)
        sheets[names[name]] = frame
    book = Workbook(write_only=True)
    _write_sheet(book, "README", readme(sheets, skipped), widths=[24, 28, 100])
    for sheet, frame in sheets.items():
        _write_sheet(book, sheet, frame)
    book.save(path)
    return names


def _write_sheet(book, title: str, frame: pd.DataFrame,
                 widths: list[float] | None = None) -> None:
    """Header in bold and frozen, month columns as dates formatted yyyy-mm, NaN as blank."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws = book.create_sheet(title)
    ws.freeze_panes = "A2"
    for i, column in enumerate(frame.columns, 1):
        width = widths[i - 1] if widths else min(max(10, len(str(column)) + 2), 40)
        ws.column_dimensions[get_column_letter(i)].width = width
    bold = Font(bold=True)
    header = []
    for column in frame.columns:
        cell = WriteOnlyCell(ws, value=str(column))
        cell.font = bold
        header.append(cell)
    ws.append(header)
    data = cells(frame).astype(object)
    data = data.where(data.notna(), None)
    months = [is_month_column(c) for c in frame.columns]
    for row in data.itertuples(index=False, name=None):
        ws.append([_date_cell(ws, v) if month and v is not None and not isinstance(v, str)
                   else v for v, month in zip(row, months, strict=True)])


def _date_cell(ws, value: object):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=value)
    cell.number_format = DATE_FORMAT
    return cell
