"""Learning the article's other fields: authors and byline, links (attachments,
breadcrumbs) and the banner's site name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from lxml import etree

from danvan_crawler.extract.common import node_text
from danvan_crawler.extract.learn_body import _authors_key
from danvan_crawler.extract.learn_pages import (
    _Art,
    _in_link,
    _keyed,
    _learned_page,
    _profile,
    _text_elements,
)
from danvan_crawler.extract.learn_select import (
    _choose,
    _distinct,
    _element_sibling,
    _quote,
    _steps,
    before_candidates,
    selector_candidates,
)
from danvan_crawler.extract.selectors import select
from danvan_crawler.profile import SiteProfile
from danvan_crawler.text import clean_text


def _learn_authors(data: dict[str, Any], arts: list[_Art]) -> None:
    """Authors: when the content's signature rules (right-aligned, NBSP-indented trailing
    paragraphs) do not give the ladder's names, a byline selector for the name's element,
    and the name / role separator when the page prints "Name - Role" on one line."""

    def right(profile: SiteProfile) -> tuple[int, int]:
        good = total = 0
        for art in arts:
            want = _authors_key(art.ladder)
            got = _authors_key(_learned_page(profile, art))
            total += 1
            good += got == want
        return good, total

    best = right(_profile(data))
    if best[0] == best[1]:
        return
    # a name in bold ending the body, as the ladder reads it
    trial = dict(data, signature=dict(data["signature"], bold=True))
    score = right(_profile(trial))
    if score[0] > best[0]:
        data["signature"], best = trial["signature"], score
        if best[0] == best[1]:
            return
    best = _try_separators(data, right, best)
    if best[0] == best[1]:
        return
    cands: list[str] = []
    for art in arts:
        for author in art.ladder.fields.get("authors") or []:
            raw = author.get("nameRaw") or author.get("name")
            for el in _text_elements(art.root, raw or "")[:2]:
                cands.extend(selector_candidates(el))
    art_data = data["article"]
    chosen: list[str] = []
    for _ in range(2):  # a second selector for the pages the first misses
        pick = None
        for css in list(dict.fromkeys(cands))[:60]:
            if css in chosen:
                continue
            art_data["byline"] = [*chosen, css]
            score = right(_profile(data))
            if score[0] > best[0]:
                best, pick = score, css
            if best[0] == best[1]:
                break
        if pick is None:
            break
        chosen.append(pick)
        if best[0] == best[1]:
            break
    art_data["byline"] = chosen
    if chosen and best[0] < best[1]:
        # the byline prints "Name - Role" where the content's signature did not
        _try_separators(data, right, best)


def _try_separators(
    data: dict[str, Any],
    right: Callable[[SiteProfile], tuple[int, int]],
    best: tuple[int, int],
) -> tuple[int, int]:
    """Keeps the name / role separator (none, a dash, a comma) under which ``right``
    scores best; returns that score."""
    sig = data["signature"]
    for sep in (r"\s+[-–]\s+", r"\s*,\s+"):
        trial = dict(data, signature=dict(sig, name_role_separator=sep))
        score = right(_profile(trial))
        if score[0] > best[0]:
            data["signature"] = trial["signature"]
            best = score
    return best


_COMMENT = re.compile(r"(?i)comment|binh-?luan|y-?kien|feedback")
_LABEL = re.compile(r"^([^\W\d][^:\n]{0,24}?)\s*:\s*")


def _name_bearer(el: etree._Element) -> tuple[str, str | None] | None:
    """(name, label) when ``el`` prints an author: a short text whose first line, after
    a label ("Người viết:") and before " - Role", is a person's name."""
    from danvan_crawler.extract.article_tree import _raw_text
    from danvan_crawler.extract.ladder_signature import name_like
    from danvan_crawler.text import clean_block

    if el.tag in ("a", "script", "style", "title", "html", "body", "head") or _in_link(el):
        return None
    for node in (el, *el.iterancestors()):
        # readers' comments name their writers, one item each: no byline
        if node.tag == "li" or _COMMENT.search(f"{node.get('id', '')} {node.get('class', '')}"):
            return None
    text = node_text(el)
    if not text or len(text) > 150:
        return None
    if sum(len(node_text(a)) for a in el.iter("a")) * 2 >= len(text):
        return None  # links ("Chia sẻ: Facebook Zalo"), not a byline
    first = next((x for x in clean_block(_raw_text(el)).split("\n") if x), "")
    label = None
    match = _LABEL.match(first)
    if match:
        label, first = match.group(1), first[match.end() :]
    name = re.split(r"\s+[-–]\s+", first, maxsplit=1)[0].strip()
    if len(name.split()) < 2 or not name_like(name):
        return None
    return name, label


