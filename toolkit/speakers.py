"""Who speaks: speaker groups over the cube's ``source_type`` (GDELT's Actor1Type1Code).

GDELT codes the acting actor's role in ``Actor1Type1Code`` with CAMEO actor-type codes
(``RUSGOV`` is Russia + GOV). The cube keeps it as ``source_type`` (``""`` when GDELT gives
none: the actor is just "Russia"). The groups below are defined ONCE, here; indices, the
statistics and the charts take ``speakers=`` as a group name, a list of groups, raw type codes,
or a mix, and ``speaker_groups=`` to add or redefine groups.

=============== ==============================================================================
group           CAMEO actor types (Actor1Type1Code)
=============== ==============================================================================
``official``    GOV government (GDELT codes heads of state and of government, ministers and
                their spokespeople as GOV: CAMEO has no separate head-of-state type), MIL
                military, LEG legislature, JUD judiciary, COP police, SPY state intelligence,
                UIS unidentified state actor
``media``       MED media
``society``     BUS business, CVL civilians, EDU education, REL religion, LAB labour, NGO,
                NGM non-governmental movement, HLH health, HRI human rights, AGR agriculture,
                ENV environment, DEV development, ELI elites, MNC multinational, REF refugees,
                MOD moderates, RAD radicals, CRM criminals, SET settlers
``opposition``  OPP political opposition, REB rebels, INS insurgents, SEP separatists,
                UAF unaligned armed forces
``unspecified`` ``""`` (no type: GDELT names only the country)
=============== ==============================================================================

Codes in no group (international types such as IGO, UNO, PKO, which rarely carry a country)
count among "all speakers" and can be selected by their code.

References
----------
CAMEO actor types: https://www.gdeltproject.org/data/lookups/CAMEO.type.txt; Schrodt (2012),
*CAMEO Event and Actor Codebook* 1.1b3, ch. 3.

Examples
--------
>>> resolve("official")[:3]
('GOV', 'MIL', 'LEG')
>>> resolve(["media", "OPP"])
('MED', 'OPP')
>>> label("official")
'official speakers'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

#: The speaker groups: name -> CAMEO actor-type codes (Actor1Type1Code).
GROUPS: dict[str, tuple[str, ...]] = {
    "official": ("GOV", "MIL", "LEG", "JUD", "COP", "SPY", "UIS"),
    "media": ("MED",),
    "society": ("BUS", "CVL", "EDU", "REL", "LAB", "NGO", "NGM", "HLH", "HRI", "AGR", "ENV",
                "DEV", "ELI", "MNC", "REF", "MOD", "RAD", "CRM", "SET"),
    "opposition": ("OPP", "REB", "INS", "SEP", "UAF"),
    "unspecified": ("",),
}

#: CAMEO actor-type codes GDELT uses in Actor*Type*Code (CAMEO.type.txt), with names.
TYPE_NAMES: dict[str, str] = {
    "COP": "police", "GOV": "government", "INS": "insurgents", "JUD": "judiciary",
    "MIL": "military", "OPP": "political opposition", "REB": "rebels",
    "SEP": "separatist rebels", "SPY": "state intelligence", "UAF": "unaligned armed forces",
    "AGR": "agriculture", "BUS": "business", "CRM": "criminal", "CVL": "civilian",
    "DEV": "development", "EDU": "education", "ELI": "elites", "ENV": "environmental",
    "HLH": "health", "HRI": "human rights", "LAB": "labour", "LEG": "legislature",
    "MED": "media", "REF": "refugees", "MOD": "moderate", "RAD": "radical", "REL": "religion",
    "AMN": "Amnesty International", "IRC": "Red Cross", "GRP": "Greenpeace",
    "UNO": "United Nations", "PKO": "peacekeepers", "UIS": "unidentified state actor",
    "IGO": "inter-governmental organisation", "IMG": "international militarised group",
    "INT": "international/transnational generic", "MNC": "multinational corporation",
    "NGM": "non-governmental movement", "NGO": "non-governmental organisation",
    "SET": "settler", "": "no type given",
}


def groups(speaker_groups: Mapping[str, Iterable[str]] | None = None
           ) -> dict[str, tuple[str, ...]]:
    """The groups in use: :data:`GROUPS` with ``speaker_groups`` added or replacing.

    Raises
    ------
    ValueError
        When a user group is not a list of type codes.
    """
    out = dict(GROUPS)
    for name, codes in (speaker_groups or {}).items():
        if isinstance(codes, str) or not all(isinstance(c, str) for c in codes):
            raise ValueError(f"speaker_groups[{name!r}] must be a list of type codes such as "
                             f"['GOV', 'MIL'], got {codes!r}")
        out[str(name)] = tuple(c.strip().upper() for c in codes)
    return out


def resolve(speakers: str | Iterable[str] | None,
            speaker_groups: Mapping[str, Iterable[str]] | None = None
            ) -> tuple[str, ...] | None:
    """The type codes that ``speakers`` selects; None for all speakers.

    Parameters
    ----------
    speakers : str, list of str or None
        A group name (``"official"``), a list of groups and/or raw type codes
        (``["media", "OPP"]``), or None / ``"all"`` for every speaker.
    speaker_groups : dict, optional
        Extra or redefined groups, name -> type codes.

    Returns
    -------
    tuple of str or None
        Codes in the order given, without repeats.

    Raises
    ------
    ValueError
        For a name that is neither a group nor a known type code, naming the choices.
    """
    if speakers is None or (isinstance(speakers, str) and speakers.strip().lower() == "all"):
        return None
    gs = groups(speaker_groups)
    items = [speakers] if isinstance(speakers, str) else list(speakers)
    if not items:
        raise ValueError("speakers=[] selects no one; give a group such as 'official', type "
                         "codes such as ['GOV', 'MIL'], or None for all speakers")
    known = set(TYPE_NAMES) | {c for codes in gs.values() for c in codes}
    out: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise ValueError(f"speakers: {item!r} is not a group name or type code")
        key = item.strip()
        if key.lower() in gs:
            codes = gs[key.lower()]
        elif key in gs:
            codes = gs[key]
        elif key.upper() in known:
            codes = (key.upper(),)
        else:
            raise ValueError(
                f"Unknown speaker group or type code {item!r}; choose a group "
                f"({', '.join(gs)}) or CAMEO type codes such as GOV, MIL, MED (add your own "
                "with speaker_groups={'name': ['GOV', ...]})")
        out += [c for c in codes if c not in out]
    return tuple(out)


def label(speakers: str | Iterable[str] | None,
          speaker_groups: Mapping[str, Iterable[str]] | None = None) -> str:
    """Words for captions: ``"all speakers"``, ``"official speakers"``, ``"media + OPP"``.

    The codes behind a group are in :func:`describe`.
    """
    if resolve(speakers, speaker_groups) is None:
        return "all speakers"
    items = [speakers] if isinstance(speakers, str) else list(speakers)
    gs = groups(speaker_groups)
    names = [i.strip().lower() if i.strip().lower() in gs else (i.strip().upper() or '""')
             for i in items]
    return (f"{names[0]} speakers" if len(names) == 1 and names[0] in gs
            else " + ".join(names) + " speakers")


def describe(speakers: str | Iterable[str] | None,
             speaker_groups: Mapping[str, Iterable[str]] | None = None) -> str:
    """:func:`label` with the type codes, e.g. ``"official speakers (GOV, MIL, ...)"``."""
    codes = resolve(speakers, speaker_groups)
    if codes is None:
        return "all speakers"
    shown = ", ".join(c or '""' for c in codes)
    return f"{label(speakers, speaker_groups)} ({shown})"


def group_of(source_type: pd.Series,
             speaker_groups: Mapping[str, Iterable[str]] | None = None) -> pd.Series:
    """The group of each type code (first group that lists it; ``"other"`` when none).

    Examples
    --------
    >>> group_of(pd.Series(["GOV", "MED", "", "IGO"])).tolist()
    ['official', 'media', 'unspecified', 'other']
    """
    lookup: dict[str, str] = {}
    for name, codes in groups(speaker_groups).items():
        for c in codes:
            lookup.setdefault(c, name)
    return source_type.astype(str).map(lambda c: lookup.get(c, "other"))


def table(speaker_groups: Mapping[str, Iterable[str]] | None = None) -> pd.DataFrame:
    """The groups as a frame (group, code, meaning), for notebooks and docs/indices.md."""
    rows = [(g, c, TYPE_NAMES.get(c, "")) for g, codes in groups(speaker_groups).items()
            for c in codes]
    return pd.DataFrame(rows, columns=["group", "code", "meaning"])


__all__ = ["GROUPS", "TYPE_NAMES", "groups", "resolve", "label", "describe", "group_of",
           "table"]
