"""A route: the ordered targets a work item may go to, and why, in words."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Target:
    """What routing needs to know of a provider, without its client."""

    name: str
    model: str
    location: str  # "local" | "cloud"
    context_tokens: int
    max_output_tokens: int
    # Where `location` comes from, in words: "local (declared by /etc/switchyard/org.yml)".
    declared: str = ""


@dataclass(slots=True)
class Route:
    targets: list[Target]
    reason: str  # e.g. "review → local/qwen2.5-coder-14b (2.1k tokens ≤ 28k local limit)"
    passed_over: list[str] = field(default_factory=list)  # targets left out, with why

    @property
    def routable(self) -> bool:
        return bool(self.targets)
