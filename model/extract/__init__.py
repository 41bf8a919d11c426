"""Actors and casualties: a canonical actor catalogue, linked mentions, counts with evidence.

Fills the ``actors``, ``actor_categories``, ``killed``, ``injured`` and evidence fields of
every model family's results (INTERFACE.md).

    from model.extract import Extractor, extract_casualties, load_catalogue
    ex = Extractor()                       # default catalogue from data/
    ex = Extractor(load_catalogue(["my_actors.jsonl"]))   # plus a user catalogue
    ex.fit(records)                        # learn names and aliases from labelled records
    out = ex.extract(text, country=None)
    state = ex.to_dict(); ex2 = Extractor.from_dict(state)   # JSON, no pickle

No heavy imports here: the extractor is pure Python.
"""

from __future__ import annotations

from functools import lru_cache

from model.extract.casualties import extract_casualties
from model.extract.catalogue import Catalogue, load_catalogue
from model.extract.extractor import Extractor

__all__ = ["Catalogue", "Extractor", "canonical_actor_name", "extract_casualties", "load_catalogue"]


@lru_cache(maxsize=1)
def _default_catalogue() -> Catalogue:
    return load_catalogue()


def canonical_actor_name(name: str) -> str:
    """Canonical name of an ACLED- or UCDP-style actor name, with the default catalogue.

    >>> canonical_actor_name("Military Forces of Syria (2000-) 5th Assault Corps")
    'Military Forces of Syria'
    """
    return _default_catalogue().canonical_actor_name(name)
