"""Find organisations the way people type them: codes (ODS or ONS), names with typos, postcodes
with or without the space, and places (a sub-ICB by the places its PCNs are named after).

Every match is returned, ranked, so callers can page through them; the index is built once per
data version. Spelling is forgiven with a trigram score: the share of the query's letter triples
(each word padded with a space at both ends) that a name also has, computed for all names at once
as one sparse matrix product.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import sparse

from gpworkforce.nomenclature import UNALLOCATED_PCN
from gpworkforce.services.national import LEVEL_COLUMNS, NationalData
from gpworkforce.services.organisations import LEVEL_LABELS, ONS_COLUMNS, code_change, code_index
from gpworkforce.services.versions import DataVersion

RESULT_COLUMNS = ["level", "code", "name", "detail", "match"]
#: Share of the query's trigrams a name must share to count as a misspelling of it.
FUZZY_THRESHOLD = 0.6
#: Shorter queries (letters and digits) are matched exactly only: three letters match too much.
FUZZY_MIN_LENGTH = 4
LEVEL_ORDER = {"icb": 0, "region": 0, "sub_icb": 1, "pcn": 2, "practice": 3}
#: Tiers, best first: the code itself, a code/name/postcode containing the query, a place, a spelling.
EXACT, CONTAINS, PLACE, SIMILAR = range(4)
_NON_WORD = re.compile(r"[^0-9A-Z]+")


def normalise(text: str) -> str:
    """Upper case, anything but letters and digits as one space ("St. Mary's" -> "ST MARY S")."""
    return _NON_WORD.sub(" ", str(text).upper()).strip()


def trigrams(key: str) -> set[str]:
    """Letter triples of each word padded with spaces: "DENSAM" -> " DE", "DEN", ..., "AM "."""
    out: set[str] = set()
    for word in key.split():
        padded = f" {word} "
        out.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return out


@dataclass(frozen=True)
class SearchIndex:
    """Every organisation once (practices, PCNs, sub-ICBs, ICBs, regions) with its search keys."""

    orgs: pd.DataFrame  # level, code, name, detail, key_code, key_name, ons, postcode, places, order
    grams: sparse.csc_matrix  # organisations x trigram vocabulary, 1 where the name has the trigram
    vocab: dict[str, int]

    def similar(self, key: str) -> NDArray[np.float64]:
        """Share of ``key``'s trigrams each organisation's name has [0-1]."""
        wanted = [self.vocab[g] for g in trigrams(key) if g in self.vocab]
        total = len(trigrams(key))
        if not wanted or not total:
            return np.zeros(len(self.orgs))
        return np.asarray(self.grams[:, wanted].sum(axis=1)).ravel() / total


def search_index(version: DataVersion) -> SearchIndex:
    """The index for this data version (built once, memoised)."""
    return version.memoised("derived", "search-index", lambda: build_index(version.data))


def build_index(nd: NationalData) -> SearchIndex:
    p = nd.practices
    frames = [
        pd.DataFrame(
            {
                "level": "practice",
                "code": p["practice_code"],
                "name": p["practice_name"],
                "detail": p["postcode"] + " · " + p["pcn_name"],
                "ons": "",
                "postcode": p["postcode"].str.replace(" ", "", regex=False).str.upper(),
                "places": p["pcn_name"].map(normalise),
            }
        )
    ]
    for level in ("pcn", "sub_icb", "icb", "region"):
        col, name_col = LEVEL_COLUMNS[level]
        ons_col = ONS_COLUMNS.get(level)
        orgs = p[p[col].ne("") & p[col].ne(UNALLOCATED_PCN)]
        first = orgs.drop_duplicates(col)
        places = np.full(len(first), "", dtype=object)
        if level == "sub_icb":  # sub-ICB names carry no place: its PCNs' names do
            pcns = orgs.drop_duplicates("pcn_code")
            pcns = pcns[pcns["pcn_code"].ne(UNALLOCATED_PCN)]
            joined = pcns.groupby(col)["pcn_name"].agg(lambda s: " | ".join(normalise(x) for x in s))
            places = first[col].map(joined).fillna("").to_numpy()
        frames.append(
            pd.DataFrame(
                {
                    "level": level,
                    "code": first[col],
                    "name": first[name_col],
                    "detail": LEVEL_LABELS[level],
                    "ons": first[ons_col].str.upper() if ons_col and ons_col in first else "",
                    "postcode": "",
                    "places": places,
                }
            )
        )
    orgs = pd.concat(frames, ignore_index=True)
    orgs["key_code"] = orgs["code"].str.upper()
    orgs["key_name"] = orgs["name"].map(normalise)
    orgs["order"] = orgs["level"].map(LEVEL_ORDER)
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for i, key in enumerate(orgs["key_name"]):
        for g in trigrams(key):
            rows.append(i)
            cols.append(vocab.setdefault(g, len(vocab)))
    grams = sparse.csc_matrix(
        (np.ones(len(rows), dtype=np.float64), (rows, cols)), shape=(len(orgs), max(len(vocab), 1))
    )
    return SearchIndex(orgs, grams, vocab)


def search(version: DataVersion, text: str) -> pd.DataFrame:
    """Every organisation matching ``text``, best first: level, code, name, detail, match.

    ``match`` says why: "code", "ONS code", "postcode", "name", "place" (a sub-ICB whose PCNs, or a
    practice whose PCN, is named after the place) or "similar name" (a misspelling).
    """
    key = normalise(text)
    compact = key.replace(" ", "")
    if not compact:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    index = search_index(version)
    o = index.orgs
    tier = np.full(len(o), SIMILAR + 1)
    why = np.full(len(o), "", dtype=object)

    def mark(mask: NDArray[np.bool_] | pd.Series, level: int, reason: str) -> None:
        better = np.asarray(mask, dtype=bool) & (tier > level)
        tier[better] = level
        why[better] = reason

    is_postcode = o["postcode"].ne("")
    district = o["postcode"].str[:-3]
    mark(o["key_code"].eq(compact), EXACT, "code")
    mark(o["ons"].eq(compact), EXACT, "ONS code")
    mark(is_postcode & o["postcode"].eq(compact), EXACT, "postcode")
    mark(o["key_code"].str.contains(compact, regex=False), CONTAINS, "code")
    mark(o["ons"].str.startswith(compact) & (len(compact) >= 5), CONTAINS, "ONS code")
    mark(is_postcode & (district.eq(compact) | o["postcode"].str.startswith(compact)), CONTAINS, "postcode")
    mark(o["key_name"].str.contains(key, regex=False), CONTAINS, "name")
    mark(o["places"].str.contains(key, regex=False), PLACE, "place")
    score = np.zeros(len(o))
    if len(compact) >= FUZZY_MIN_LENGTH:
        score = index.similar(key)
        mark(score >= FUZZY_THRESHOLD, SIMILAR, "similar name")
    similarity = np.where(tier == SIMILAR, -score, 0.0)  # misspellings: the closest first
    found = o.assign(tier=tier, match=why, similarity=similarity)[tier <= SIMILAR]
    found = found.sort_values(["tier", "similarity", "order", "name"], kind="stable")
    result = found[RESULT_COLUMNS].reset_index(drop=True)
    change = code_change(version, compact) if compact not in code_index(version) else None
    if change is not None:  # an old code: point to what it became, first
        label = f"{LEVEL_LABELS[change.level]} {change.code}"
        moved = pd.DataFrame(
            [
                (s.level, s.code, s.name, f"now holds the practices of {label} (no longer in use)", "old code")
                for s in change.successors
            ],
            columns=RESULT_COLUMNS,
        )
        result = pd.concat([moved, result], ignore_index=True)
    return result
