"""Container health check: the worker's /healthz answers. Standard library only, as slim images have no curl."""

import os
import sys
import urllib.request

PORT = os.environ.get("NEWSEVENTS_WEB_PORT", "9108")

try:
    with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=4) as response:
        sys.exit(0 if response.status == 200 else 1)
except OSError as exc:
    print(f"unhealthy: {exc}", file=sys.stderr)
    sys.exit(1)
