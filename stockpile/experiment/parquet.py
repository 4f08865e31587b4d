"""Per-run monthly data too long for a spreadsheet, kept as Parquet instead of CSV.

Excel and Calc stop at 1,048,576 rows; a CSV beyond that opens truncated, silently. A
sweep's ``timeseries.csv`` passes it at about 250 runs, so past the limit it becomes
``timeseries.parquet`` (pyarrow; ``pandas.read_parquet`` reads it), converted a block of
rows at a time so memory stays flat.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pandas as pd

SHEET_ROWS = 1_048_576  # rows of a sheet in Excel and LibreOffice Calc, header included
ROWS_PER_BLOCK = 200_000
KEYS = {"point": "int64", "run": "int64", "date": "string", "country": "string",
        "system": "string", "line": "string"}


def too_long(rows: int) -> bool:
    """More data rows than a sheet holds below its header."""
    return rows > SHEET_ROWS - 1


def csv_to_parquet(path: Path) -> Path:
    """Write PATH.parquet from the CSV (keys as written, every other column float64)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    target = path.with_suffix(".parquet")
    temp = target.with_name(f".{target.name}.partial")
    header = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns
    types = {c: KEYS.get(c, "float64") for c in header}
    writer = None
    try:
        for block in pd.read_csv(path, chunksize=ROWS_PER_BLOCK, encoding="utf-8-sig",
                                 dtype={c: "string" for c, t in types.items() if t == "string"},
                                 keep_default_na=False, na_values=[""]):
            table = pa.Table.from_pandas(block.astype(types), preserve_index=False)
            writer = writer or pq.ParquetWriter(temp, table.schema)
            writer.write_table(table)
        if writer is not None:
            writer.close()
        os.replace(temp, target)
    except BaseException:
        if writer is not None:
            writer.close()
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    path.unlink()
    return target
