"""Tables for ``st.dataframe``, handed over as Arrow tables.

Given a list of rows or a pandas frame, ``st.dataframe`` builds a pandas frame and converts
it to Arrow on every rerun: about 1 ms for a 12-row table, a sixth of some pages' rerun. An
Arrow table built straight from the rows (:func:`arrow`) costs a tenth of that, and Streamlit
sends it as it is. ``bench/RESULTS-load.md`` has the measured effect.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa


def arrow(data: Any) -> Any:
    """``data`` (a sequence of row mappings, a column mapping or a pandas frame) as a
    ``pyarrow.Table``; anything else, or columns Arrow cannot type (a column mixing text and
    numbers), is returned unchanged for Streamlit's own conversion."""
    try:
        if isinstance(data, pa.Table):
            return data
        if isinstance(data, Mapping):
            return pa.table(dict(data))
        if isinstance(data, Sequence) and data and all(isinstance(row, Mapping) for row in data):
            return pa.Table.from_pylist([dict(row) for row in data])
        if type(data).__name__ == "DataFrame" and hasattr(data, "to_dict"):
            return pa.Table.from_pandas(data, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        return data
    return data
