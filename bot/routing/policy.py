"""The routing policy: which targets, in which order, for one work item.

Issue 2's policy is the spine of DESIGN.md's: self-hosted targets first, cloud ones as
fallback, and no target whose context cannot hold the prompt and its answer.
"""

from __future__ import annotations

from bot.routing.route import Route, Target


def preference(targets: list[Target], order: list[str]) -> list[Target]:
    """Targets in the configured order, else local ones first in declaration order."""
    if order:
        by_name = {t.name: t for t in targets}
        return [by_name[n] for n in order if n in by_name]
    return sorted(targets, key=lambda t: 0 if t.location == "local" else 1)


def route(task: str, prompt_tokens: int, max_output_tokens: int, ranked: list[Target]) -> Route:
    chosen: list[Target] = []
    passed: list[str] = []
    need = prompt_tokens + max_output_tokens
    for t in ranked:
        if need > t.context_tokens:
            passed.append(
                f"{t.name}: {_k(prompt_tokens)} prompt + {_k(max_output_tokens)} answer "
                f"> {_k(t.context_tokens)} context"
            )
        else:
            chosen.append(t)
    if not chosen:
        return Route([], f"{task} → no target ({'; '.join(passed) or 'none configured'})", passed)
    first = chosen[0]
    limit = first.context_tokens - max_output_tokens
    why = f"{_k(prompt_tokens)} tokens ≤ {_k(limit)} {first.location} limit"
    if passed:
        why += "; passed over " + ", ".join(p.split(":")[0] for p in passed)
    if len(chosen) > 1:
        why += "; fallback " + " → ".join(t.name for t in chosen[1:])
    return Route(chosen, f"{task} → {first.name}/{first.model} ({why})", passed)


def _k(n: int) -> str:
    return f"{n / 1000:.1f}k" if n >= 1000 else str(n)
