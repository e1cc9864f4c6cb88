"""Word lists and templates of the replica's article generator (our own; nothing copied).

Words are written in the new tone-mark style (hóa, ủy); :func:`text.mix_tones` turns some
of them into the old style per article.
"""

from __future__ import annotations

PLACES: tuple[str, ...] = (
    "Thái Hòa", "Quỳnh Lưu", "Diễn Châu", "Yên Thành", "Nghi Lộc", "Hưng Nguyên", "Nam Đàn",
    "Thanh Chương", "Đô Lương", "Anh Sơn", "Con Cuông", "Tương Dương", "Kỳ Sơn", "Quế Phong",
    "Quỳ Châu", "Quỳ Hợp", "Nghĩa Đàn", "Tân Kỳ", "Cửa Lò", "Hoàng Mai", "Vinh",
)  # fmt: skip

COMMUNES: tuple[str, ...] = (
    "Nghi Phong", "Diễn Hạnh", "Quỳnh Thạch", "Hưng Thủy", "Nam Anh", "Thanh Hòa", "Tràng Sơn",
    "Lạng Sơn", "Châu Hạnh", "Mường Nọc", "Tam Quang", "Nghĩa Thuận", "Kỳ Tân", "Sơn Hải",
    "Văn Thành", "Hòa Sơn", "Phúc Thọ", "Đông Hiếu", "Thủy Sơn", "Xuân Lâm",
)  # fmt: skip

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Hồ", "Phan", "Võ", "Đặng", "Bùi", "Đinh",
          "Lương", "Vi", "Lô", "Thái", "Cao")  # fmt: skip
MIDDLE = ("Văn", "Thị", "Đình", "Xuân", "Hữu", "Mạnh", "Thanh", "Ngọc", "Công", "Bá", "Kim")
GIVEN = ("Hùng", "Lan", "Hòa", "Thủy", "Sơn", "Hà", "Tâm", "Dũng", "Thành", "Hương", "Nga",
         "Quang", "Tuấn", "Minh", "Hiền", "Phong", "Trang", "Lực", "Bình", "Yến")  # fmt: skip

ROLES: tuple[str, ...] = (
    "Phó trưởng ban Ban Dân vận Tỉnh ủy",
    "Chuyên viên Ban Dân vận Tỉnh ủy",
    "Trưởng ban Dân vận Huyện ủy {place}",
    "Phó Chủ tịch Ủy ban MTTQ huyện {place}",
    "Bí thư Đảng ủy xã {commune}",
    "Phòng Dân tộc - Tôn giáo, Ban Dân vận Tỉnh ủy",
    "Văn phòng Ban Dân vận Tỉnh ủy",
    "Trung tâm Chính trị huyện {place}",
)

CREDITS = ("Bài, ảnh: ", "Bài và ảnh: ", "Tin, ảnh: ")

TOPICS: tuple[str, ...] = (
    "công tác dân vận",
    "quy chế dân chủ ở cơ sở",
    "xây dựng nông thôn mới",
    "công tác tôn giáo",
    "công tác dân tộc",
    "cải cách hành chính",
    "chuyển đổi số ở cơ sở",
    "công tác hòa giải ở cơ sở",
    "giảm nghèo bền vững",
    "an sinh xã hội",
    "bảo vệ môi trường",
    "công tác tiếp xúc, đối thoại với nhân dân",
    "xây dựng khu dân cư văn hóa",
    "giải phóng mặt bằng",
    "công tác phụ nữ",
    "công tác thanh niên",
    "phong trào toàn dân bảo vệ an ninh Tổ quốc",
    "công tác dân vận chính quyền",
    "vận động đồng bào vùng giáo",
    "chăm sóc sức khỏe nhân dân",
)

MODELS: tuple[str, ...] = (
    "Con đường hoa", "Nhà sạch, vườn đẹp", "Thắp sáng đường quê", "Tổ tự quản an ninh",
    "Chi hội phụ nữ không có người sinh con thứ ba", "Nhóm Zalo đối thoại", "Bếp ăn tình thương",
    "Hũ gạo tiết kiệm", "Dòng họ học tập", "Xứ đạo bình yên", "Tủ sách cộng đồng",
    "Đổi công giúp nhau làm nhà", "Cánh đồng mẫu lớn", "Khu dân cư không rác thải nhựa",
)  # fmt: skip

