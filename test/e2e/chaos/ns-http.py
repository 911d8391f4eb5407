# One long-lived HTTP client inside a network namespace (started with `ip netns exec <ns>`): reads
# one URL per line on stdin, answers one JSON line {"status": N, "body": "..."} per URL on stdout
# (status 0 and the reason when the request failed). Spares the chaos tier a process per status read.
import json
import sys
import urllib.error
import urllib.request

for line in sys.stdin:
    url = line.strip()
    if not url:
        continue
    try:
        with urllib.request.urlopen(url, timeout=3) as r:
            out = {"status": r.status, "body": r.read().decode("utf8", "replace")}
    except urllib.error.HTTPError as e:
        out = {"status": e.code, "body": e.read().decode("utf8", "replace")}
    except Exception as e:  # noqa: BLE001 - any failure is an answer: status 0 with its reason
        out = {"status": 0, "body": str(e)}
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
