"""Data classes per file: org policy, path globs, the repository's floor, detected secrets."""

from __future__ import annotations

import hashlib
import random
import string

from bot.change.model import Change, DiffLine, FileChange, FileStatus, Hunk, LineKind, Side
from bot.classify import classify_change, classify_path
from bot.config.classes import DataClass, DataClassConfig

R = DataClass.RESTRICTED
I = DataClass.INTERNAL  # noqa: E741
P = DataClass.PUBLIC

_RNG = random.Random(7)
GH = "gh" + "p_" + "".join(_RNG.choice(string.ascii_letters + string.digits) for _ in range(34))
GH += "Q7"


def policy(**kw: object) -> DataClassConfig:
    return DataClassConfig.model_validate(kw)


def changed(
    path: str,
    added: list[str],
    *,
    start: int = 1,
    removed: list[str] | None = None,
    old_path: str | None = None,
) -> FileChange:
    lines = [DiffLine(LineKind.REMOVED, start + i, None, t) for i, t in enumerate(removed or [])]
    lines += [DiffLine(LineKind.ADDED, None, start + i, t) for i, t in enumerate(added)]
    hunk = Hunk(start, len(removed or []), start, len(added), "", lines)
    status = FileStatus.RENAMED if old_path else FileStatus.MODIFIED
    return FileChange(path=path, old_path=old_path or path, status=status, hunks=[hunk])


def change_of(*files: FileChange) -> Change:
    return Change(files=list(files), source="test")


def test_org_default_applies_to_unlisted_code() -> None:
    cls = classify_change(change_of(changed("app/main.py", ["x = 1"])), policy(), None, "acme/app")
    assert cls["app/main.py"] == (I, "internal: org default")
    assert cls.of(["app/main.py"]) == (I, "internal: org default")


def test_repository_exact_name_and_globs() -> None:
    dc = policy(repositories={"acme/*": "restricted", "acme/docs": "public"})
    docs = classify_path("index.md", dc, None, "acme/docs")
    assert (docs.data_class, docs.reason) == (P, "public: repository acme/docs (org policy)")
    pay = classify_path("api.py", dc, None, "Acme/Payments")
    assert pay.reason == "restricted: repository Acme/Payments matches 'acme/*' (org policy)"
    other = classify_path("api.py", dc, None, "globex/app")
    assert other.reason == "internal: org default"


def test_the_highest_matching_repository_glob_wins() -> None:
    dc = policy(repositories={"acme/*": "public", "acme/pay-*": "restricted"})
    assert classify_path("a.py", dc, None, "acme/pay-api").data_class is R


def test_path_globs_raise_and_the_highest_match_wins() -> None:
    dc = policy(
        paths=[
            {"glob": "billing/**", "class": "restricted"},
            {"glob": "*.md", "class": "public"},
            {"glob": "billing/README.md", "class": "internal"},
        ]
    )
    cls = classify_change(
        change_of(
            changed("billing/invoice.py", ["total = 1"]),
            changed("billing/README.md", ["# Billing"]),
            changed("docs/guide.md", ["Hello"]),
        ),
        dc,
        None,
        "acme/app",
    )
    assert cls["billing/invoice.py"] == (R, "restricted: path matches 'billing/**' (org policy)")
    assert cls["billing/README.md"][0] is R
    # a public glob cannot lower the org default
    assert cls["docs/guide.md"] == (I, "internal: org default")


def test_a_renamed_file_keeps_the_class_of_where_it_came_from() -> None:
    dc = policy(paths=[{"glob": "billing/**", "class": "restricted"}])
    f = changed("lib/invoice.py", ["total = 1"], old_path="billing/invoice.py")
    cls = classify_change(change_of(f), dc, None, None)
    assert cls["lib/invoice.py"] == (
        R,
        "restricted: old path billing/invoice.py matches 'billing/**' (org policy)",
    )


