"""How results CSVs are spelled: the standard style, or ``excel-eu`` for continental Europe.

The standard style is the SPEC's (UTF-8, comma, dot decimal). A continental-European
spreadsheet reads ``0.968`` in a comma-separated file as 968, so ``excel-eu`` writes ``;``
between cells and a decimal comma, with a byte-order mark so Excel takes the file as UTF-8.
Results are always written in the standard style first (the sweep's chunks and summaries
read them back) and turned into ``excel-eu`` when the folder is complete; every reader
here recognises either style from the header line, so a report or a notebook reads both.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

BOM = "\ufeff"
#: a number as pandas writes it with a dot decimal: the only cells excel-eu changes
DECIMAL = re.compile(r"^[-+]?(\d+\.\d*|\.\d+)([eE][-+]?\d+)?$")
ROWS_PER_PASS = 200_000


@dataclass(frozen=True)
class CsvStyle:
    """Separator, decimal mark and whether every file starts with a byte-order mark."""

    name: str
    sep: str
    decimal: str
    bom: bool


STANDARD = CsvStyle("standard", ",", ".", False)
EXCEL_EU = CsvStyle("excel-eu", ";", ",", True)
STYLES = {style.name: style for style in (STANDARD, EXCEL_EU)}


def style_named(name: str | None) -> CsvStyle:
    return STYLES[name or STANDARD.name]


def folder_style(manifest: dict) -> str:
    """The style a results folder was written in, from its manifest's scenario."""
    scenario = manifest.get("scenario") or {}
    return str((scenario.get("output") or {}).get("csv_style") or STANDARD.name)


def sniff(path: Path) -> CsvStyle:
    """The style of a results CSV, from its header (column names hold neither , nor ;)."""
    with Path(path).open(encoding="utf-8-sig", newline="") as stream:
        header = stream.readline()
    return EXCEL_EU if ";" in header and "," not in header else STANDARD


def read_csv(path: Path, **options: Any) -> pd.DataFrame:
    """``pandas.read_csv`` with the separator and decimal mark the file was written with."""
    style = sniff(path)
    return pd.read_csv(path, sep=style.sep, decimal=style.decimal, encoding="utf-8-sig",
                       **options)


def _restyled(text: str) -> str:
    return text.replace(".", ",", 1) if DECIMAL.match(text) else text


def restyle_file(path: Path, style: CsvStyle) -> None:
    """Rewrite a standard CSV in ``style``, a block of rows at a time, replacing it whole."""
    if style == STANDARD or sniff(path) == style:
        return
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(BOM if style.bom else "")
            blocks = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                                 chunksize=ROWS_PER_PASS)
            for i, block in enumerate(blocks):
                block = block.apply(lambda column: column.map(_restyled))
                out.write(block.to_csv(index=False, header=i == 0, sep=style.sep,
                                       lineterminator="\n"))
        shutil.copymode(path, temp)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise


def restyle_folder(folder: Path, style: CsvStyle) -> None:
    """Every CSV directly in ``folder`` in ``style`` (hidden work files left alone)."""
    if style == STANDARD:
        return
    for path in sorted(Path(folder).glob("*.csv")):
        if not path.name.startswith("."):
            restyle_file(path, style)


def prepend_bom(path: Path) -> None:
    """A file that turned out to hold non-ASCII text gets a byte-order mark (for Excel)."""
    with path.open("rb") as stream:
        if stream.read(3) == BOM.encode("utf-8"):
            return
    temp = path.with_name(f".{path.name}.bom")
    with path.open("rb") as source, temp.open("wb") as target:
        target.write(BOM.encode("utf-8"))
        shutil.copyfileobj(source, target)
    shutil.copymode(path, temp)
    os.replace(temp, path)
