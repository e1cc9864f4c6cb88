"""The ladder's body against trafilatura's: which one is the article's text."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from lxml import etree

from danvan_crawler.extract.ladder import text_key
from danvan_crawler.extract.ladder_lines import text_lines

#: The ladder's body is kept when it holds this share of the characters of trafilatura's
#: lines, and trafilatura's text this share of its own (see :func:`_agree`): the library
#: may leave out a paragraph the region rule keeps, seldom the reverse.
THEIRS_HELD = 0.9


OURS_HELD = 0.7


#: Lines shorter than this (characters) are left out of the comparison.
PROSE_LINE = 50


#: The ladder's body all in trafilatura's (this share of its characters, captions that
#: trafilatura leaves out aside): kept, whatever trafilatura's holds before its first
#: paragraph and after its last.
WHOLE_HELD = 0.95


#: ... when what trafilatura holds outside it is at most a quarter of its text.
OUTSIDE_KEPT = 0.75


#: Where a sentence ends: punctuation, then a space or (sentences joined where the page
#: printed something between them) a letter.
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?…])(?:\s+|(?=[^\W\d_]))")


#: A text of the page shorter than this (characters, whitespace removed) is a word or a
#: label, not a title or a footer: not counted as furniture (see :func:`_furniture`).
FURNITURE_MIN = 15


def _squash(text: str) -> str:
    return "".join(text.split())


def _furniture(line: str, furniture: Collection[str]) -> bool:
    """Whether more than half of ``line`` is ``furniture`` (texts of the page,
    whitespace removed, see ``ArticlePage._furniture_texts``): other articles' titles
    ("Xem thêm: ...", a related column), a footer, that trafilatura keeps at times."""
    text = _squash(line)
    covered = sum(len(piece) for piece in furniture if piece in text)
    return covered * 2 > len(text)


def _agree(
    ours: etree._Element,
    theirs: etree._Element,
    lead: Sequence[str] = (),
    headline: str | None = None,
    furniture: Collection[str] = (),
) -> bool:
    """Whether the ladder's body (``ours``, after its ``lead`` paragraphs printed apart)
    and trafilatura's (``theirs``) agree: ours holds at least :data:`THEIRS_HELD` of the
    characters of their paragraphs, theirs at least :data:`OURS_HELD` of ours (lines
    shorter than :data:`PROSE_LINE`, the ``headline``, which trafilatura keeps at times,
    and lines mostly made of page ``furniture``, see :func:`_furniture`, left out); a
    block of ours part of which theirs holds counts held whole (paragraphs parted by
    ``<br>`` in one block, some of which trafilatura drops)."""
    our_text_lines = text_lines(ours)
    our_lines = [*lead, *(line.text for line in our_text_lines)]
    our_blocks: list[object] = [*(object() for _ in lead), *(x.element for x in our_text_lines)]
    their_lines = [line.text for line in text_lines(theirs)]
    # compared without whitespace: trafilatura joins an inline element's text to the
    # text after it ("hội.Đoàn") where the page has a line break between them
    our_text, their_text = _squash(" ".join(our_lines)), _squash(" ".join(their_lines))

    def held(
        lines: list[str],
        text: str,
        trailing: bool = False,
        blocks: Sequence[object] | None = None,
    ) -> float:
        # paragraphs only: a menu item, a date or a label one side keeps weighs nothing;
        # sentence by sentence (paragraphs parted by one <br> may come joined one side).
        # ``trailing``: lines before the first one held and after the last left out, when
        # they are a small part (else 0); ``blocks``: each line's block, a block with a
        # line held whole held whole
        key = text_key(headline or "")
        prose = [
            (n, line)
            for n, line in enumerate(lines)
            if len(line) >= PROSE_LINE and text_key(line) != key and not _furniture(line, furniture)
        ]
        sizes = []
        for _, line in prose:
            if _squash(line) in text:
                sizes.append((len(line), len(line)))
            else:
                pieces = _SENTENCE_SPLIT.split(line)
                sizes.append((len(line), sum(len(s) for s in pieces if _squash(s) in text)))
        if blocks is not None:
            pairs = list(zip(prose, sizes, strict=True))
            whole_held = {blocks[n] for (n, _), (size, found) in pairs if found == size}
            sizes = [
                (size, size if blocks[n] in whole_held else found)
                for (n, _), (size, found) in pairs
            ]
        whole = sum(size for size, _ in sizes)
        if trailing:
            while sizes and sizes[-1][1] == 0:
                sizes.pop()
            while sizes and sizes[0][1] == 0:
                sizes.pop(0)
        total = sum(size for size, _ in sizes)
        if trailing and total < whole * OUTSIDE_KEPT:
            return 0.0
        return sum(found for _, found in sizes) / total if total else 1.0

    ours_held = held(our_lines, their_text)
    by_block = held(our_lines, their_text, blocks=our_blocks)
    if held(their_lines, our_text) >= THEIRS_HELD and by_block >= OURS_HELD:
        return True
    # all of ours in theirs, theirs going on past its ends (comments, a footer; the
    # headline, a date): the library ran past the article's ends
    return ours_held >= WHOLE_HELD and held(their_lines, our_text, trailing=True) >= THEIRS_HELD
