"""The `analyze` task: a repository-wide report — module boundaries, hot spots (branches
joined with churn), dead-code candidates, test gaps — computed here without a model, with
a narrative the model writes. Repository scope: cloud first; when the cloud is unavailable,
the whole does not fit the budget, or the repository is restricted, per-package chunks go
to the self-hosted runner and their answers are merged."""
