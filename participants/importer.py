"""The participant importer's public face: `from participants.importer import ...`.

The code lives in the `participants.importing` package (engine, row rules, report); this module
keeps the import path that the command, the task, the analyst page and the admin resource use.
"""

from .importing import (  # noqa: F401
    CHUNK_SIZE,
    OUTCOMES,
    PERMISSION,
    ImportReport,
    RowMessage,
    RowReport,
    import_participants,
    write_rejected_rows,
    write_report_csv,
    write_template,
)
from .sheets import SheetError  # noqa: F401
