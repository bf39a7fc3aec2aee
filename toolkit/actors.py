"""CAMEO actor country codes versus FIPS 10-4 geographic codes.

GDELT codes *actors* with 3-letter CAMEO country codes (``Actor1CountryCode``: RUS, KOR, PRK)
but *places* with 2-letter FIPS 10-4 codes (``ActionGeo_CountryCode``: RS, KS, KN). Mixing the
two is the most common bug in GDELT tooling: FIPS ``RS`` is Russia but ISO ``RS`` is Serbia,
FIPS ``KR`` is Kiribati. The toolkit filters dyads on the CAMEO actor fields only.

References
----------
CAMEO country list: https://www.gdeltproject.org/data/lookups/CAMEO.country.txt
FIPS list used by GDELT geo fields and DOC ``sourcecountry``:
https://data.gdeltproject.org/api/v2/guides/LOOKUP-COUNTRIES.TXT
"""

from __future__ import annotations

from collections.abc import Iterable

#: The project's focus: Russia, South Korea, North Korea (CAMEO actor country codes).
FOCUS_ACTORS: tuple[str, ...] = ("RUS", "KOR", "PRK")

#: CAMEO country codes the toolkit accepts for actor filters (name for display).
CAMEO_COUNTRIES: dict[str, str] = {
    "AFG": "Afghanistan", "ARE": "United Arab Emirates", "ARG": "Argentina",
    "ARM": "Armenia", "AUS": "Australia", "AUT": "Austria", "AZE": "Azerbaijan",
    "BEL": "Belgium", "BGD": "Bangladesh", "BGR": "Bulgaria", "BLR": "Belarus",
    "BRA": "Brazil", "CAN": "Canada", "CHE": "Switzerland", "CHL": "Chile", "CHN": "China",
    "COL": "Colombia", "CUB": "Cuba", "CZE": "Czech Republic", "DEU": "Germany",
    "DNK": "Denmark", "EGY": "Egypt", "ESP": "Spain", "EST": "Estonia", "FIN": "Finland",
    "FRA": "France", "GBR": "United Kingdom", "GEO": "Georgia", "GRC": "Greece",
    "HUN": "Hungary", "IDN": "Indonesia", "IND": "India", "IRL": "Ireland", "IRN": "Iran",
    "IRQ": "Iraq", "ISR": "Israel", "ITA": "Italy", "JPN": "Japan", "KAZ": "Kazakhstan",
    "KGZ": "Kyrgyzstan", "KOR": "South Korea", "LTU": "Lithuania", "LVA": "Latvia",
    "MDA": "Moldova", "MEX": "Mexico", "MNG": "Mongolia", "MYS": "Malaysia", "NLD": "Netherlands",
    "NOR": "Norway", "NZL": "New Zealand", "PAK": "Pakistan", "PHL": "Philippines",
    "POL": "Poland", "PRK": "North Korea", "PRT": "Portugal", "ROU": "Romania", "RUS": "Russia",
    "SAU": "Saudi Arabia", "SGP": "Singapore", "SRB": "Serbia", "SVK": "Slovakia",
    "SWE": "Sweden", "SYR": "Syria", "THA": "Thailand", "TJK": "Tajikistan",
    "TKM": "Turkmenistan", "TUR": "Turkey", "TWN": "Taiwan", "UKR": "Ukraine",
    "USA": "United States", "UZB": "Uzbekistan", "VEN": "Venezuela", "VNM": "Vietnam",
    "ZAF": "South Africa",
}

#: FIPS 10-4 codes of the focus countries, as used in GDELT geo fields and DOC sourcecountry.
#: NEVER use these to filter actors.
FIPS_OF_FOCUS: dict[str, str] = {"RUS": "RS", "KOR": "KS", "PRK": "KN"}
#: The other way: FIPS geo code -> the CAMEO code meant (for the hints below).
_CAMEO_OF_FIPS: dict[str, str] = {v: k for k, v in FIPS_OF_FOCUS.items()}

#: Common names for the two Koreas that are not CAMEO codes -> the CAMEO code meant.
KOREA_ALIASES: dict[str, str] = {"ROK": "KOR", "ROKR": "KOR", "SK": "KOR", "DPRK": "PRK",
                                 "NK": "PRK"}


def actor_hint(code: str) -> str:
    """Why ``code`` is not a CAMEO country code and which one is meant ("" when unknown).

    Examples
    --------
    >>> actor_hint("DPRK")
    "'DPRK' is a common name for North Korea, not a CAMEO code; use PRK."
    """
    code = str(code).strip().upper()
    if code in KOREA_ALIASES:
        meant = KOREA_ALIASES[code]
        return (f"{code!r} is a common name for {CAMEO_COUNTRIES[meant]}, not a CAMEO code; "
                f"use {meant}.")
    if code in _CAMEO_OF_FIPS:
        meant = _CAMEO_OF_FIPS[code]
        return (f"{code!r} is the FIPS geo code of {meant}; actor filters take CAMEO "
                f"codes, use {meant}.")
    return ""


def fips_hint(code: str) -> str:
    """A sentence pointing from a focus country's FIPS geo code to its CAMEO code, else "".

    Examples
    --------
    >>> fips_hint("RS")
    " 'RS' is the FIPS geo code of RUS; actor filters take CAMEO codes, use 'RUS'."
    """
    code = str(code).strip().upper()
    if code not in _CAMEO_OF_FIPS:
        return ""
    meant = _CAMEO_OF_FIPS[code]
    return (f" {code!r} is the FIPS geo code of {meant}; actor filters take CAMEO codes,"
            f" use {meant!r}.")


def validate_actors(actors: Iterable[str] | str | None) -> tuple[str, ...]:
    """Normalise and check an actor set of CAMEO country codes.

    Parameters
    ----------
    actors : iterable of str, str or None
        Codes such as ``["RUS", "KOR"]`` or a comma-separated string ``"RUS,KOR,PRK"``.
        ``None`` means :data:`FOCUS_ACTORS`.

    Returns
    -------
    tuple of str
        Upper-cased, de-duplicated codes in the order given.

    Raises
    ------
    ValueError
        For an unknown code, naming it, hinting at FIPS look-alikes and listing the valid codes.

    Examples
    --------
    >>> validate_actors("rus, kor")
    ('RUS', 'KOR')
    """
    if actors is None:
        return FOCUS_ACTORS
    if isinstance(actors, str):
        actors = [a for a in actors.split(",")]
    out: list[str] = []
    for raw in actors:
        code = str(raw).strip().upper()
        if not code:
            continue
        if code not in CAMEO_COUNTRIES:
            hint = f" {actor_hint(code)}" if actor_hint(code) else ""
            raise ValueError(
                f"Unknown actor code {code!r}.{hint} Valid CAMEO country codes: "
                + ", ".join(sorted(CAMEO_COUNTRIES))
            )
        if code not in out:
            out.append(code)
    if not out:
        raise ValueError("Empty actor set; give CAMEO country codes such as RUS,KOR,PRK")
    return tuple(out)


def directed_dyads(actors: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """All ordered (source, target) pairs of distinct actors.

    Examples
    --------
    >>> directed_dyads(["RUS", "KOR"])
    [('RUS', 'KOR'), ('KOR', 'RUS')]
    """
    acts = validate_actors(actors)
    return [(a, b) for a in acts for b in acts if a != b]


def dyad_label(source: str, target: str) -> str:
    """Display label of a directed dyad, e.g. ``"RUS→KOR"``."""
    return f"{source}→{target}"
