"""Utterance-level search over a whole archive from static files. (Design: see below.)"""

from generator.search.build import build_search_index
from generator.search.documents import SearchDocument

__all__ = ["SearchDocument", "build_search_index"]
