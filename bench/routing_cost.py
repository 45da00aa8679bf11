"""What hybrid routing costs against sending everything to the cloud, and what it leaks.

Replays real pull-request diffs (bench/fixtures/prs/) through the whole review pipeline
against instant fake targets on loopback: a self-hosted vLLM-flavoured runner and a cloud
OpenAI-compatible endpoint priced as gpt-4o. Some runs happen while the runner's queue
is deep (vLLM /metrics), so its work bursts to the cloud, as at peak hours. The org
policy marks `billing/**` restricted, and one extra change plants a restricted file and a
file with a credential, to count what reaches the cloud. Which runs meet the peak is a
matter of timing, so the cost is averaged over every way of picking one run in N
(`--peak-every N`, default 3), and shown with no peak at all.

Prints: work items answered locally and in the cloud; hybrid cost against the all-cloud
counterfactual (the same tokens at the cloud price); cache hits when the workload is run
again after one file of one change was edited; restricted and secret bytes the cloud saw.

    .venv/bin/python bench/routing_cost.py
"""

from __future__ import annotations

import argparse
import json
import os
import random
import string
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.change.patch_source import change_from_patch  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.ledger.store import Ledger  # noqa: E402
from bot.pipeline import Services, run_review  # noqa: E402
from bot.planning import RunContext  # noqa: E402
from bot.providers.registry import build_providers  # noqa: E402
from bot.report import RunReport  # noqa: E402
from bot.routing.live import LiveState  # noqa: E402
from tests.fakes.openai_server import FakeOpenAIServer  # noqa: E402

PRS = sorted((ROOT / "bench" / "fixtures" / "prs").glob("*.diff"))
# Generated at run time (seeded, so runs compare) so no credential sits in the repository;
# random like real keys, since detectors rightly ignore "EXAMPLE" or keyboard runs.
_RNG = random.Random(20261127)
_UPPER = string.ascii_uppercase + "234567"
SECRET = "AKIA" + "".join(_RNG.choice(_UPPER) for _ in range(16))
SECRET_KEY = "".join(_RNG.choice(string.ascii_letters + string.digits + "/+") for _ in range(40))
RESTRICTED_CODE = "def capture(card, amount):\n    return gateway.charge(card.token, amount)\n"


def planted_change() -> str:
    """A change with one restricted file and one file holding a credential."""
    config = f'AWS_ACCESS_KEY_ID = "{SECRET}"\nAWS_SECRET_ACCESS_KEY = "{SECRET_KEY}"\n'

    def added(path: str, text: str) -> str:
        lines = text.splitlines()
        body = "".join(f"+{ln}\n" for ln in lines)
        return (
            f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n"
            f"+++ b/{path}\n@@ -0,0 +1,{len(lines)} @@\n{body}"
        )

    return added("billing/capture.py", RESTRICTED_CODE) + added("deploy/settings.py", config)


def org_file(tmp: Path, local: FakeOpenAIServer, cloud: FakeOpenAIServer) -> Path:
    path = tmp / "org.yml"
    path.write_text(
        "providers:\n"
        f"  local:\n    base_url: {local.base_url}\n    model: qwen\n"
        "    location: local\n    context_tokens: 32768\n    concurrency: 8\n"
        f"  cloud:\n    base_url: {cloud.base_url}\n    model: gpt-4o\n"
        "    location: cloud\n    context_tokens: 128000\n    concurrency: 8\n"
        "data_classes:\n  paths:\n    - {glob: 'billing/**', class: restricted}\n"
        "routing:\n  overflow:\n    waiting_threshold: 8\n    metrics_ttl_s: 0.001\n"
    )
    return path


def workload(edited: bool = False) -> list[tuple[str, str]]:
    out = [(p.stem, p.read_bytes().decode("utf-8")) for p in PRS]
    out.append(("planted", planted_change()))
    if edited:
        # One file of one change edited: a force-push that touches a single line.
        name, text = out[0]
        at = text.index("\n+", text.index("@@")) + 2
        out[0] = (name, text[:at] + "EDITED " + text[at:])
    return out


