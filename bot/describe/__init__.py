"""The describe task: a pull/merge request's title and body, or a commit message, written
by a model from the diff.

- run.py: `run_describe_task` and `run_commit_message` on the shared pipeline (routed,
  metered, cached), `plan_describe` for `--dry-run`;
- task.py: the one work item, packed within the target's budget;
- answer.py: the answers' schemas (pydantic, with one repair round);
- description.py: the answer held to the change and the allowed labels, as Markdown;
- body.py: Switchyard's block in a body that keeps the author's text;
- publish.py: the edit on GitHub or GitLab (bot/forges/*/description.py);
- hook.py: the `prepare-commit-msg` hook that `switchyard hooks install` writes.
"""
