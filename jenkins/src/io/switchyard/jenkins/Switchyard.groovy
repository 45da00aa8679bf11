package io.switchyard.jenkins

/**
 * The work behind switchyardReview and switchyardSecurity: pick what to review (a pull or
 * merge request, or a branch against a configured base), install the CLI when it is not on
 * PATH, run it with the credentials it needs bound by withCredentials, hand its reports to
 * Jenkins (archive, JUnit, Warnings NG) and turn its exit code into a build result.
 *
 * Secrets never pass through Groovy: withCredentials puts them in the environment of the
 * `sh` steps, whose scripts name the variable, never its value. Every other value that
 * reaches a shell (a branch name, a pull request's URL, an option) is single-quoted, so none
 * can run as shell code.
 */
class Switchyard implements Serializable {

    private static final long serialVersionUID = 1L

    static final List<String> SEVERITIES = ['critical', 'major', 'minor', 'nit']
    static final List<String> TASKS = ['review', 'security', 'tests']
    static final List<String> RESULTS = ['FAILURE', 'UNSTABLE', 'SUCCESS']
    static final List<String> PUBLISH = ['github', 'gitlab', 'none']
    static final List<String> INSTALL_MODES = ['auto', 'always', 'never']
    static final List<String> CREDENTIAL_TYPES = ['string', 'usernamePassword']
    static final List<String> REPORTS = ['sarif', 'md', 'xml', 'json']
    static final Map<String, String> TOKEN_VARIABLE = [github: 'GITHUB_TOKEN', gitlab: 'GITLAB_TOKEN']
    static final Map<String, String> KEY_VARIABLE = [
        openaiCredentialsId: 'OPENAI_API_KEY',
        anthropicCredentialsId: 'ANTHROPIC_API_KEY',
    ]
    static final Map<String, String> ENDPOINT_VARIABLE = [
        modelBaseUrl: 'SWITCHYARD_LOCAL_BASE_URL',
        model: 'SWITCHYARD_LOCAL_MODEL',
        gitlabUrl: 'GITLAB_URL',
        githubApiUrl: 'GITHUB_API_URL',
    ]
    static final Set<String> KNOWN = ([
        'tasks', 'failOn', 'gateResult', 'incompleteResult', 'credentialsId', 'credentialsType',
        'publish', 'base', 'pipSpec', 'install', 'python', 'venv', 'reportDir', 'config',
        'repository', 'extraArgs', 'forkSecrets', 'recordIssues', 'mode', 'noModel',
    ] + KEY_VARIABLE.keySet() + ENDPOINT_VARIABLE.keySet()) as Set

    // Constant scripts: single-quoted, so Groovy interpolates nothing into them; their
    // inputs arrive as SY_* environment variables.
    static final String ON_PATH = 'command -v switchyard >/dev/null 2>&1'

    static final String INSTALL_SCRIPT = '''set +x
if [ -x "$SY_VENV/bin/switchyard" ] && [ "$(cat "$SY_VENV/.pip-spec" 2>/dev/null)" = "$SY_PIP_SPEC" ]; then
  echo "switchyard: reusing $SY_VENV ($SY_PIP_SPEC)"
else
  rm -rf "$SY_VENV"
  "$SY_PYTHON" -m venv "$SY_VENV"
  echo "switchyard: installing $SY_PIP_SPEC into $SY_VENV"
  "$SY_VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$SY_PIP_SPEC"
  printf '%s' "$SY_PIP_SPEC" >"$SY_VENV/.pip-spec"
fi
"$SY_VENV/bin/switchyard" --version
'''

    // The base must be in the clone: multibranch checkouts often fetch only the change's ref.
    static final String FETCH_SCRIPT = '''set +x
if [ "$(git rev-parse --is-shallow-repository 2>/dev/null)" = "true" ]; then
  git fetch --quiet --no-tags --unshallow origin || echo "switchyard: warning: could not fetch the full history" >&2
fi
if ! git rev-parse --verify --quiet "$SY_BASE^{commit}" >/dev/null; then
  case "$SY_BASE" in
    origin/*)
      branch="$(printf '%s\n' "$SY_BASE" | cut -d/ -f2-)"
      git fetch --quiet --no-tags origin "+refs/heads/$branch:refs/remotes/origin/$branch" ||
        echo "switchyard: warning: could not fetch $branch from origin" >&2
      ;;
  esac
fi
'''

