"""Every import command, fed malformed or hostile files: a French error and nothing written.

Import commands are found automatically (project commands named `import_*` or `load_*` that
take a file argument). A command that needs options besides its file gets them in
COMMAND_OPTIONS; a new command that needs some fails here with a message saying so.
"""

import io
import re

import pytest
from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import CommandError

from tests.quality import stats
from tests.quality.hostile_files import (
    PROJECT_APPS,
    TEST_SIZE_LIMIT,
    hostile_files,
    row_counts,
    write_all,
)

pytestmark = pytest.mark.django_db

COMMAND_OPTIONS = {
    "import_contours": ["--level", "commune"],
    "import_zonage": [
        "--arrete-date=2025-12-09",
        "--source-url=https://www.iledefrance.ars.sante.fr/zonage-medecins",
        "--profession=medecin-generaliste",
        "--region=11",
    ],
}
FRENCH = re.compile(
    r"fichier|ligne|colonne|invalide|illisible|manquant|inconnu|attendu|erreur|encod|vide"
    r"|trop|aucun|introuvable|format|refusé|écrit|\bni\b|\bpas\b|n'est|[éèàùçêâîô]",
    re.IGNORECASE,
)


def file_import_commands() -> list[str]:
    names = []
    for name, app in sorted(get_commands().items()):
        if app not in PROJECT_APPS or not name.startswith(("import_", "load_")):
            continue
        parser = load_command_class(app, name).create_parser("manage.py", name)
        if any(not action.option_strings and action.dest != "args" for action in parser._actions):
            names.append(name)
    return names


def try_import(command: str, name: str, path) -> list[str]:
    before = row_counts()
    out, err = io.StringIO(), io.StringIO()
    options = COMMAND_OPTIONS.get(command, [])
    try:
        call_command(command, str(path), *options, stdout=out, stderr=err)
    except CommandError as error:
        message = str(error)
        if "the following arguments are required" in message:
            pytest.fail(f"{command} demande des options : ajoutez-les à COMMAND_OPTIONS.")
    except Exception as error:  # a crash is exactly what this test looks for
        return [f"{name} : plantage {type(error).__name__}: {error}"]
    else:
        message = out.getvalue() + err.getvalue()
    problems = []
    after = row_counts()
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    if changed:
        problems.append(f"{name} : des lignes ont été écrites {changed}")
    if not FRENCH.search(message):
        problems.append(f"{name} : pas de message d'erreur en français ({message!r})")
    return problems


def test_import_commands_are_found():
    """The discovery works: the zoning and contour imports exist since issues 2 and 3."""
    assert {"import_zonage", "import_qpv", "import_contours"} <= set(file_import_commands())


# Known gaps, reported to the owners of the import: strict, so the marker must go once fixed.
KNOWN_GAPS: dict[tuple[str, str], str] = {}
FILE_NAMES = [*hostile_files(), "absent.csv"]


def cases():
    for command in file_import_commands():
        for name in FILE_NAMES:
            gap = KNOWN_GAPS.get((command, name))
            marks = [pytest.mark.xfail(strict=True, reason=gap)] if gap else []
            yield pytest.param(command, name, marks=marks, id=f"{command}-{name}")


@pytest.mark.parametrize(("command", "name"), list(cases()))
def test_hostile_file_is_refused_in_french_and_writes_nothing(command, name, tmp_path, settings):
    settings.IMPORT_MAX_FILE_SIZE = TEST_SIZE_LIMIT
    path = write_all(tmp_path).get(name, tmp_path / name)
    stats.fuzzed["fichiers hostiles"] += 1
    problems = try_import(command, name, path)
    assert problems == [], "\n".join(problems)


def test_the_hostile_set_covers_the_cases_of_the_issue():
    names = set(hostile_files())
    assert {"encodage-utf16.csv", "enorme.csv", "formules.csv", "tronque.geojson"} <= names
