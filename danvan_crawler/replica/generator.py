"""Deterministic article content: title, lead, paragraphs, images, signature, documents.

Everything is derived from ``random.Random`` instances seeded from strings such as
``"{seed}:t:{index}"``, so any article can be (re)built on demand, in any order.
Pages show the *printed* form of this text (NBSPs, zero-width spaces, old/new tone marks:
:mod:`style`); the renderer may also decompose it (NFD). ``text.clean`` gives the truth.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from importlib import resources

from danvan_crawler.replica import words as W
from danvan_crawler.replica.text import NBSP

#: A placeholder for the n-th document citation of an article: ⟦n⟧ (no spaces inside).
_REF_RE = re.compile(r"⟦(\d+)⟧")


@dataclass(frozen=True)
class DocRef:
    kind: str
    code: str
    number: int
    issuer: str
    raw: str

    def as_truth(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "number": str(self.number),
            "code": self.code,
            "issuer": self.issuer,
            "raw": self.raw,
        }


@dataclass
class Paragraph:
    sentences: list[str]
    bold_first: bool = False
    italic: bool = False

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


@dataclass
class Image:
    src: str
    caption: str | None


@dataclass
class Content:
    """One article as printed (NFC; the renderer applies NFD when the article asks)."""

    title: str
    lead: str
    paragraphs: list[Paragraph]
    #: images placed after paragraph index (position, image)
    images: list[tuple[int, Image]] = field(default_factory=list)
    author: str | None = None  # printed author line (may carry a credit prefix)
    author_name: str | None = None  # the name without credit prefix
    role: str | None = None
    author_pad: tuple[str, str] = (NBSP * 40 + " ", "")
    role_pad: tuple[str, str] = (NBSP * 40 + " ", "")
    attachments: list[tuple[str, str]] = field(default_factory=list)  # (path, name)
    #: citation spellings: placeholder n -> (document index, spelling)
    citations: list[tuple[int, str]] = field(default_factory=list)
    seed_refs: list[DocRef] | None = None

    def expand(self, text: str) -> str:
        if "⟦" not in text:
            return text
        return _REF_RE.sub(lambda m: self.citations[int(m.group(1))][1], text)

    def doc_refs(self) -> list[DocRef]:
        """Documents cited, unique by (code, number, issuer), in order of first appearance
        in the headline, then the lead, then the body paragraphs."""
        if self.seed_refs is not None:
            return list(self.seed_refs)
        out: list[DocRef] = []
        seen: set[int] = set()
        for text in [self.title, self.lead, *(p.text for p in self.paragraphs)]:
            for m in _REF_RE.finditer(text):
                doc_index, spelling = self.citations[int(m.group(1))]
                if doc_index in seen:
                    continue
                seen.add(doc_index)
                kind, code, number, issuer, _ = W.DOCUMENTS[doc_index]
                out.append(DocRef(kind, code, number, issuer, spelling))
        return out


def _spell(doc_index: int, rng: random.Random) -> str:
    kind, code, number, issuer, _ = W.DOCUMENTS[doc_index]
    variant = rng.randrange(4)
    if variant == 0:
        return f"{kind} số {number:02d}-{code}/{issuer}"
    if variant == 1:
        return f"{kind} {number}-{code}/{issuer}"
    if variant == 2:
        return f"{kind} số {number}-{code}/{issuer}"
    return f"{kind} {number:02d}-{code}/{issuer}"


def _person(rng: random.Random) -> str:
    return f"{rng.choice(W.FAMILY)} {rng.choice(W.MIDDLE)} {rng.choice(W.GIVEN)}"


@dataclass
class _Ctx:
    rng: random.Random
    place: str
    commune: str
    model: str
    topic: str
    year: int
    docs: list[int]
    citations: list[tuple[int, str]]

    def cite(self, doc_index: int | None = None) -> str:
        if doc_index is None:
            doc_index = self.rng.choice(self.docs) if self.docs else 0
        self.citations.append((doc_index, _spell(doc_index, self.rng)))
        return f"⟦{len(self.citations) - 1}⟧"

    def fill(self, template: str) -> str:
        rng = self.rng
        values: dict[str, object] = {}
        for name in re.findall(r"{(\w+)}", template):
            if name in values:
                continue
            if name == "place":
                values[name] = self.place if rng.random() < 0.7 else rng.choice(W.PLACES)
            elif name == "commune":
                values[name] = self.commune
            elif name == "model":
                values[name] = self.model
            elif name == "topic":
                values[name] = self.topic if rng.random() < 0.6 else rng.choice(W.TOPICS)
            elif name == "year":
                values[name] = self.year
            elif name in ("y1", "y2"):
                values["y1"], values["y2"] = self.year - 5, self.year
            elif name == "n":
                values[name] = (
                    rng.choice((3, 5, 10, 15, 20)) if "năm" in template else rng.randint(4, 260)
                )
            elif name == "m":
                values[name] = rng.randint(2, 900)
            elif name in ("p", "q"):
                values[name] = f"{rng.randint(1, 98)},{rng.randint(1, 9)}"
            elif name == "doc":
                values[name] = self.cite()
            elif name == "doctopic":
                values[name] = W.DOCUMENTS[self.docs[0] if self.docs else 0][4]
            elif name == "period":
                values[name] = rng.choice(("6 tháng đầu năm", "quý III", "năm", "nhiệm kỳ"))
                values[name] = f"{values[name]} {self.year}"
            elif name == "person":
                values[name] = _person(rng)
        return template.format(**values)

    def sentence(self) -> str:
        rng = self.rng
        kind = rng.random()
        if kind < 0.42:
            subject = self.fill(rng.choice(W.SUBJECTS))
            verb = rng.choice(W.VERBS)
            s = f"{subject} {verb} {self.fill('{topic}')} {self.fill(rng.choice(W.ADJUNCTS))}"
            if rng.random() < 0.3:
                s += ", " + self.fill(rng.choice(W.ADJUNCTS))
            return s[0].upper() + s[1:] + "."
        if kind < 0.6:
            return self.fill(rng.choice(W.NUMERIC))
        if kind < 0.7 and self.docs:
            subject = self.fill(rng.choice(W.SUBJECTS))
            doc = rng.choice(self.docs)
            about = W.DOCUMENTS[doc][4]
            verb = rng.choice(W.VERBS)
            cited = self.cite(doc)
            return f"Thực hiện {cited} về {about}, {subject} {verb} {self.fill('{topic}')}."
        if kind < 0.8:
            person = _person(rng)
            role = self.fill(rng.choice(W.ROLES))
            role = role[0].lower() + role[1:]
            return f"Theo đồng chí {person}, {role}: “{rng.choice(W.QUOTES).capitalize()}”."
        return rng.choice(W.CLOSERS)

    def paragraph(self, n_sentences: int) -> Paragraph:
        rng = self.rng
        return Paragraph(
            [self.sentence() for _ in range(n_sentences)],
            bold_first=rng.random() < 0.08,
            italic=rng.random() < 0.04,
        )


def _ctx(seed: int, base: int, year: int, purpose: str, citations: list[tuple[int, str]]) -> _Ctx:
    """Article-wide choices come from the base index (shared by re-published copies)."""
    arng = random.Random(f"{seed}:a:{base}")
    place = arng.choice(W.PLACES)
    commune = arng.choice(W.COMMUNES)
    model = arng.choice(W.MODELS)
    topic = arng.choice(W.TOPICS)
    docs = arng.sample(range(len(W.DOCUMENTS)), arng.choice((0, 1, 1, 2, 2, 3)))
    rng = random.Random(f"{seed}:{purpose}:{base}")
    return _Ctx(rng, place, commune, model, topic, year, docs, citations)


def title_for(seed: int, base: int, year: int) -> tuple[str, list[tuple[int, str]]]:
    """The title (NFC, before per-article roughening) and its citations."""
    citations: list[tuple[int, str]] = []
    ctx = _ctx(seed, base, year, "t", citations)
    template = ctx.rng.choice(W.TITLE_TEMPLATES)
    if ("{doc}" in template or "{doctopic}" in template) and not ctx.docs:
        template = W.TITLE_TEMPLATES[0]
    title = ctx.fill(template)
    r = ctx.rng.random()
    if r < 0.45 and ":" not in title and "giai đoạn" not in title:
        title += ctx.fill(ctx.rng.choice(W.TITLE_SUFFIXES))
    return title[0].upper() + title[1:], citations


def build(
    seed: int,
    index: int,
    base: int,
    year: int,
    date_path: str,
    article_id: int,
    version: int,
    copy_of: int | None,
) -> Content:
    """Build one generated article (``base`` is the original's index for copies)."""
    title, citations = title_for(seed, base, year)
    ctx = _ctx(seed, base, year, "b", citations)
    rng = ctx.rng
    lead = " ".join(ctx.sentence() for _ in range(rng.randint(1, 2)))
    paragraphs = [ctx.paragraph(rng.randint(2, 5)) for _ in range(rng.randint(4, 9))]
    if ctx.docs and not any("⟦" in p.text for p in paragraphs):
        paragraphs[0].sentences.append(
            f"Các cấp ủy đã quán triệt {ctx.cite(ctx.docs[0])} đến cán bộ, đảng viên."
        )
    # A second spelling of the same document in the same article.
    if ctx.docs and rng.random() < 0.7:
        doc = ctx.docs[-1]
        paragraphs[-1].sentences.insert(
            0,
            f"Qua {rng.choice((3, 5, 10))} năm thực hiện {ctx.cite(doc)}, "
            "nhiều chuyển biến rõ nét.",
        )
    # images (positions after a paragraph), signature, attachments
    images: list[tuple[int, Image]] = []
    for k in range(rng.choice((0, 0, 1, 1, 1, 2))):
        caption = ctx.fill(rng.choice(W.CAPTIONS)) if rng.random() < 0.75 else None
        pos = max(0, min(len(paragraphs) - 2, k * 3 + rng.randint(0, 2)))
        images.append(
            (pos, Image(f"/Uploads/images/{date_path}/{article_id}-{k + 1}.jpg", caption))
        )
    images.sort(key=lambda item: item[0])
    content = Content(title=title, lead=lead, paragraphs=paragraphs, images=images)
    content.citations = citations
    r = rng.random()
    if r < 0.8:
        name = _person(rng)
        credit = rng.choice(W.CREDITS) if rng.random() < 0.15 else ""
        content.author = credit + name
        content.author_name = name
        if r < 0.7:
            content.role = ctx.fill(rng.choice(W.ROLES))
        content.author_pad = (NBSP * rng.randint(20, 70) + rng.choice(("", " ")), NBSP)
        content.role_pad = (NBSP * rng.randint(20, 70) + rng.choice(("", " ")), NBSP)
    for k in range(rng.choice((0, 0, 0, 0, 0, 1, 1, 2))):
        label, ext = W.ATTACHMENTS[rng.randrange(len(W.ATTACHMENTS))]
        content.attachments.append(
            (f"/Uploads/files/{date_path}/{article_id}-{k + 1}.{ext}", f"{label} {k + 1}.{ext}")
        )
    if copy_of is not None:
        # a re-published copy: one sentence changed at most
        crng = random.Random(f"{seed}:c:{index}")
        if crng.random() < 0.7:
            p = crng.choice(paragraphs)
            k = crng.randrange(len(p.sentences))
            p.sentences[k] = _retouch(p.sentences[k], crng)
    for v in range(1, version + 1):
        erng = random.Random(f"{seed}:e:{index}:{v}")
        k = erng.randrange(len(paragraphs))
        ectx = _Ctx(erng, ctx.place, ctx.commune, ctx.model, ctx.topic, year, ctx.docs, citations)
        paragraphs[k] = ectx.paragraph(erng.randint(2, 4))
        paragraphs[k].sentences.insert(0, f"(Cập nhật lần {v})")
    return content


def _retouch(sentence: str, rng: random.Random) -> str:
    """The same sentence with one small change (a number, or one added word)."""
    numbers = [m for m in re.finditer(r"(?<![\d⟦])\d+(?![\d⟧])", sentence)]
    if numbers:
        m = rng.choice(numbers)
        return (
            sentence[: m.start()] + str(int(m.group(0)) + rng.randint(1, 9)) + sentence[m.end() :]
        )
    head, sep, tail = sentence.partition(" ")
    return f"{head}{sep}cũng {tail}" if sep else sentence


SEED_FILE = "000_4b8b88a6ce4de1e0.txt"

SEED_REFS = [
    DocRef("Quyết định", "QĐ", 23, "TW", "Quyết định số 23-QĐ/TW"),
    DocRef("Quy chế", "QC", 7, "TU", "Quy chế số 07-QC/TU"),
    DocRef("Quy chế", "QC", 4, "ThU", "Quy chế số 04-QC/ThU"),
]


def seed_text() -> str:
    return (resources.files("danvan_crawler.replica") / "data" / SEED_FILE).read_text("utf-8")


def seed_content() -> Content:
    """The seed article, as its text file gives it (text unchanged)."""
    lines = [line for line in seed_text().split("\n") if line.strip()]
    # lines[0] banner, lines[1] title, then paragraphs until the NBSP-indented signature
    title = lines[1]
    paragraphs: list[str] = []
    k = 2
    while not lines[k].startswith(NBSP):
        paragraphs.append(lines[k])
        k += 1
    author_line, role_line = lines[k], lines[k + 1]
    author = author_line.strip(" \u00a0")
    role = role_line.strip(" \u00a0")
    a_at = author_line.index(author)
    r_at = role_line.index(role)
    return Content(
        title=title,
        lead=paragraphs[0],
        paragraphs=[Paragraph([p]) for p in paragraphs[1:]],
        author=author,
        author_name=author,
        role=role,
        author_pad=(author_line[:a_at], author_line[a_at + len(author) :]),
        role_pad=(role_line[:r_at], role_line[r_at + len(role) :]),
        seed_refs=list(SEED_REFS),
    )
