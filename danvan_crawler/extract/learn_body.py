"""Learning the article body: the content element, image blocks and what to remove."""

from __future__ import annotations

import copy
from typing import Any

from lxml import etree

from danvan_crawler.extract.article import ArticleResult
from danvan_crawler.extract.common import node_text
from danvan_crawler.extract.learn_pages import (
    BASE_REMOVE,
    _Art,
    _body_lines,
    _keyed,
    _learned_page,
    _profile,
    _text_elements,
)
from danvan_crawler.extract.learn_select import _choose, _cost, _quote, selector_candidates
from danvan_crawler.extract.selectors import first_match, select
from danvan_crawler.text import clean_text


def _content_score(result: ArticleResult, want: list[str]) -> tuple[int, int]:
    """(ladder lines present, lines not in the ladder's body)."""
    got = _body_lines(result)
    have = set(got)
    wanted = set(want)
    return sum(1 for line in want if line in have), sum(1 for line in got if line not in wanted)


def _learn_content(data: dict[str, Any], arts: list[_Art]) -> None:
    """The content selector: candidates for the smallest element holding the ladder's
    first and last body line, scored by extracting with them; then ``remove`` selectors
    for what the content holds that the ladder left out."""
    art_data = data["article"]
    cands: list[str] = []
    for art in arts:
        lines = _body_lines(art.ladder)
        if len(lines) < 2:
            continue
        holder = _holder(art.root, lines)
        # the element holding most of the body's paragraphs (a lead or a signature printed
        # outside it makes the holder of all lines a wrapper of the whole article)
        parents: dict[etree._Element, int] = {}
        for line in lines:
            for el in _text_elements(art.root, line)[:1]:
                up = el.getparent()
                while up is not None and up.tag in ("span", "strong", "b", "em", "i", "font"):
                    up = up.getparent()
                if up is not None and el.tag not in ("div", "td", "article", "section"):
                    up = up if up.tag not in ("p",) else up.getparent()
                if up is not None:
                    parents[up] = parents.get(up, 0) + 1
        if parents:
            dense = max(parents, key=lambda el: parents[el])
            if dense is not holder and parents[dense] * 2 > len(lines):
                cands.extend(selector_candidates(dense))
        cands.extend(_by_paragraphs(holder))
        node = holder
        for _ in range(3):
            if node is None or not isinstance(node.tag, str) or node.tag in ("body", "html"):
                break
            cands.extend(selector_candidates(node))
            node = node.getparent()
    cands = list(dict.fromkeys(cands))
    # a cheap first pass: the candidate's first match holds the first and last lines
    scored: list[tuple[int, str]] = []
    for order, css in enumerate(cands):
        hits = 0
        for art in arts:
            lines = _body_lines(art.ladder)
            found = select(art.root, css)
            if not lines or not found or not isinstance(found[0], etree._Element):
                continue
            text = _keyed(node_text(found[0]))
            if _keyed(lines[min(1, len(lines) - 1)]) in text and _keyed(lines[-1]) in text:
                hits += 1
        if hits:
            scored.append((-hits * 1000 + _cost(css) + order, css))
    scored.sort()
    # where the ladder read a name in bold ending the body, the content holds it: the
    # content is scored with the signature read that way too
    bolds = [False]
    if any(a.ladder.fallbacks.get("authors") == "signature" for a in arts):
        bolds.append(True)
    sig = data["signature"]
    best: tuple[Any, str, str, bool] | None = None
    for _, css in scored[:20]:
        for mode, bold in ((m, b) for m in ("blocks", "lines") for b in bolds):
            art_data["content"] = [css]
            art_data["body_lines"] = mode
            data["signature"] = dict(sig, bold=bold)
            profile = _profile(data)
            present = extra = 0
            for art in arts:
                want = _body_lines(art.ladder)
                got = _learned_page(profile, art)
                p, e = _content_score(got, want)
                if "articleBody" in got.fallbacks:
                    p = 0  # the selector missed: the generic rules read the body
                present += p
                extra += e
            key = (present - extra, mode == "blocks", not bold, -_cost(css))
            if best is None or key > best[0]:
                best = (key, css, mode, bold)
    art_data["content"] = [best[1]] if best else []
    art_data["body_lines"] = best[2] if best else "blocks"
    data["signature"] = dict(sig, bold=best[3] if best else False)


