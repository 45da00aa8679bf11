import io.switchyard.jenkins.Switchyard

/**
 * switchyardReview(failOn: 'major', publish: 'github', credentialsId: 'switchyard-github', ...)
 *
 * Reviews the pull or merge request this build is for (CHANGE_ID), or, on a branch build, the
 * branch against `base`. Options and results: switchyardReview.txt and docs/jenkins.md.
 * Returns [exitCode:, result:, reports:, mode:].
 */
Map call(Map config = [:]) {
    return new Switchyard(this).run('review', config)
}
