"""Step 1's offices table (aligned text) and step 7's export file names."""

from __future__ import annotations

import orjson
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from app.steps.sources import aligned

# Office names and counts without spaces (spaces only pad), in Latin, CJK (two cells) and emoji.
CELL = st.text(alphabet=st.sampled_from("abcXYZ★0129東京大阪😀"), min_size=1, max_size=12)
COLUMNS = (("Office", False), ("Ctry", False), ("Voice", True), ("Pool", True))


@given(st.lists(st.tuples(CELL, CELL, CELL, CELL), min_size=1, max_size=6))
def test_offices_table_columns_line_up_in_terminal_cells(rows):
    lines = aligned(COLUMNS, rows).plain.split("\n")
    assert len(lines) == len(rows) + 1
    edges: dict[int, set[int]] = {}
    for line, cells in zip(lines, [tuple(h for h, _ in COLUMNS), *rows], strict=True):
        at = 0
        for i, (cell, (_, right)) in enumerate(zip(cells, COLUMNS, strict=True)):
            found = line.index(cell, at)
            start, at = cell_len(line[:found]), found + len(cell)
            # Left-aligned columns share where they start, right-aligned ones where they end.
            edges.setdefault(i, set()).add(start + cell_len(cell) if right else start)
    assert all(len(seen) == 1 for seen in edges.values()), edges


async def test_export_names_the_file_for_the_format_it_holds(make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await pilot.pause()
        await app.export_preview("json")  # the palette's "Export as JSON"; the box still says .csv
        await pilot.pause()
        assert not (tmp_path / "scim-preview.csv").exists()
        doc = orjson.loads((tmp_path / "scim-preview.json").read_bytes())
        assert len(doc["users"]) == len(app.preview.rows)
        assert app.query_one("#format-json").value and app.query_one("#export-path").value == "scim-preview.json"
        app.query_one("#export-path").value = "report.v2"  # an unknown suffix is kept, not replaced
        await app.export_preview("markdown")
        await pilot.pause()
        assert (tmp_path / "report.v2.md").read_text().startswith("#")