    // stderr goes to the log as it comes and into $SY_LOG, whose `switchyard: incomplete:`
    // lines become the UNSTABLE reason; the command's own exit code survives the pipe and
    // the `sh -e` Jenkins runs scripts with.
    static final String RUN_SCRIPT = '''
mkdir -p "$(dirname "$SY_LOG")"
rm -f "$SY_LOG.rc"
{ { rc=0; "$@" 2>&1 1>&3 3>&- || rc=$?; echo "$rc" >"$SY_LOG.rc"; } | tee "$SY_LOG" >&2 3>&-; } 3>&1
exit "$(cat "$SY_LOG.rc" 2>/dev/null || echo 2)"
'''

    final Object steps

    @NonCPS
    static Map command(Map cfg, String name, List<String> argv) {
        String stem = "${cfg.reportDir}/switchyard-${name}"
        return [name: name, argv: argv, log: "${stem}.log".toString(), sarif: "${stem}.sarif".toString(),
            reports: REPORTS.collect { ext -> "${stem}.${ext}".toString() }]
    }

    @NonCPS
    static List<String> outputs(Map cfg, String name) {
        return REPORTS.collectMany { ext -> ['--output', "${cfg.reportDir}/switchyard-${name}.${ext}".toString()] }
    }

    @NonCPS
    static List<String> unknownOptions(Map config) {
        return config.keySet().collect { key -> key as String }.findAll { key -> !KNOWN.contains(key) }.sort()
    }

    @NonCPS
    static List<String> strings(List values) {
        return values.collect { value -> value as String }
    }

    /** Exit 2 (or anything unexpected) beats 1, which beats 3, which beats 0. */
    @NonCPS
    static int worst(List<Integer> codes) {
        List<Integer> order = [0, 3, 1, 2]
        int out = 0
        for (Integer code : codes) {
            int rank = order.contains(code) ? order.indexOf(code) : order.size()
            int current = order.contains(out) ? order.indexOf(out) : order.size()
            out = rank > current ? code : out
        }
        return out
    }

    @NonCPS
    static List<String> splitTasks(Object tasks) {
        List<String> out = (tasks ?: '').toString().split(',')*.trim().findAll { task -> task } as List
        return out ?: ['review']
    }

    @NonCPS
    static boolean pinned(String spec) {
        return spec.contains('==') || spec =~ /@[^\/]+$/ || spec.endsWith('.whl') || spec.endsWith('.tar.gz')
    }

    @NonCPS
    static List<String> incompleteLines(String log) {
        String marker = 'switchyard: incomplete: '
        return log.readLines().findAll { line -> line.startsWith(marker) }*.substring(marker.length())
    }

    /** 'it'\''s': one shell word that the shell takes literally, whatever it holds. */
    @NonCPS
    static String quote(String value) {
        return "'" + value.replace("'", "'\"'\"'") + "'"
    }

    @NonCPS
    static String quoteAll(List<String> argv) {
        return argv.collect { arg -> quote(arg) }.join(' ')
    }

    Switchyard(Object steps) {
        this.steps = steps
    }

    /** Runs `defaultTasks` (or config.tasks); returns [exitCode, result, reports, mode]. */
    Map run(String defaultTasks, Map config) {
        Map cfg = settings(defaultTasks, config ?: [:])
        Map change = change(cfg)
        if (change.mode == 'none') {
            steps.echo('switchyard: not a pull or merge request build (no CHANGE_ID) and no `base` is ' +
                'configured: nothing to review. Set base: \'origin/main\' to review branch builds.')
            return [exitCode: 0, result: 'NOT_RUN', reports: [], mode: 'none']
        }
        String binary = install(cfg)
        if (!publishes(cfg, change)) {
            steps.withEnv(["SY_BASE=${change.base}"]) {
                steps.sh(script: FETCH_SCRIPT)
            }
        }
        List<Map> runs = commands(cfg, change, binary)
        List creds = credentials(cfg, change)
        List<Integer> codes = []
        steps.withEnv(environment(cfg)) {
            for (Map one : runs) {
                codes << runOne(one, creds)
            }
        }
        List<String> reports = publishReports(cfg, runs)
        int code = worst(codes)
        String result = conclude(cfg, code, runs)
        return [exitCode: code, result: result, reports: reports, mode: change.mode]
    }