def test_repo_floor_raises_but_never_lowers() -> None:
    dc = policy()
    raised = classify_path("a.py", dc, R, "acme/app")
    assert (raised.data_class, raised.reason) == (
        R,
        "restricted: raised by the repository's .switchyard.yml",
    )
    kept = classify_path("a.py", dc, P, "acme/app")
    assert (kept.data_class, kept.reason) == (I, "internal: org default")
    # a floor equal to the org's class leaves the org's reason in place
    assert classify_path("a.py", dc, I, "acme/app").reason == "internal: org default"
    # nor can a floor lower a restricted path glob
    dc = policy(paths=[{"glob": "keys/**", "class": "restricted"}])
    assert classify_path("keys/a.pem", dc, P, "acme/app").data_class is R


def test_repo_floor_raises_a_public_repository() -> None:
    dc = policy(repositories={"acme/docs": "public"})
    fc = classify_path("index.md", dc, I, "acme/docs")
    assert fc.reason == "internal: raised by the repository's .switchyard.yml"


def test_a_detected_secret_makes_the_file_restricted() -> None:
    f = changed("app/client.py", ["import os", "", f'TOKEN = "{GH}"'], start=10)
    cls = classify_change(change_of(f, changed("app/other.py", ["y = 2"])), policy(), None, None)
    assert cls["app/client.py"] == (R, "restricted: secret detected (GitHub token, line 12)")
    assert cls["app/other.py"][0] is I
    (found,) = cls.secrets["app/client.py"]
    assert (found.kind, found.line, found.side) == ("GitHub token", 12, Side.RIGHT)
    assert GH not in repr(cls) and GH not in str(cls.secrets)


def test_a_secret_on_a_removed_line_still_counts() -> None:
    # The rendered diff shows removed lines too: deleting a key sends the key.
    f = changed("app/client.py", ['TOKEN = os.environ["GH"]'], start=5, removed=[f'TOKEN = "{GH}"'])
    cls = classify_change(change_of(f), policy(), None, None)
    assert cls["app/client.py"] == (
        R,
        "restricted: secret detected (GitHub token, removed line 5)",
    )


def test_a_change_just_below_a_key_makes_the_file_restricted() -> None:
    # The hunk's context is the key's last lines and its END line, its BEGIN line above the
    # hunk: sent with the change unless the file is kept on premises.
    b64 = string.ascii_letters + string.digits + "+/"
    body = ["".join(_RNG.choice(b64) for _ in range(64)) for _ in range(3)]
    tail = [*body, "-----END " + "RSA PRIVATE KEY-----"]
    lines = [DiffLine(LineKind.CONTEXT, 27 + i, 27 + i, "    " + t) for i, t in enumerate(tail)]
    lines += [
        DiffLine(LineKind.REMOVED, 31, None, "  port: 8443"),
        DiffLine(LineKind.ADDED, None, 31, "  port: 9443"),
    ]
    f = FileChange(
        path="deploy/values.yaml",
        old_path="deploy/values.yaml",
        status=FileStatus.MODIFIED,
        hunks=[Hunk(27, 5, 27, 5, "", lines)],
    )
    cls = classify_change(change_of(f), policy(), None, None)
    assert cls["deploy/values.yaml"] == (R, "restricted: secret detected (private key, line 27)")


def _key_file(n_body: int = 25) -> list[str]:
    b64 = string.ascii_letters + string.digits + "+/"
    body = ["    " + "".join(_RNG.choice(b64) for _ in range(64)) for _ in range(n_body)]
    return [
        "server:",
        "  tls_key: |",
        "    -----BEGIN " + "RSA PRIVATE KEY-----",
        *body,
        "    -----END " + "RSA PRIVATE KEY-----",
        "  port: 8443",
    ]


def _one_line_changed(path: str, head: list[str], n: int, old: str) -> Change:
    """A change of line `n` (1-based) of `head`, git's three lines of context each side,
    with the file's contents loadable as from a repository."""
    lo, hi = max(1, n - 3), min(len(head), n + 3)
    lines = [DiffLine(LineKind.CONTEXT, i, i, head[i - 1]) for i in range(lo, n)]
    lines += [
        DiffLine(LineKind.REMOVED, n, None, old),
        DiffLine(LineKind.ADDED, None, n, head[n - 1]),
    ]
    lines += [DiffLine(LineKind.CONTEXT, i, i, head[i - 1]) for i in range(n + 1, hi + 1)]
    base = [*head[: n - 1], old, *head[n:]]
    f = FileChange(
        path=path,
        old_path=path,
        status=FileStatus.MODIFIED,
        hunks=[Hunk(lo, hi - lo + 1, lo, hi - lo + 1, "", lines)],
    )

    def load(_path: str, side: Side) -> str:
        return "\n".join(head if side is Side.RIGHT else base)

    return Change(files=[f], source="test", load_content=load)


