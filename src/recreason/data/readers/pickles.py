"""Loading pickles from data releases without letting them run code.

A pickle is a small program: ``pickle.load`` imports whatever module and calls whatever function the
file names, so a crafted ``reviews.pickle`` could run any command. Research releases still ship data
as pickles (PETER's ``reviews.pickle``, XRec's ``tst.pkl``), so these loaders allow only the globals
those files need, by exact name, and refuse the file (``InputError`` naming the global) otherwise.
"""

from __future__ import annotations

import io
import pickle
from pathlib import Path

from recreason.data.readers.base import read_bytes
from recreason.data.rejects import InputError

#: Plain Python data: the opcodes for dict, list, tuple, str, int, float, bool and None need no global;
#: protocol 2 and older spell sets and bytes through these calls, which only build values.
PLAIN: frozenset[tuple[str, str]] = frozenset({
    ("builtins", "set"), ("builtins", "frozenset"), ("builtins", "bytes"), ("builtins", "bytearray"),
    ("_codecs", "encode"),
})

#: A pandas DataFrame of numbers and strings (pandas 1.x to 3.x, numpy 1.x and 2.x spellings).
DATAFRAME: frozenset[tuple[str, str]] = PLAIN | frozenset({
    ("builtins", "slice"),
    ("numpy", "dtype"), ("numpy", "ndarray"),
    ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"),
    ("numpy.core.numeric", "_frombuffer"), ("numpy._core.numeric", "_frombuffer"),
    ("pandas.core.frame", "DataFrame"),
    ("pandas.core.indexes.base", "Index"), ("pandas.core.indexes.base", "_new_Index"),
    ("pandas.core.indexes.range", "RangeIndex"), ("pandas.core.indexes.numeric", "Int64Index"),
    ("pandas.core.internals.managers", "BlockManager"), ("pandas._libs.internals", "_unpickle_block"),
    ("pandas.core.internals.blocks", "new_block"), ("pandas.core.internals.blocks", "Block"),
    ("pandas.core.internals.blocks", "ObjectBlock"), ("pandas.core.internals.blocks", "IntBlock"),
    ("pandas.core.internals.blocks", "FloatBlock"), ("pandas.core.internals.blocks", "NumpyBlock"),
    ("pandas.core.arrays.string_", "StringDtype"), ("pandas.core.arrays.string_", "StringArray"),
    # pandas 3 spells the classes at top level and stores text in Arrow arrays. _restore_array builds an
    # array from the file's buffers without validating them: a crafted file could crash the reader, which
    # is why tst.jsonl is preferred whenever it exists.
    ("pandas", "DataFrame"), ("pandas", "Index"), ("pandas", "RangeIndex"), ("pandas", "StringDtype"),
    ("pandas", "NA"), ("pandas.arrays", "ArrowStringArray"), ("pandas.arrays", "StringArray"),
    ("pandas._libs.arrays", "__pyx_unpickle_NDArrayBacked"),
    ("pyarrow.lib", "_restore_array"), ("pyarrow.lib", "py_buffer"), ("pyarrow.lib", "type_for_alias"),
})
# Numpy dtypes pickle as classes such as numpy.dtypes.Int64DType in numpy 2.
DATAFRAME |= {("numpy.dtypes", f"{k}DType") for k in ("Int64", "Int32", "Float64", "Float32", "Bool", "Object",
                                                      "Str", "UInt64", "Int8", "Int16")}


class _Restricted(pickle.Unpickler):
    def __init__(self, data: bytes, allowed: frozenset[tuple[str, str]], path: Path):
        super().__init__(io.BytesIO(data), encoding="utf-8")
        self.allowed, self.path = allowed, path

    def find_class(self, module: str, name: str):
        if (module, name) not in self.allowed:
            raise InputError(f"{self.path}: the pickle asks for {module}.{name}, which is not plain data; "
                             f"refusing to load it (pickles can run code). Convert the file to JSON Lines")
        return super().find_class(module, name)


def load(path: Path, allowed: frozenset[tuple[str, str]] = PLAIN):
    """The object in a pickle file, built from ``allowed`` globals only; ``InputError`` otherwise."""
    data = read_bytes(path)
    try:
        return _Restricted(data, allowed, path).load()
    except InputError:
        raise
    except Exception as e:  # noqa: BLE001 - truncated or corrupt pickles raise many types
        raise InputError(f"{path}: not a readable pickle ({type(e).__name__}: {e})") from None