    // Not private: CPS-transformed closures do not always reach a class's private methods.
    int runOne(Map one, List creds) {
        String script = 'set +x\nset -- ' + quoteAll(one.argv) + RUN_SCRIPT
        int code = 0
        steps.withEnv(["SY_LOG=${one.log}"]) {
            if (creds) {
                steps.withCredentials(creds) {
                    code = steps.sh(script: script, returnStatus: true) as int
                }
            } else {
                code = steps.sh(script: script, returnStatus: true) as int
            }
        }
        return code
    }

    /** The configuration, checked, with defaults; error() on what cannot work. */
    Map settings(String defaultTasks, Map config) {
        List<String> unknown = unknownOptions(config)
        if (unknown) {
            fail("unknown option ${unknown.join(', ')}; known: ${KNOWN.sort().join(', ')}")
        }
        Map cfg = [
            tasks: defaultTasks, failOn: '', gateResult: 'FAILURE', incompleteResult: 'UNSTABLE',
            credentialsType: 'string', publish: 'none', install: 'auto', python: 'python3',
            reportDir: 'switchyard-reports', extraArgs: [], forkSecrets: false, recordIssues: true,
            noModel: false,
        ] + config
        cfg.failOn = (cfg.failOn ?: '').toString().trim().toLowerCase()
        if (cfg.failOn == 'none') {
            cfg.failOn = ''
        }
        check(cfg.failOn == '' || SEVERITIES.contains(cfg.failOn), 'failOn', SEVERITIES + ['none'])
        cfg.gateResult = cfg.gateResult.toString().toUpperCase()
        cfg.incompleteResult = cfg.incompleteResult.toString().toUpperCase()
        check(RESULTS.contains(cfg.gateResult), 'gateResult', RESULTS)
        check(RESULTS.contains(cfg.incompleteResult), 'incompleteResult', RESULTS)
        cfg.publish = (cfg.publish ?: 'none').toString().toLowerCase()
        check(PUBLISH.contains(cfg.publish), 'publish', PUBLISH)
        check(INSTALL_MODES.contains(cfg.install), 'install', INSTALL_MODES)
        check(CREDENTIAL_TYPES.contains(cfg.credentialsType), 'credentialsType', CREDENTIAL_TYPES)
        cfg.tasks = splitTasks(cfg.tasks)
        check(TASKS.containsAll(cfg.tasks), 'each of tasks', TASKS)
        if (!(cfg.extraArgs in List)) {
            fail('extraArgs must be a list of strings, one per argument (nothing is split on spaces)')
        }
        if (cfg.publish != 'none' && !cfg.credentialsId) {
            fail("publish: '${cfg.publish}' needs credentialsId: the Jenkins credential that holds " +
                "the ${TOKEN_VARIABLE[cfg.publish]} used to read and post on the change")
        }
        return cfg
    }

    /** What to review: [mode: 'pr', url, target, fork] or [mode: 'base', base] or 'none'. */
    Map change(Map cfg) {
        Object env = steps.env
        String target = env.CHANGE_TARGET ?: ''
        if (env.CHANGE_ID) {
            if (!target) {
                fail('CHANGE_ID is set but CHANGE_TARGET is not: cannot tell the branch this change goes into')
            }
            if (!env.CHANGE_URL && cfg.publish != 'none') {
                fail("CHANGE_URL is not set: publish: '${cfg.publish}' needs the change's address")
            }
            boolean fork = (env.CHANGE_FORK ?: '') != ''
            return [mode: 'pr', id: env.CHANGE_ID, url: env.CHANGE_URL ?: '', target: target, fork: fork,
                base: cfg.base ?: "origin/${target}".toString()]
        }
        return cfg.base ? [mode: 'base', base: cfg.base, fork: false] : [mode: 'none']
    }

