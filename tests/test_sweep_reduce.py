"""A sweep worker's cheaper reductions give exactly what the run-by-run ways gave.

Run rows built for several runs at once, tallies built from stacks of runs, merged by one
sort of an integer code, chunk tallies stored in narrow dtypes and CSV text escaped column
by column are each checked against the plain construction they replace.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stockpile.api import simulate
from stockpile.experiment import assemble, worker
from stockpile.experiment.assemble import Merger
from stockpile.experiment.chunks import Chunk, compact, read_chunk
from stockpile.experiment.csvstyle import EXCEL_EU, STANDARD
from stockpile.experiment.output import csv_text, escape_text, flag
from stockpile.experiment.tables import runs_rows, runs_table
from stockpile.experiment.tally import Packed, Shelved, Tally
from stockpile.scenario import load_scenario


def _lexsorted(keys: np.ndarray, values: np.ndarray, counts: np.ndarray | None = None) -> Tally:
    """The tally as it was built before: lexsort, then one entry per distinct pair."""
    keys, values = np.asarray(keys, np.int64), np.asarray(values, np.float64)
    counts = np.ones(len(keys), np.int64) if counts is None else np.asarray(counts, np.int64)
    order = np.lexsort((values, keys))
    keys, values, counts = keys[order], values[order], counts[order]
    starts = np.flatnonzero(np.r_[True, (keys[1:] != keys[:-1]) | (values[1:] != values[:-1])])
    return Tally(keys[starts], values[starts], np.add.reduceat(counts, starts))


def _assert_same(a: Tally, b: Tally) -> None:
    for field in ("keys", "values", "counts"):
        x, y = getattr(a, field), getattr(b, field)
        assert x.dtype == y.dtype and x.tobytes() == y.tobytes(), field  # -0.0 and NaN too


VALUES = {
    "small whole": lambda rng, n: rng.integers(0, 10, n).astype(float),
    "large whole": lambda rng, n: rng.integers(-10**6, 10**6, n).astype(float),
    "fractions": lambda rng, n: rng.random(n).round(2),
    "signed zeros and infinities": lambda rng, n: rng.choice(
        [0.0, -0.0, 1.0, np.inf, -np.inf, 2.5], n),
    "nan": lambda rng, n: rng.choice([0.0, np.nan, 1.0], n),
    "huge": lambda rng, n: rng.choice([1e300, -1e300, 3.0, -0.0], n),
}


@pytest.mark.parametrize("kind", list(VALUES))
def test_tally_of_sorts_as_lexsort_did(kind: str) -> None:
    rng = np.random.default_rng(7)
    for n in (1, 2, 50, 3000):
        keys = rng.integers(-5, 60, n)
        values = VALUES[kind](rng, n)
        _assert_same(Tally.of(keys, values), _lexsorted(keys, values))
        counts = rng.integers(1, 5, n)
        _assert_same(Tally.of(keys, values, counts), _lexsorted(keys, values, counts))


@pytest.mark.parametrize("kind", list(VALUES))
@pytest.mark.parametrize("unique_keys", [True, False])
def test_a_stack_of_runs_tallies_as_its_observations_do(kind: str, unique_keys: bool) -> None:
    rng = np.random.default_rng(11)
    for rows, runs in ((1, 1), (7, 3), (400, 12)):
        keys = rng.permutation(3 * rows)[:rows] if unique_keys else rng.integers(0, rows, rows)
        stack = VALUES[kind](rng, rows * runs).reshape(rows, runs)
        _assert_same(Tally.stacked(keys, stack), _lexsorted(np.tile(keys, runs), stack.T.ravel()))


def test_merging_chunk_tallies_in_any_grouping_gives_one_tally() -> None:
    rng = np.random.default_rng(3)
    parts = [Tally.of(rng.integers(0, 2000, 5000), rng.integers(0, 40, 5000).astype(float))
             for _ in range(12)]
    merger = Merger()
    for part in parts:
        merger.add({"t": part})
    expected = _lexsorted(np.concatenate([p.keys for p in parts]),
                          np.concatenate([p.values for p in parts]),
                          np.concatenate([p.counts for p in parts]))
    _assert_same(merger.get("t"), expected)
    _assert_same(Tally.merged(parts[::-1]), expected)


@pytest.mark.parametrize("shelved", [False, True])
def test_a_merger_in_tiny_blocks_holds_the_one_merged_tally(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, shelved: bool) -> None:
    """Blocks of a few entries, merged after every chunk (held in memory or in a scratch
    file): in key order, the blocks are the whole merged tally, and no block boundary
    splits a row's aligned keys."""
    monkeypatch.setattr(assemble, "MERGE_PARTS", 1)
    monkeypatch.setattr(assemble, "MERGE_ENTRIES", 30)
    rng = np.random.default_rng(13)
    parts = [Tally.of(rng.integers(0, 400, 300), rng.integers(0, 6, 300).astype(float))
             for _ in range(9)]
    expected = _lexsorted(np.concatenate([p.keys for p in parts]),
                          np.concatenate([p.values for p in parts]),
                          np.concatenate([p.counts for p in parts]))
    merger = assemble.Merger(block=7, scratch=tmp_path if shelved else None)
    for part in parts:
        merger.add({"lines": part, "other": part})
    assert len(merger.held["lines"]) > 10 and not merger.parts.get("lines")
    assert all(isinstance(b, Shelved if shelved else Packed) for b in merger.held["lines"])
    assert not list(tmp_path.iterdir())  # scratch files have no name
    for name in ("lines", "other"):
        blocks = [b for b in merger.blocks(name) if len(b)]
        _assert_same(Tally.merged(blocks), expected)
        firsts = np.array([b.keys[0] for b in blocks[1:]])
        lasts = np.array([b.keys[-1] for b in blocks[:-1]])
        assert (firsts > lasts).all()
        if name == "lines":  # a row's keys in one block
            n = len(worker.LINE_FIELDS)
            assert (firsts // n > lasts // n).all()
    assert not merger.held and not merger.parts and not merger.files


@pytest.mark.parametrize("kind", list(VALUES))
def test_a_packed_tally_unpacks_to_the_same_bytes(kind: str) -> None:
    rng = np.random.default_rng(17)
    tally = Tally.of(rng.integers(-5, 60, 500), VALUES[kind](rng, 500), rng.integers(1, 999, 500))
    packed = Packed.of(tally)
    assert (packed.table is not None) == (kind == "fractions")  # few distinct fractions
    _assert_same(packed.tally(), tally)
    _assert_same(Packed.of(Tally.empty()).tally(), Tally.empty())
    for low, high in ((None, 10), (10, 30), (30, None), (-100, -50), (70, None), (12, 12)):
        _assert_same(packed.between(low, high), tally.between(low, high))


def test_chunk_tallies_come_back_from_narrow_dtypes_unchanged(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    tallies = {"whole": Tally.of(rng.integers(0, 10**6, 5000), rng.integers(0, 9, 5000) * 1.0),
               "fractions": Tally.of(rng.integers(-5, 5, 50), rng.random(50)),
               "signed zero": Tally.of([7, 8], [-0.0, 0.0]), "empty": Tally.empty()}
    chunk = Chunk(1, 2, 3, 3, np.array([1, 2]), {"runs": "1,2\n"}, tallies)
    path = tmp_path / chunk.name
    path.write_bytes(chunk.to_bytes())
    back = read_chunk(path)
    assert back.texts == {"runs": "1,2\n"} and list(back.met) == [1, 2]
    for name, tally in tallies.items():
        _assert_same(back.tallies[name], tally)
    # a chunk written before keys were steps and dtypes narrow
    arrays = {"meta": np.array([1, 2, 3, 3]), "met": np.array([1, 2])}
    for name, tally in tallies.items():
        arrays.update({f"tally.{name}.keys": tally.keys, f"tally.{name}.values": tally.values,
                       f"tally.{name}.counts": tally.counts})
    np.savez_compressed(tmp_path / "old.npz", **arrays)
    for name, tally in tallies.items():
        _assert_same(read_chunk(tmp_path / "old.npz").tallies[name], tally)


@pytest.mark.parametrize("array", [
    np.array([0.0, 1.0, 255.0]), np.array([-1.0, 3e9]), np.array([0.5]), np.array([-0.0, 1.0]),
    np.array([np.nan]), np.array([np.inf, 1.0]), np.array([1, 2**40]), np.array([-129, 5]),
    np.array([], np.int64), np.array([2.0**31 - 1, -(2.0**31)])])
def test_compact_is_lossless(array: np.ndarray) -> None:
    assert compact(array).astype(array.dtype).tobytes() == array.tobytes()


def _csv_cell_by_cell(frame: pd.DataFrame, style=STANDARD) -> str:
    """csv_text as it was: every text cell through escape_text."""
    safe = frame.copy()
    for column in safe.columns:
        if pd.api.types.is_bool_dtype(safe[column]):
            safe[column] = safe[column].astype(np.int8)
        elif safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(lambda v: escape_text(flag(v)))
    return safe.to_csv(index=False, lineterminator="\n", sep=style.sep, decimal=style.decimal)


def test_csv_text_escapes_column_by_column_as_cell_by_cell() -> None:
    texts = ["=a", "+b", "-c", "@d", "\te", "\rf", "g", None, "'h", "", "x=1", 'q"u,o', "é=",
             "-1.5", np.nan]
    frame = pd.DataFrame({
        "str": pd.Series(texts, dtype="str"), "object": pd.Series(texts, dtype=object),
        "mixed": pd.Series([True, "=x", 1.5, None, False, "y", 3, np.nan, "a;b", "", "z", "w",
                            "v", "u", "t"], dtype=object),
        "float": np.linspace(-1, 1, 15), "bool": [True, False] * 7 + [True],
        "category": pd.Categorical(["=a", "b"] * 7 + ["c"]), "int": np.arange(15)})
    for style in (STANDARD, EXCEL_EU):
        assert csv_text(frame, style) == _csv_cell_by_cell(frame, style)
        assert csv_text(frame, style, header=False) == _csv_cell_by_cell(frame, style).split(
            "\n", 1)[1]
        assert csv_text(frame.iloc[:0], style) == _csv_cell_by_cell(frame.iloc[:0], style)
    before = frame.copy()
    csv_text(frame)
    pd.testing.assert_frame_equal(frame, before)


@pytest.fixture
def outputs(tiny_scenario: Path) -> list[tuple[int, object]]:
    scenario = load_scenario(tiny_scenario)
    return [(run, simulate(scenario, seed=100 + run)) for run in (3, 4, 5)]


def _with_sampled(output: object, sampled: dict) -> object:
    output = copy.copy(output)
    output.sampled = sampled
    return output


@pytest.mark.parametrize("inputs", [None, {}, {"procurement.mode": "joint", "a.b": 0.25}])
def test_run_rows_of_several_runs_are_their_run_tables_concatenated(outputs, inputs) -> None:
    sampled = [{"z.share": 0.1 * r, "b.count": 3.0, "c.int": r} for r, _ in outputs]
    for runs in (outputs, [(r, _with_sampled(o, s)) for (r, o), s in zip(outputs, sampled,
                                                                          strict=True)]):
        expected = pd.concat([runs_table(o, 2, r, inputs) for r, o in runs], ignore_index=True)
        pd.testing.assert_frame_equal(runs_rows(runs, 2, inputs), expected)
        assert csv_text(runs_rows(runs, 2, inputs)) == csv_text(expected)


def test_run_rows_whose_inputs_differ_take_the_run_by_run_way(outputs) -> None:
    runs = [(r, _with_sampled(o, s)) for (r, o), s in zip(
        outputs, [{"x": 1.0}, {"x": 2}, {"y": 0.5}], strict=True)]
    expected = pd.concat([runs_table(o, 0, r) for r, o in runs], ignore_index=True)
    pd.testing.assert_frame_equal(runs_rows(runs, 0), expected)
    pd.testing.assert_frame_equal(runs_rows(runs[:2], 0),
                                  pd.concat([runs_table(o, 0, r) for r, o in runs[:2]],
                                            ignore_index=True))


def _tallies_run_by_run(catalogue: worker.Catalogue, outputs: list) -> dict[str, Tally]:
    """The tallies as they were built: every observation of the concatenated tables."""
    frames = {name: pd.concat([getattr(o, table) for o in outputs], ignore_index=True)
              for name, (table, *_) in worker.TALLIED.items()}
    stock = frames["stocks"]
    base = ((catalogue.codes(stock.date, "months") * len(catalogue.countries)
             + catalogue.codes(stock.country, "countries")) * len(catalogue.systems)
            + catalogue.codes(stock.system, "systems"))
    n = len(worker.STOCK_QUANTITIES)
    ratio = frames["ratio"].ratio.to_numpy(np.float64)
    keep = np.isfinite(ratio)
    binding = frames["binding"]
    lines = frames["lines"]
    line_base = (catalogue.codes(lines.date, "months") * len(catalogue.lines)
                 + catalogue.codes(lines.line, "lines"))
    limited = lines.limited_by.map(worker.LIMITS).fillna(0).to_numpy(np.float64)
    m = len(worker.LINE_FIELDS)
    return {
        "stocks": _lexsorted(np.concatenate([base * n + i for i in range(n)]), np.concatenate(
            [stock[q].to_numpy(np.float64) for q in worker.STOCK_QUANTITIES])),
        "ratio": _lexsorted(catalogue.codes(frames["ratio"].date[keep], "months"),
                            np.round(ratio[keep] / worker.RATIO_BIN)),
        "binding": _lexsorted(catalogue.codes(binding.date, "months") * len(catalogue.countries)
                              + catalogue.codes(binding.country, "countries"),
                              pd.Categorical(binding.binding, categories=worker.BINDINGS).codes),
        "lines": _lexsorted(np.concatenate([line_base * m + i for i in range(m)]),
                            np.concatenate([lines[f].to_numpy(np.float64)
                                            for f in worker.LINE_FIELDS[:-1]] + [limited])),
    }


def test_stacked_tallies_equal_the_run_by_run_ones(tiny_scenario: Path, outputs) -> None:
    catalogue = worker.Catalogue.of(load_scenario(tiny_scenario))
    runs = [o for _, o in outputs]
    expected = _tallies_run_by_run(catalogue, runs)
    found = worker.tallies(catalogue, runs)
    assert set(found) == set(expected)
    for name in expected:
        _assert_same(found[name], expected[name])
    # a run whose rows are in another order is tallied beside the stack, to the same counts
    shuffled = copy.copy(runs[1])
    shuffled.timeseries = runs[1].timeseries.iloc[::-1].reset_index(drop=True)
    shuffled.production = runs[1].production.sample(frac=1, random_state=1)
    mixed = worker.tallies(catalogue, [runs[0], shuffled, runs[2]])
    for name in expected:
        _assert_same(mixed[name], expected[name])


def test_catalogue_codes_are_positions_and_unknown_names_are_errors(tiny_scenario) -> None:
    catalogue = worker.Catalogue.of(load_scenario(tiny_scenario))
    months = pd.Series([catalogue.months[2], catalogue.months[0], catalogue.months[2]])
    assert catalogue.codes(months, "months").tolist() == [2, 0, 2]
    with pytest.raises(ValueError, match="months not in the scenario: 1999-01"):
        catalogue.codes(pd.Series(["1999-01", catalogue.months[0]]), "months")


def _runs_frame(inputs: dict[str, list]) -> pd.DataFrame:
    runs = [0, 0, 1, 1, 1, 4]
    frame = pd.DataFrame({"point": 0, "run": runs, "seed": [9, 9, 8, 8, 8, 7],
                          "deadline": [1, 2, 1, 2, 3, 1], "first_met": ["2030-01", None, "=x",
                                                                         "a,b", "", "2031-05"]})
    for name, per_run in inputs.items():
        values = dict(zip((0, 1, 4), per_run, strict=True))
        frame[name] = pd.Series([values[r] for r in runs],
                                dtype="str" if isinstance(per_run[0], str) else None)
    return frame


@pytest.mark.parametrize("inputs", [
    {},
    {"a": [0.1, 0.2, 1e-05]},  # one column: a lone empty cell would be written ""
    {"a": [0.1, np.nan, 3.0], "b": [np.nan, np.nan, np.nan]},
    {"a": [0.1, 1e16, 2.5], "mode": ["joint", "=national", 'say "x", y'], "n": [1, 2, 3]},
    {"a": [0.5, 0.25, 0.125], "text": ["line\nbreak", "b", "c"]},
    {"a": [0.5, 0.25, 0.125], "flag": [True, False, True]},
])
def test_runs_body_writes_a_runs_inputs_once_as_every_row_would(inputs: dict) -> None:
    frame = _runs_frame(inputs)
    assert worker.runs_body(frame, 5) == csv_text(frame, header=False)


def test_heap_frozen_only_for_the_block_and_never_undoes_someone_elses_freeze() -> None:
    import gc

    assert gc.get_freeze_count() == 0
    with worker.heap_frozen():
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with worker.heap_frozen():
            pass
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
