"""The `impact` task (`switchyard review --deep`): a change's hunks together with the code
elsewhere in the repository that uses what it changes — callers, subclasses, overrides —
so the model can judge the change's effect on code it does not touch. Findings on changed
lines are anchored as a review's; what it says about code outside the diff is reported
as file-level notes with links, never as line comments."""

from bot.impact.answer import ImpactAnswer, OutsideNote
from bot.impact.run import ImpactPlan, plan_impact, run_impact

__all__ = ["ImpactAnswer", "ImpactPlan", "OutsideNote", "plan_impact", "run_impact"]
