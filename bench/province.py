"""The province portal at scale: five synthetic cities built with `rectify site`, then `rectify province` over them.

    .venv/bin/python bench/province.py [--problems 20000] [--departments 20] [--out bench/out/province]

Each city is a synthetic ledger (`rectify synth`, its own seed and its own city name in portal.yml) in a work
folder set up as bench/run.py sets one up (mkdocs.yml, overrides/ and docs/assets/ copied beside it), with the
snapshots of its last three finished weeks (`rectify snapshot --week`); two of the five also take the running week's
provisional snapshot, so that their open data and newest snapshot are of the same day and the other three are
compared by re-deriving the open data for the snapshot's day. The cities are built two at a time (this machine
has two cores). Prints, as JSON: the time and peak memory of each city's build, of the per-city fetch (`rectify
province --city … --save …`, as the CI jobs run it) and of the province build from the saved folders, with the
province site's size and its copied search bundles' size.

`simulate` is also what tests/test_province*.py build their five small cities with.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
DAY = "2026-11-24"  # a Tuesday: the week's provisional snapshot is of the same day as the portal
CITIES = (("jiazhou", "甲州市"), ("yizhou", "乙州市"), ("bingzhou", "丙州市"), ("dingzhou", "丁州市"),
          ("wuzhou", "戊州市"))
PROVISIONAL = ("jiazhou", "bingzhou")
# The province reads a city's SHA256SUMS and its newest snapshot only: a few weeks' chain is as good as the hundred
# weeks since the synthetic campaign's start, which `rectify snapshot --all` takes minutes to write at scale.
WEEKS = 3


@dataclass(frozen=True)
class SimulatedCity:
    id: str
    name: str
    folder: Path  # the city's work folder; its site is folder / "site"
    head: str  # the last digest of its SHA256SUMS
    build_s: float
    build_mib: int

    @property
    def site(self) -> Path:
        return self.folder / "site"


def run(args: list[str], cwd: Path | None = None, env: dict | None = None) -> tuple[float, int]:
    """Wall seconds and peak resident memory (MiB) of one child process; raises on failure with its output."""
    start = time.perf_counter()
    process = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = process.stdout.read() if process.stdout else b""
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(args[:5])} failed:\n{output.decode('utf-8', 'replace')[-3000:]}")
    return time.perf_counter() - start, usage.ru_maxrss // 1024


def build_city(out: Path, index: int, city_id: str, name: str, problems: int, departments: int,
               address: str | None) -> SimulatedCity:
    folder = out / city_id
    if folder.exists():
        shutil.rmtree(folder)
    ledgers = folder / "ledgers"
    rectify = [PY, "-m", "generator"]
    started = time.perf_counter()
    run([*rectify, "synth", "--problems", str(problems), "--departments", str(departments), "--out", str(ledgers),
         "--today", DAY, "--seed", str(2025 + index)], cwd=ROOT)
    for registry in ("portal.yml", "departments.yml"):
        path = ledgers / registry
        path.write_text(path.read_text(encoding="utf-8").replace("样例市", name), encoding="utf-8")
    shutil.copyfile(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    shutil.copytree(ROOT / "overrides", folder / "overrides")
    shutil.copytree(ROOT / "docs" / "assets", folder / "docs" / "assets", ignore=shutil.ignore_patterns("vendor"))
    for back in range(WEEKS, 0, -1):  # the last finished weeks, oldest first (a chain has no gap after its start)
        week = (dt.date.fromisoformat(DAY) - dt.timedelta(days=7 * back)).isoformat()
        run([*rectify, "snapshot", "--week", week, "--ledgers", str(ledgers), "--today", DAY], cwd=ROOT)
    if city_id in PROVISIONAL:
        run([*rectify, "snapshot", "--ledgers", str(ledgers), "--today", DAY], cwd=ROOT)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SITE_URL": address or f"https://{city_id}.example.gov.cn/"}
    _, mib = run([*rectify, "site", "--ledgers", str(ledgers), "--docs", str(folder / "docs"), "--as-of", DAY,
                  "--today", DAY, "--commit", "simulated", "--config", str(folder / "mkdocs.yml")], cwd=folder, env=env)
    sums = (folder / "site" / "data" / "snapshots" / "SHA256SUMS").read_text(encoding="ascii").split()
    return SimulatedCity(city_id, name, folder, sums[-2], time.perf_counter() - started, mib)


def simulate(out: Path, problems: int, departments: int, addresses: dict[str, str] | None = None,
             workers: int = 2) -> list[SimulatedCity]:
    """Five synthetic cities built into `out`/<id>/site, two at a time; `addresses` gives each city's published
    address (its SITE_URL), else https://<id>.example.gov.cn/."""
    out.mkdir(parents=True, exist_ok=True)
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        futures = [pool.submit(build_city, out, i, city_id, name, problems, departments,
                               (addresses or {}).get(city_id)) for i, (city_id, name) in enumerate(CITIES)]
        return [f.result() for f in futures]


def province_yml(cities: list[SimulatedCity], addresses: dict[str, str] | None = None, folders: bool = True) -> str:
    """A province.yml for the simulated cities: each read from its built site's folder, linked at its address."""
    lines = ["province: 某某省", "department_types:", "  - id: first", "    name: 第一类部门", "  - id: second",
             "    name: 第二类部门", "cities:"]
    for city in cities:
        lines += [f"  - id: {city.id}", f"    name: {city.name}",
                  f"    url: {(addresses or {}).get(city.id, f'https://{city.id}.example.gov.cn/')}"]
        if folders:
            lines.append(f"    folder: {city.id}/site")
        lines += [f"    head: {city.head}", "    departments:", "      dept-001: first", "      dept-002: second"]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--problems", type=int, default=20_000)
    parser.add_argument("--departments", type=int, default=20)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "province")
    args = parser.parse_args()
    out = args.out.resolve()
    result: dict = {"problems_per_city": args.problems, "departments": args.departments}
    started = time.perf_counter()
    cities = simulate(out, args.problems, args.departments)
    result["cities_s"] = round(time.perf_counter() - started, 1)
    result["city_builds"] = {c.id: {"s": round(c.build_s, 1), "peak_mib": c.build_mib} for c in cities}
    config = out / "province.yml"
    config.write_text(province_yml(cities), encoding="utf-8")
    fetched = out / "fetched"
    fetch = {}
    for city in cities:
        seconds, mib = run([PY, "-m", "generator", "province", str(config), "--city", city.id, "--save",
                            str(fetched / city.id)], cwd=ROOT)
        fetch[city.id] = {"s": round(seconds, 1), "peak_mib": mib}
    result["fetch"] = fetch
    site = out / "province-site"
    seconds, mib = run([PY, "-m", "generator", "province", str(config), "--fetched", str(fetched), "--work",
                        str(out / ".province"), "--site", str(site), "--strict"], cwd=ROOT)
    result["province_s"], result["province_peak_mib"] = round(seconds, 1), mib
    result["province_site_bytes"] = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    result["search_bundle_bytes"] = sum(p.stat().st_size for p in (site / "cities").rglob("*") if p.is_file())
    result["search_bundle_files"] = sum(1 for p in (site / "cities").rglob("*") if p.is_file())
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
