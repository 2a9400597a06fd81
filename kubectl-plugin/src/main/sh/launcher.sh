#!/bin/sh
# kubectl-modelship: see and drive Modelship rollouts (`kubectl modelship --help`).
# This file is a shell launcher followed by a Java archive: it needs Java 17 or later on PATH
# (or JAVA_HOME); KUBECONFIG, --kubeconfig and --context choose the cluster as for kubectl.
# The first run of each build of this file writes a class-data archive into
# ${XDG_CACHE_HOME:-~/.cache}/kubectl-modelship (about 30 MB), which makes the next runs start
# faster; KUBECTL_MODELSHIP_JAVA_OPTS adds JVM options.
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
cds=""
cache="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/kubectl-modelship"
id=$(stat -c '%s-%Y' "$0" 2>/dev/null)
if [ -n "$id" ] && mkdir -p "$cache" 2>/dev/null; then
  if [ -f "$cache/$id.jsa" ]; then
    cds="-XX:SharedArchiveFile=$cache/$id.jsa"
  else
    rm -f "$cache"/*.jsa 2>/dev/null
    cds="-XX:ArchiveClassesAtExit=$cache/$id.jsa"
  fi
fi
# -Xlog:disable: the JVM's own notes (class-data sharing) would mix with the output, -o json too.
exec "$java" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -Xshare:auto -Xlog:disable $cds \
  $KUBECTL_MODELSHIP_JAVA_OPTS -jar "$0" "$@"