    /** The switchyard binary: the one on PATH, else a venv in the workspace's temp folder. */
    String install(Map cfg) {
        boolean onPath = cfg.install != 'always' && steps.sh(script: ON_PATH, returnStatus: true) == 0
        if (onPath) {
            steps.sh(script: 'switchyard --version')
            return 'switchyard'
        }
        if (cfg.install == 'never') {
            fail("install: 'never' but there is no switchyard on PATH")
        }
        if (!cfg.pipSpec) {
            fail('switchyard is not on PATH: set pipSpec to what pip should install, pinned (for ' +
                'example git+https://git.example.com/tools/switchyard.git@v1.2.0; the PyPI name ' +
                'switchyard is an unrelated project)')
        }
        if (!pinned(cfg.pipSpec as String)) {
            steps.echo("switchyard: warning: pipSpec '${cfg.pipSpec}' is not pinned (==, @tag or a " +
                'commit): every build may install a different version')
        }
        String venv = cfg.venv ?: (steps.env.WORKSPACE_TMP ? "${steps.env.WORKSPACE_TMP}/switchyard-venv" :
            '.switchyard-venv')
        steps.withEnv(["SY_VENV=${venv}", "SY_PIP_SPEC=${cfg.pipSpec}", "SY_PYTHON=${cfg.python}"]) {
            steps.sh(script: INSTALL_SCRIPT)
        }
        return "${venv}/bin/switchyard".toString()
    }

    /** One argv per switchyard command, with the report files it writes. */
    List<Map> commands(Map cfg, Map change, String binary) {
        List<String> common = []
        if (cfg.config) {
            common += ['--config', cfg.config as String]
        }
        common += strings(cfg.extraArgs as List)
        if (publishes(cfg, change)) {
            String name = cfg.tasks.join('-')
            List<String> argv = [binary, 'review', '--pr', change.url as String, '--publish', cfg.publish,
                '--tasks', cfg.tasks.join(',')]
            return [command(cfg, name, argv + outputs(cfg, name) + gate(cfg) + common)]
        }
        List<Map> out = []
        for (String task : cfg.tasks) {
            List<String> argv = [binary, task, '--base', change.base as String]
            if (cfg.repository) {
                argv += ['--repository', cfg.repository as String]
            }
            if (task == 'security') {
                argv += cfg.mode ? ['--mode', cfg.mode as String] : []
                argv += cfg.noModel ? ['--no-model'] : []
            }
            // Generated tests have no findings to gate on: only what kept passing is offered.
            List<String> gated = task == 'tests' ? [] : gate(cfg)
            out << command(cfg, task, argv + outputs(cfg, task) + gated + common)
        }
        return out
    }

    List<String> gate(Map cfg) {
        return cfg.failOn ? ['--fail-on', cfg.failOn as String] : []
    }

    /** Publishing needs a pull request, a token, and (for a fork) the operator's opt-in. */
    boolean publishes(Map cfg, Map change) {
        return change.mode == 'pr' && cfg.publish != 'none' && (!change.fork || cfg.forkSecrets)
    }

    /** withCredentials bindings: the publishing token, the cloud model keys; none for a fork. */
    List credentials(Map cfg, Map change) {
        List out = []
        boolean trusted = !change.fork || cfg.forkSecrets
        if (change.fork && !cfg.forkSecrets) {
            steps.echo("switchyard: change ${change.id} comes from a fork (CHANGE_FORK): no publishing " +
                'token and no cloud model key are bound, and nothing is posted; the self-hosted model, ' +
                'if configured, still reviews it. Set forkSecrets: true to trust forks.')
        }
        if (publishes(cfg, change)) {
            out << secret(cfg, cfg.credentialsId as String, TOKEN_VARIABLE[cfg.publish])
        }
        if (trusted) {
            for (Map.Entry<String, String> key : KEY_VARIABLE.entrySet()) {
                if (cfg[key.key]) {
                    out << steps.string(credentialsId: cfg[key.key], variable: key.value)
                }
            }
        }
        return out
    }

