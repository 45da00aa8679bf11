"""What a repository map may carry: the review's filters, and data classes — a map bound
for a cloud target holds nothing of a restricted file, and says only how many were left
out."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest

from bot.config.classes import DataClass, DataClassConfig, PathClass
from bot.config.model import FilterConfig
from bot.repomap import MapScope, RepoMap, SourceFile, Sources, build_map, from_blobs
from bot.repomap.admission import RESTRICTED_LEFT_OUT

CHARGE = b'''"""Card charges."""


def charge_card_quietly(card_number: str, cents: int) -> str:
    """Sends the charge to the acquirer over the private line."""
    return acquirer_call(card_number, cents)


def acquirer_call(card_number: str, cents: int) -> str:
    return "ok"
'''
CART = b'''from billing.charge import charge_card_quietly


class Cart:
    """Items a customer is about to buy."""

    def checkout(self, card: str) -> str:
        return charge_card_quietly(card, self.total())

    def total(self) -> int:
        return 0
'''
SHOP = b"""from shop.cart import Cart


def main() -> None:
    Cart().checkout("4111")
"""
# A key in a signature's default: what the map would show of this file holds a secret.
KEYS = b'''def connect(token="ghp_4fG7hK2mP9qR3sT6vW8xY1zA5bC0dE2fH4jK") -> None:
    """Opens the deploy connection."""
'''
FILES = {
    "billing/charge.py": CHARGE,
    "shop/cart.py": CART,
    "shop/main.py": SHOP,
    "deploy/keys.py": KEYS,
    "vendor/left_pad.py": b"def left_pad(s):\n    return s\n",
    "proto/cart_pb2.py": b"def generated_message():\n    pass\n",
    "docs/conf.py": b"def setup(app):\n    pass\n",
}
BILLING_WORDS = ("billing", "charge_card_quietly", "acquirer", "private line")
POLICY = DataClassConfig(
    default=DataClass.INTERNAL,
    paths=[PathClass.model_validate({"glob": "billing/**", "class": "restricted"})],
)


def sources(files: dict[str, bytes] = FILES) -> Sources:
    return from_blobs(files.items())


def all_text(m: RepoMap) -> str:
    return m.render(100_000).text


def test_cloud_map_holds_nothing_of_a_restricted_file() -> None:
    m = build_map(sources(), scope=MapScope(data_classes=POLICY), for_cloud=True)
    assert "billing/charge.py" not in m.files
    assert "billing/charge.py" not in m.ranks
    text = all_text(m)
    for word in BILLING_WORDS:
        assert word not in text
    assert m.users_of("billing/charge.py", "charge_card_quietly") == []
    # Counted, not named: the restricted file and the file with a key in a signature.
    assert m.left_out[RESTRICTED_LEFT_OUT] == 2
    assert f"2 ({RESTRICTED_LEFT_OUT})" in text
    assert "deploy/keys.py" not in text and "ghp_" not in text
    # The file that calls into billing is still there: its own code is not restricted.
    assert "shop/cart.py" in m.files


def test_local_map_keeps_restricted_files_with_their_class() -> None:
    m = build_map(sources(), scope=MapScope(data_classes=POLICY))
    assert m.files["billing/charge.py"].data_class is DataClass.RESTRICTED
    assert m.files["deploy/keys.py"].data_class is DataClass.RESTRICTED
    assert m.files["shop/cart.py"].data_class is DataClass.INTERNAL
    assert RESTRICTED_LEFT_OUT not in m.left_out
    assert m.users_of("billing/charge.py", "charge_card_quietly") == ["shop/cart.py"]
    assert "def charge_card_quietly(card_number: str, cents: int) -> str" in all_text(m)


def test_no_secret_scan_restriction_when_the_policy_turns_it_off() -> None:
    policy = POLICY.model_copy(update={"secrets_make_restricted": False})
    m = build_map(sources(), scope=MapScope(data_classes=policy), for_cloud=True)
    assert "deploy/keys.py" in m.files
    assert m.left_out[RESTRICTED_LEFT_OUT] == 1


@pytest.mark.parametrize(
    "scope",
    [
        MapScope(data_classes=DataClassConfig(repositories={"acme/*": DataClass.RESTRICTED}),
                 repository="acme/shop"),
        MapScope(repo_floor=DataClass.RESTRICTED),
        MapScope(data_classes=DataClassConfig(default=DataClass.RESTRICTED)),
    ],
    ids=["org policy for the repository", "repository's own floor", "org default"],
)  # fmt: skip
def test_a_restricted_repository_gives_an_empty_cloud_map(scope: MapScope) -> None:
    m = build_map(sources(), scope=scope, for_cloud=True)
    assert m.files == {}
    assert m.left_out == {RESTRICTED_LEFT_OUT: len(FILES)}
    assert m.render(4000).text == (
        "Repository map: 0 of 0 files, most used first.\n"
        f"Files left out: {len(FILES)} ({RESTRICTED_LEFT_OUT}).\n"
    )


def test_a_file_restricted_by_path_is_not_even_read_for_a_cloud_map() -> None:
    inner = sources()

    def read(wanted: Sequence[SourceFile]) -> Iterator[tuple[SourceFile, bytes]]:
        assert "billing/charge.py" not in {f.path for f in wanted}
        yield from inner.read(wanted)

    m = build_map(Sources(inner.files, read), scope=MapScope(data_classes=POLICY), for_cloud=True)
    assert m.stats.parsed == len(FILES) - 1


def test_the_reviews_filters_apply() -> None:
    filters = FilterConfig(exclude=["docs/**"])
    m = build_map(sources(), scope=MapScope(filters=filters))
    assert set(m.files) == {"billing/charge.py", "shop/cart.py", "shop/main.py", "deploy/keys.py"}
    assert m.left_out == {
        "excluded by pattern 'docs/**'": 1,
        "generated (default filter)": 1,
        "vendored (default filter)": 1,
    }
    unfiltered = build_map(sources(), scope=MapScope(filters=FilterConfig(default_filters=False)))
    assert "vendor/left_pad.py" in unfiltered.files


def test_a_generated_marker_in_the_content_sets_a_file_aside() -> None:
    marked = {"api/client.py": b"# Code generated by protoc. DO NOT EDIT.\ndef call():\n    pass\n"}
    m = build_map(sources({**FILES, **marked}))
    assert "api/client.py" not in m.files
    assert m.left_out["generated (default filter)"] == 2