def test_a_change_inside_a_keys_body_makes_the_file_restricted() -> None:
    # The hunk shows seven lines of the body and neither armour line: base64 alone does
    # not tell a private key from a certificate, the file does.
    head = _key_file()
    change = _one_line_changed("deploy/values.yaml", head, 15, "    " + "A" * 64)
    cls = classify_change(change, policy(), None, None)
    assert cls["deploy/values.yaml"] == (
        R,
        "restricted: secret detected (private key, line 12; 1 more)",
    )
    # Without the file (a patch), the hunk is all there is to judge.
    patch = Change(files=change.files, source="test")
    assert classify_change(patch, policy(), None, None)["deploy/values.yaml"][0] is I
    # The values go to the gate, which sees only the hunk: every body line it shows.
    withheld = cls.withheld(["deploy/values.yaml", "app/main.py"])
    assert {line.strip() for line in head[11:18]} <= set(withheld)
    assert set(withheld.values()) == {"private-key"}
    assert head[12].strip() not in repr(cls)


def test_the_gate_gets_every_shown_line_of_a_key_though_the_hunk_found_some() -> None:
    # A key written as a list of strings: each full body line the hunk shows is a
    # high-entropy string on its own, its short last line is not; the file tells all.
    body = [line.strip() for line in _key_file()[3:-2]]
    tail = "".join(_RNG.choice(string.ascii_letters) for _ in range(18)) + "Qw=="
    key = [
        "-----BEGIN " + "RSA PRIVATE KEY-----",
        *body,
        tail,
        "-----END " + "RSA PRIVATE KEY-----",
    ]
    head = ["KEY_LINES = [", *(f'    "{line}",' for line in key), "]"]
    n = head.index(f'    "{tail}",') - 2  # the tail shown, the END line not
    change = _one_line_changed("app/keys.py", head, n, '    "' + "A" * 64 + '",')
    cls = classify_change(change, policy(secrets_make_restricted=False), None, None)
    assert cls["app/keys.py"][0] is I
    assert tail in cls.withheld(["app/keys.py"])


def test_a_change_inside_an_openvpn_static_key_makes_the_file_restricted() -> None:
    # Its lines are 32 hex digits each, as a digest's: the file tells a key.
    hexes = ["".join(_RNG.choice("0123456789abcdef") for _ in range(32)) for _ in range(16)]
    head = [
        "client",
        "<tls-auth>",
        "-----BEGIN OpenVPN Static key V1-----",
        *hexes,
        "-----END OpenVPN Static key V1-----",
        "</tls-auth>",
    ]
    change = _one_line_changed("vpn/client.ovpn", head, 11, "0" * 32)
    cls = classify_change(change, policy(), None, None)
    assert cls["vpn/client.ovpn"][0] is R
    assert set(hexes[4:11]) <= set(cls.withheld(["vpn/client.ovpn"]))


def _restricted_by_the_file(path: str, head: list[str], n: int, old: str, value: str) -> str:
    """Classifies a change of line `n` of `head`, the file loadable: the file must be
    restricted and `value` given to the gate. The reason is returned."""
    cls = classify_change(_one_line_changed(path, head, n, old), policy(), None, None)
    data_class, reason = cls[path]
    assert data_class is R, reason
    assert value in cls.withheld([path])
    return reason


