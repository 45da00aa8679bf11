"""Private keys made by the tools that make them, and whether the detector masks each whole.

`openssl` (RSA as PKCS#1, PKCS#8 and encrypted; EC on P-256, P-384, P-521 and secp256k1,
each with its curve named and written out, as SEC1 and PKCS#8; Ed25519, Ed448, X25519,
DSA), `ssh-keygen` (RSA, ECDSA, Ed25519; OpenSSH, PEM and PKCS#8 forms; with and without
a passphrase) and `gpg` (RSA and Ed25519 secret keys, armoured) write key files into a
temporary folder; each is scanned under a config path, and counts when every base64 line
of its private block is inside a reported span. Nobody here wrote these keys: the tools
draw them. A tool that is missing is skipped and said so.

    .venv/bin/python bench/secrets_tool_keys.py [--each 12]
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.secrets import find_secrets

_CURVES = ("prime256v1", "secp384r1", "secp521r1", "secp256k1")
_BODY = re.compile(r"[A-Za-z0-9+/=]{20,}")


def _run(cmd: list[str], out: Path | None = None, **kw: object) -> None:
    done = subprocess.run(cmd, capture_output=True, check=True, **kw)  # type: ignore[call-overload]
    if out is not None:
        out.write_bytes(done.stdout)


def _openssl(folder: Path, i: int) -> None:
    o = "openssl"
    _run([o, "genrsa", "-traditional", "1024"], folder / f"rsa-pkcs1_{i}.pem")
    _run([o, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
         folder / f"rsa-pkcs8_{i}.pem")  # fmt: skip
    _run([o, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-aes256",
          "-pass", "pass:x"], folder / f"rsa-encrypted_{i}.pem")  # fmt: skip
    for curve in _CURVES:
        _run([o, "ecparam", "-name", curve, "-genkey", "-noout"], folder / f"ec-{curve}_{i}.pem")
        explicit = folder / f"ec-{curve}-explicit_{i}.pem"
        _run([o, "ecparam", "-name", curve, "-param_enc", "explicit", "-genkey"], explicit)
        _run([o, "pkcs8", "-topk8", "-nocrypt", "-in", str(explicit)],
             folder / f"ec-{curve}-explicit-pkcs8_{i}.pem")  # fmt: skip
    for algorithm in ("ED25519", "ED448", "X25519"):
        _run([o, "genpkey", "-algorithm", algorithm], folder / f"{algorithm.lower()}_{i}.pem")
    _run([o, "dsaparam", "-noout", "-genkey", "1024"], folder / f"dsa_{i}.pem")


def _ssh_keygen(folder: Path, i: int) -> None:
    forms = [("rsa", []), ("ecdsa", []), ("ed25519", []), ("rsa", ["-m", "PEM"]),
             ("ecdsa", ["-m", "PKCS8"])]  # fmt: skip
    for kind, extra in forms:
        for passphrase in ("", "hunter2pass"):
            name = f"ssh-{kind}{'-' + extra[1].lower() if extra else ''}"
            key = folder / f"{name}{'-encrypted' if passphrase else ''}_{i}"
            _run(["ssh-keygen", "-q", "-t", kind, *extra, "-N", passphrase, "-C", "", "-f",
                  str(key)])  # fmt: skip
            key.with_suffix(".pub").unlink(missing_ok=True)
            key.rename(key.with_suffix(".pem"))


def _gpg(folder: Path, i: int) -> None:
    home = folder / "gnupg"
    home.mkdir(mode=0o700, exist_ok=True)
    env = {**os.environ, "GNUPGHOME": str(home)}
    base = ["gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", ""]
    for algorithm in ("rsa2048", "ed25519"):
        uid = f"{algorithm}-{i}@example.org"
        _run([*base, "--quick-gen-key", uid, algorithm, "sign", "never"], env=env)
        _run([*base, "--armor", "--export-secret-keys", uid],
             folder / f"gpg-{algorithm}_{i}.pem", env=env)  # fmt: skip


def _masked_whole(text: str, path: str) -> bool:
    covered = {i for h in find_secrets(text, path) for i in range(h.start, h.end)}
    start = text.find("\n", text.find("PRIVATE KEY"))
    stop = text.find("-----END", start)
    body = list(_BODY.finditer(text, start, stop))
    return bool(body) and all(set(range(*m.span())) <= covered for m in body)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--each", type=int, default=12, help="keys of each kind per tool")
    args = ap.parse_args()
    makers = {"openssl": _openssl, "ssh-keygen": _ssh_keygen, "gpg": _gpg}
    with tempfile.TemporaryDirectory(prefix="tool-keys-") as tmp:
        folder = Path(tmp)
        for tool, make in makers.items():
            if shutil.which(tool) is None:
                print(f"{tool}: not installed, skipped")
                continue
            for i in range(args.each):
                make(folder, i)
        tally: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
        for key in sorted(folder.glob("*.pem")):
            kind = key.stem.rsplit("_", 1)[0]
            tally[kind][0] += _masked_whole(key.read_text(), f"config/{key.name}")
            tally[kind][1] += 1
    for kind, (whole, n) in sorted(tally.items()):
        print(f"  {kind:38s} {whole:3d} of {n} masked whole")
    whole = sum(t[0] for t in tally.values())
    total = sum(t[1] for t in tally.values())
    print(f"{whole} of {total} key files masked whole")


if __name__ == "__main__":
    main()
