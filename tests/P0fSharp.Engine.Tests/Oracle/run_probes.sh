#!/bin/bash
# Runs the real p0f on the captures written by http_probes.py: OUTDIR/<case>.log (TZ=UTC).
set -eu
out=${1:-probes}
cd "$out"
export TZ=UTC
/usr/bin/python3 -c "
import json
for n, f in json.load(open('cases.json')): print(n + '|' + f)" | while IFS="|" read -r name fp; do
  rm -f "$name.log"
  p0f -r "$name.pcap" -f "$fp" -o "$name.log" > /dev/null 2>&1
  echo "$name: $(wc -l < "$name.log") lines"
done
