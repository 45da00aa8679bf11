"""Reading a checkout for the repository map, and its cache: a second build of the same
files parses nothing, a one-file change parses one file, and the cache is shared by
content between a work tree, a commit and bytes a forge door hands over."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.repomap import CACHE_NAME, FactsCache, build_map, from_blobs, from_checkout
from bot.repomap import cache as cache_module
from bot.repomap.sources import blob_digest
from tests.gitrepo import GitRepo

FILES = {
    "app/orders.py": "from app.store import save\n\n\ndef place(order):\n    return save(order)\n",
    "app/store.py": 'def save(order):\n    """Writes one order."""\n    return order\n',
    "web/main.js": "const { place } = require('./place')\nplace(1)\n",
    "web/place.js": "function place (n) { return n }\nmodule.exports = { place }\n",
    "README.md": "demo\n",
}


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    repo = GitRepo.init(tmp_path / "repo")
    for rel, text in FILES.items():
        repo.write(rel, text)
    repo.commit("base")
    return repo


def test_a_second_build_parses_nothing_and_a_one_file_change_one_file(
    repo: GitRepo, tmp_path: Path
) -> None:
    cache_file = tmp_path / "state" / CACHE_NAME
    cold = build_map(from_checkout(repo.path), cache=FactsCache(cache_file))
    assert (cold.stats.parsed, cold.stats.cached, cold.stats.no_grammar) == (4, 0, 1)
    assert cold.users_of("app/store.py", "save") == ["app/orders.py"]

    warm_cache = FactsCache(cache_file)  # the next run opens the file anew
    warm = build_map(from_checkout(repo.path), cache=warm_cache)
    assert (warm.stats.parsed, warm.stats.cached) == (0, 4)
    assert (warm_cache.stats.hits, warm_cache.stats.misses) == (4, 0)
    assert warm.render(2000).text == cold.render(2000).text

    # Edited in the work tree, not committed: hashed from disk, and only it is parsed.
    repo.write("app/store.py", FILES["app/store.py"] + "\n\ndef load(key):\n    return key\n")
    edited = build_map(from_checkout(repo.path), cache=FactsCache(cache_file))
    assert (edited.stats.parsed, edited.stats.cached) == (1, 3)
    assert [d.name for d in edited.files["app/store.py"].definitions] == ["save", "load"]


def test_the_cache_is_shared_by_content_across_sources(repo: GitRepo) -> None:
    cache = FactsCache(None)
    build_map(from_checkout(repo.path), cache=cache)
    at_commit = build_map(from_checkout(repo.path, "HEAD"), cache=cache)
    from_forge = build_map(from_blobs((p, t.encode()) for p, t in FILES.items()), cache=cache)
    assert at_commit.stats.parsed == from_forge.stats.parsed == 0
    assert blob_digest(FILES["app/store.py"].encode()) == repo.git("rev-parse", "HEAD:app/store.py")


def test_a_commit_changing_one_file_parses_one_file(repo: GitRepo) -> None:
    cache = FactsCache(None)
    first = repo.sha()
    repo.write("web/place.js", FILES["web/place.js"] + "function unused () {}\n")
    second = repo.commit("one more function")
    build_map(from_checkout(repo.path, first), cache=cache)
    after = build_map(from_checkout(repo.path, second), cache=cache)
    assert after.stats.parsed == 1
    assert after.files["web/main.js"].imports == ("web/place.js",)


def test_a_new_extraction_version_reads_everything_again(
    repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_file = tmp_path / CACHE_NAME
    build_map(from_checkout(repo.path), cache=FactsCache(cache_file))
    monkeypatch.setattr(cache_module, "FACTS_VERSION", cache_module.FACTS_VERSION + 1)
    again = build_map(from_checkout(repo.path), cache=FactsCache(cache_file))
    assert again.stats.parsed == 4


def test_links_and_submodules_are_counted_never_followed(repo: GitRepo, tmp_path: Path) -> None:
    outside = tmp_path / "outside.py"
    outside.write_text("def secret_helper():\n    pass\n")
    os.symlink(outside, repo.path / "app" / "linked.py")
    repo.commit("a link")
    for source in (from_checkout(repo.path), from_checkout(repo.path, "HEAD")):
        m = build_map(source)
        assert "app/linked.py" not in m.files
        assert m.left_out == {"symbolic link: not followed": 1}
        assert "secret_helper" not in m.render(10_000).text


def test_an_unusable_state_folder_costs_the_cache_not_the_map(
    repo: GitRepo, tmp_path: Path
) -> None:
    blocked = tmp_path / "state"
    blocked.write_text("a file where the state folder should be\n")
    cache = FactsCache(blocked / CACHE_NAME)
    assert cache.trouble is not None and "state" in cache.trouble
    first = build_map(from_checkout(repo.path), cache=cache)
    again = build_map(from_checkout(repo.path), cache=cache)
    assert (first.stats.parsed, again.stats.parsed) == (4, 0)  # kept in memory instead
    assert again.users_of("app/store.py", "save") == ["app/orders.py"]


def test_a_folder_replaced_by_a_link_after_checkout_is_not_read(
    repo: GitRepo, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "place.js").write_text("function leaked () {}\nmodule.exports = { leaked }\n")
    (outside / "main.js").write_text("require('./place')\n")
    for name in ("main.js", "place.js"):
        (repo.path / "web" / name).unlink()
    (repo.path / "web").rmdir()
    os.symlink(outside, repo.path / "web")
    m = build_map(from_checkout(repo.path))
    assert not any(p.startswith("web/") for p in m.files)
    assert m.left_out == {"not a regular file in the work tree": 2}
    assert "leaked" not in m.render(10_000).text
