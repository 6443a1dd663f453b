"""Which network addresses a fetch may reach: no loopback, private, link-local or reserved ones (SSRF),
checked on every hop and pinned, so a redirect or a second DNS answer cannot lead anywhere else."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from ingest.errors import SourceError


class AddressNotAllowed(SourceError):
    """A URL whose host is, or resolves to, an address the service must not fetch."""


def _blocked(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    mapped = getattr(ip, "ipv4_mapped", None)  # ::ffff:127.0.0.1 is loopback too
    ip = mapped or ip
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or (ip.is_unspecified)
    )


def url_host(url: str) -> str:
    """The host of an http(s)/ssh URL or of git@host:path."""
    host = urlsplit(url if "://" in url else f"ssh://{url.replace(':', '/', 1)}").hostname
    if not host:
        raise AddressNotAllowed(f"{url}: no host name")
    return host


def public_address(url: str, allow_private: bool = False) -> str:
    """The address to connect to for url's host: resolved once and checked, so the connection goes where the
    check looked. Raises AddressNotAllowed when any address of the host is private or local."""
    host = url_host(url)
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise AddressNotAllowed(f"{url}: cannot resolve {host} ({exc.strerror})") from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    addresses.sort(key=lambda ip: ip.version)  # IPv4 first: many hosts here have no IPv6 route
    if not allow_private:
        for ip in addresses:
            if _blocked(ip):
                raise AddressNotAllowed(
                    f"{url}: {host} resolves to {ip}, a private or local address "
                    "(set RAG_INGEST_ALLOW_PRIVATE_URLS=true to allow)"
                )
    return str(addresses[0])
