#!/usr/bin/env bash
# Creates the pipeline's topics before any worker starts, so partition counts and compaction are
# explicit instead of whatever the first client's auto-creation picks. Runs in the apache/kafka
# image; idempotent (--if-not-exists), so it is safe on every `docker compose up`.
#
# BOOTSTRAP_SERVER     broker address
# PARTITIONS           partitions of every topic (all topics are co-partitioned with the tables)
# REPLICATION_FACTOR   replicas of every topic
# TOPICS               plain topics (delete policy)
# COMPACTED_TOPICS     compacted topics: `events` (keyed by event_id) and `stories` (by story_id): a later
#                      record supersedes
# APP_ID, TABLES       Faust tables; their changelogs `<app_id>-<table>-changelog` are compacted
set -euo pipefail

kafka_topics=/opt/kafka/bin/kafka-topics.sh
: "${BOOTSTRAP_SERVER:?}" "${PARTITIONS:?}" "${REPLICATION_FACTOR:?}" "${APP_ID:?}"

create() {
    "$kafka_topics" --bootstrap-server "$BOOTSTRAP_SERVER" --create --if-not-exists --topic "$1" \
        --partitions "$PARTITIONS" --replication-factor "$REPLICATION_FACTOR" "${@:2}"
}

for topic in ${TOPICS:-}; do
    create "$topic"
done
for topic in ${COMPACTED_TOPICS:-}; do
    create "$topic" --config cleanup.policy=compact
done
for table in ${TABLES:-}; do
    create "${APP_ID}-${table}-changelog" --config cleanup.policy=compact
done
"$kafka_topics" --bootstrap-server "$BOOTSTRAP_SERVER" --describe --exclude-internal | grep -v '^[[:space:]]*Topic: .*Partition:' || true
