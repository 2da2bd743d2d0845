"""Reference data that exists in every database: the programmes and the MoU's scope items."""

from django.db import migrations

SCOPE_ITEMS = [
    ("social-welfare-troubled-workers", "Kesejahteraan sosial PMI bermasalah", False),
    ("tppo-victim-empowerment", "Pemberdayaan korban TPPO", False),
    ("bansos-troubled-workers", "Bantuan sosial bagi PMI bermasalah", False),
    ("kelas-migran-sekolah-rakyat", "Kelas Migran di Sekolah Rakyat", False),
    ("staff-capacity-building", "Peningkatan kapasitas SDM", False),
    ("safe-migration-outreach", "Sosialisasi migrasi aman dan prosedural", False),
    ("data-information-exchange", "Pertukaran data dan informasi", True),
]

PROGRAMMES = [
    {
        "code": "kesempatan-kedua",
        "name": "Kesempatan Kedua",
        "description": "Pelatihan las, bahasa asing dan pembinaan mental bagi mantan warga "
        "binaan pemasyarakatan untuk bekerja di luar negeri (KemenP2MI, PT Panca Boga Sekawan, "
        "BP3MI Bali).",
        "eligible_categories": ["former_prisoner"],
        "min_age": 18,
        "max_age": 45,
        "aliases": ["Kesempatan Kedua", "Second Chance", "KK", "Program Kesempatan Kedua"],
    },
    {
        "code": "kelas-migran-sr",
        "name": "Kelas Migran Sekolah Rakyat",
        "description": "Pendidikan vokasi, bahasa dan kurikulum migran terpadu di Sekolah Rakyat "
        "(MoU Kemensos-KemenP2MI).",
        "eligible_categories": ["sr_student"],
        "min_age": 12,
        "max_age": 21,
        "min_decile": 1,
        "max_decile": 3,
        "aliases": ["Kelas Migran SR", "Kelas Migran", "Kelas Migran Sekolah Rakyat", "SR"],
    },
    {
        "code": "reintegrasi-pmi",
        "name": "Reintegrasi PMI",
        "description": "Reintegrasi, rehabilitasi dan pemberdayaan purna pekerja migran.",
        "eligible_categories": ["returning_worker"],
        "aliases": ["Reintegrasi PMI", "Reintegrasi", "Purna PMI", "Pemberdayaan Purna PMI"],
    },
]


def create(apps, schema_editor):
    ScopeItem = apps.get_model("partners", "ScopeItem")
    Programme = apps.get_model("partners", "Programme")
    for code, name, exchange in SCOPE_ITEMS:
        ScopeItem.objects.update_or_create(
            code=code, defaults={"name": name, "covers_data_exchange": exchange}
        )
    for spec in PROGRAMMES:
        spec = dict(spec)
        Programme.objects.update_or_create(code=spec.pop("code"), defaults=spec)


class Migration(migrations.Migration):
    dependencies = [("partners", "0002_agreements_programmes")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
