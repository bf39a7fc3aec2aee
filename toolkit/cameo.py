"""CAMEO event root codes, their QuadClass and Goldstein values.

QuadClass: 1 Verbal Cooperation, 2 Material Cooperation, 3 Verbal Conflict, 4 Material
Conflict. Convention (not stated in the codebook): roots 01–05 → 1, 06–08 → 2, 09–13 → 3,
14–20 → 4; so 14 *Protest* is material conflict.

References
----------
GDELT 2.0 Event codebook; CAMEO manual (Schrodt 2012); Goldstein (1992), "A Conflict-Cooperation
Scale for WEIS Events Data", Journal of Conflict Resolution 36(2).
"""

from __future__ import annotations

#: root code -> (name, Goldstein value of the root event type)
ROOT_CODES: dict[str, tuple[str, float]] = {
    "01": ("Make public statement", 0.0),
    "02": ("Appeal", 3.0),
    "03": ("Express intent to cooperate", 4.0),
    "04": ("Consult", 1.0),
    "05": ("Engage in diplomatic cooperation", 3.5),
    "06": ("Engage in material cooperation", 6.0),
    "07": ("Provide aid", 7.0),
    "08": ("Yield", 5.0),
    "09": ("Investigate", -2.0),
    "10": ("Demand", -5.0),
    "11": ("Disapprove", -2.0),
    "12": ("Reject", -4.0),
    "13": ("Threaten", -6.0),
    "14": ("Protest", -6.5),
    "15": ("Exhibit force posture", -7.2),
    "16": ("Reduce relations", -4.0),
    "17": ("Coerce", -7.0),
    "18": ("Assault", -9.0),
    "19": ("Fight", -10.0),
    "20": ("Use unconventional mass violence", -10.0),
}

QUAD_CLASSES: dict[int, str] = {
    1: "Verbal Cooperation",
    2: "Material Cooperation",
    3: "Verbal Conflict",
    4: "Material Conflict",
}

#: Roots whose events are "verbal" (QuadClass 1 or 3).
VERBAL_QUADS = (1, 3)


def quad_class_of(root_code: str) -> int:
    """Conventional QuadClass of a CAMEO root code.

    Examples
    --------
    >>> quad_class_of("13"), quad_class_of("14")
    (3, 4)
    """
    r = int(root_code)
    if not 1 <= r <= 20:
        raise ValueError(f"CAMEO root code must be '01'..'20', got {root_code!r}")
    return 1 if r <= 5 else 2 if r <= 8 else 3 if r <= 13 else 4


def root_name(root_code: str) -> str:
    """Name of a root code, e.g. ``root_name("13") == "Threaten"``."""
    return ROOT_CODES[str(root_code).zfill(2)][0]


def event_description(code) -> str:
    """CAMEO text of any event code: a root (``"13"``), a 3- or 4-digit code (``"1384"``).

    The table is :data:`toolkit.cameo_codes.EVENT_CODES` (the CAMEO codebook as GDELT
    publishes it). A code not in CAMEO (GDELT's data has a few) is described by its root's name
    and the code itself, so no event row is left without text.

    Examples
    --------
    >>> event_description("138"), event_description("13")
    ('Threaten with military force, not specified below', 'Threaten')
    >>> event_description("1399")
    'Threaten (code 1399, not in the CAMEO codebook)'
    """
    from .cameo_codes import EVENT_CODES

    c = "" if code is None else str(code).strip()
    if c in EVENT_CODES:
        return EVENT_CODES[c]
    if len(c) == 2 and c in ROOT_CODES:
        return root_name(c)
    if len(c) >= 2 and c[:2] in ROOT_CODES:
        return f"{root_name(c[:2])} (code {c}, not in the CAMEO codebook)"
    return f"Unknown CAMEO code {c!r}" if c else "No event code"
