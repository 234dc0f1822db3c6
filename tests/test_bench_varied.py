"""bench/load.py's varied mode: the URL lists it walks and the wrk output it reads (no server)."""

from bench import varied
from bench.report import markdown, parse_wrk

MATERIAL = {
    "communes": [f"{n:05d}" for n in range(1000, 1500)],
    "professions": ["medecin-generaliste", "infirmier", "sage-femme", "orthophoniste"],
    "regions": ["11", "44"],
    "departements": {"75": "11", "93": "11", "67": "44"},
    "points": [[48.9 + n / 1000, 2.3 + n / 1000] for n in range(3000)] + [[48.9, 2.3]],
    "types": ["msp", "centre-sante", "cpts"],
    "statuts": ["projet", "ouvert"],
}


def test_finder_list_asks_every_commune_and_profession_once_in_a_seeded_order():
    paths = varied.build("recherche", MATERIAL, size=5000, seed=1)
    assert len(paths) == len(set(paths)) == 2000  # 500 communes × 4 professions, all of them
    assert "/aides/?commune=01234&profession=infirmier&etape=installation" in paths
    assert paths == varied.build("recherche", MATERIAL, size=5000, seed=1)
    assert paths != varied.build("recherche", MATERIAL, size=5000, seed=2)
    assert len(varied.build("api-aides", MATERIAL, size=300, seed=1)) == 300


def test_lieu_list_has_one_url_per_distinct_point():
    paths = varied.population("api-lieu", MATERIAL)
    assert len(paths) == len(set(paths)) == 3000
    assert "/api/v1/lieu?lat=48.9&lon=2.3" in paths


def test_departement_map_list_combines_every_departement_with_the_map_filters():
    paths = varied.population("carte-departement", MATERIAL)
    # (no filter + 3 kinds + 2 statuses + 12 years + 3 × 2 pairs) per département
    assert len(paths) == len(set(paths)) == 3 * (1 + 3 + 2 + 12 + 6)
    assert "/carte/93/?type=msp&statut=ouvert" in paths
    assert "/carte/67/" in paths


def test_installation_list_asks_every_profession_in_every_territory():
    paths = varied.population("installation", MATERIAL)
    assert len(paths) == len(set(paths)) == 4 * (1 + 2 + 3)  # France, 2 régions, 3 départements
    assert "/aides/ou-minstaller/?profession=sage-femme&departement=93" in paths
    assert "/aides/ou-minstaller/?profession=infirmier" in paths


def test_bilan_list_follows_the_filters_the_page_offers():
    assert sorted(varied.population("bilan", MATERIAL, {"region"})) == [
        "/bilan/?region=",
        "/bilan/?region=11",
        "/bilan/?region=44",
    ]
    both = varied.population("api-statistiques", MATERIAL, {"region", "departement"})
    assert "/api/v1/statistiques?departement=93" in both
    assert "/api/v1/statistiques?region=11&departement=93" in both
    assert "/api/v1/statistiques?region=44&departement=93" not in both  # never contradictory


def test_random_points_fall_inside_the_outline_not_in_its_hole():
    square = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]
    hole = [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]
    polygon = {"type": "Polygon", "coordinates": [square, hole]}
    assert varied._inside(1, 1, polygon)
    assert not varied._inside(5, 5, polygon)
    assert not varied._inside(11, 5, {"type": "MultiPolygon", "coordinates": [[square]]})


WRK = """Running 15s test @ http://127.0.0.1:8199
  2 threads and 20 connections
  Latency Distribution
     50%   12.50ms
     75%   20.00ms
     90%   30.00ms
     99%    1.20s
  4500 requests in 15.00s, 10.00MB read
  Non-2xx or 3xx responses: 3
Requests/sec:    300.00
"""


def test_wrk_output_counts_non_2xx_answers_as_errors():
    result = parse_wrk(WRK)
    assert result == {
        "rps": 300.0,
        "requests": 4500,
        "p50_ms": 12.5,
        "p99_ms": 1200.0,
        "errors": 3,
    }


def test_report_puts_both_modes_side_by_side_with_the_ceiling_share():
    single = {**parse_wrk(WRK), "errors": 0, "urls": 1, "bytes": 50_000, "gzip": 9_000}
    ceiling = {**single, "rps": 1000.0}
    many = {**single, "rps": 150.0, "urls": 5000, "laps": 0.9, "bytes": 40_000, "gzip": 8_000}
    results = [
        {"name": "plafond", "label": "Plafond", "single": ceiling},
        {"name": "recherche", "label": "Recherche", "single": single, "varied": many},
    ]
    run = {"rss_kb": [100_000, 200_000], "startup_s": 3.0, "first_request_s": 1.5, "conditions": ""}
    text = markdown(results, run)
    assert "| Recherche | 300 | 12.5 | 1200.0 | 0 | 30% | 5 000 (0.9 tour) | 150 |" in text
    assert "293 Mo en tout, 195 Mo au plus" in text
    assert "1.50 s" in text
