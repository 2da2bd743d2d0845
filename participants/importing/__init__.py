"""The participant importer (issue 6): one engine for the admin, the command line and the
analyst page. See `engine` for the chunked, single-transaction import, `rows` for the rules
applied to each row and `report` for what comes back and the files made from it."""

from .engine import CHUNK_SIZE, PERMISSION, bulk_insert, import_participants
from .report import (
    OUTCOMES,
    ImportReport,
    RowMessage,
    RowReport,
    write_rejected_rows,
    write_report_csv,
    write_template,
)

__all__ = [
    "CHUNK_SIZE",
    "OUTCOMES",
    "PERMISSION",
    "ImportReport",
    "RowMessage",
    "RowReport",
    "bulk_insert",
    "import_participants",
    "write_rejected_rows",
    "write_report_csv",
    "write_template",
]
