"""results.xlsx for spreadsheet users: one sheet per CSV and a README sheet of every column.

Numbers stay numbers, and month columns ("YYYY-MM") become real dates shown as yyyy-mm, so
a user can filter, chart and pivot without converting anything; a month column holds dates
or nothing. Yes/no columns are 1/0 as in the CSVs. Seeds (19 digits) are text: a spreadsheet
keeps 15 digits of a number, and a rounded seed is another run. Text that a spreadsheet
would run as a formula is escaped as in the CSVs. Sheets too long for a comfortable
workbook are left out and the README sheet says so (the CSV has them). Wide views (a country
per row, a deadline per column) come after the tables they pivot.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from stockpile.analysis.report.columns import describe_column
from stockpile.analysis.report.wide import MEANINGS, wide_views
from stockpile.experiment.output import escape_text, flag

DATE_FORMAT = "yyyy-mm"
ROW_LIMIT = 100_000
MONTH = re.compile(r"^\d{4}-\d{2}$")
BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
EXACT_DIGITS = 2**53  # integers beyond this lose digits as spreadsheet numbers
CONVENTIONS = [
    ("yes/no columns (met, within)", "1 = yes, 0 = no, in every sheet and CSV; blank: does "
     "not apply"),
    ("seed", "text, so that all 19 digits survive (a spreadsheet keeps 15 of a number): "
     "`stockpile run CONFIG --seed SEED` reproduces the run alone; so does `stockpile run "
     "CONFIG --seed ROOT --run N` with the sweep's root seed (manifest.json) and run number, "
     "plus the point's --set levers"),
    ("month columns (date, *_date, first_met, first_met_p*)", "dates shown yyyy-mm (the "
     "first of the month); empty: never within the horizon (see never_met_share)"),
    ("CSV files", "UTF-8 (with a byte-order mark when they hold non-ASCII text), comma and "
     "dot decimal; `--csv-style excel-eu` (output.csv_style) writes semicolons and decimal "
     "commas with a byte-order mark for continental-European spreadsheets"),
]


def is_month_column(column: str) -> bool:
    return (column in {"date", "first_met"} or column.endswith("_date")
            or column.startswith("first_met_p"))


def _month(value: object) -> object:
    """'2031-06' -> 2031-06-01; blank -> empty cell."""
    if isinstance(value, str) and MONTH.match(value):
        return pd.Timestamp(f"{value}-01").to_pydatetime()
    if value is None or value == "" or (isinstance(value, float) and pd.isna(value)):
        return None
    return value


def _too_long(values: pd.Series) -> bool:
    """An integer column a spreadsheet number would round (seeds)."""
    if not pd.api.types.is_integer_dtype(values) or pd.api.types.is_bool_dtype(values):
        return False
    return bool((values.abs() > EXACT_DIGITS).any())


def cells(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame as the workbook should hold it: months as dates, seeds as text, flags 1/0."""
    out = frame.copy()
    for column in out.columns:
        if is_month_column(column):
            out[column] = out[column].map(_month).astype(object)
        elif column == "seed" or _too_long(out[column]):
            out[column] = out[column].map(lambda v: "" if pd.isna(v) else str(int(v)))
        elif pd.api.types.is_bool_dtype(out[column]):
            out[column] = out[column].astype(int)
        elif out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(lambda v: escape_text(flag(v)))
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


def _meaning(sheet: str, column: str) -> str:
    if sheet in MEANINGS and column.isdigit():
        return MEANINGS[sheet].replace("this deadline year", column).replace(
            "this deadline", column)
    return describe_column(column)


def readme(sheets: dict[str, pd.DataFrame], skipped: dict[str, int]) -> pd.DataFrame:
    """The conventions, then one row per sheet and column: what it holds."""
    rows = [{"sheet": "(all)", "column": what, "meaning": meaning}
            for what, meaning in CONVENTIONS]
    for sheet, frame in sheets.items():
        rows.extend({"sheet": sheet, "column": str(column), "meaning": _meaning(sheet,
                                                                                  str(column))}
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
    for name, frame in {**tables, **wide_views(tables)}.items():
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
