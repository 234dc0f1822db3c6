"""INSEE Code officiel géographique, as packaged by the npm package @etalab/decoupage-administratif.

`read_cog` selects what to import (some régions or all of them) from the package's JSON;
`sync_cog` writes the differences only. Communes déléguées/associées and former codes become
`CommuneAlias` rows of their current commune: searchable, but not communes.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from territoires.importers.sync import Counts, referencing_models, sync_rows
from territoires.models import Commune, CommuneAlias, Departement, Epci, Region
from territoires.text import normalize_name

FILES = ("regions", "departements", "communes", "epci", "ept")


class CogError(Exception):
    """The package data is missing or does not match what was asked (French message)."""


@dataclass
class CogData:
    regions: dict[str, dict] = field(default_factory=dict)
    departements: dict[str, dict] = field(default_factory=dict)
    # Legal communes first, then arrondissements (they need their parent's id).
    communes: dict[str, dict] = field(default_factory=dict)
    arrondissements: dict[str, dict] = field(default_factory=dict)
    epcis: dict[str, dict] = field(default_factory=dict)
    # (commune code, kind, alias code) -> name
    aliases: dict[tuple[str, str, str], str] = field(default_factory=dict)
    # Every current code of the package, whatever the régions asked: what is not here vanished.
    current_codes: set[str] = field(default_factory=set)
    current_epcis: set[str] = field(default_factory=set)


def _load(data_dir: Path, name: str) -> list[dict]:
    path = Path(data_dir) / f"{name}.json"
    try:
        with path.open(encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError as exc:
        raise CogError(
            f"Fichier du COG introuvable : {path}. Installez les paquets npm (npm ci)."
        ) from exc
    except (OSError, ValueError) as exc:
        raise CogError(f"Fichier du COG illisible : {path} ({exc}).") from exc


def read_cog(data_dir: Path, regions: list[str] | None) -> CogData:
    """Select the régions `regions` (None: all) from the package files."""
    raw = {name: _load(data_dir, name) for name in FILES}
    known = {r["code"] for r in raw["regions"]}
    wanted = set(regions) if regions is not None else known
    unknown = sorted(wanted - known)
    if unknown:
        raise CogError(f"Code(s) de région inconnu(s) dans le COG : {', '.join(unknown)}.")

    data = CogData()
    for r in raw["regions"]:
        if r["code"] in wanted:
            data.regions[r["code"]] = {"nom": r["nom"]}
    for d in raw["departements"]:
        if d["region"] in wanted:
            data.departements[d["code"]] = {"nom": d["nom"], "region": d["region"]}

    members = {}
    for e in raw["epci"] + raw["ept"]:
        data.current_epcis.add(e["code"])
        for m in e["membres"]:
            members.setdefault(m["code"], {})[e["type"] == "EPT"] = e["code"]

    selected_epcis = set()
    delegated = []
    for c in raw["communes"]:
        kind = c["type"]
        if kind in ("commune-actuelle", "arrondissement-municipal"):
            data.current_codes.add(c["code"])
        if c.get("region") not in wanted:
            continue
        if kind in ("commune-deleguee", "commune-associee"):
            delegated.append(c)
            continue
        row = {
            "nom": c["nom"],
            "departement": c["departement"],
            "region": c["region"],
            "population": c.get("population"),
            "codes_postaux": " ".join(c.get("codesPostaux", [])),
        }
        if kind == "commune-actuelle":
            epci = members.get(c["code"], {})
            row["epci"], row["ept"] = epci.get(False), epci.get(True)
            selected_epcis.update(code for code in epci.values() if code)
            data.communes[c["code"]] = row
            for old in c.get("anciensCodes", []):
                data.aliases[(c["code"], CommuneAlias.Kind.ANCIEN_CODE, old)] = ""
        elif kind == "arrondissement-municipal":
            row["parent"] = c["commune"]
            data.arrondissements[c["code"]] = row

    names = {}
    for c in delegated:
        names[c["code"]] = c["nom"]
        if c["chefLieu"] in data.communes:
            kind = (
                CommuneAlias.Kind.DELEGUEE
                if c["type"] == "commune-deleguee"
                else CommuneAlias.Kind.ASSOCIEE
            )
            data.aliases[(c["chefLieu"], kind, c["code"])] = c["nom"]
    for key in data.aliases:
        if key[1] == CommuneAlias.Kind.ANCIEN_CODE:
            data.aliases[key] = names.get(key[2], "")

    for e in raw["epci"] + raw["ept"]:
        if regions is None or e["code"] in selected_epcis:
            data.epcis[e["code"]] = {"nom": e["nom"], "type": e["type"]}
    return data


def _commune_values(row, ids) -> dict:
    return {
        "nom": row["nom"],
        "nom_normalise": normalize_name(row["nom"]),
        "type": Commune.Type.ARRONDISSEMENT if "parent" in row else Commune.Type.COMMUNE,
        "parent_id": ids["commune"].get(row.get("parent")),
        "departement_id": ids["departement"][row["departement"]],
        "region_id": ids["region"][row["region"]],
        "population": row["population"],
        "codes_postaux": row["codes_postaux"],
        "epci_id": ids["epci"].get(row.get("epci")),
        "ept_id": ids["epci"].get(row.get("ept")),
    }


def sync_cog(data: CogData, log=print) -> dict[str, Counts]:
    """Write what differs from `data`; call inside a transaction."""
    result = {}
    regions = {r.code: r for r in Region.objects.all()}
    result["régions"] = sync_rows(Region, regions, data.regions)
    region_ids = {code: r.pk for code, r in regions.items()}
    log(f"Régions : {result['régions'].summary()}")

    departements = {d.code: d for d in Departement.objects.all()}
    wanted = {
        code: {"nom": d["nom"], "region_id": region_ids[d["region"]]}
        for code, d in data.departements.items()
    }
    result["départements"] = sync_rows(Departement, departements, wanted)
    log(f"Départements : {result['départements'].summary()}")

    epcis = {e.code: e for e in Epci.objects.all()}
    result["EPCI et EPT"] = sync_rows(Epci, epcis, data.epcis)
    log(f"EPCI et EPT : {result['EPCI et EPT'].summary()}")

    ids = {
        "region": region_ids,
        "departement": {code: d.pk for code, d in departements.items()},
        "epci": {code: e.pk for code, e in epcis.items()},
    }
    communes = {c.code: c for c in Commune.objects.all()}
    ids["commune"] = {code: c.pk for code, c in communes.items()}
    wanted = {code: _commune_values(row, ids) for code, row in data.communes.items()}
    counts = sync_rows(Commune, communes, wanted)
    ids["commune"].update((code, communes[code].pk) for code in wanted)
    wanted = {code: _commune_values(row, ids) for code, row in data.arrondissements.items()}
    counts += sync_rows(Commune, communes, wanted)
    counts += _drop_vanished(Commune, communes, data.current_codes, ignore=(CommuneAlias,))
    result["communes"] = counts
    log(f"Communes et arrondissements : {counts.summary()}")
    for label in counts.kept:
        log(f"  Absente du COG, conservée : {label}")

    result["alias"] = _sync_aliases(data, communes)
    log(f"Communes déléguées, associées et anciens codes : {result['alias'].summary()}")

    vanished = _drop_vanished(Epci, epcis, data.current_epcis, ignore=())
    result["EPCI et EPT"] += vanished
    if vanished.deleted or vanished.kept:
        log(f"EPCI et EPT disparus : {vanished.summary()}")
    return result


def _drop_vanished(model, existing: dict, current: set[str], ignore) -> Counts:
    """Delete rows the package no longer lists, unless something refers to them.

    A commune merged into a commune nouvelle disappears from the COG; if an aid, a zone or
    a structure still points to it, it is kept (and reported) for an agent to re-attach,
    rather than cascading the deletion to their data.
    """
    counts = Counts()
    gone = {obj.pk: obj for code, obj in existing.items() if code not in current}
    if not gone:
        return counts
    referenced = referencing_models(model, list(gone), ignore=(model, *ignore))
    for pk, users in sorted(referenced.items()):
        counts.kept.append(f"{gone[pk]} (utilisé par : {', '.join(sorted(users))})")
    deletable = [pk for pk in gone if pk not in referenced]
    if deletable:
        model.objects.filter(pk__in=deletable).delete()
    counts.deleted = len(deletable)
    for pk in deletable:
        existing.pop(gone[pk].code)
    return counts


def _sync_aliases(data: CogData, communes: dict) -> Counts:
    scope = [communes[code].pk for code in data.communes]
    existing = {
        (a.commune_id, a.kind, a.code): a for a in CommuneAlias.objects.filter(commune_id__in=scope)
    }
    wanted = {
        (communes[commune].pk, kind, code): {"nom": nom, "nom_normalise": normalize_name(nom)}
        for (commune, kind, code), nom in data.aliases.items()
    }
    counts = sync_rows(
        CommuneAlias,
        existing,
        wanted,
        make_key=lambda key: {"commune_id": key[0], "kind": key[1], "code": key[2]},
    )
    stale = [a.pk for key, a in existing.items() if key not in wanted]
    if stale:
        CommuneAlias.objects.filter(pk__in=stale).delete()
    counts.deleted = len(stale)
    return counts
