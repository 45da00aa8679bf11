"""A repository map: the definitions of a repository's files and the references between
them, ranked by importance and rendered to fit a token budget, for the tasks that look
past a diff (`impact`, `analyze`). Honours the review's filters and data classes: a map
bound for a cloud target carries no restricted file."""

from bot.repomap.admission import ALL_CLASSES, CLOUD_CLASSES, MapScope
from bot.repomap.build import BuildStats, MappedFile, RepoMap, build_map
from bot.repomap.cache import CACHE_NAME, FactsCache
from bot.repomap.model import Definition
from bot.repomap.render import RenderedMap
from bot.repomap.sources import SourceFile, Sources, blob_digest, from_blobs, from_checkout

__all__ = [
    "ALL_CLASSES",
    "CACHE_NAME",
    "CLOUD_CLASSES",
    "BuildStats",
    "Definition",
    "FactsCache",
    "MapScope",
    "MappedFile",
    "RenderedMap",
    "RepoMap",
    "SourceFile",
    "Sources",
    "blob_digest",
    "build_map",
    "from_blobs",
    "from_checkout",
]