TITLE_TEMPLATES: tuple[str, ...] = (
    "{place}: nâng cao hiệu quả {topic}",
    "Kết quả {n} năm thực hiện {doc} ở {place}",
    "{place} đẩy mạnh {topic} năm {year}",
    "Mô hình “{model}” ở xã {commune}, huyện {place}",
    "Hội nghị sơ kết {topic} {period}",
    "Sơ kết {n} năm thực hiện {doc} về {doctopic}",
    "Tổng kết phong trào thi đua “Dân vận khéo” giai đoạn {y1} - {y2}",
    "Người đứng đầu cấp ủy {place} đối thoại với nhân dân về {topic}",
    "Phát huy vai trò của Mặt trận trong {topic} tại {place}",
    "{place} tập huấn nghiệp vụ {topic} cho cán bộ cơ sở",
    "Xã {commune} chung sức {topic}",
    "Triển khai {doc} trên địa bàn {place}",
    "Những cách làm hay trong {topic} ở {place}",
    "Đoàn công tác Ban Dân vận Tỉnh ủy kiểm tra {topic} tại {place}",
    "Lan tỏa mô hình “{model}” từ {place}",
    "Nhìn lại {n} năm thực hiện {topic} ở {place}",
)

TITLE_SUFFIXES: tuple[str, ...] = (
    " năm {year}",
    " giai đoạn 2021 - 2025",
    " trong tình hình mới",
    " {period}",
    " gắn với xây dựng nông thôn mới",
    " ở vùng đồng bào dân tộc thiểu số",
    " tại xã {commune}",
    " sau sáp nhập",
)

SUBJECTS: tuple[str, ...] = (
    "Ban Thường vụ Huyện ủy {place}",
    "Ủy ban MTTQ huyện {place}",
    "các đoàn thể chính trị - xã hội",
    "cấp ủy, chính quyền các cấp",
    "Ban Dân vận Tỉnh ủy",
    "đội ngũ cán bộ làm công tác dân vận",
    "Hội Nông dân huyện {place}",
    "Đoàn Thanh niên xã {commune}",
    "Hội Liên hiệp Phụ nữ huyện {place}",
    "Hội Cựu chiến binh",
    "các chi bộ thôn, bản",
    "Thường trực HĐND huyện {place}",
    "UBND xã {commune}",
    "Khối dân vận huyện {place}",
    "lực lượng vũ trang địa phương",
)

VERBS: tuple[str, ...] = (
    "đã chủ động triển khai", "tập trung lãnh đạo, chỉ đạo", "tiếp tục đẩy mạnh",
    "quan tâm thực hiện", "phối hợp tổ chức", "thường xuyên kiểm tra, giám sát",
    "kịp thời sơ kết, rút kinh nghiệm về", "đổi mới nội dung, phương thức",
    "nâng cao chất lượng", "huy động nguồn lực cho", "cụ thể hóa và triển khai",
    "tuyên truyền, vận động nhân dân tham gia", "ban hành kế hoạch về", "lồng ghép",
)  # fmt: skip

ADJUNCTS: tuple[str, ...] = (
    "trong năm {year}",
    "trên địa bàn huyện {place}",
    "với nhiều hình thức phong phú, đa dạng",
    "gắn với thực hiện nhiệm vụ chính trị của địa phương",
    "góp phần củng cố khối đại đoàn kết toàn dân tộc",
    "bảo đảm đúng quy định và kịp thời",
    "tạo sự đồng thuận cao trong nhân dân",
    "sát với tình hình thực tế ở cơ sở",
    "theo phương châm “dân biết, dân bàn, dân làm, dân kiểm tra, dân giám sát, dân thụ hưởng”",
    "nhất là ở vùng đồng bào dân tộc thiểu số",
    "từ thôn, xóm đến từng hộ gia đình",
    "qua đó tạo chuyển biến rõ nét về nhận thức",
)

CLOSERS: tuple[str, ...] = (
    "Kết quả đó đã góp phần quan trọng vào việc hoàn thành các chỉ tiêu kinh tế - xã hội.",
    "Nhiều cách làm hay, sáng tạo được nhân rộng trong toàn huyện.",
    "Nhân dân đồng tình, hưởng ứng và tích cực tham gia.",
    "Những tồn tại, hạn chế được chỉ ra cụ thể để có giải pháp khắc phục.",
    "Mối quan hệ giữa cấp ủy, chính quyền với nhân dân ngày càng gắn bó.",
    "Công tác phối hợp giữa các cơ quan có lúc chưa chặt chẽ, cần tiếp tục khắc phục.",
    "Đây là tiền đề để địa phương thực hiện thắng lợi nhiệm vụ những năm tiếp theo.",
)