def _by_paragraphs(holder: etree._Element | None) -> list[str]:
    """``holder`` among its unnamed siblings named by the paragraphs it holds (``... >
    div:has(> p)``), not by its position: blocks before the body come and go from page
    to page (a modified date, a lead)."""
    parent = holder.getparent() if holder is not None else None
    if holder is None or parent is None or parent.tag in ("body", "html"):
        return []
    kids: dict[str, int] = {}
    for child in holder:
        # lines printed as text between ``<br>``s count for the ``br`` before them: a
        # signature's few ``<p>`` would name a body of such lines, and miss where unsigned
        if isinstance(child.tag, str) and (node_text(child) or clean_text(child.tail or "")):
            kids[str(child.tag).lower()] = kids.get(str(child.tag).lower(), 0) + 1
    if not kids:
        return []
    para = max(kids, key=lambda tag: kids[tag])
    tag = str(holder.tag).lower()
    anchors = [c for c in selector_candidates(parent)[:6] if not c.isalnum()]
    return [f"{c} > {tag}:has(> {para})" for c in anchors]


def _learn_images(data: dict[str, Any], arts: list[_Art]) -> None:
    """Image blocks (an image and its caption in a ``<div>`` or ``<p>`` of the content,
    not a ``<figure>``) and their caption: without them the caption is read as a body
    line, and a remove rule taking it takes the image too."""
    art_data = data["article"]
    profile = _profile(data)
    wanted: list[tuple[_Art, etree._Element, list[etree._Element]]] = []
    cands: list[str] = []
    for art in arts:
        found = first_match(art.root, profile.article.content)
        if not found or not isinstance(found[0], etree._Element):
            continue
        content = found[0]
        blocks: list[etree._Element] = []
        for img in content.iter("img"):
            node = img
            # the largest element around the image holding no other image and no more
            # than a caption's text
            while True:
                parent = node.getparent()
                if parent is None or parent is content:
                    break
                if len(list(parent.iter("img"))) > 1 or len(node_text(parent)) > 200:
                    break
                node = parent
            if node is img or not node_text(node) or node in blocks:
                continue
            blocks.append(node)
            # named by what it holds: its position changes with the paragraphs before it
            tag = str(node.tag).lower()
            if img.getparent() is node:
                cands.append(f"{tag}:has(> img)")
            cands.append(f"{tag}:has(img)")
            cands.extend(selector_candidates(node, stop=content, depth=3))
        wanted.append((art, content, blocks))
    if not cands or any(el.tag == "figure" for _, _, bs in wanted for el in bs):
        return
    # the body is read from a copy of the content, its root: a selector matching that root
    # (``div:nth-of-type(1)``) would take the whole body for an image block
    copies = [copy.deepcopy(content) for _, content, _ in wanted]
    cands = [c for c in cands if not any(root in select(root, c) for root in copies)]

    def block_judge(page: tuple[_Art, etree._Element, list[etree._Element]], css: str) -> bool:
        _, content, blocks = page
        return [x for x in select(content, css) if isinstance(x, etree._Element)] == blocks

    css, right = _choose(
        [(w[0], w[1], w[2]) for w in wanted],
        dict.fromkeys(cands),
        lambda page, css: block_judge(page, css) if page[2] or select(page[1], css) else None,
    )
    if not css or right < 2:
        return
    pairs: list[tuple[_Art, etree._Element]] = []
    cap_c: list[str] = []
    for art, content, _ in wanted:
        for block in select(content, css):
            if not isinstance(block, etree._Element):
                continue
            pairs.append((art, block))
            for el in _text_elements(block, node_text(block))[:2]:
                if el is not block:
                    cap_c.extend(selector_candidates(el, stop=block, depth=2))

    def cap_judge(pair: tuple[_Art, etree._Element], sel: str) -> bool | None:
        want = node_text(pair[1])
        found = select(pair[1], sel)
        if not want:
            return None
        return bool(found) and _keyed(node_text(found[0])) == _keyed(want)

    cap, _ = _choose(pairs, dict.fromkeys(cap_c), cap_judge)
    captions = {_keyed(node_text(block)) for _, block in pairs}
    before = [set(_body_lines(_learned_page(profile, art))) for art in arts]
    art_data["image_block"] = ["figure", css]
    if cap:
        art_data["image_caption"] = ["figcaption", cap]
    after = _profile(data)
    for art, lines in zip(arts, before, strict=True):
        gone = lines - set(_body_lines(_learned_page(after, art)))
        if any(_keyed(line) not in captions for line in gone):
            # a body line taken for a caption: no image blocks
            art_data["image_block"], art_data["image_caption"] = ["figure"], ["figcaption"]
            return


