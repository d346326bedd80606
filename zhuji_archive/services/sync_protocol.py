"""What the laptop's client and the hub's sync endpoint agree on over HTTP: the path, the content type and
the headers carrying a receipt's numbers. Kept apart from the endpoint so that a laptop (its window, its
``sync now``) never loads the server framework."""

from __future__ import annotations

SYNC_PATH = "/sync"
HEALTH_PATH = "/health"
CONTENT_TYPE = "application/octet-stream"
APPLIED_HEADER = "X-Zhuji-Applied"
CONFLICTS_HEADER = "X-Zhuji-Conflicts"
ACKNOWLEDGED_HEADER = "X-Zhuji-Acknowledged"
DUPLICATE_HEADER = "X-Zhuji-Duplicate"
GAP_HEADER = "X-Zhuji-Gap"  # a refusal because the hub lacks earlier changes: send a complete file
