"""Import of an ARS annex (or any commune list with categories) as one zoning act.

Used by `manage.py import_zonage` and by the admin's upload → preview → confirm view.
Every problem is reported with its line number, in French; a file with any error writes
nothing. Categories come from the file: known labels ("ZIP", "Zone très sous-dotée"…) get
their stable code, order and eligibility; the order can be imposed with `ordre_categories`.
"""

from dataclasses import dataclass, field

from territoires.models import ClasseEligibilite, Commune, CommuneAlias, Profession, ZonageKind
from territoires.zonages.categories import find_known, slug_for
from territoires.zonages.importers.annexe import AnnexError, read_annex, split_code
from territoires.zonages.importers.sync import (
    ActeSpec,
    Plan,
    WantedCategory,
    WantedZone,
    apply_plan,
    build_plan,
)

MAX_ERRORS = 100


@dataclass
class ImportResult:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    plan: Plan | None = None
    zonage: object = None
    dry_run: bool = True

    @property
    def ok(self) -> bool:
        return not self.errors

    def error_lines(self) -> list[str]:
        if len(self.errors) <= MAX_ERRORS:
            return self.errors
        hidden = len(self.errors) - MAX_ERRORS
        return [*self.errors[:MAX_ERRORS], f"… et {hidden} autre(s) erreur(s)."]


def check_spec(spec: ActeSpec) -> list[str]:
    errors = []
    if spec.kind not in ZonageKind.values:
        errors.append(f"Nature de zonage inconnue : « {spec.kind} ».")
    if spec.kind == ZonageKind.ARS and spec.profession not in Profession.values:
        choices = ", ".join(Profession.values)
        errors.append(f"Profession inconnue : « {spec.profession} » (valeurs : {choices}).")
    if spec.valide_au and spec.valide_au < spec.valide_du:
        errors.append("La fin de validité précède le début de validité.")
    if not spec.titre.strip():
        errors.append("Le titre de l'acte est obligatoire.")
    return errors


def parse_eligibilites(values: list[str]) -> tuple[dict[str, list[str]], list[str]]:
    """ "zip=aides-conventionnelles+aides-collectivites" options → {code: classes}."""
    result, errors = {}, []
    for value in values or []:
        code, sep, classes = value.partition("=")
        wanted = [c.strip() for c in classes.split("+") if c.strip()]
        unknown = [c for c in wanted if c not in ClasseEligibilite.values]
        if not sep or unknown:
            errors.append(
                f"Éligibilité mal écrite : « {value} » (forme code=classe+classe, classes : "
                f"{', '.join(ClasseEligibilite.values)})."
            )
            continue
        result[code.strip()] = [c for c in wanted if c != ClasseEligibilite.AUCUNE]
    return result, errors


def _resolve_communes(codes, warnings):
    """{code as written: (commune id, commune code, nom, region id)}, current or former codes."""
    found = {
        code: (pk, code, nom, region_id)
        for pk, code, nom, region_id in Commune.objects.filter(code__in=codes).values_list(
            "id", "code", "nom", "region_id"
        )
    }
    missing = set(codes) - set(found)
    if missing:
        aliases = CommuneAlias.objects.filter(
            code__in=missing, kind=CommuneAlias.Kind.ANCIEN_CODE
        ).values_list("code", "commune_id", "commune__code", "commune__nom", "commune__region_id")
        for old, pk, code, nom, region_id in aliases:
            found.setdefault(old, (pk, code, nom, region_id))
            warnings.append(f"Code {old} : ancien code, rattaché à {nom} ({code}).")
    return found