def _label_candidates(el: etree._Element, label: str | None) -> list[str]:
    """``el`` named by the label it starts with under its parent (``article >
    div:contains("Bài:")``): a byline among unnamed blocks that are there or not from page
    to page has no stable position."""
    parent = el.getparent()
    if not label or parent is None or not isinstance(parent.tag, str):
        return []
    # (a parent with no name of its own: its structural selectors)
    anchor = _distinct(parent)
    anchors = [anchor] if anchor else selector_candidates(parent)[:4]
    named = f"{str(el.tag).lower()}:contains({_quote(label + ':')})"
    return [f"{a} > {named}" for a in anchors]


def _compound(css: str) -> bool:
    """Whether ``css`` names one element by itself, no combinator outside ``:has()``."""
    while True:
        inner = re.sub(r"\([^()]*\)", "", css)
        if inner == css:
            return not re.search(r"[\s>+~,]", css)
        css = inner


def _neighbour_candidates(
    art_data: dict[str, Any], root: etree._Element, el: etree._Element
) -> list[str]:
    """``el`` named by the learned field printed next to it: ``H + p`` right after the
    headline, date or body (``H`` its selector), ``div:has(+ H)`` right before one. A
    byline's label changes from page to page ("Bài:", "Tin, ảnh:"), its place does not."""
    tag = str(el.tag).lower()
    prev, after = _element_sibling(el, -1), _element_sibling(el, 1)
    out: list[str] = []
    for key in ("headline", "date_published", "description", "content"):
        for css in art_data.get(key) or []:
            found = select(root, css)
            if not found or not isinstance(found[0], etree._Element):
                continue
            if found[0] is prev:
                out.append(f"{css} + {tag}")
            if found[0] is after and _compound(css):
                out.append(f"{tag}:has(+ {css})")
    return out


