"""HTTP GETs for the crawler: every redirect hop checked by the address guard, conditional requests, a size
cap per response, and a polite delay between requests to one host."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit, urlunsplit

import httpx

from ingest.errors import SourceError
from ingest.netguard import public_address

USER_AGENT = "roadmap-rag/0.1 (+https://github.com/roadmap-rag)"
TIMEOUT_S = 10.0
MAX_REDIRECTS = 5
MAX_BYTES = 5_000_000  # a page over this is skipped, not truncated: half a page would be cited as whole


@dataclass(frozen=True)
class FetchLimits:
    """Politeness and safety bounds of every crawl request (RAG_CRAWL_* settings)."""

    delay_s: float = 0.5  # between requests to one host, unless robots.txt asks for more
    timeout_s: float = TIMEOUT_S
    max_bytes: int = MAX_BYTES


class TooLarge(SourceError):
    """A response over the size cap."""


@dataclass
class Fetched:
    """A final response: status, the URL after redirects, headers and the body (empty for a 304)."""

    status: int
    url: str
    headers: dict[str, str]
    body: bytes = b""

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def validators(self) -> tuple[str, str]:
        """(ETag, Last-Modified) to ask "changed since?" next time."""
        return self.headers.get("etag", ""), self.headers.get("last-modified", "")


@dataclass
class Politeness:
    """The delay between two requests to the same host (raised by a robots.txt Crawl-delay)."""

    delay_s: float = 0.5
    last: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self, host: str, delay_s: float | None = None) -> None:
        gap = max(self.delay_s, delay_s or 0.0)  # robots.txt may ask for more than our default, never less
        with self.lock:
            due = self.last.get(host, 0.0) + gap
            pause = max(0.0, due - time.monotonic())
            self.last[host] = time.monotonic() + pause
        if pause:
            time.sleep(pause)  # the delay is the point: a crawler must not hammer a docs site


class Fetcher:
    """GETs whose every redirect hop is checked by the address guard, each connection made to the address
    that was checked (a second DNS answer cannot point it elsewhere)."""

    def __init__(self, allow_private: bool, limits: FetchLimits = FetchLimits()) -> None:
        self.allow_private = allow_private
        self.max_bytes = limits.max_bytes
        self.politeness = Politeness(limits.delay_s)
        self.client = httpx.Client(
            timeout=limits.timeout_s, follow_redirects=False, headers={"User-Agent": USER_AGENT}
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    def get(
        self, url: str, validators: dict[str, str] | None = None, delay_s: float | None = None
    ) -> Fetched:
        """The response after redirects. `validators` (etag, last_modified) make it conditional: an unchanged
        page answers 304 with no body. Raises SourceError (or httpx.HTTPError) when it cannot be fetched."""
        headers = {}
        if validators and validators.get("etag"):
            headers["If-None-Match"] = validators["etag"]
        if validators and validators.get("last_modified"):
            headers["If-Modified-Since"] = validators["last_modified"]
        for _ in range(MAX_REDIRECTS + 1):
            self.politeness.wait(urlsplit(url).netloc, delay_s)
            res = self._pinned_get(url, headers)
            if not (300 <= res.status <= 308 and res.status != 304 and "location" in res.headers):
                return res
            url = urldefrag(urljoin(url, res.headers["location"]))[0]
            if not url.startswith(("http://", "https://")):
                raise SourceError(f"redirect to a non-http(s) URL: {url[:100]}")
        raise SourceError(f"more than {MAX_REDIRECTS} redirects from {url}")

    def _pinned_get(self, url: str, headers: dict[str, str]) -> Fetched:
        parts = urlsplit(url)
        ip = public_address(url, self.allow_private)  # raises AddressNotAllowed (a SourceError)
        netloc = (f"[{ip}]" if ":" in ip else ip) + (f":{parts.port}" if parts.port else "")
        pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
        tls = {"sni_hostname": parts.hostname} if parts.scheme == "https" else {}  # the certificate's name
        with self.client.stream(
            "GET", pinned, headers={"Host": parts.netloc, **headers}, extensions=tls
        ) as res:
            declared = int(res.headers.get("content-length") or 0)
            if declared > self.max_bytes:
                raise TooLarge(f"{url} is {declared} bytes, over the {self.max_bytes}-byte cap")
            body = bytearray()
            for piece in res.iter_bytes():
                body += piece
                if len(body) > self.max_bytes:
                    raise TooLarge(f"{url} is over the {self.max_bytes}-byte cap")
            return Fetched(res.status_code, url, {k.lower(): v for k, v in res.headers.items()}, bytes(body))
