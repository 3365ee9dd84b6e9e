"""pages.ui.tables.arrow: rows and frames become Arrow tables with the same contents that
Streamlit's own pandas conversion gives; what Arrow cannot type is left to Streamlit."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
from streamlit import dataframe_util

from pages.ui.tables import arrow

ROWS = [{"Layer": f"conv{i}", "Params": 1234 * i, "Ratio": i / 3, "RF": None if i == 2 else "5×5"}
        for i in range(5)]


def _as_streamlit_sends(data) -> pd.DataFrame:  # noqa: ANN001
    """What the browser receives, read back: Streamlit's own conversion of ``data`` to Arrow bytes."""
    if isinstance(data, pa.Table):
        raw = dataframe_util.convert_arrow_table_to_arrow_bytes(data)
    else:
        raw = dataframe_util.convert_pandas_df_to_arrow_bytes(dataframe_util.convert_anything_to_pandas_df(data))
    return dataframe_util.convert_arrow_bytes_to_pandas_df(raw)


def test_rows_give_the_same_table_as_streamlits_conversion() -> None:
    table = arrow(ROWS)
    assert isinstance(table, pa.Table) and table.num_rows == 5
    pd.testing.assert_frame_equal(_as_streamlit_sends(table), _as_streamlit_sends(ROWS), check_dtype=False)


def test_a_frame_and_a_column_mapping_too() -> None:
    frame = pd.DataFrame(ROWS)
    pd.testing.assert_frame_equal(_as_streamlit_sends(arrow(frame)), _as_streamlit_sends(frame), check_dtype=False)
    columns = {"a": [1, 2, 3], "b": ["x", "y", "z"]}
    assert arrow(columns).column_names == ["a", "b"]
    assert arrow(columns).column("a").to_pylist() == [1, 2, 3]


def test_what_arrow_cannot_type_is_left_to_streamlit() -> None:
    mixed = [{"value": 1}, {"value": "one"}]
    assert arrow(mixed) is mixed
    styled = pd.DataFrame(ROWS).style
    assert arrow(styled) is styled
    assert arrow([]) == []
