"""`rectify province`: read and verify every city a province.yml lists, then build the province portal; or, for one
city (a CI job of its own), read and verify it and save what was read for the job that builds the portal."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..province import portal
from ..province.config import City, ProvinceConfig, folder_of, read_config
from ..province.figures import Province, province_of
from ..province.sources import (
    AddressSource,
    FolderSource,
    Published,
    Source,
    SourceError,
    read_published,
    save,
)
from ..province.verify import CityReport, unreadable, verify


def source_of(config_path: Path, city: City, fetched: Path | None) -> Source:
    """Where a city is read from: the folder a per-city job saved (`fetched`/<id>), else its folder, else its
    address."""
    if fetched is not None:
        return FolderSource(fetched / city.id)
    folder = folder_of(config_path, city)
    if folder is not None:
        return FolderSource(folder)
    return AddressSource(city.url or "")


def read_city(config_path: Path, city: City, fetched: Path | None) -> tuple[CityReport, Published | None]:
    try:
        published = read_published(source_of(config_path, city, fetched))
    except SourceError as exc:
        return unreadable(city, str(exc)), None
    return verify(city, published), published


def fetch(config_path: Path, city_id: str, out: Path) -> CityReport:
    """Read and verify one city; save what was read into `out` (also when it failed verification, so the portal
    shows why). Raises ConfigError, or KeyError for a city id province.yml does not list."""
    config = read_config(config_path)
    city = config.city(city_id)
    if city is None:
        raise KeyError(city_id)
    report, published = read_city(config_path, city, None)
    if published is not None:
        save(published, out)
    return report


def share_of(cities: tuple[City, ...] | list[City], share: str) -> list[City]:
    """The cities of one of N parallel CI jobs, "K/N" (K from 1, as GitLab's CI_NODE_INDEX/CI_NODE_TOTAL): every
    N-th city from the K-th, so that N jobs read each city once. Raises ValueError for anything else."""
    index, _, total = share.partition("/")
    if not (index.isdigit() and total.isdigit() and 1 <= int(index) <= int(total)):
        raise ValueError(share)
    return list(cities)[int(index) - 1::int(total)]


def fetch_share(config_path: Path, share: str, out: Path) -> list[CityReport]:
    """Read and verify the cities of one share (`share_of`), each saved into `out`/<id> as `fetch` saves one."""
    return [fetch(config_path, city.id, out / city.id) for city in share_of(read_config(config_path).cities, share)]


def folder_link(config_path: Path):
    def link(city: City) -> str | None:
        folder = folder_of(config_path, city)
        return folder.as_uri() + "/" if folder is not None else None
    return link


@dataclass(frozen=True)
class Built:
    province: Province
    site: Path


def build(config_path: Path, fetched: Path | None, work: Path, site: Path, overrides: Path, assets: Path,
          site_url: str = "") -> Built:
    """Read and verify every city, sum the verified ones and build the portal into `site`. Raises ConfigError
    (province.yml) or portal.PortalError."""
    config: ProvinceConfig = read_config(config_path)
    reports, bundles = [], {}
    for city in config.cities:
        report, published = read_city(config_path, city, fetched)
        reports.append(report)
        if report.verified and published is not None and published.bundles:
            bundles[city.id] = published.files
    province = province_of(config, reports)
    links = {r.city.id: portal.city_base(r, folder_link(config_path)) for r in reports}
    portal.build(province, work, site, overrides, assets, bundles, links, site_url)
    return Built(province, site)