def test_a_value_whose_name_is_above_the_hunk_makes_the_file_restricted() -> None:
    # CloudFormation's name/value pairs: a change two lines below shows the `Value:` line,
    # its `Name:` one row above the hunk. A drawn value the hunk cannot judge has the file
    # read, and the file knows the name.
    value = "".join(_RNG.choice(string.ascii_letters) for _ in range(14)) + "7Qw2xZ"
    head = [
        "Resources:",
        "  Task:",
        "    Properties:",
        "      Environment:",
        "        - Name: DB_PASSWORD",
        f"          Value: {value}",
        "        - Name: LOG_LEVEL",
        "          Value: info",
        "        - Name: PORT",
        '          Value: "8080"',
    ]
    change = _one_line_changed("cfn/stack.yml", head, 9, "        - Name: HOST")
    assert min(ln.new_no or 99 for ln in change.files[0].hunks[0].lines) == 6  # no Name line
    reason = _restricted_by_the_file("cfn/stack.yml", head, 9, "        - Name: HOST", value)
    assert reason == "restricted: secret detected (secret in a name/value pair, line 6)"


def test_a_password_whose_name_is_above_the_hunk_makes_the_file_restricted() -> None:
    # Not drawn, so no value looks like a secret's; the hunk opens with a `Value:` line,
    # whose name is the line above it.
    head = [
        "      Environment:",
        "        - Name: MONGO_INITDB_ROOT_PASSWORD",
        "          Value: orchard-lantern-stapler",
        "        - Name: MONGO_INITDB_ROOT_USERNAME",
        "          Value: admin",
        "      Image: mongo:6",
        "      Essential: true",
    ]
    _restricted_by_the_file(
        "cfn/stack.yml", head, 6, "      Image: mongo:5", "orchard-lantern-stapler"
    )
    # Its name shown too, the hunk judges it alone (the file is not needed).
    shown = _one_line_changed("cfn/stack.yml", head, 5, "          Value: root")
    patch = Change(files=shown.files, source="test")
    assert classify_change(patch, policy(), None, None)["cfn/stack.yml"][0] is R


def test_a_hex_secret_continued_below_its_name_makes_the_file_restricted() -> None:
    # A long string continued on the next line: a change just below shows the hex alone.
    secret = hashlib.sha512(b"a secret written for this test").hexdigest()
    head = [
        "Devise.setup do |config|",
        "  config.secret_key =",
        f'    "{secret}"',
        "",
        "  # ==> Mailer Configuration",
        '  config.mailer_sender = "please-change-me@example.com"',
        "end",
    ]
    _restricted_by_the_file("config/initializers/devise.rb", head, 6, "  # mailer", secret)


def test_a_drawn_id_in_a_file_without_secrets_leaves_the_change_alone() -> None:
    # A workspace id in an example: drawn-looking, so the file is read, and holds no secret.
    head = [
        "def example(client):",
        "    # the workspace of the example account",
        '    workspace = "wrkspc_011CZkZaBF1tNoB5wlCeusgy"',
        "    return client.runs.list(workspace=workspace)",
        "",
        "",
        "def other():",
        "    return 2",
    ]
    change = _one_line_changed("docs/example.py", head, 5, "# end")
    assert classify_change(change, policy(), None, None)["docs/example.py"][0] is I


def test_a_value_deep_in_a_large_file_is_judged_by_the_lines_around_the_hunk() -> None:
    # A large file is read from 64 KB above the shown lines, not whole: the reason gives
    # the file's own line number.
    value = "".join(_RNG.choice(string.ascii_letters) for _ in range(14)) + "7Qw2xZ"
    filler = [f"# {i:05d} {'x' * 40}" for i in range(8000)]  # ~400 KB
    pair = ["        - Name: DB_PASSWORD", f"          Value: {value}"]
    tail = [f"        - Name: OPT{i}\n          Value: {i}" for i in range(4)]
    head = [*filler, "Environment:", *pair, *"\n".join(tail).split("\n")]
    at = head.index(pair[1]) + 1
    change = _one_line_changed("cfn/stack.yml", head, at + 3, "        - Name: HOST")
    cls = classify_change(change, policy(), None, None)
    assert cls["cfn/stack.yml"] == (
        R,
        f"restricted: secret detected (secret in a name/value pair, line {at})",
    )
    assert value in cls.withheld(["cfn/stack.yml"])