def run(  # type: ignore[no-untyped-def]
    workload_: list[tuple[str, str]],
    services: Services,
    settings,
    local,
    peak: int | None,
    every: int = 3,
) -> list[RunReport]:
    """Reviews every change; with `peak` = k, runs k, k+N, k+2N... meet a deep local queue."""
    reports: list[RunReport] = []
    for i, (name, text) in enumerate(workload_):
        local.waiting = 50 if peak is not None and i % every == peak else 0
        change = change_from_patch(text, name, settings.filters)
        ctx = RunContext(repository=f"bench/{name}", change_ref=name)
        reports.append(run_review(change, settings, services, ctx=ctx))
    local.waiting = 0
    return reports


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--peak-every",
        type=int,
        default=3,
        metavar="N",
        help="one run in N meets a deep local queue (default 3)",
    )
    every = ap.parse_args().peak_every
    with (
        tempfile.TemporaryDirectory() as tmp_s,
        FakeOpenAIServer(models=["qwen"]) as local,
        FakeOpenAIServer(models=["gpt-4o"]) as cloud,
    ):
        tmp = Path(tmp_s)
        environ = {"SWITCHYARD_CLOUD_API_KEY": "sk-bench", "PATH": os.environ["PATH"]}
        settings = load_settings(
            repo_dir=None, config_path=org_file(tmp, local, cloud), environ=environ
        ).settings
        providers = build_providers(settings, environ)
        ledger = Ledger.open(None, tmp / "state")
        services = Services(providers=providers, ledger=ledger, live=LiveState(settings))

        uncached = settings.model_copy(
            update={"cache": settings.cache.model_copy(update={"enabled": False})}
        )
        ratios: list[float] = []
        for peak in (None, *range(every)):
            reports = run(workload(), services, uncached, local, peak, every)
            calls = [c for r in reports for c in r.calls if c.outcome == "ok"]
            here = sum(1 for c in calls if c.location == "local")
            there = len(calls) - here
            hybrid = sum(c.cost_usd for r in reports for c in r.calls)
            all_cloud = sum(r.summary.cloud_equivalent_usd for r in reports)
            label = "no peak" if peak is None else f"peak on runs {peak}, {peak + every}, ..."
            if peak is None:
                lines = sum(r.summary.changed_lines for r in reports)
                print(f"workload: {len(reports)} changes, {lines} changed lines")
            else:
                ratios.append(hybrid / all_cloud)
            print(
                f"{label}: {here} work items local, {there} cloud; hybrid ${hybrid:.4f} vs "
                f"all-cloud ${all_cloud:.4f} = {hybrid / all_cloud:.1%}"
            )
        print(
            f"one run in {every} at peak, averaged: "
            f"hybrid = {sum(ratios) / len(ratios):.1%} of all-cloud"
        )

        run(workload(), services, settings, local, None)  # fills the cache
        sent_before = len(local.chat_requests()) + len(cloud.chat_requests())
        again = run(workload(edited=True), services, settings, local, None)
        hits = sum(r.summary.cache_hits for r in again)
        sections = sum(r.summary.files_reviewed for r in again)
        sent = len(local.chat_requests()) + len(cloud.chat_requests()) - sent_before
        print(
            f"re-run after a one-file change: {hits} of {sections} file sections from the "
            f"cache ({hits / max(1, sections):.1%}), {sent} model calls"
        )

        cloud_seen = json.dumps([r.json for r in cloud.requests])
        leaked = sum(len(x) for x in (SECRET, SECRET_KEY) if x in cloud_seen)
        restricted = sum(
            len(line) for line in RESTRICTED_CODE.splitlines() if line.strip() in cloud_seen
        )
        print(
            f"sent to the cloud over all runs ({len(cloud.chat_requests())} calls): "
            f"{restricted} restricted bytes, {leaked} secret bytes"
        )
        ledger.close()


if __name__ == "__main__":
    main()
