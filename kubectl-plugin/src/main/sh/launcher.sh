#!/bin/sh
# kubectl-modelship: see and drive Modelship rollouts (`kubectl modelship --help`).
# This file is a shell launcher followed by a Java archive: it needs Java 17 or later on PATH
# (or JAVA_HOME); KUBECTL_MODELSHIP_JAVA_OPTS adds JVM options.
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k \
  $KUBECTL_MODELSHIP_JAVA_OPTS -jar "$0" "$@"
