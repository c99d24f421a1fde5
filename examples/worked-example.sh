#!/bin/sh
# SPEC's worked example: President Ruto's readout of 27 January 2025 of his calls with
# Secretary Rubio and President Macron, recorded the way an analyst would, then the status
# table. It writes to ./worked-example.db (made afresh each run) unless TRACKER_DB is set.
set -eu
: "${TRACKER_DB:=worked-example.db}"
export TRACKER_DB
rm -f "$TRACKER_DB" "$TRACKER_DB-wal" "$TRACKER_DB-shm"

tracker add stip --kind agreement --party Kenya --party "United States" \
  --title "Strategic Trade and Investment Partnership (STIP)"
tracker log "We discussed the need to conclude the Strategic Trade and Investment Partnership (STIP) agreement" \
  --by "William Ruto" --on 2025-01-27 -c "stip=pending conclusion"
tracker log "We also discussed the United Nations-led Multinational Security Support (MSS) mission in Haiti and agreed on a joint strategy to ensure the mission serves its purpose." \
  --by "William Ruto" --on 2025-01-27 -c haiti-mss-strategy=agreed \
  --title "Joint strategy for the UN-led MSS mission in Haiti"
tracker log "I am glad that the US has committed to continue to deploy its capabilities to support Kenya's peace mission in the region" \
  --by "William Ruto" --on 2025-01-27 -c us-regional-capabilities=committed \
  --title "US keeps deploying capabilities for Kenya's regional peace mission"
tracker log "President Macron also committed his country's support for the interventions being carried out, and for Kenya's participation in other peace initiatives in Somalia, Sudan, and South Sudan" \
  --by "William Ruto" --on 2025-01-27 -c france-regional-support=committed \
  --title "France supports regional interventions and Kenya's peace initiatives"
echo
tracker status
