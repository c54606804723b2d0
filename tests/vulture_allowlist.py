"""Reviewed vulture allow-list: names used by frameworks or read as dict keys, not dead code.

TypedDict and record fields are read as ``record["field"]``; Faust finds agents, timers and web
views through their decorators and calls the codec and transport hooks by name; ``__exit__``
takes its arguments by protocol. Regenerate with ``vulture streams --make-whitelist`` and review.
"""
# ruff: noqa

schema_version  # unused variable (streams/contracts/records.py:72)
language_confidence  # unused variable (streams/contracts/records.py:79)
language_hint  # unused variable (streams/contracts/records.py:80)
mixed_language  # unused variable (streams/contracts/records.py:81)
published_at_source  # unused variable (streams/contracts/records.py:83)
schema_version  # unused variable (streams/contracts/records.py:97)
canonical_id  # unused variable (streams/contracts/records.py:99)
matched_band_count  # unused variable (streams/contracts/records.py:102)
schema_version  # unused variable (streams/contracts/records.py:129)
event_id  # unused variable (streams/contracts/records.py:130)
cameo_root  # unused variable (streams/contracts/records.py:133)
quad_class  # unused variable (streams/contracts/records.py:134)
source_actors  # unused variable (streams/contracts/records.py:135)
target_actors  # unused variable (streams/contracts/records.py:136)
article_ids  # unused variable (streams/contracts/records.py:142)
num_articles  # unused variable (streams/contracts/records.py:144)
num_sources  # unused variable (streams/contracts/records.py:145)
languages  # unused variable (streams/contracts/records.py:146)
first_seen  # unused variable (streams/contracts/records.py:147)
last_seen  # unused variable (streams/contracts/records.py:148)
schema_version  # unused variable (streams/contracts/records.py:156)
original_encoding  # unused variable (streams/contracts/records.py:161)
original_truncated_from  # unused variable (streams/contracts/records.py:163)
exc_type  # unused variable (streams/kafka/broker.py:87)
tb  # unused variable (streams/kafka/broker.py:87)
exc_type  # unused variable (streams/kafka/local.py:153)
tb  # unused variable (streams/kafka/local.py:153)
sample_rate  # unused variable (streams/stages/dedup/signatures.py:76)
embedding  # unused variable (streams/stages/dedup/signatures.py:77)
anchors  # unused variable (streams/stages/dedup/signatures.py:78)
matches_first  # unused variable (streams/stages/dedup/verdicts.py:36)
bucket_sizes  # unused variable (streams/stages/dedup/verdicts.py:44)
route  # unused function (streams/worker/agents/dedup.py:54)
probe  # unused function (streams/worker/agents/dedup.py:103)
verdict  # unused function (streams/worker/agents/dedup.py:107)
extract_agent  # unused function (streams/worker/agents/extract.py:39)
normalize_agent  # unused function (streams/worker/agents/normalize.py:22)
_._dumps  # unused method (streams/worker/app.py)
_._loads  # unused method (streams/worker/app.py)
_._fetch_max_wait_ms  # unused attribute (streams/worker/transport.py)
_._new_consumer_thread  # unused method (streams/worker/transport.py)
_._new_transport  # unused method (streams/worker/transport.py)
committed_offsets  # read by the SIGKILL fault tests (streams/kafka/admin.py)
_.metrics_page  # unused method (streams/worker/health.py:20)
_.health_page  # unused method (streams/worker/health.py:24)
_.ready_page  # unused method (streams/worker/health.py:28)
update_consumer_lag  # unused function (streams/worker/health.py:40)
probe_event_loop  # unused function (streams/worker/health.py: a Faust task)
country_source  # record field (streams/contracts/records.py)
location_source  # record field
goldstein  # record field
extractor_version  # record field
original_length  # record field
original_sha256  # record field
_.kills  # the sandbox's kill count, read by tests/unit/worker/test_sandbox.py
committed_offsets  # read by the fault tests (tests/faults/replay.py): the group's committed offsets
lead_embedding  # record field: articles.unique carries dedup's lead embedding to the story stage
num_mentions  # record field (stories)
event_types  # record field (stories)
event_ids  # record field (stories)
growth  # record field (stories)
updated_at  # record field (stories)
route  # unused function (streams/worker/agents/stories.py)
reprints  # unused function (streams/worker/agents/stories.py)
term_partitions  # unused function (streams/worker/agents/stories.py)
verdicts  # unused function (streams/worker/agents/stories.py)
story_partitions  # unused function (streams/worker/agents/stories.py)
flush  # unused function (streams/worker/agents/stories.py: the flush timer)
alert_id  # record field (streams/contracts/records.py)
fired_at  # record field
on_key_set  # Faust hook (streams/worker/tables.py: a table write)
on_key_del  # Faust hook (streams/worker/tables.py: a table delete)
