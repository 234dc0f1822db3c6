"""bench/load.py's arithmetic: wrk's output read, the Markdown report written (pure, unit-tested
in tests/test_bench_varied.py)."""

import re

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * UNITS[unit]


def parse_wrk(output: str) -> dict:
    def number(pattern, default=0.0):
        match = re.search(pattern, output)
        return float(match.group(1)) if match else default

    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    errors += int(number(r"Non-2xx or 3xx responses: (\d+)"))
    requests = int(number(r"(\d+) requests in"))
    if requests == 0:  # nothing answered within the run: as bad as an error
        errors += 1
    return {
        "rps": number(r"Requests/sec:\s+([\d.]+)"),
        "requests": requests,
        "p50_ms": _ms(re.search(r"50%\s+([\d.]+\w+)", output).group(1)),
        "p99_ms": _ms(re.search(r"99%\s+([\d.]+\w+)", output).group(1)),
        "errors": errors,
    }


def _cells(r: dict | None, ceiling: float | None) -> str:
    if not r:
        return "| — | — | — | — | — "
    share = f"{r['rps'] / ceiling:.0%}" if ceiling else "—"
    return f"| {r['rps']:.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['errors']} | {share} "


def _kb(n: int) -> str:
    return f"{n / 1000:.1f}" if n else "—"


def markdown(results: list[dict], run: dict) -> str:
    """The report: both modes side by side, page weights, memory and start-up."""
    ceiling = next((r["single"]["rps"] for r in results if r["name"] == "plafond"), None)
    lines = [
        "| page | req/s (1 URL) | p50 ms | p99 ms | erreurs | part du plafond "
        "| URL distinctes | req/s (variées) | p50 ms | p99 ms | erreurs | part du plafond |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        v = r.get("varied")
        urls = f"{v['urls']:,}".replace(",", " ") + f" ({v['laps']:.1f} tour)" if v else "—"
        lines.append(
            f"| {r['label']} {_cells(r.get('single'), ceiling)}| {urls} {_cells(v, ceiling)}|"
        )
    lines += [
        "",
        "| page | ko (1 URL) | ko gzip | plus grosse couche GeoJSON, ko gzip | ko moyens (variées) "
        "| ko gzip |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        s, v = r.get("single") or {}, r.get("varied") or {}
        layer = _kb(s.get("layer_gzip", 0)) + (f" (`{s['layer']}`)" if s.get("layer") else "")
        lines.append(
            f"| {r['label']} | {_kb(s.get('bytes', 0))} | {_kb(s.get('gzip', 0))} | {layer} "
            f"| {_kb(v.get('bytes', 0))} | {_kb(v.get('gzip', 0))} |"
        )
    rss = run["rss_kb"]
    lines += [
        "",
        f"- Mémoire des processus gunicorn après la mesure (VmRSS) : "
        f"{sum(rss) / 1024:.0f} Mo en tout, {max(rss or [0]) / 1024:.0f} Mo au plus pour un "
        f"processus ({len(rss)} processus).",
        f"- Démarrage : {run['startup_s']:.1f} s jusqu'à la première réponse de `/sante` ; "
        f"première recherche d'aides ensuite : {run['first_request_s']:.2f} s.",
        f"- {run['conditions']}",
    ]
    return "\n".join(lines)
