"""The structures and professionals import run by the background worker
(portal.lib.background_import, which claims the job and holds the transaction).

The same resource and admin hooks as the in-request import (structures.admin.imports), with
the agent who uploaded the file as the user: their scope applies and the history names them.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib import admin
from django.db import InterfaceError, OperationalError
from import_export.signals import post_import

from portal.lib.background_import import Refused, model_of, register


def import_rows(job, on_row) -> str:
    model = model_of(job)
    model_admin = admin.site._registry[model]
    user = job.agent
    request = SimpleNamespace(user=user)  # what the admin's import hooks read
    formats = model_admin.get_import_formats()
    input_format = formats[job.parametres["format"]](encoding=model_admin.from_encoding)
    data = bytes(job.contenu)
    if not input_format.is_binary():
        data = data.decode("utf-8-sig")
    dataset = input_format.create_dataset(data)
    resource = model_admin.get_import_resource_classes(request)[0](user=user)
    resource.on_row = on_row
    result = resource.import_data(
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
        retain_instance_in_row_result=True,
        file_name=job.nom_fichier,
        user=user,
    )
    for _, errors in result.row_errors():
        for error in errors:
            if isinstance(error.error, (OperationalError, InterfaceError)):
                raise error.error  # the database went away: not the file's fault
    if result.has_errors() or result.has_validation_errors():
        raise Refused(row_errors(result))
    model_admin.generate_log_entries(result, request)
    post_import.send(sender=None, model=model)
    totals = result.totals
    return (
        f"Import terminé : {totals['new']} nouveau(x), {totals['update']} modifié(s), "
        f"{totals['skip']} inchangé(s)."
    )


def row_errors(result) -> list[dict]:
    """[{"ligne", "message"}] of every row at fault, in file order."""
    found = {}
    for row in result.invalid_rows:
        messages = [str(m) for msgs in row.field_specific_errors.values() for m in msgs]
        messages += [str(m) for m in row.non_field_specific_errors]
        found[row.number] = " ; ".join(messages)
    for number, errors in result.row_errors():
        found[number] = " ; ".join(str(e.error) for e in errors)
    return [{"ligne": n, "message": found[n]} for n in sorted(found)]


def register_runners() -> None:
    from structures.models import ProfessionnelSoutenu, Structure

    for model in (Structure, ProfessionnelSoutenu):
        register(model, import_rows)
