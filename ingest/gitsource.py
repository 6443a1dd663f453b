"""Git sources: a shallow clone into the data dir; citations link to the blob URL at the commit."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

from ingest.atomic import publish_dir
from ingest.documents import Document
from ingest.errors import SourceError
from ingest.local import load_folder
from ingest.manifest import find_manifest, load_manifest
from ingest.spec import SourceSpec

log = logging.getLogger(__name__)
GIT_TIMEOUT_S = 120


def _run_group(cmd: list[str], cwd: Path | None) -> subprocess.CompletedProcess:
    """Run cmd in a process group of its own; on timeout the whole group is killed (git's ssh and
    remote helpers too, which would otherwise keep running and hold the single ingest slot)."""
    env = {"GIT_TERMINAL_PROMPT": "0", "PATH": "/usr/bin:/bin:/usr/local/bin"}
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=GIT_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def _git(*args: str, cwd: Path | None = None) -> str:
    try:
        res = _run_group(["git", *args], cwd)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SourceError(f"git {args[0]} failed: {exc}") from exc
    if res.returncode != 0:
        raise SourceError(
            f"git {args[0]} failed: "
            f"{res.stderr.strip().splitlines()[-1] if res.stderr.strip() else res.returncode}"
        )
    return res.stdout.strip()


def blob_url_maker(remote: str, commit: str):
    """Function rel_path -> public blob URL for GitHub/GitLab remotes, else None."""
    m = re.match(r"^(?:https?://|git@)(github\.com|gitlab\.com)[/:]([^/]+)/([^/]+?)(?:\.git)?/?$", remote)
    if not m:
        return None
    host, owner, repo = m.groups()
    sep = "/-/blob/" if host == "gitlab.com" else "/blob/"
    return lambda rel: f"https://{host}/{owner}/{repo}{sep}{commit}/{rel}"


def clone(url: str, data_dir: Path) -> Path:
    """Shallow-clone (or refresh) a remote into data_dir/git/<hash>; the old clone survives a failure."""
    dest = data_dir / "git" / hashlib.sha1(url.encode()).hexdigest()[:16]
    tmp = dest.with_name(dest.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.parent.mkdir(parents=True, exist_ok=True)
    _git("clone", "--depth", "1", "--quiet", url, str(tmp))
    return publish_dir(tmp, dest)


def load_git(spec: SourceSpec, data_dir: Path) -> list[Document]:
    """Documents of a git repository URL, or of a local clone."""
    local = Path(spec.spec)
    root = local if local.is_dir() else clone(spec.spec, data_dir)
    commit = _git("rev-parse", "HEAD", cwd=root)
    try:
        remote = _git("remote", "get-url", "origin", cwd=root)
    except SourceError:
        remote = spec.spec
    mpath = Path(spec.manifest) if spec.manifest else find_manifest(root)
    return load_folder(
        root, spec.source_id, load_manifest(mpath) if mpath else {}, blob_url_maker(remote, commit)
    )
