"""Sites seeded before the IATI data: the seed's DAC sectors for its health themes, its
programme's funder (the FCDO, formerly DFID), and a fixed IATI identifier for every
project already live (what ``ProjectPage.save`` gives a project when first published).
Only blank values are filled: nothing an editor set is changed."""

from django.db import migrations

THEME_SECTORS = {
    "ncds": "12310",
    "sexual-and-reproductive-health": "13020",
    "mental-health": "12340",
    "maternal-and-newborn-health": "13020",
    "surgery-and-anaesthesia": "12191",
}
REPORTING_ORG = "GB-CHC-1113101"


def fill(apps, schema_editor):
    HealthTheme = apps.get_model("partnerships", "HealthTheme")
    ProgrammePage = apps.get_model("partnerships", "ProgrammePage")
    ProjectPage = apps.get_model("partnerships", "ProjectPage")
    for slug, sector in THEME_SECTORS.items():
        HealthTheme.objects.filter(slug=slug, dac_sector="").update(dac_sector=sector)
    ProgrammePage.objects.filter(slug="health-partnership-scheme", funder_ref="").update(
        funder_ref="GB-GOV-1", thet_role="3"
    )
    ProgrammePage.objects.filter(slug="health-partnership-scheme", default_sector="").update(
        default_sector="12281"
    )
    for pk in ProjectPage.objects.filter(live=True, iati_identifier="").values_list(
        "pk", flat=True
    ):
        ProjectPage.objects.filter(pk=pk).update(iati_identifier=f"{REPORTING_ORG}-{pk}")


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0005_iati_data")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
