"""The one way files and folders are published: written aside, flushed to disk, renamed into place.

A kill -9 or a full disk at any moment leaves either the old content or the new one, never half of it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries (a rename is durable only once its folder is)."""
    fd = os.open(str(path), os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(root: Path) -> None:
    """Flush every file under root, then root itself."""
    for path in sorted(root.rglob("*")):
        if path.is_file():
            with open(path, "rb+") as fh:
                os.fsync(fh.fileno())
    fsync_dir(root)


def publish_file(tmp: Path, dest: Path) -> Path:
    """Flush a finished file and rename it over dest."""
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, dest)
    fsync_dir(dest.parent)
    return dest


def write_text_atomic(path: Path, text: str) -> Path:
    """Replace a text file whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    return publish_file(tmp, path)


def publish_dir(staging: Path, dest: Path) -> Path:
    """Flush a finished folder and swap it in for dest (the old one is removed after the swap)."""
    fsync_tree(staging)
    old = dest.with_name(f".old-{dest.name}")
    shutil.rmtree(old, ignore_errors=True)
    if dest.exists():
        dest.rename(old)
    staging.rename(dest)
    fsync_dir(dest.parent)
    shutil.rmtree(old, ignore_errors=True)
    return dest
