package com.cloudbees.groovy.cps

import java.lang.annotation.ElementType
import java.lang.annotation.Retention
import java.lang.annotation.RetentionPolicy
import java.lang.annotation.Target

// Stand-in for groovy-cps' @NonCPS, which Jenkins imports into every Pipeline script and
// library class by default: outside Jenkins nothing is CPS-transformed, so it marks nothing.
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@interface NonCPS {
}
