"""Manifests map file paths to public URLs, so citations link to the published page."""

from __future__ import annotations

import csv
import json
import logging
from pathlib import Path

from ingest.errors import SourceError

log = logging.getLogger(__name__)
MANIFEST_NAMES = ("MANIFEST.tsv", "manifest.tsv", "manifest.json")


def load_manifest(path: Path) -> dict[str, str]:
    """Read a TSV (columns `path` and `public_url` or `url`) or JSON ({path: url} or a list of rows)."""
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourceError(f"cannot read manifest {path}: {exc.strerror}") from exc
    if path.suffix == ".json":
        data = json.loads(raw)
        rows = (
            data.items()
            if isinstance(data, dict)
            else ((r["path"], r.get("public_url") or r.get("url", "")) for r in data)
        )
        return _public_only({str(k): str(v) for k, v in rows}, path)
    reader = csv.DictReader(raw.splitlines(), delimiter="\t")
    if not reader.fieldnames or "path" not in reader.fieldnames:
        raise SourceError(f"manifest {path} needs a header row with a `path` column")
    col = "public_url" if "public_url" in reader.fieldnames else "url"
    return _public_only({row["path"]: row.get(col) or "" for row in reader}, path)


def _public_only(urls: dict[str, str], path: Path) -> dict[str, str]:
    """http(s) URLs only: a `javascript:` or `//host` link would reach every client in `citations[].url`."""
    bad = sorted(k for k, v in urls.items() if v and not v.startswith(("http://", "https://")))
    if bad:
        log.warning("manifest %s: %d URLs that are not http(s) dropped (first: %s)", path, len(bad), bad[0])
    return {k: ("" if k in bad else v) for k, v in urls.items()}


def find_manifest(root: Path) -> Path | None:
    """A manifest file at the root of a folder source, if any."""
    for name in MANIFEST_NAMES:
        if (root / name).is_file():
            return root / name
    return None