    Object secret(Map cfg, String id, String variable) {
        if (cfg.credentialsType == 'usernamePassword') {
            // A GitHub App credential: its password is an installation token.
            return steps.usernamePassword(credentialsId: id, usernameVariable: 'SWITCHYARD_TOKEN_USER',
                passwordVariable: variable)
        }
        return steps.string(credentialsId: id, variable: variable)
    }

    /** Non-secret settings for withEnv: the model endpoint and forge addresses. */
    List<String> environment(Map cfg) {
        List<String> out = ['CI=true']
        for (Map.Entry<String, String> setting : ENDPOINT_VARIABLE.entrySet()) {
            if (cfg[setting.key]) {
                out << "${setting.value}=${cfg[setting.key]}".toString()
            }
        }
        return out
    }

    /** Archive, JUnit, Warnings NG; returns the report paths. */
    List<String> publishReports(Map cfg, List<Map> runs) {
        String dir = cfg.reportDir
        List<String> reports = []
        for (Map one : runs) {
            reports += one.reports
        }
        steps.archiveArtifacts(artifacts: "${dir}/*.sarif,${dir}/*.md,${dir}/*.xml,${dir}/*.json,${dir}/*.log",
            allowEmptyArchive: true, fingerprint: false)
        steps.junit(testResults: "${dir}/*.xml", allowEmptyResults: true)
        if (cfg.recordIssues) {
            for (Map one : runs) {
                recordSarif(one)
            }
        }
        return reports
    }

    void recordSarif(Map one) {
        try {
            steps.recordIssues(tool: steps.sarif(pattern: one.sarif, id: "switchyard-${one.name}",
                name: "Switchyard ${one.name}"), enabledForFailure: true)
        } catch (NoSuchMethodError ignored) {
            // What Jenkins throws for a step no installed plugin provides: Warnings NG is optional.
            steps.echo('switchyard: the Warnings Next Generation plugin is not installed: the SARIF ' +
                "report ${one.sarif} is archived but not recorded as issues")
        }
    }

    /** The build result for the worst exit code; returns it. */
    String conclude(Map cfg, int code, List<Map> runs) {
        if (code == 0) {
            return 'SUCCESS'
        }
        String reason = incompleteReason(runs)
        if (code == 1) {
            if (reason) {
                steps.echo("switchyard: also incomplete: ${reason}")
            }
            return setResult(cfg.gateResult as String, 'switchyard: gate failed: findings at or above ' +
                "'${cfg.failOn}' (failOn); see the test results and ${cfg.reportDir}/")
        }
        if (code == 3) {
            return setResult(cfg.incompleteResult as String, 'switchyard: the review could not complete ' +
                "(exit 3): ${reason ?: 'a model was unreachable or files were left unreviewed; see the log'}")
        }
        if (code == 2) {
            fail('switchyard: bad input or configuration (exit 2): see the messages above')
        }
        fail("switchyard: exited with ${code}")
        return 'FAILURE'
    }

    String setResult(String result, String message) {
        if (result == 'FAILURE') {
            fail(message)
        }
        if (result == 'UNSTABLE') {
            steps.unstable(message)
        } else {
            steps.echo(message)
        }
        return result
    }

    String incompleteReason(List<Map> runs) {
        List<String> lines = []
        for (Map one : runs) {
            if (steps.fileExists(one.log as String)) {
                lines += incompleteLines(steps.readFile(file: one.log, encoding: 'UTF-8') as String)
            }
        }
        return lines.join('; ')
    }

    void fail(String message) {
        steps.error(message.startsWith('switchyard:') ? message : "switchyard: ${message}")
    }

    void check(boolean ok, String option, List<String> choices) {
        if (!ok) {
            fail("${option} must be one of ${choices.join(', ')}")
        }
    }

}