NUMERIC: tuple[str, ...] = (
    "Toàn huyện đã xây dựng được {n} mô hình “Dân vận khéo”, trong đó có {m} mô hình cấp tỉnh.",
    "Trong năm, các cấp đã tổ chức {n} cuộc tiếp xúc, đối thoại với {m} lượt người tham gia.",
    "Nhân dân đã hiến {n} m² đất, đóng góp {m} triệu đồng để làm đường giao thông nông thôn.",
    "Tỷ lệ hộ nghèo giảm còn {p}%, thấp hơn {q} điểm phần trăm so với đầu nhiệm kỳ.",
    "Có {n} vụ việc được hòa giải thành, đạt tỷ lệ {p}%.",
    "Đã tiếp nhận {n} đơn thư, giải quyết dứt điểm {m} đơn, số còn lại đang xem xét.",
    "Các đoàn thể đã hỗ trợ xây mới, sửa chữa {n} nhà đại đoàn kết, kinh phí {m} triệu đồng.",
    "{n} thủ tục hành chính được cắt giảm thời gian giải quyết, bình quân {q} ngày mỗi thủ tục.",
)

QUOTES: tuple[str, ...] = (
    "dân vận khéo không phải là khẩu hiệu mà phải bắt đầu từ những việc nhỏ, cụ thể",
    "khi người dân hiểu và tin thì mọi chủ trương đều đi vào cuộc sống",
    "cán bộ phải sâu sát cơ sở, lắng nghe ý kiến của nhân dân",
    "việc gì có lợi cho dân thì hết sức làm, việc gì có hại cho dân thì hết sức tránh",
    "đối thoại thẳng thắn giúp tháo gỡ nhiều vướng mắc tồn đọng",
)

CAPTIONS: tuple[str, ...] = (
    "Quang cảnh hội nghị tại {place}",
    "Đồng chí {person} phát biểu tại buổi làm việc",
    "Người dân xã {commune} tham gia làm đường giao thông nông thôn",
    "Đoàn công tác thăm mô hình “{model}”",
    "Lãnh đạo huyện {place} đối thoại với nhân dân",
    "Trao tặng nhà đại đoàn kết cho hộ khó khăn ở xã {commune}",
)

ATTACHMENTS: tuple[tuple[str, str], ...] = (
    ("Toàn văn báo cáo", "pdf"),
    ("Kế hoạch triển khai", "doc"),
    ("Hướng dẫn thực hiện", "docx"),
    ("Danh sách mô hình tiêu biểu", "pdf"),
    ("Phụ lục số liệu", "doc"),
)

#: Documents the generator cites: (kind, code, number, issuer, what it is about).
DOCUMENTS: tuple[tuple[str, str, int, str, str], ...] = (
    ("Quyết định", "QĐ", 23, "TW", "ban hành Quy chế công tác dân vận của hệ thống chính trị"),
    ("Quyết định", "QĐ", 218, "TW", "Mặt trận Tổ quốc tham gia góp ý xây dựng Đảng"),
    ("Quy chế", "QC", 7, "TU", "công tác dân vận của hệ thống chính trị tỉnh"),
    ("Quy chế", "QC", 4, "ThU", "công tác dân vận của hệ thống chính trị thị xã"),
    ("Quy chế", "QC", 12, "HU", "tiếp xúc, đối thoại của người đứng đầu cấp ủy"),
    ("Nghị quyết", "NQ", 25, "TW", "tăng cường sự lãnh đạo của Đảng đối với công tác dân vận"),
    ("Nghị quyết", "NQ", 43, "TW", "phát huy truyền thống đại đoàn kết toàn dân tộc"),
    ("Chỉ thị", "CT", 5, "TU", "đẩy mạnh phong trào thi đua “Dân vận khéo”"),
    ("Chỉ thị", "CT", 21, "TW", "công tác phụ nữ trong tình hình mới"),
    ("Kết luận", "KL", 65, "TW", "công tác dân tộc trong tình hình mới"),
    ("Kết luận", "KL", 120, "TW", "chủ trương tiếp tục đổi mới công tác dân vận"),
    ("Quy định", "QĐi", 2683, "TU", "chức năng, nhiệm vụ của Ban Dân vận Tỉnh ủy"),
    ("Hướng dẫn", "HD", 3, "TU", "thực hiện phong trào thi đua “Dân vận khéo”"),
    ("Thông báo", "TB", 15, "TU", "kết luận của Ban Thường vụ Tỉnh ủy"),
)
