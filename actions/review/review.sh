#!/usr/bin/env bash
# The Switchyard GitHub Action's logic, written once for both action.yml files (the repository
# root and actions/review). A composite action cannot `uses: ./actions/review` from inside
# itself: `./` is resolved against the caller's workspace, not the action's own checkout
# (actions/runner#1348), so both metadata files call this script by $GITHUB_ACTION_PATH.
#
#   review.sh install   create a private virtualenv and pip install switchyard into it
#   review.sh run       review the pull request, write step outputs, translate the exit code
#
# Every input arrives through the environment (SY_* variables set in the step's `env:`), never
# through `${{ }}` pasted into the script, so no input or event field can inject shell code.
# Secrets are never echoed and there is no `set -x`.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$here/../.." && pwd)"            # the action's own checkout
venv="${RUNNER_TEMP:?RUNNER_TEMP is not set: run this inside GitHub Actions}/switchyard-venv"
if [ "${RUNNER_OS:-}" = "Windows" ]; then bin="$venv/Scripts"; else bin="$venv/bin"; fi

install() {
  local python="${SY_PYTHON:?the setup-python step gave no python-path}"
  local spec="${SY_VERSION:-}"
  # Default: this action's own checkout, so `owner/switchyard@v1` runs the v1 code. The PyPI
  # name "switchyard" belongs to an unrelated project, so a non-empty `version` is handed to
  # pip verbatim (a git URL, a wheel URL, or a pin resolved from your own index).
  if [ -z "$spec" ]; then spec="$repo_root"; fi
  echo "::group::Install switchyard ($spec)"
  # A private virtualenv: the job's own Python and PATH are left exactly as they were.
  "$python" -m venv "$venv"
  "$bin/python" -m pip install --quiet --disable-pip-version-check "$spec"
  "$bin/python" -c 'import importlib.metadata as m; print("switchyard", m.version("switchyard"))'
  echo "::endgroup::"
}

# Export NAME=value only when value is non-empty: an empty input must not hide a variable the
# workflow set at job level (say OPENAI_API_KEY in `env:`) or in the runner's environment.
export_if_set() {
  if [ -n "$2" ]; then export "$1=$2"; fi
}

run() {
  local pr="${SY_PULL_REQUEST:-}"
  if [ -z "$pr" ]; then
    echo "::error title=Switchyard::No pull request to review. Run this action on pull_request or pull_request_target, or pass the pull-request input (its URL)."
    exit 2
  fi

  export GITHUB_TOKEN="${SY_GITHUB_TOKEN:-${GITHUB_TOKEN:-}}"
  export_if_set SWITCHYARD_LOCAL_BASE_URL "${SY_LOCAL_BASE_URL:-}"
  export_if_set SWITCHYARD_LOCAL_MODEL "${SY_LOCAL_MODEL:-}"
  export_if_set OPENAI_API_KEY "${SY_OPENAI_API_KEY:-}"
  export_if_set ANTHROPIC_API_KEY "${SY_ANTHROPIC_API_KEY:-}"

  local sarif="${SY_SARIF:-switchyard.sarif}"
  local report="$RUNNER_TEMP/switchyard-report.json"
  rm -f "$report"                                   # never read a previous step's report

  local args=(review --pr "$pr" --publish github --output "$sarif" --output "$report")
  if [ -n "${SY_TASKS:-}" ]; then args+=(--tasks "$SY_TASKS"); fi
  if [ -n "${SY_CONFIG:-}" ]; then args+=(--config "$SY_CONFIG"); fi
  if [ -n "${SY_FAIL_ON:-}" ]; then args+=(--fail-on "$SY_FAIL_ON"); fi

  if [ "${SY_UPLOAD_SARIF:-false}" = "true" ] && [ "${GITHUB_EVENT_NAME:-}" = "pull_request_target" ]; then
    # Under pull_request_target the run's ref is the base branch: uploaded alerts would be
    # filed against it, not the pull request. The action.yml skips the upload step too.
    echo "::warning title=Switchyard::upload-sarif is ignored on pull_request_target: code scanning would file the pull request's findings against the base branch."
  fi

  local rc=0
  "$bin/switchyard" "${args[@]}" || rc=$?

  # Outputs come from the JSON report; they are written before the exit code is acted on, so
  # a later `if: always()` step can read them even when this step fails.
  SY_RC="$rc" SY_REPORT="$report" SY_SARIF="$sarif" "$bin/python" - <<'PY'
import json, os

rc = int(os.environ["SY_RC"])
report, sarif = os.environ["SY_REPORT"], os.environ["SY_SARIF"]
levels = ("critical", "major", "minor", "nit")
counts, complete = dict.fromkeys(levels, ""), ""
try:
    with open(report, encoding="utf-8") as fh:
        summary = json.load(fh).get("summary", {})
    found = summary.get("findings", {})
    counts = {level: str(int(found.get(level, 0))) for level in levels}
    complete = "true" if summary.get("complete") else "false"
except (OSError, ValueError, TypeError, AttributeError):
    report = ""  # no usable report: the counts stay empty rather than a reassuring 0
total = str(sum(int(n) for n in counts.values())) if report else ""
outputs = dict(counts, total=total, complete=complete, report=report,
               sarif=sarif if os.path.isfile(sarif) else "", **{"exit-code": str(rc)})
with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as fh:
    for name, value in outputs.items():
        fh.write(f"{name}={value}\n")

if rc == 1 and complete == "false":
    # Exit 1 wins over 3 (a real finding matters more), so say that the run was partial too.
    print("::warning title=Switchyard incomplete::Some work was left unreviewed; the report lists it.")

summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
if summary_path and report:
    with open(summary_path, "a", encoding="utf-8") as fh:
        fh.write("### Switchyard review\n\n| critical | major | minor | nit | complete |\n")
        fh.write("|---|---|---|---|---|\n")
        fh.write("| " + " | ".join(counts[level] for level in levels) + f" | {complete} |\n")
PY

  case "$rc" in
    0) ;;
    1)
      echo "::error title=Switchyard gate failed::Findings at or above '${SY_FAIL_ON:-?}' (fail-on). They are on the pull request."
      ;;
    2)
      echo "::error title=Switchyard configuration error::Bad input or configuration (exit 2): see the log above."
      ;;
    3)
      # Not a green run: a review that could not finish (no model reachable, work left
      # unreviewed) fails the step. Wrap with continue-on-error to keep it advisory.
      echo "::error title=Switchyard could not complete::The review did not finish (exit 3): no model reachable, or some files were left unreviewed. The report lists them."
      ;;
    *)
      echo "::error title=Switchyard::switchyard exited with $rc."
      ;;
  esac
  exit "$rc"
}

case "${1:-}" in
  install) install ;;
  run) run ;;
  *) echo "usage: review.sh install|run" >&2; exit 2 ;;
esac
