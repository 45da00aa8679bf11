// Runs the shared library's global variables (jenkins/vars) outside Jenkins, with the pipeline
// steps they call stubbed, and prints what they did as JSON.
//
//   groovy Harness.groovy LIBRARY_DIR SCENARIOS.json [JENKINSFILE...]
//
// Every .groovy file of the library is compiled first (a syntax or type error fails here),
// then each JENKINSFILE (compiled only: a declarative `pipeline {}` needs Jenkins to run).
// SCENARIOS.json is a list of {name, step, config, env, credentials, plugins, status, files}:
// `status` maps a regular expression to the exit code of the `sh` steps whose script it
// finds (default 0); `credentials` maps a credentials id to its secret; `plugins` lists the
// optional plugins present ("warnings-ng"). The answer is one object per scenario: the
// calls in order, each with the environment the step saw, and the value returned or the
// error raised; printed as {"compiled": [paths], "scenarios": [answers]}.
import groovy.json.JsonOutput
import groovy.json.JsonSlurper
import org.codehaus.groovy.control.CompilerConfiguration
import org.codehaus.groovy.control.customizers.ImportCustomizer

class StepError extends RuntimeException {
    StepError(String message) { super(message) }
}

File library = new File(args[0])
List scenarios = new JsonSlurper().parse(new File(args[1])) as List

// As Jenkins does: @NonCPS needs no import in a Pipeline script or library class.
CompilerConfiguration compiler = new CompilerConfiguration()
compiler.addCompilationCustomizers(new ImportCustomizer()
    .addImports('com.cloudbees.groovy.cps.NonCPS', 'org.jenkinsci.plugins.workflow.libs.Library'))
File stubs = new File(new File(getClass().protectionDomain.codeSource.location.path).parentFile, 'stubs')
GroovyClassLoader stubLoader = new GroovyClassLoader(this.class.classLoader)
stubLoader.parseClass(new File(stubs, 'com/cloudbees/groovy/cps/NonCPS.groovy'))
stubLoader.parseClass(new File(stubs, 'org/jenkinsci/plugins/workflow/libs/Library.groovy'))
GroovyClassLoader loader = new GroovyClassLoader(stubLoader, compiler)
loader.addClasspath(new File(library, 'src').path)
library.eachFileRecurse { File file ->
    if (file.name.endsWith('.groovy')) {
        loader.parseClass(file)
    }
}

List<String> compiled = []
args.drop(2).each { String path ->
    new GroovyShell(loader, new Binding(), compiler).parse(new File(path))
    compiled << path
}

Map runScenario(GroovyClassLoader loader, File library, Map scenario) {
    List calls = []
    List<Map> overlays = []
    Map env = new LinkedHashMap(scenario.env ?: [:])
    Map secrets = scenario.credentials ?: [:]
    Map status = scenario.status ?: [:]
    Map files = scenario.files ?: [:]
    List plugins = scenario.plugins ?: []
    Closure seen = {
        Map view = [:]
        overlays.each { view.putAll(it) }
        return view
    }
    Closure record = { String step, Map args ->
        calls << ([step: step, env: seen()] + args)
    }
    Binding binding = new Binding()
    binding.setVariable('env', env)
    binding.setVariable('sh', { Map args ->
        record('sh', [script: args.script, returnStatus: args.returnStatus ?: false])
        int code = 0
        status.each { pattern, value ->
            if (args.script =~ pattern) {
                code = value as int
            }
        }
        if (code != 0 && !args.returnStatus) {
            throw new StepError("script returned exit code ${code}")
        }
        return args.returnStatus ? code : null
    })
    binding.setVariable('withEnv', { List vars, Closure body ->
        Map overlay = vars.collectEntries { String v -> [(v.split('=', 2)[0]): v.split('=', 2)[1]] }
        record('withEnv', [vars: vars])
        overlays << overlay
        try { return body() } finally { overlays.remove(overlays.size() - 1) }
    })
    binding.setVariable('string', { Map args -> [kind: 'string'] + args })
    binding.setVariable('usernamePassword', { Map args -> [kind: 'usernamePassword'] + args })
    binding.setVariable('withCredentials', { List bindings, Closure body ->
        record('withCredentials', [bindings: bindings])
        Map overlay = [:]
        bindings.each { b ->
            if (!secrets.containsKey(b.credentialsId)) {
                throw new StepError("Could not find credentials entry with ID '${b.credentialsId}'")
            }
            overlay[b.variable ?: b.passwordVariable] = secrets[b.credentialsId]
            if (b.usernameVariable) {
                overlay[b.usernameVariable] = 'app'
            }
        }
        // As in Jenkins, the secrets are in env too: code that reads them into Groovy
        // strings leaks them into the calls recorded here, and the tests look for that.
        Map saved = new LinkedHashMap(env)
        env.putAll(overlay)
        overlays << overlay.collectEntries { k, v -> [(k): '****'] }
        try { return body() } finally {
            overlays.remove(overlays.size() - 1)
            env.clear()
            env.putAll(saved)
        }
    })
    ['junit', 'archiveArtifacts'].each { String name ->
        binding.setVariable(name, { Map args -> record(name, [args: args]) })
    }
    if (plugins.contains('warnings-ng')) {
        binding.setVariable('sarif', { Map args -> [tool: 'sarif'] + args })
        binding.setVariable('recordIssues', { Map args -> record('recordIssues', [args: args]) })
    } else {
        // What Jenkins throws for a step no installed plugin provides.
        ['sarif', 'recordIssues'].each { String name ->
            binding.setVariable(name, { Map args ->
                throw new NoSuchMethodError("No such DSL method '${name}' found among steps [sh, junit]")
            })
        }
    }
    binding.setVariable('echo', { String message -> record('echo', [message: message]) })
    binding.setVariable('unstable', { String message -> record('unstable', [message: message]) })
    binding.setVariable('error', { String message ->
        record('error', [message: message])
        throw new StepError(message)
    })
    binding.setVariable('fileExists', { String path -> files.containsKey(path) })
    binding.setVariable('readFile', { Map args -> files[args.file] })

    GroovyShell shell = new GroovyShell(loader, binding, loader.config)
    Script step = shell.parse(new File(library, "vars/${scenario.step}.groovy"))
    Map out = [name: scenario.name]
    try {
        out.returned = step.call(scenario.config ?: [:])
    } catch (StepError e) {
        out.error = e.message
    }
    out.calls = calls
    return out
}

List results = scenarios.collect { Map scenario -> runScenario(loader, library, scenario) }
println JsonOutput.prettyPrint(JsonOutput.toJson([compiled: compiled, scenarios: results]))
