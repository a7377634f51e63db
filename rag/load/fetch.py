"""Fetch an article by URL, safely: http(s) only, a timeout, a size cap, and no request to (or
redirect to) a loopback, private, link-local or otherwise non-public address unless a setting
allows it. Server-side request forgery is the classic hole of a "fetch this URL" feature: the
server would read its own admin pages or the cloud metadata service for whoever asks."""
from __future__ import annotations

import ipaddress
import re
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from ..errors import InputError

MAX_REDIRECTS = 5
_SUFFIX = {"application/pdf": ".pdf", "text/plain": ".txt", "text/markdown": ".md",
           "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx"}


@dataclass
class Fetched:
    url: str  # after redirects
    raw: bytes
    name: str  # a file name whose suffix says how to parse the bytes
    charset: str | None


def is_url(s) -> bool:
    return isinstance(s, str) and bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", s.strip()))


def _check_host(url: str, allow_private: bool, allowed_hosts: set[str]) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise InputError(f"{url}: only http:// and https:// addresses can be fetched")
    host = parts.hostname
    if not host:
        raise InputError(f"{url}: not a complete web address (no host name)")
    if allow_private or host.lower() in allowed_hosts:
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as e:
        raise InputError(f"{url}: the host {host} cannot be found ({e})") from e
    for info in infos:
        _check_ip(url, info[4][0])


def _check_ip(url: str, addr: str) -> None:
    ip = ipaddress.ip_address(addr.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if not ip.is_global or ip.is_multicast:
        raise InputError(f"{url}: refused, the address {ip} is private, loopback or link-local; "
                         f"fetching it would expose this machine's network. Set RAG_FETCH_ALLOW_PRIVATE=true "
                         f"(or list the host in RAG_FETCH_ALLOWED_HOSTS) if you trust everyone who can use "
                         f"this app")


def _name_for(url: str, content_type: str) -> str:
    path = urlsplit(url).path.lower()
    for suffix in (".pdf", ".docx", ".txt", ".md"):
        if path.endswith(suffix):
            return "page" + suffix
    return "page" + _SUFFIX.get(content_type, ".html")


def fetch(url: str, timeout_s: float = 20.0, max_mb: float = 10.0, allow_private: bool = False,
          allowed_hosts: tuple[str, ...] | list[str] = ()) -> Fetched:
    import httpx

    url = url.strip()
    allowed = {h.lower() for h in allowed_hosts}
    limit = int(max_mb * 1024 * 1024)
    deadline = time.monotonic() + timeout_s  # for the whole download, not per read
    # no proxies from the environment: the address checks must see the real peer
    with httpx.Client(timeout=timeout_s, follow_redirects=False, trust_env=False,
                      headers={"User-Agent": "rag-news/0.1 (article fetcher)"}) as client:
        for _ in range(MAX_REDIRECTS + 1):
            _check_host(url, allow_private, allowed)
            try:
                with client.stream("GET", url) as r:
                    # the address actually connected to: a DNS answer that changed since the check
                    # (rebinding) is caught here, before any of the body is read
                    peer = r.extensions.get("network_stream")
                    addr = peer.get_extra_info("server_addr") if peer is not None else None
                    if addr and not allow_private and (urlsplit(url).hostname or "").lower() not in allowed:
                        _check_ip(url, addr[0])
                    if r.is_redirect:
                        url = urljoin(url, r.headers.get("location", ""))
                        continue
                    if r.status_code >= 400:
                        raise InputError(f"{url}: the server answered {r.status_code} {r.reason_phrase}")
                    if int(r.headers.get("content-length") or 0) > limit:
                        raise InputError(f"{url}: {int(r.headers['content-length']) / 1e6:.1f} MB is over "
                                         f"the {max_mb:g} MB limit (RAG_FETCH_MAX_MB)")
                    body = bytearray()
                    for piece in r.iter_bytes():
                        body += piece
                        if len(body) > limit:
                            raise InputError(f"{url}: more than {max_mb:g} MB; not fetched (RAG_FETCH_MAX_MB)")
                        if time.monotonic() > deadline:
                            raise InputError(f"{url}: took longer than {timeout_s:g} s; not fetched "
                                             f"(RAG_FETCH_TIMEOUT_S)")
                    ctype = r.headers.get("content-type", "")
                    mime = ctype.split(";")[0].strip().lower()
                    if mime and not (mime.startswith("text/") or mime in _SUFFIX or "html" in mime
                                     or "xml" in mime):
                        raise InputError(f"{url}: the server sent {mime}, not an article "
                                         f"(web page, text, PDF or Word file)")
                    return Fetched(url=url, raw=bytes(body), name=_name_for(url, mime), charset=r.charset_encoding)
            except httpx.TimeoutException as e:
                raise InputError(f"{url}: no answer within {timeout_s:g} s (RAG_FETCH_TIMEOUT_S)") from e
            except httpx.HTTPError as e:
                raise InputError(f"{url}: cannot be fetched ({e})") from e
    raise InputError(f"{url}: more than {MAX_REDIRECTS} redirects; not followed")
