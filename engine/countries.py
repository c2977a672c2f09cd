"""Country normalisation (SPEC 3): alpha-2 as is, alpha-3 and English names mapped, with pycountry.

The lookup table is built once, lazily, so start-up does not pay for pycountry's data.
"""

from __future__ import annotations

from functools import lru_cache

from engine.names import norm

NORMALISED = "country_normalised"
UNKNOWN = "country_unknown"


def _iso3166() -> list[dict[str, str]]:
    """pycountry's ISO 3166-1 records. Read from its bundled database file when it can be
    found: importing the package costs ~20 ms (a version look-up), which the wizard's first
    frame would pay."""
    import os
    from importlib.machinery import PathFinder  # loaded already; importlib.util is not

    spec = PathFinder.find_spec("pycountry")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = os.path.join(folder, "databases", "iso3166-1.json")
        if os.path.isfile(path):
            import orjson

            with open(path, "rb") as handle:
                return orjson.loads(handle.read())["3166-1"]
    import pycountry

    return [{k: getattr(c, k) for k in ("alpha_2", "alpha_3", "name", "common_name", "official_name")
             if getattr(c, k, None)} for c in pycountry.countries]


@lru_cache(maxsize=1)
def _tables() -> tuple[frozenset[str], dict[str, str]]:
    alpha2: set[str] = set()
    other: dict[str, str] = {}
    for c in _iso3166():
        code = c["alpha_2"]
        alpha2.add(code)
        other[c["alpha_3"]] = code
        for attr in ("name", "common_name", "official_name"):
            value = c.get(attr)
            if value:
                other[norm(value)] = code
    # Names admins type that pycountry spells differently.
    for alias, code in (("uk", "GB"), ("great britain", "GB"), ("england", "GB"),
                        ("usa", "US"), ("america", "US"), ("united states of america", "US"),
                        ("south korea", "KR"), ("russia", "RU"), ("vietnam", "VN")):
        other.setdefault(alias, code)
    return frozenset(alpha2), other


def is_alpha2(value: str) -> bool:
    return value.upper() in _tables()[0]


@lru_cache(maxsize=4096)
def normalise_country(value: str) -> tuple[str | None, str | None]:
    """Return (alpha-2 or None, warning code or None) for a raw country value."""
    text = value.strip()
    if not text:
        return None, None
    alpha2, other = _tables()
    upper = text.upper()
    if len(text) == 2 and upper in alpha2:
        return upper, None
    code = other.get(upper) if len(text) == 3 else None
    if code is None:
        code = other.get(norm(text))
    if code is None:
        return None, UNKNOWN
    return code, NORMALISED
