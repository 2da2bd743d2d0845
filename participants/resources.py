"""django-import-export resources of the participants app.

`ParticipantResource` names the exchange's columns (the portal's English column names, as in
the template) for export and for the library's admin import, but its import does not use the
library's per-row machinery: `import_data` hands the rows to `participants.importer`, the one
engine that the admin, the command line and the analyst page share, and turns its report into
an import_export `Result` (one `RowResult` per row).

Why the per-row machinery is bypassed (stack.md, measured with django-import-export 4.4.3 on a
participant-like table, 20,000 rows, PostgreSQL 15): the default import ran at 395 rows/s,
1/137 of COPY (54,000 rows/s); even with `use_bulk`, `batch_size`, `skip_diff`,
`force_init_instance` and a cached foreign-key lookup it reached 4,350 rows/s (1/12.5), short of
the 1/10 the portal needs, before any of the import rules (NIK, dates, regions, phones,
merges, pending changes, eligibility) were applied. The library's traps seen in the same run
also matter here: a second row with the same NIK silently updated the first, a failed bulk
batch was reported without its row number while the totals still counted every row as new, and
without one transaction a failure at row 15,000 left 14,000 rows written. The engine reads
rows in chunks, queries each chunk once and writes with bulk inserts in one transaction.
"""

import io

from import_export import fields, resources
from import_export.results import Error, Result, RowResult

from .columns import COLUMN_BY_CODE
from .importer import import_participants
from .models import Participant

_IMPORT_TYPES = {
    "new": RowResult.IMPORT_TYPE_NEW,
    "updated": RowResult.IMPORT_TYPE_UPDATE,
    "merged": RowResult.IMPORT_TYPE_UPDATE,
    "unchanged": RowResult.IMPORT_TYPE_SKIP,
    "skipped": RowResult.IMPORT_TYPE_SKIP,
    "rejected": RowResult.IMPORT_TYPE_ERROR,
}


def _field(code, attribute=None):
    return fields.Field(attribute=attribute or code, column_name=COLUMN_BY_CODE[code].label_en)


class ParticipantResource(resources.ModelResource):
    """The participant sheet: template and export columns; imports run the portal's engine."""

    nik = _field("nik")
    full_name = _field("full_name")
    kk_number = _field("kk_number")
    sex = _field("sex")
    birth_place = _field("birth_place")
    birth_date = _field("birth_date")
    phone = _field("phone")
    second_phone = _field("second_phone")
    email = _field("email")
    address = _field("address")
    regency = _field("regency", "regency_id")
    province = _field("province", "province_id")
    education_level = _field("education_level")
    siskop2mi_id = _field("siskop2mi_id")

    class Meta:
        model = Participant
        fields = (
            "nik",
            "full_name",
            "kk_number",
            "sex",
            "birth_place",
            "birth_date",
            "phone",
            "second_phone",
            "email",
            "address",
            "regency",
            "province",
            "education_level",
            "siskop2mi_id",
        )
        export_order = fields
        import_id_fields = ("nik",)

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        """Import `dataset` (a tablib Dataset) with the portal's engine, as kwargs["user"].
        Without `skip_invalid` in kwargs a rejected row imports nothing (all or nothing)."""
        data = io.BytesIO(dataset.export("csv").encode("utf-8"))
        report = import_participants(
            fileobj=data,
            user=kwargs["user"],
            filename=kwargs.get("file_name", "") or "admin-import.csv",
            as_of=kwargs.get("as_of"),
            dry_run=dry_run,
            skip_invalid=kwargs.get("skip_invalid", False),
        )
        self.report = report
        return self.result_from_report(report, raise_errors=raise_errors)

    @staticmethod
    def result_from_report(report, *, raise_errors=False):
        result = Result()
        result.diff_headers = [header for header, _code in report.columns]
        result.total_rows = len(report.rows)
        if report.refused is not None:
            result.append_base_error(Error(report.refused.message))
            return result
        for row in report.rows:
            row_result = RowResult()
            row_result.import_type = _IMPORT_TYPES[row.outcome]
            row_result.object_repr = row.name or row.nik
            row_result.row_values = row.values
            if row.outcome == "rejected":
                reason = "; ".join(m.text for m in row.errors)
                row_result.errors = [Error(reason, number=row.number)]
                result.append_error_row(row.number, row.values, row_result.errors)
            result.append_row_result(row_result)
            result.increment_row_result_total(row_result)
        if raise_errors and result.has_errors():
            raise ValueError(result.row_errors()[0][1][0].error)
        return result
