#!/usr/bin/env bash
# A single-node Apache Kafka (KRaft: one process is both broker and controller) on 127.0.0.1, for
# the queue-mode tests and benchmark. The broker comes from its Maven Central artifacts: its
# classpath is resolved once by ./mvnw from e2e/kafka/pom.xml (outside the reactor) and cached; no
# prebuilt distribution is downloaded.
#
#   scripts/kafka.sh start [TOPIC:PARTITIONS ...]  # format storage in a temp dir, start, wait, create topics
#   scripts/kafka.sh topics TOPIC:PARTITIONS ...   # create topics (existing ones are left alone)
#   scripts/kafka.sh tool COMMAND ARGS...          # e2e/kafka/KafkaTool.java against this broker
#   scripts/kafka.sh bootstrap                     # prints 127.0.0.1:PORT
#   scripts/kafka.sh stop                          # stop the broker and remove its data
#
# MODELSHIP_KAFKA_DIR (default /tmp/modelship-kafka) holds the data, log and pid;
# MODELSHIP_KAFKA_PORT (default 19092) is the client port, the controller listens on the next one.
set -euo pipefail
cd "$(dirname "$0")/.."

DIR=${MODELSHIP_KAFKA_DIR:-/tmp/modelship-kafka}
PORT=${MODELSHIP_KAFKA_PORT:-19092}
CONTROLLER_PORT=$((PORT + 1))
BOOTSTRAP=127.0.0.1:$PORT
VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' e2e/kafka/pom.xml)
CACHE=${MODELSHIP_CACHE:-$HOME/.cache/modelship}/kafka-$VERSION

# The broker's classpath (and the tool compiled against it), resolved once per version.
classpath() {
  if [ ! -s "$CACHE/classpath.txt" ] || ! tr ':' '\n' <"$CACHE/classpath.txt" | xargs ls >/dev/null 2>&1; then
    mkdir -p "$CACHE"
    echo "resolving Kafka $VERSION from Maven Central (once)" >&2
    ./mvnw -q -B -ntp -f e2e/kafka/pom.xml dependency:build-classpath \
      -Dmdep.outputFile="$CACHE/classpath.txt" >&2
  fi
  local tool="$CACHE/tool"
  if [ ! -f "$tool/KafkaTool.class" ] || [ e2e/kafka/KafkaTool.java -nt "$tool/KafkaTool.class" ]; then
    mkdir -p "$tool"
    javac -nowarn -d "$tool" -cp "$(cat "$CACHE/classpath.txt")" e2e/kafka/KafkaTool.java >&2
  fi
  echo "$(cat "$CACHE/classpath.txt"):$tool"
}

tool() {
  java -Xmx256m -Dorg.slf4j.simpleLogger.defaultLogLevel=error -cp "$(classpath)" KafkaTool "$@"
}
# The same as the script's last act: the caller's $! is then the tool's own pid (bench's echo worker).
exec_tool() {
  local cp
  cp=$(classpath)
  exec java -Xmx256m -Dorg.slf4j.simpleLogger.defaultLogLevel=error -cp "$cp" KafkaTool "$@"
}

running() { [ -f "$DIR/pid" ] && kill -0 "$(cat "$DIR/pid")" 2>/dev/null; }

start() {
  if running; then
    echo "Kafka already running at $BOOTSTRAP (pid $(cat "$DIR/pid"))" >&2
  else
    local cp
    cp=$(classpath)
    rm -rf "$DIR/data"
    mkdir -p "$DIR/data"
    cat >"$DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$DIR/data
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
    local id
    id=$(java -cp "$cp" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn kafka.tools.StorageTool random-uuid)
    java -Xmx512m -cp "$cp" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn kafka.tools.StorageTool \
      format -t "$id" -c "$DIR/server.properties" >"$DIR/format.log" 2>&1 ||
      { cat "$DIR/format.log" >&2; return 1; }
    # Heap and GC as a small broker; logs at WARN (set MODELSHIP_KAFKA_LOG=info to see more).
    setsid java -Xms256m -Xmx512m -XX:+UseG1GC -cp "$cp" \
      -Dorg.slf4j.simpleLogger.defaultLogLevel="${MODELSHIP_KAFKA_LOG:-warn}" \
      kafka.Kafka "$DIR/server.properties" >"$DIR/broker.log" 2>&1 </dev/null &
    echo $! >"$DIR/pid"
    if ! tool wait "$BOOTSTRAP" 90; then
      echo "Kafka did not become ready; its log:" >&2
      tail -30 "$DIR/broker.log" >&2
      stop
      return 1
    fi
    echo "Kafka $VERSION ready at $BOOTSTRAP (pid $(cat "$DIR/pid"), data in $DIR)" >&2
  fi
  [ $# -eq 0 ] || tool create "$BOOTSTRAP" "$@"
}

stop() {
  if running; then
    local pid
    pid=$(cat "$DIR/pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -rf "$DIR"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  topics) shift; tool create "$BOOTSTRAP" "$@" ;;
  tool) shift; cmd=$1; shift; exec_tool "$cmd" "$BOOTSTRAP" "$@" ;;
  bootstrap) echo "$BOOTSTRAP" ;;
  classpath) classpath ;;
  *) sed -n '2,16p' "$0" >&2; exit 2 ;;
esac