def test_a_key_elsewhere_in_the_file_leaves_an_unrelated_change_alone() -> None:
    # A drawn-looking run in the hunk (a checksum) has the file read whole, and only the
    # secrets a shown line is part of count.
    digest = "".join(_RNG.choice(string.ascii_letters + string.digits) for _ in range(44))
    head = [*_key_file(), "", *(f"  opt{i}: {i}" for i in range(20)), f"  checksum: {digest}"]
    change = _one_line_changed("deploy/values.yaml", head, len(head) - 2, "  opt18: 0")
    assert classify_change(change, policy(), None, None)["deploy/values.yaml"][0] is I


def test_several_secrets_are_counted_in_the_reason() -> None:
    f = changed("app/keys.py", [f'A = "{GH}"', f'B = "{GH}"'])
    reason = classify_change(change_of(f), policy(), None, None)["app/keys.py"][1]
    assert reason == "restricted: secret detected (GitHub token, line 1; 1 more)"


def test_secrets_can_be_left_to_redaction() -> None:
    f = changed("app/client.py", [f'TOKEN = "{GH}"'])
    cls = classify_change(change_of(f), policy(secrets_make_restricted=False), None, None)
    assert cls["app/client.py"] == (I, "internal: org default")
    assert [s.kind for s in cls.secrets["app/client.py"]] == ["GitHub token"]
    assert cls.withheld(["app/client.py"]) == {GH: "github-token"}


def test_a_policy_restricted_file_keeps_its_policy_reason() -> None:
    dc = policy(paths=[{"glob": "billing/**", "class": "restricted"}])
    f = changed("billing/pay.py", [f'TOKEN = "{GH}"'])
    cls = classify_change(change_of(f), dc, None, None)
    assert cls["billing/pay.py"][1] == "restricted: path matches 'billing/**' (org policy)"
    assert "billing/pay.py" in cls.secrets


def test_of_gives_the_highest_class_and_names_the_deciding_file() -> None:
    dc = policy(paths=[{"glob": "billing/**", "class": "restricted"}])
    cls = classify_change(
        change_of(
            changed("app/a.py", ["a = 1"]),
            changed("billing/b.py", ["b = 1"]),
            changed("app/c.py", [f'C = "{GH}"']),
        ),
        dc,
        None,
        "acme/app",
    )
    assert cls.of(["app/a.py"]) == (I, "internal: org default")
    assert cls.of(["app/a.py", "billing/b.py", "app/c.py"]) == (
        R,
        "restricted: billing/b.py: path matches 'billing/**' (org policy)",
    )
    assert cls.of(["app/c.py", "billing/b.py"]) == (
        R,
        "restricted: app/c.py: secret detected (GitHub token, line 1)",
    )
    assert cls.of([]) == (I, "internal: org default")
    assert cls.highest[0] is R
    # a path outside the change gets the policy's answer for it
    assert cls.of(["billing/new.py"])[0] is R
    assert len(cls) == 3 and set(cls) == {"app/a.py", "billing/b.py", "app/c.py"}


def test_the_repository_class_includes_the_floor() -> None:
    cls = classify_change(change_of(), policy(), R, "acme/app")
    assert cls.of([]) == (R, "restricted: raised by the repository's .switchyard.yml")


def test_context_lines_shown_around_a_hunk_are_scanned_when_asked() -> None:
    head = ["import os"] * 30
    head[12] = f'TOKEN = "{GH}"'  # line 13: 3 lines below the hunk
    head[28] = f'OTHER = "{GH}"'  # line 29: far from the hunk, never shown
    f = changed("app/client.py", ["x = 1"], start=10)

    def load(path: str, side: Side) -> str | None:
        return "\n".join(head) if side is Side.RIGHT else None

    change = Change(files=[f], source="test", load_content=load)
    assert classify_change(change, policy(), None, None)["app/client.py"][0] is I
    cls = classify_change(change, policy(), None, None, extra_context=8)
    assert cls["app/client.py"] == (R, "restricted: secret detected (GitHub token, line 13)")
    assert [s.line for s in cls.secrets["app/client.py"]] == [13]
