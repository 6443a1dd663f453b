"""The docs sites ingested documents point to: URLs in their text (scheme-less ones such as
"scikit-learn.org/stable" too), kept to an allow list of docs hosts and merged into sites to crawl."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from urllib.parse import urlsplit

from ingest.spec import CrawlBounds, SourceSpec
from ingest.web import crawl_scope  # the crawler's own notion of a start page's folder

_HOST = r"(?:(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}|\d{1,3}(?:\.\d{1,3}){3}|localhost)"
_URL = re.compile(
    rf"(?<![@\w./-])(?P<scheme>https?://)?(?P<host>{_HOST})(?P<port>:\d{{2,5}})?(?P<path>/[^\s<>()\[\]\"'`]*)?",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?*_"


@dataclass(frozen=True)
class Seed:
    """A framework's docs start page, followed when a document names the framework."""

    url: str
    names: tuple[str, ...]
    prefix: str = ""


@dataclass(frozen=True)
class LinkPolicy:
    """Allowed hosts (host[:port] -> allowed path prefixes, none = any) and the seeds."""

    hosts: dict[str, tuple[str, ...]]
    seeds: tuple[Seed, ...] = ()

    def allows(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.netloc.lower() not in self.hosts:
            return False
        paths = self.hosts[parts.netloc.lower()]
        return not paths or any((parts.path or "/").startswith(p) for p in paths)


@dataclass(frozen=True)
class LinkedSite:
    """One site to crawl: its start URL and the path prefix the crawl stays under."""

    start: str
    prefix: str
    scheme_given: bool = True

    def starts(self) -> list[str]:
        """The start URLs to try in turn: a scheme-less link taken as https is tried over http too."""
        plain = "http://" + self.start.removeprefix("https://")
        return [self.start] if self.scheme_given or plain == self.start else [self.start, plain]

    def spec(self, start: str, max_pages: int, depth: int) -> SourceSpec:
        return SourceSpec(start, "web", crawl=CrawlBounds(max_pages, depth, self.prefix))


def load_policy(extra_hosts: list[str] | tuple[str, ...] = ()) -> LinkPolicy:
    """The shipped allow list (ingest/data/link_hosts.toml) plus hosts given for this run."""
    raw = tomllib.loads(
        resources.files("ingest.data").joinpath("link_hosts.toml").read_text(encoding="utf-8")
    )
    hosts = {h.lower(): tuple(paths) for h, paths in raw.get("hosts", {}).items()}
    hosts |= {h.strip().lower(): () for h in extra_hosts if h.strip()}
    seeds = tuple(
        Seed(s["url"], tuple(s.get("names", [])), s.get("prefix", "")) for s in raw.get("seeds", {}).values()
    )
    return LinkPolicy(hosts, seeds)


def find_urls(text: str) -> list[tuple[str, bool]]:
    """(absolute URL, whether the text gave its scheme) for every URL-looking run in the text, in order.
    A scheme-less one is taken as https."""
    out = []
    for m in _URL.finditer(text):
        path = (m.group("path") or "").rstrip(_TRAILING)
        host = m.group("host").lower().rstrip(".")
        if not m.group("scheme") and "." not in host and host != "localhost":
            continue
        url = f"{(m.group('scheme') or 'https://').lower()}{host}{m.group('port') or ''}{path or '/'}"
        out.append((url.split("#", 1)[0], bool(m.group("scheme"))))
    return out


def named_seeds(texts: list[str], policy: LinkPolicy) -> list[Seed]:
    """The seeds whose framework a text names (a whole-word match)."""
    found = []
    for seed in policy.seeds:
        words = "|".join(re.escape(n) for n in seed.names)
        if words and any(re.search(rf"(?<!\w)(?:{words})(?!\w)", t) for t in texts):
            found.append(seed)
    return found


def linked_sites(texts: list[str], policy: LinkPolicy, seeds: list[Seed] = ()) -> list[LinkedSite]:
    """The allowed sites the texts link to (plus the seeds' start pages), one per host and path prefix: a
    link inside another link's folder joins that site instead of starting its own crawl."""
    prefixes = {s.url: s.prefix for s in seeds}
    candidates = [u for t in texts for u in find_urls(t)] + [(s.url, True) for s in seeds]
    sites: list[LinkedSite] = []
    for url, given in sorted(dict.fromkeys(candidates), key=lambda c: len(urlsplit(c[0]).path)):
        if not policy.allows(url):
            continue
        host, prefix = crawl_scope(url, prefixes.get(url, ""))
        inside = any(urlsplit(s.start).netloc == host and prefix.startswith(s.prefix) for s in sites)
        if not inside:
            sites.append(LinkedSite(url, prefix, given))
    return sites