def _holder(root: etree._Element, lines: list[str]) -> etree._Element | None:
    """The smallest element holding the text of the second and the last body line (the
    first may be a lead printed apart)."""
    first, last = _keyed(lines[min(1, len(lines) - 1)]), _keyed(lines[-1])
    best = None
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "head", "title"):
            continue
        text = _keyed(node_text(el))
        if first in text and last in text:
            best = el  # later in document order: deeper
    return best


def _learn_remove(data: dict[str, Any], arts: list[_Art]) -> list[str]:
    """Selectors, relative to the content, for blocks that are not the article's: lines
    the ladder's body does not hold (a share bar, the headline, the date line), lines
    printed alike on several articles (labels: "Xem thêm:", "Tin liên quan:") with the
    links they introduce. A selector is kept when, on every page, all it removes is such
    lines and links, and the authors stay the same."""
    profile = _profile(data)
    bodies = {id(art): _body_lines(_learned_page(profile, art)) for art in arts}
    counts: dict[str, int] = {}
    for lines in bodies.values():
        for line in set(lines):
            counts[line] = counts.get(line, 0) + 1
    repeated = {line for line, n in counts.items() if n >= 2 and len(line) <= 60}

    def removable(art: _Art, line: str, want: set[str]) -> bool:
        if line not in want or line in repeated:
            return True
        key = _keyed(line)
        return any(
            len(t) * 2 >= len(key) and t in key
            for t in (_keyed(node_text(a)) for a in art.root.iter("a"))
            if t
        )

    cands: list[str] = []
    for art in arts:
        want = set(_body_lines(art.ladder))
        found = first_match(art.root, profile.article.content)
        if not found or not isinstance(found[0], etree._Element):
            continue
        content = found[0]
        odd = [line for line in bodies[id(art)] if removable(art, line, want)]
        keep = [w for w in want if len(w) > 20 and w not in repeated]
        for line in odd:
            for el in _text_elements(content, line)[:1]:
                # the largest block under the content holding this line and no wanted one
                node = el
                while True:
                    parent = node.getparent()
                    if parent is None or parent is content:
                        break
                    text = _keyed(node_text(parent))
                    if any(_keyed(w) in text for w in keep):
                        break
                    node = parent
                label = _label(node)
                if label:
                    # a block printed under a fixed label wherever the editor pasted it:
                    # the label names it, not its position (a child of the content:
                    # ``:root >``, the content being the root of the copy cleaned, so
                    # that no wrapper holding the label with the body goes with it)
                    named = f"{str(node.tag).lower()}:contains({_quote(label)})"
                    # (deeper, by the tags of its wrappers: a bare ``div:contains`` also
                    # takes the wrappers, which hold the body)
                    path: list[str] = []
                    for up in node.iterancestors():
                        if up is content:
                            cands.append(" > ".join([":root", *reversed(path), named]))
                            break
                        path.append(str(up.tag).lower())
                    cands.append(named)
                cands.extend(selector_candidates(node, stop=content, depth=3))

    chosen: list[str] = []
    for css in dict.fromkeys(cands):
        if css in BASE_REMOVE:
            continue
        kept = list(BASE_REMOVE) + chosen
        base_profile = _profile(dict(data, article=dict(data["article"], remove=kept)))
        trial_profile = _profile(dict(data, article=dict(data["article"], remove=[*kept, css])))
        gain = 0
        ok = True
        for art in arts:
            want = set(_body_lines(art.ladder))
            old, new = _learned_page(base_profile, art), _learned_page(trial_profile, art)
            # (a line may merge with its neighbours when a block between them goes)
            after = "\n".join(_keyed(line) for line in _body_lines(new))
            gone = [line for line in _body_lines(old) if _keyed(line) not in after]
            if (
                not all(removable(art, line, want) for line in gone)
                or _authors_key(new) != _authors_key(old)
                or _image_urls(new) != _image_urls(old)
            ):
                ok = False
            if not ok:
                break
            gain += len(gone)
        if ok and gain > 0:
            chosen.append(css)
    return chosen


def _image_urls(result: ArticleResult) -> list[str]:
    return [str(x.get("url")) for x in result.fields.get("images") or []]


def _label(el: etree._Element) -> str | None:
    """The label a block starts with ("Tin liên quan:"), when its first text is one."""
    for text in el.itertext():
        text = clean_text(text)
        if text:
            return text if len(text) <= 40 and text.endswith(":") else None
    return None


def _authors_key(result: ArticleResult) -> list[str]:
    return sorted(_keyed(a.get("name")) for a in result.fields.get("authors") or [])
