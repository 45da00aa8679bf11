import io.switchyard.jenkins.Switchyard

/**
 * switchyardSecurity(failOn: 'major', mode: 'added', noModel: false, ...)
 *
 * The security task (bandit, semgrep and secret detection, triaged by the model when one is
 * configured) on the pull or merge request this build is for, or on a branch against `base`.
 * The same options as switchyardReview; see switchyardSecurity.txt and docs/jenkins.md.
 * Returns [exitCode:, result:, reports:, mode:].
 */
Map call(Map config = [:]) {
    return new Switchyard(this).run('security', config)
}