def _discover_byline(data: dict[str, Any], arts: list[_Art]) -> None:
    """A byline the ladder did not read (below the body, in an author box): elements
    printing a name (:func:`_name_bearer`) at the same selector on several pages, never
    anything else, giving the ladder's names where it found some; the labels before the
    names join the name prefixes."""
    art_data, sig = data["article"], data["signature"]
    found: dict[int, list[tuple[etree._Element, str, str | None]]] = {}
    cands: list[str] = []
    learned = _profile(data)
    for art in arts:
        # a name the content's signature rules already read is no byline to find: its
        # place (the body's last paragraphs) holds body text on pages with no signature
        page = _learned_page(learned, art)
        read = set() if "authors" in page.fallbacks else set(_authors_key(page))
        hits = []
        for el in art.root.iter():
            if isinstance(el.tag, str):
                got = _name_bearer(el)
                if got and _keyed(got[0]) not in read:
                    hits.append((el, *got))
        # the outermost element printing the name (the label and role with it)
        outer = [h for h in hits if not any(o[0] in h[0].iterancestors() for o in hits)]
        found[id(art)] = outer
        for el, _, label in outer[:4]:
            # (by its place first: a label names only the pages printing that label)
            # (the place where, on pages with no byline, a block of links stands: a share
            # bar, the headline's link; no byline is mostly links, see _name_bearer)
            placed = _neighbour_candidates(art_data, art.root, el) + before_candidates(el)
            own = selector_candidates(el)
            cands.extend(_steps(el)[:-1])  # its own meaningful name before any place
            cands.extend(placed)
            cands.extend(f"{css}:not(:has(a))" for css in placed)
            cands.extend(_label_candidates(el, label))
            cands.extend(own)
            cands.extend(f"{css}:not(:has(a))" for css in own)
    labels = {label for hits in found.values() for _, _, label in hits if label}
    if labels:
        alts = "|".join(re.escape(x) for x in sorted(labels))
        sig = dict(sig, name_prefix=f"{sig['name_prefix']}|(?i:^(?:{alts})\\s*:\\s*)")
    valid: list[tuple[str, set[int]]] = []
    single: list[tuple[str, set[int]]] = []
    for css in dict.fromkeys(cands):
        named: set[int] = set()
        ok = True
        distinct: set[str] = set()
        for art in arts:
            matched = select(art.root, css)
            if not matched:
                continue
            el = matched[0]
            bearer = _name_bearer(el) if isinstance(el, etree._Element) else None
            if bearer is None:
                ok = False
                break
            named.add(id(art))
            distinct.add(bearer[0])
        # authors differ from article to article; the same "name" on every page is a
        # label of the page ("Chia sẻ: Facebook Zalo")
        if ok and len(distinct) >= 2:
            valid.append((css, named))
        elif ok and named and ":contains(" in css:
            single.append((css, named))
    # a label printed on one page only ("Bài, ảnh:") at the place where another label
    # names several authors is the same byline
    places = {css.rsplit(":contains(", 1)[0] for css, _ in valid if ":contains(" in css}
    valid.extend(v for v in single if v[0].rsplit(":contains(", 1)[0] in places)
    # the selector naming most pages, then one for the pages it misses (another label)
    chosen: list[str] = []
    covered: set[int] = set()
    for _ in range(3):
        pick = max(valid, key=lambda v: len(v[1] - covered), default=None)
        if pick is None or not pick[1] - covered:
            break
        chosen.append(pick[0])
        covered |= pick[1]
    # (articles may have no author: two pages, a quarter of them, are enough)
    if len(covered) < max(2, len(arts) // 4):
        return
    from danvan_crawler.extract.ladder_signature import name_like

    for sep, paragraph in (("", True), (r"\s+[-–]\s+", True), ("", False), (r"\s+[-–]\s+", False)):
        # (paragraph False: no signature read from the content, the byline gives it)
        trial_sig = dict(sig, name_role_separator=sep)
        if not paragraph:
            trial_sig["paragraph"] = []
        trial = dict(data, signature=trial_sig, article=dict(art_data, byline=chosen))
        profile = _profile(trial)
        agree = True
        for art in arts:
            # the ladder's names, when they are names (a role read as one is not)
            want = [
                _keyed(a.get("name"))
                for a in art.ladder.fields.get("authors") or []
                if name_like(a.get("name") or "")
            ]
            got_keys = _authors_key(_learned_page(profile, art))
            found_names = [_keyed(n) for _, n, _ in found[id(art)]]
            if want and got_keys != sorted(want):
                agree = False
            if not want and any(g not in found_names for g in got_keys):
                agree = False
        if agree:
            data["signature"] = trial_sig
            art_data["byline"] = chosen
            return


def _learn_links(data: dict[str, Any], arts: list[_Art], generic: SiteProfile) -> None:
    """Attachments and breadcrumbs: a selector of their links' container plus ``a``."""
    art_data = data["article"]
    for key, field_name in (("attachments", "attachments"), ("breadcrumbs", "breadcrumbs")):
        wanted = {
            id(art): [_keyed(x.get("name")) for x in art.ladder.fields.get(field_name) or []]
            for art in arts
        }
        cands: list[str] = []
        for art in arts:
            names = wanted[id(art)]
            if not names:
                continue
            # the smallest element whose links hold every name (the same words may be
            # in the menu too: "Trang chủ")
            holder = None
            fewest = 1 << 30
            for a in art.root.iter("a"):
                if _keyed(node_text(a)) != names[0]:
                    continue
                for anc in a.iterancestors():
                    links = [_keyed(node_text(x)) for x in anc.iter("a")]
                    if all(name in links for name in names):
                        if len(links) < fewest:
                            holder, fewest = anc, len(links)
                        break
            if holder is None:
                continue
            # (an attachments block among siblings that come and go may be placed only
            # counting from the end: those candidates too, past the first six)
            tail = " a[href]" if key == "attachments" else " a"
            every = selector_candidates(holder)
            kept = every[:6] + [c for c in every[6:] if key == "attachments" and "nth-last" in c]
            cands.extend(f"{c}{tail}" for c in kept)

        def judge(
            art: _Art, css: str, names: dict[int, list[str]] = wanted, kind: str = field_name
        ) -> bool | None:
            want = names[id(art)]
            found = select(art.root, css)
            got = [_keyed(node_text(a)) for a in found]
            if not want:
                return False if found else None
            return got == want or (kind == "attachments" and set(got) == set(want))

        css, _ = _choose(arts, dict.fromkeys(cands), judge)
        art_data[key] = [css] if css else []


def _learn_banner(data: dict[str, Any], arts: list[_Art], generic: SiteProfile) -> None:
    regex = generic.banner_site_name_re
    cands: list[str] = []
    for art in arts:
        for img in art.root.iter("img"):
            if regex.match(clean_text(img.get("alt") or "")):
                cands.extend(f"{c}::attr(alt)" for c in selector_candidates(img)[:6])
                break

    def judge(art: _Art, css: str) -> bool | None:
        want = art.ladder.fields.get("subSite")
        if not want:
            return None
        for alt in select(art.root, css):
            match = regex.match(clean_text(alt if isinstance(alt, str) else ""))
            if match and clean_text(match.group("name")):
                return clean_text(match.group("name")) == want
        return False

    css, _ = _choose(arts, dict.fromkeys(cands), judge)
    data["banner"]["selector"] = [css] if css else []
