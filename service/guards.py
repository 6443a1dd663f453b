"""What the API may ingest: no URLs that resolve to private networks (SSRF), no files outside allowed
roots."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path
from urllib.parse import urlsplit

from ingest.sources import SourceSpec, parse_source


class SourceNotAllowed(ValueError):
    """A source the API refuses to fetch or read."""


def _blocked(ip: ipaddress._BaseAddress) -> bool:
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


def check_url(url: str, allow_private: bool = False) -> None:
    """Refuse URLs whose host resolves to loopback, link-local, private or reserved addresses."""
    host = urlsplit(url if "://" in url else f"ssh://{url.replace(':', '/', 1)}").hostname
    if not host:
        raise SourceNotAllowed(f"{url}: no host name")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(host, None)
    except socket.gaierror as exc:
        raise SourceNotAllowed(f"{url}: cannot resolve {host} ({exc.strerror})") from None
    for info in infos:
        ip = ipaddress.ip_address(info[4][0].split("%")[0])
        if _blocked(ip):
            raise SourceNotAllowed(
                f"{url}: {host} resolves to {ip}, a private or local address "
                "(set RAG_INGEST_ALLOW_PRIVATE_URLS=true to allow)"
            )


def check_path(path: str, roots: list[Path]) -> None:
    """Refuse paths that are not inside one of the allowed roots (after resolving links and '..')."""
    real = Path(path).resolve()
    for root in roots:
        if real == root.resolve() or root.resolve() in real.parents:
            return
    allowed = ", ".join(str(r) for r in roots) or "none configured (RAG_INGEST_ROOTS)"
    raise SourceNotAllowed(f"{path}: outside the folders the API may ingest from ({allowed})")


def checked_source(raw: str, *, roots: list[Path], allow_private: bool, priority: float = 1.0) -> SourceSpec:
    """Parse a source given over the API and apply both guards before anything is fetched."""
    if raw.strip().startswith(("http://", "https://", "git@")) or "://" in raw:
        check_url(raw.strip(), allow_private)
        return parse_source(raw, priority=priority)
    if raw.strip().startswith("pydoc:"):
        return parse_source(raw, priority=priority)
    check_path(raw, roots)  # before parse_source, which would reveal whether the path exists
    return parse_source(raw, priority=priority)
