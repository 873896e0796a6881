/** Test support shared by the modules' tests: servers that misbehave on purpose, nginx fixtures. */
package dev.rget.testkit;
