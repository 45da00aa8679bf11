"""bench/secrets_creddata.py reads CredData's labels against the labelled repositories'
files as download_data.py would: FileIDs are sha256 prefixes of paths at the pinned
commit, `.xml` files and repositories without a mirror are left out and counted, and a
row counts as flagged when a reported secret covers one of its lines."""

from __future__ import annotations

import binascii
import hashlib
import json
import subprocess
from dataclasses import replace
from pathlib import Path

from bench.secrets_creddata import (
    Source,
    flags,
    load,
    switchyard_lines,
    tallies,
    value_coverage,
)

_HEADER = (
    "Id,FileID,Domain,RepoName,FilePath,LineStart,LineEnd,GroundTruth,ValueStart,ValueEnd,"
    "CryptographyKey,PredefinedPattern,Category\n"
)


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout.strip()


def _file_id(path: str) -> str:
    return hashlib.sha256(path.encode()).hexdigest()[:8]


def _repo_id(key: str) -> str:
    return f"{binascii.crc32(binascii.unhexlify(key)):08x}"


def test_labels_are_matched_to_files_at_the_pinned_commit(tmp_path: Path) -> None:
    work = tmp_path / "mirrors" / "acme+app" / "repo"
    (work / "conf").mkdir(parents=True)
    (work / "conf" / "app.yml").write_text(
        "name: app\ndb_password: Tq6vK9mZ2xWp\ntitle: Enter your password\n"
    )
    (work / "conf" / "ignored.xml").write_text("<password>Tq6vK9mZ2xWp</password>\n")
    _git(work, "init", "-q")
    _git(work, "add", ".")
    _git(work, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "pinned")
    pinned = _git(work, "rev-parse", "HEAD")
    # A later commit changes the file: the labels are for the pinned one.
    (work / "conf" / "app.yml").write_text("moved: true\n")
    _git(work, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qam", "later")

    present, absent = pinned + "0" * 24, "ab" * 32
    creddata = tmp_path / "CredData"
    (creddata / "meta").mkdir(parents=True)
    (creddata / "snapshot.json").write_text(
        json.dumps({present: "https://github.com/acme/app", absent: "https://github.com/acme/gone"})
    )
    rid, yml, xml = _repo_id(present), _file_id("conf/app.yml"), _file_id("conf/ignored.xml")
    rows = [
        f"1,{yml},GitHub,{rid},data/{rid}/_/{yml}.yml,2,2,T,13,25,,,Password",
        f"2,{yml},GitHub,{rid},data/{rid}/_/{yml}.yml,3,3,F,,,,,Password",
        f"3,{yml},GitHub,{rid},data/{rid}/_/{yml}.yml,1,1,X,,,,,Other",
        f"4,{xml},GitHub,{rid},data/{rid}/_/{xml}.xml,1,1,T,10,22,,,Password",
    ]
    (creddata / "meta" / f"{rid}.csv").write_text(_HEADER + "\n".join(rows) + "\n")
    gone = _repo_id(absent)
    (creddata / "meta" / f"{gone}.csv").write_text(
        _HEADER + f"5,{yml},GitHub,{gone},data/{gone}/_/{yml}.yml,1,1,T,0,4,,,Key\n"
    )

    loaded = load(Source(creddata), tmp_path / "mirrors", progress=False)

    assert dict(loaded.left_out) == {
        "file missing at the commit (or .xml)": 1,
        "repository not mirrored": 1,
    }
    by_id = {c.case_id: c for c in loaded.cases}
    assert sorted(by_id) == ["1", "2", "3"]
    assert by_id["1"].secret and by_id["1"].path == "conf/app.yml"
    assert by_id["1"].text == "db_password: Tq6vK9mZ2xWp"
    assert not by_id["2"].secret and not by_id["3"].secret  # X counts as not a credential

    flagged = flags(loaded, switchyard_lines)
    assert [flagged(by_id[i]) for i in ("1", "2", "3")] == [True, False, False]
    split = by_id["1"].split
    t = tallies(loaded.cases, flagged)[split]
    assert (t.tp, t.fn, t.fp, t.tn) == (1, 0, 0, 2)
    # Row 1 marks the password at columns 13-25 of its line: masked whole.
    assert by_id["1"].value == (13, 25)
    assert value_coverage(loaded, split) == (1, 1, 0, 0)
    # Marked wider than what is reported (as if the name were part of the value): cut short,
    # with letters of the value outside the masked span.
    loaded.cases = [replace(c, value=(3, 25)) if c.case_id == "1" else c for c in loaded.cases]
    assert value_coverage(loaded, split) == (1, 0, 1, 1)
    # Wider by the space before it only: cut short, but nothing of the secret is sent.
    loaded.cases = [replace(c, value=(12, 25)) if c.case_id == "1" else c for c in loaded.cases]
    assert value_coverage(loaded, split) == (1, 0, 1, 0)