def _categories(lines, spec, ordre_categories, eligibilites, errors):
    """{label as written: WantedCategory}, in the order the act declares them."""
    declared = [label.strip() for label in ordre_categories or [] if label.strip()]
    labels = list(dict.fromkeys(line.categorie for line in lines if line.categorie))
    by_label = {}
    for label in labels:
        known = find_known(label, spec.kind, spec.profession)
        if known:
            by_label[label] = WantedCategory(
                known.code, known.libelle, known.ordre, list(known.eligibilites), known.a_verifier
            )
        else:
            position = 100 + labels.index(label)
            by_label[label] = WantedCategory(slug_for(label), label, position, None)
    if declared:
        order = {}
        for position, label in enumerate(declared, start=1):
            for written, category in by_label.items():
                if written == label or category.code == label or category.libelle == label:
                    order[written] = position
        for line in lines:
            if line.categorie and line.categorie not in order:
                errors.append(
                    f"Ligne {line.line} : catégorie « {line.categorie} » absente de la liste "
                    "ordonnée des catégories de l'acte."
                )
        for written, category in by_label.items():
            category.ordre = order.get(written, category.ordre)
    for category in by_label.values():
        if category.code in eligibilites:
            category.eligibilites = eligibilites[category.code]
        elif category.eligibilites is None:
            category.eligibilites = []
    return by_label


def plan_annex(
    content: bytes,
    filename: str,
    spec: ActeSpec,
    ordre_categories=None,
    eligibilites=None,
    default_categorie="",
) -> ImportResult:
    """Read, check and compare with the database. Writes nothing."""
    result = ImportResult()
    result.errors += check_spec(spec)
    try:
        lines = read_annex(content, filename, default_categorie)
    except AnnexError as exc:
        result.errors.append(str(exc))
        return result
    categories = _categories(lines, spec, ordre_categories, eligibilites or {}, result.errors)
    parts = {line.line: split_code(line.code) for line in lines}
    communes = _resolve_communes({p[0] for p in parts.values() if p}, result.warnings)
    zones, seen = {}, {}
    for line in lines:
        part = parts[line.line]
        if not line.code:
            result.errors.append(f"Ligne {line.line} : code de commune manquant.")
            continue
        if part is None:
            result.errors.append(
                f"Ligne {line.line} : code « {line.code} » invalide (code INSEE à 5 caractères "
                "ou code IRIS à 9 caractères attendu)."
            )
            continue
        if not line.categorie:
            result.errors.append(f"Ligne {line.line} : catégorie manquante pour {line.code}.")
            continue
        commune = communes.get(part[0])
        if commune is None:
            result.errors.append(
                f"Ligne {line.line} : commune « {part[0]} » inconnue du référentiel."
            )
            continue
        if spec.region is not None and commune[3] != spec.region.pk:
            result.errors.append(
                f"Ligne {line.line} : {commune[2]} ({commune[1]}) n'est pas en région "
                f"{spec.region.nom}."
            )
            continue
        territory = (commune[0], part[1])
        category = categories[line.categorie]
        previous = seen.get(territory)
        if previous is not None:
            if previous[1] != category.code:
                result.errors.append(
                    f"Ligne {line.line} : {line.code} est déjà classé « {previous[2]} » "
                    f"ligne {previous[0]}."
                )
            else:
                result.warnings.append(f"Ligne {line.line} : {line.code} en double, ignoré.")
            continue
        seen[territory] = (line.line, category.code, line.categorie)
        key = (category.code, line.zone)
        zone = zones.setdefault(key, WantedZone(categorie=category.code, libelle=line.zone))
        zone.perimetre.add(territory)
    if not result.errors:
        unique = sorted({c.code: c for c in categories.values()}.values(), key=lambda c: c.ordre)
        result.plan = build_plan(spec, unique, zones.values())
    return result


def import_annex(content, filename, spec, *, dry_run=False, user=None, **options) -> ImportResult:
    result = plan_annex(content, filename, spec, **options)
    result.dry_run = dry_run
    if result.ok and not dry_run and result.plan.has_changes:
        result.zonage = apply_plan(result.plan, user=user, reason=f"Import de {filename}")
    elif result.plan:
        result.zonage = result.plan.zonage
    return result
