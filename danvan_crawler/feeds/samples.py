"""Synthetic articles in the output schema, for the feed tests and the publish benchmark.

Deterministic: the same arguments give the same articles. The awkward parts of the
portal are included: Vietnamese text, slugs with percent-encoded and raw curly quotes,
relative image URLs, several categories per article, sub-sites, edited articles.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from typing import Any

_TZ = timezone(timedelta(hours=7))
_START = datetime(2023, 1, 1, 8, 0, tzinfo=_TZ)

_CATEGORY_NAMES = (
    ("Dân vận khéo", "dan-van-kheo", "Ban dân vận tỉnh ủy"),
    ("Tin hoạt động", "tin-hoat-dong", "Ban dân vận tỉnh ủy"),
    ("Dân chủ ở cơ sở", "dan-chu-o-co-so", "Ban dân vận tỉnh ủy"),
    ("Thời sự", "thoi-su", "Tỉnh ủy Nghệ An"),
    ("Xây dựng Đảng", "xay-dung-dang", "Tỉnh ủy Nghệ An"),
    ("“Học tập” và làm theo", "%E2%80%9Choc-tap%E2%80%9D-va-lam-theo", "Tỉnh ủy Nghệ An"),
)


_WORDS: tuple[str, ...] = tuple(
    " ".join(
        [
            "dân vận khéo cơ sở chính quyền nhân dân đối thoại tuyên truyền vận động",
            "mặt trận tổ quốc đoàn thể hội nông dân phụ nữ cựu chiến binh thanh niên",
            "công đoàn xã phường thị trấn huyện thành phố tỉnh ủy ban thường vụ",
            "nghị quyết chỉ thị kết luận quy chế hướng dẫn kế hoạch triển khai thực hiện",
            "sơ kết tổng kết khen thưởng điển hình mô hình cách làm hay sáng tạo",
            "xây dựng nông thôn mới đô thị văn minh giảm nghèo bền vững an sinh xã hội",
            "giáo dục y tế văn hóa du lịch kinh tế tập thể hợp tác xã doanh nghiệp",
            "đầu tư hạ tầng giao thông thủy lợi đồng bào dân tộc thiểu số miền núi",
            "biên giới tôn giáo tín ngưỡng đoàn kết đồng thuận niềm tin trách nhiệm",
            "cán bộ đảng viên chi bộ đảng bộ học tập làm theo tư tưởng đạo đức",
            "phong cách hồ chí minh nghệ an vinh cửa lò diễn châu quỳnh lưu yên thành",
            "đô lương nam đàn",
        ]
    ).split()
)


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(_WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def synthetic_categories(base_url: str, count: int = 6) -> list[dict[str, Any]]:
    """``count`` categories ({url, slug, name, subSite}) on the site at ``base_url``."""
    base = base_url.rstrip("/")
    categories = []
    for i in range(count):
        name, slug, sub_site = _CATEGORY_NAMES[i % len(_CATEGORY_NAMES)]
        if i >= len(_CATEGORY_NAMES):
            name, slug = f"{name} {i}", f"{slug}-{i}"
        categories.append(
            {
                "url": f"{base}/vi-vn/chuyen-muc/{slug}/{405534 + i}-{193312 + i}",
                "slug": slug,
                "name": name,
                "subSite": sub_site,
            }
        )
    return categories


def synthetic_article(
    number: int, categories: list[dict[str, Any]], base_url: str, body_html: str | None = None
) -> dict[str, Any]:
    """Article ``number`` (ids grow with the publication date), in one or two categories."""
    base = base_url.rstrip("/")
    article_id = str(100000 + number)
    published = _START + timedelta(minutes=37 * number)
    cats = [categories[number % len(categories)]]
    if number % 3 == 0 and len(categories) > 1:
        cats.append(categories[(number + 1) % len(categories)])
    cats = sorted(cats, key=lambda c: c["url"])
    slug = f"nghe-an-day-manh-cong-tac-dan-van-bai-{number}"
    if number % 7 == 0:
        slug = f"xu-nghe”-trong-long-dan-{number}"  # raw curly quote, left for the feeds
    # Every sentence drawn at random: no phrase shared by all articles, so the store's
    # near-duplicate search finds no candidates (as with real, distinct articles).
    rng = random.Random(number)
    headline = f"{_sentence(rng, 9)[:-1]} – bài {number}"
    lead = f"{_sentence(rng, 20)} Bài {number}."
    paragraphs = [_sentence(rng, 30), _sentence(rng, 30)]
    if body_html is None:
        body_html = (
            f"<p>{lead}</p>"
            + "".join(f"<p>{p}</p>" for p in paragraphs)
            + f'<table class="image"><tr><td><img src="/Uploads/images/{article_id}.jpg">'
            f'</td></tr><tr><td class="image-caption">Ảnh minh họa</td></tr></table>'
        )
    modified = published + timedelta(hours=5) if number % 5 == 0 else None
    return {
        "articleId": article_id,
        "url": f"{base}/vi-vn/tin/{slug}/73410-16570-{article_id}",
        "canonicalUrl": f"{base}/vi-vn/tin/{slug}/73410-16570-{article_id}",
        "headline": headline,
        "description": lead,
        "articleBody": "\n".join([lead, *paragraphs]),
        "articleBodyHtml": body_html,
        "datePublished": published.isoformat(),
        "datePublishedRaw": published.strftime("%d/%m/%Y %H:%M"),
        "dateModified": modified.isoformat() if modified else None,
        "dateModifiedRaw": modified.strftime("Cập nhật lúc %H:%M ngày %d/%m/%Y")
        if modified
        else None,
        "authors": [
            {"name": "Nguyễn Mạnh Khôi", "nameRaw": "Nguyễn Mạnh Khôi", "role": "Phó trưởng ban"}
        ],
        "breadcrumbs": [
            {"name": "Trang chủ", "url": f"{base}/"},
            {"name": cats[0]["name"], "url": cats[0]["url"]},
        ],
        "inLanguage": "vi",
        "mainImage": {"url": f"{base}/Uploads/images/{article_id}.jpg"},
        "images": [{"url": f"{base}/Uploads/images/{article_id}.jpg", "caption": "Ảnh minh họa"}],
        "categories": cats,
        "subSite": cats[0]["subSite"],
        "attachments": [{"url": f"{base}/Uploads/files/qc-{article_id}.pdf", "name": "Quy chế.pdf"}]
        if number % 4 == 0
        else [],
        "documentRefs": [],
        "duplicateOf": None,
        "crawledAt": (published + timedelta(days=1)).isoformat(),
    }
