"""Import accounts, subscriptions, contracts and FX rates from CSV or XLSX files."""

from tenure.imports.service import (
    KINDS,
    ImportFailed,
    ImportResult,
    Problem,
    import_file,
    import_rows,
    read_table,
)

__all__ = [
    "KINDS",
    "ImportFailed",
    "ImportResult",
    "Problem",
    "import_file",
    "import_rows",
    "read_table",
]
