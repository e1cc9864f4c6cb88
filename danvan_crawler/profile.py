"""Site profiles: everything portal-specific, loaded from TOML into typed objects.

``load_profile("nghean")`` reads ``danvan_crawler/profiles/nghean.toml``;
``load_profile("/path/x.toml")`` reads a file. ``profile.with_base_url(url)`` gives the same
profile pointed at another base URL (the replica serves the same paths on 127.0.0.1).
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from danvan_crawler.urls import DEFAULT_TRACKING_PARAMS

__all__ = [
    "ArticleSelectors",
    "FallbackRules",
    "ListingSelectors",
    "SignatureRules",
    "SiteProfile",
    "load_profile",
    "site_key",
    "site_output",
]

DEFAULT_PROFILE = "nghean"


def _list(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


@dataclass(frozen=True)
class ArticleSelectors:
    headline: tuple[str, ...]
    date_published: tuple[str, ...]
    date_modified: tuple[str, ...]
    description: tuple[str, ...]
    content: tuple[str, ...]
    breadcrumbs: tuple[str, ...]
    attachments: tuple[str, ...]
    image_block: tuple[str, ...]
    image_caption: tuple[str, ...]
    remove: tuple[str, ...]
    title_suffix: re.Pattern[str]
    #: a signature block outside the content (one element per line: name, role); empty:
    #: the signature is the content's trailing paragraphs (``[signature]``)
    byline: tuple[str, ...] = ()
    #: elements printed after everything the article has (share bar, related list,
    #: footer): a page holding none of them may have been cut short
    end_markers: tuple[str, ...] = ()
    #: how the content's text is read: "blocks" (its innermost block elements, one
    #: paragraph each) or "lines" (as the generic rules read a body: any block or
    #: ``<br>`` ends a line, text outside blocks included; CMSs that print the body as
    #: text runs split by ``<br>`` beside a few blocks need it)
    body_lines: str = "blocks"
    #: False: article pages print no publication date (the site shows it in its
    #: listings only); none is guessed from the page, the listing's is taken
    date_on_page: bool = True


@dataclass(frozen=True)
class SignatureRules:
    paragraph: tuple[str, ...]
    align_right: re.Pattern[str]
    nbsp_indent: re.Pattern[str]
    max_lines: int
    name_prefix: re.Pattern[str]
    #: splits "Name - Role" printed on one line; None: never split
    name_role_separator: re.Pattern[str] | None
    #: the trailing blocks are also a signature when the first is a name in bold (and the
    #: rest short role lines), as the generic rules read them
    bold: bool = False


@dataclass(frozen=True)
class ListingSelectors:
    title: tuple[str, ...]
    item: tuple[str, ...]
    item_link: tuple[str, ...]
    item_time: tuple[str, ...]
    item_lead: tuple[str, ...]
    scope: tuple[str, ...]
    #: elements printed after the list and its pager (the footer): a listing page holding
    #: none of them may have been cut short
    end_markers: tuple[str, ...] = ()


@dataclass(frozen=True)
class FallbackRules:
    """Generic rules used when the site selectors find nothing."""

    breadcrumbs: tuple[str, ...] = ()
    description: tuple[str, ...] = ()
    byline: tuple[str, ...] = ()
    modified_marker: re.Pattern[str] = re.compile(r"(?i)cập\s*nhật")
    date_search_nodes: int = 12


@dataclass(frozen=True)
class SiteProfile:
    """One portal's specifics. Regexes are compiled; selectors are CSS tuples tried in order."""

    name: str
    base_url: str
    hosts: tuple[str, ...]
    language: str
    layout: str
    home_re: re.Pattern[str]
    article_re: re.Pattern[str]
    category_re: re.Pattern[str]
    subsite_home_re: re.Pattern[str]
    article_id_re: re.Pattern[str]
    page_param: str
    tracking_params: tuple[str, ...]
    attachment_re: re.Pattern[str]
    banner_selectors: tuple[str, ...]
    banner_site_name_re: re.Pattern[str]
    article: ArticleSelectors
    signature: SignatureRules
    listing: ListingSelectors
    timezone: str
    date_patterns: tuple[re.Pattern[str], ...]
    fallback: FallbackRules = field(default_factory=FallbackRules)
    source: str = field(default="", compare=False)

    @property
    def base_host(self) -> str:
        return urlsplit(self.base_url).hostname or ""

    @property
    def home_url(self) -> str:
        return self.base_url + "/"

    def with_base_url(self, base_url: str) -> SiteProfile:
        """The same profile aimed at another base URL (scheme://host[:port], no path)."""
        base = normalize_base_url(base_url)
        hosts = tuple(dict.fromkeys((*self.hosts, urlsplit(base).hostname or "")))
        return dataclasses.replace(self, base_url=base, hosts=hosts)

    def with_tracking_params(self, extra: Iterable[str]) -> SiteProfile:
        """The same profile also dropping ``extra`` query parameters (the operator's
        ``DANVAN_TRACKING_PARAMS``) from every URL it canonicalizes."""
        merged = tuple(dict.fromkeys((*self.tracking_params, *extra)))
        if merged == self.tracking_params:
            return self
        return dataclasses.replace(self, tracking_params=merged)

    def generic(self) -> SiteProfile:
        """The same profile with every site selector emptied (article, listing, banner):
        only the generic rules extract, as on a portal whose markup nobody has seen. URL
        rules, date patterns, signature and fallback rules are kept."""
        article = ArticleSelectors(
            headline=(),
            date_published=(),
            date_modified=(),
            description=(),
            content=(),
            breadcrumbs=(),
            attachments=(),
            image_block=(),
            image_caption=(),
            remove=(),
            title_suffix=self.article.title_suffix,
            byline=(),
        )
        listing = ListingSelectors(
            title=(), item=(), item_link=(), item_time=(), item_lead=(), scope=()
        )
        return dataclasses.replace(self, article=article, listing=listing, banner_selectors=())

    def is_same_site(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return host == self.base_host.lower() or host in {h.lower() for h in self.hosts}


def normalize_base_url(url: str) -> str:
    """``http://127.0.0.1:8000/`` -> ``http://127.0.0.1:8000`` (scheme + netloc, lower-case)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an http(s) site URL: {url!r}")
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def _compile(value: str) -> re.Pattern[str]:
    return re.compile(value)


def profile_from_dict(data: dict[str, Any], source: str = "") -> SiteProfile:
    urls = data["urls"]
    banner = data["banner"]
    art = data["article"]
    sig = data["signature"]
    lst = data["listing"]
    dates = data["dates"]
    return SiteProfile(
        name=data["name"],
        base_url=normalize_base_url(data["base_url"]),
        hosts=_list(data.get("hosts")),
        language=data.get("language", "vi"),
        layout=data.get("layout", "classic"),
        home_re=_compile(urls["home"]),
        article_re=_compile(urls["article"]),
        category_re=_compile(urls["category"]),
        subsite_home_re=_compile(urls["subsite_home"]),
        article_id_re=_compile(urls["article_id"]),
        page_param=urls["page_param"],
        tracking_params=(
            _list(urls["tracking_params"]) if "tracking_params" in urls else DEFAULT_TRACKING_PARAMS
        ),
        attachment_re=re.compile(urls["attachment"], re.IGNORECASE),
        banner_selectors=_list(banner["selector"]),
        banner_site_name_re=_compile(banner["site_name"]),
        article=ArticleSelectors(
            headline=_list(art["headline"]),
            date_published=_list(art["date_published"]),
            date_modified=_list(art["date_modified"]),
            description=_list(art["description"]),
            content=_list(art["content"]),
            breadcrumbs=_list(art["breadcrumbs"]),
            attachments=_list(art["attachments"]),
            image_block=_list(art["image_block"]),
            image_caption=_list(art["image_caption"]),
            remove=_list(art["remove"]),
            title_suffix=_compile(art["title_suffix"]),
            byline=_list(art.get("byline")),
            end_markers=_list(art.get("end_markers")),
            body_lines=_body_lines(art.get("body_lines", "blocks")),
            date_on_page=bool(art.get("date_on_page", True)),
        ),
        signature=SignatureRules(
            paragraph=_list(sig["paragraph"]),
            align_right=_compile(sig["align_right"]),
            nbsp_indent=_compile(sig["nbsp_indent"]),
            max_lines=int(sig["max_lines"]),
            name_prefix=_compile(sig["name_prefix"]),
            name_role_separator=(
                _compile(sig["name_role_separator"]) if sig.get("name_role_separator") else None
            ),
            bold=bool(sig.get("bold", False)),
        ),
        listing=ListingSelectors(
            title=_list(lst["title"]),
            item=_list(lst["item"]),
            item_link=_list(lst["item_link"]),
            item_time=_list(lst["item_time"]),
            item_lead=_list(lst["item_lead"]),
            scope=_list(lst["scope"]),
            end_markers=_list(lst.get("end_markers")),
        ),
        timezone=dates["timezone"],
        date_patterns=tuple(re.compile(p, re.IGNORECASE) for p in dates["patterns"]),
        fallback=_fallback_rules(data.get("fallback") or {}),
        source=source,
    )


def _body_lines(value: Any) -> str:
    if value not in ("blocks", "lines"):
        raise ValueError(f"[article] body_lines must be 'blocks' or 'lines', not {value!r}")
    return str(value)


def _fallback_rules(data: dict[str, Any]) -> FallbackRules:
    default = FallbackRules()
    return FallbackRules(
        breadcrumbs=_list(data.get("breadcrumbs")),
        description=_list(data.get("description")),
        byline=_list(data.get("byline")),
        modified_marker=(
            _compile(data["modified_marker"])
            if "modified_marker" in data
            else default.modified_marker
        ),
        date_search_nodes=int(data.get("date_search_nodes", default.date_search_nodes)),
    )


def load_profile(name_or_path: str = DEFAULT_PROFILE, base_url: str | None = None) -> SiteProfile:
    """Load a profile by name (``nghean``: a packaged ``profiles/<name>.toml``) or by path to
    a TOML file; ``base_url`` (when given) replaces the profile's base URL."""
    path = Path(name_or_path)
    if name_or_path.endswith(".toml") or path.is_file():
        text = path.read_text(encoding="utf-8")
        source = str(path)
    else:
        if not re.fullmatch(r"[A-Za-z0-9_-]+", name_or_path):
            raise ValueError(f"bad profile name: {name_or_path!r}")
        res = resources.files("danvan_crawler").joinpath("profiles", f"{name_or_path}.toml")
        if not res.is_file():
            raise FileNotFoundError(f"no such site profile: {name_or_path!r}")
        text = res.read_text(encoding="utf-8")
        source = f"danvan_crawler/profiles/{name_or_path}.toml"
    profile = profile_from_dict(tomllib.loads(text), source=source)
    return profile.with_base_url(base_url) if base_url else profile


def site_key(name_or_path: str = DEFAULT_PROFILE) -> str:
    """The key that names a site in output paths: the profile's ``name``."""
    if name_or_path.endswith(".toml") or Path(name_or_path).is_file():
        return load_profile(name_or_path).name
    return name_or_path


def site_output(
    out: str | Path, public_url: str | None, name_or_path: str = DEFAULT_PROFILE
) -> tuple[Path, str | None]:
    """Feeds folder and public URL of a site. The default profile keeps the single-site
    layout (``out`` itself); any other profile publishes into ``out/<site key>/`` (and
    ``public_url`` gets ``<site key>/`` appended), so several sites share one folder."""
    key = site_key(name_or_path)
    if key == DEFAULT_PROFILE:
        return Path(out), public_url
    url = public_url.rstrip("/") + "/" + key + "/" if public_url else None
    return Path(out) / key, url
