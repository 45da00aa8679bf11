"""Routing: each work item gets an ordered chain of targets and a reason."""

from bot.routing.policy import preference, route
from bot.routing.route import Route, Target

__all__ = ["Route", "Target", "preference", "route"]
