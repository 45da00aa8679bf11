package org.jenkinsci.plugins.workflow.libs

import java.lang.annotation.Retention
import java.lang.annotation.RetentionPolicy

// Stand-in for the Pipeline: Shared Groovy Libraries plugin's @Library, which Jenkins
// imports into every Jenkinsfile: it lets the examples in docs/examples compile here.
@Retention(RetentionPolicy.SOURCE)
@interface Library {
    String[] value()
    boolean changelog() default true
}
