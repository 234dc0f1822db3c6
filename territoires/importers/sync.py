"""Diff-based synchronisation of reference rows, shared by the COG and contour imports.

Imports run on every `./dev.sh run`: they compare the wanted rows with what the database
holds, in memory, and write only what changed, so a second run writes nothing and is quick.
"""

from dataclasses import dataclass, field

from django.db import models

from portal.lib.dataversion import bump

BATCH_SIZE = 500


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    kept: list[str] = field(default_factory=list)

    def __add__(self, other):
        return Counts(
            self.created + other.created,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
            self.deleted + other.deleted,
            self.kept + other.kept,
        )

    @property
    def written(self) -> int:
        return self.created + self.updated + self.deleted

    def summary(self) -> str:
        text = f"{self.created} créé(e)s, {self.updated} modifié(e)s, {self.unchanged} inchangé(e)s"
        if self.deleted:
            text += f", {self.deleted} supprimé(e)s"
        if self.kept:
            text += f", {len(self.kept)} obsolète(s) conservé(e)s car référencé(e)s"
        return text


def sync_rows(model, existing: dict, wanted: dict, make_key=None) -> Counts:
    """Create the rows of `wanted` missing from `existing`, update those that differ.

    `wanted` maps a key to field values (FKs by attname, e.g. `region_id`); `existing` maps
    the same keys to model instances and receives the created ones. `make_key(key)` gives
    the constructor arguments that identify a new row (default: `{"code": key}`).
    """
    counts = Counts()
    to_create, to_update, changed_fields = [], [], set()
    for key, values in wanted.items():
        obj = existing.get(key)
        if obj is None:
            identity = make_key(key) if make_key else {"code": key}
            obj = model(**identity, **values)
            to_create.append(obj)
            existing[key] = obj
            continue
        diff = [name for name, value in values.items() if getattr(obj, name) != value]
        if diff:
            for name in diff:
                setattr(obj, name, values[name])
            changed_fields.update(diff)
            to_update.append(obj)
        else:
            counts.unchanged += 1
    if to_create:
        model.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    if to_update:
        model.objects.bulk_update(to_update, sorted(changed_fields), batch_size=BATCH_SIZE)
    counts.created, counts.updated = len(to_create), len(to_update)
    if counts.created or counts.updated:
        bump()  # bulk writes send no signal; in the import's transaction (a dry run rolls back)
    return counts


def referencing_models(model, ids, ignore=()) -> dict[int, set[str]]:
    """Which of `ids` other rows still point to, and from which models.

    Looks at every reverse relation (hidden ones too: zones point to communes through
    `related_name="+"`) except `ignore`d models and DO_NOTHING history tables, so rows
    added later by other apps (aids, structures) are protected without this code knowing them.
    """
    found: dict[int, set[str]] = {}
    if not ids:
        return found
    for rel in model._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and rel.is_relation and not rel.concrete) or rel.many_to_many:
            continue
        if rel.related_model in ignore or rel.on_delete is models.DO_NOTHING:
            continue
        fk = rel.field
        rows = rel.related_model._base_manager.filter(**{f"{fk.name}__in": ids})
        for pk in rows.order_by().values_list(fk.attname, flat=True).distinct():
            found.setdefault(pk, set()).add(rel.related_model._meta.verbose_name)
    return found
