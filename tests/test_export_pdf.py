"""PDF printouts: the text is extracted again with pypdf and checked against the database."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from zhuji_archive.domain.masking import mask_id_number
from zhuji_archive.exports.pdf_household import qr_payload
from zhuji_archive.services.export_files import split_volumes, volume_paths
from zhuji_archive.services.exports import ExportCancelled
from zhuji_archive.storage.models import ChangeLog, Household, Village, VillageGroup
from zhuji_archive.views.household_file import MemberData, VisitData

DAY = date(2026, 11, 2)
PAGE = re.compile(r"第\s*(\d+)\s*页\s*共\s*(\d+)\s*页")


def texts(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def page_numbers(pages: list[str]) -> list[tuple[int, int]]:
    """(X, Y) of "第 X 页 共 Y 页" on every page that has a footer."""
    found = []
    for text in pages:
        match = PAGE.search(text)
        if match:
            found.append((int(match.group(1)), int(match.group(2))))
    return found


def toc_entries(text: str) -> list[tuple[int, str, int]]:
    """(户号, 户主, 页码) of each household line of a table-of-contents page.

    A line is extracted cell by cell: 序号, 组, 户号, 户主, "n人", [经济类型], [重点关注], 页码."""
    lines = text.splitlines()
    entries = []
    for i, line in enumerate(lines):
        if re.fullmatch(r"\d+人", line):
            page = next(int(x) for x in lines[i + 1 : i + 5] if x.isdigit())
            entries.append((int(lines[i - 2]), lines[i - 1], page))
    return entries


def fonts_of(reader: PdfReader) -> list[dict]:
    """Every font dictionary used by a page or by a form XObject drawn on it."""
    found = []

    def walk(resources) -> None:
        if resources is None:
            return
        resources = resources.get_object()
        for font in (resources.get("/Font") or {}).values():
            found.append(font.get_object())
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form":
                walk(xobject.get("/Resources"))

    for page in reader.pages:
        walk(page.get("/Resources"))
    return found


def assert_fonts_embedded(path: Path) -> None:
    fonts = fonts_of(PdfReader(path))
    assert fonts
    for font in fonts:
        assert font["/Subtype"] == "/TrueType", font.get("/BaseFont")
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor, font.get("/BaseFont")
        assert "WenQuanYiMicroHei" in font["/BaseFont"]


def group_of(archive, village: str, group: str) -> tuple[str, str]:
    with archive.db.sessions() as session:
        return session.execute(
            select(Village.id, VillageGroup.id)
            .join(VillageGroup, VillageGroup.village_id == Village.id)
            .where(Village.name == village, VillageGroup.name == group)
        ).one()


def busiest_household(archive) -> str:
    """A household on file with members, incomes, assistance and a request."""
    from zhuji_archive.services.household_list import HouseholdFilter

    best, best_score = "", -1
    for row in archive.household_list.page(HouseholdFilter(), limit=300):
        f = archive.households.load(row.id)
        score = bool(f.requests) * 100 + bool(f.assistance) * 50 + len(f.members)
        if score > best_score:
            best, best_score = row.id, score
    return best


def test_household_sheet_shows_the_five_items(demo_archive, tmp_path: Path) -> None:
    hid = busiest_household(demo_archive)
    file = demo_archive.households.load(hid)
    path = tmp_path / "户表.pdf"
    result = demo_archive.exports.household_sheet(path, hid, today=DAY)
    pages = texts(path)
    assert len(pages) == result.pages >= 1
    whole = compact("".join(pages))
    for label in (
        "群众档案户表",
        "一、家庭基本情况",
        "二、家庭主要经济来源",
        "三、帮扶记录",
        "四、家庭诉求",
        "五、解决情况",
        "走访记录",
        "填表人",
        "驻村干部（签字）",
        "户主（签字或按手印）",
        "人均年收入",
    ):
        assert label in whole, label
    assert compact(f"{file.town_name}{file.village_name}{file.group_name}第{file.number}户") in whole
    for member in file.members:
        assert member.name in whole
        if member.id_number:  # masked unless asked for in full (with a reason)
            assert member.id_number not in whole and mask_id_number(member.id_number) in whole
    for request in file.requests:
        assert compact(request.description) in whole
        assert request.number and request.number in whole  # the 诉求编号 the window and ledger show
    assert "打印日期：2026年11月2日" in whole
    assert page_numbers(pages) == [(i, len(pages)) for i in range(1, len(pages) + 1)]
    assert qr_payload(hid).rsplit("/", 1)[1] in whole  # the id the QR code carries, printed under the title
    assert_fonts_embedded(path)


def test_household_sheet_qr_code_decodes_to_the_household_id(demo_archive, tmp_path: Path) -> None:
    # Debian's poppler-utils and zbar-tools (installed by .ci/run) read the printed code back.
    assert shutil.which("zbarimg") and shutil.which("pdftoppm"), "apt-get install poppler-utils zbar-tools"
    hid = busiest_household(demo_archive)
    path = tmp_path / "户表.pdf"
    demo_archive.exports.household_sheet(path, hid, today=DAY)
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "p")], check=True
    )
    image = next(tmp_path.glob("p*.png"))
    decoded = subprocess.run(
        ["zbarimg", "-q", "--raw", str(image)], capture_output=True, text=True
    ).stdout.strip()
    assert decoded == qr_payload(hid) == f"zhuji-archive/household/{hid}"


def test_long_household_flows_onto_more_pages_with_table_headers_repeated(
    demo_archive, tmp_path: Path
) -> None:
    hid = busiest_household(demo_archive)
    file = demo_archive.households.load(hid)
    file.visits = file.visits + [
        VisitData(
            date=date(2025, 1 + i % 12, 1 + i % 27),
            kind="回访",
            cadres="王驻村",
            notes=f"第{i}次回访：了解近况，" + "询问生产生活困难并宣传政策，" * 3,
        )
        for i in range(45)
    ]
    demo_archive.households.save(file)
    path = tmp_path / "long.pdf"
    result = demo_archive.exports.household_sheet(path, hid, today=DAY)
    pages = texts(path)
    assert result.pages == len(pages) >= 3
    assert page_numbers(pages) == [(i, len(pages)) for i in range(1, len(pages) + 1)]
    for text in pages[1:-1]:
        assert "走访日期" in text and "走访类型" in text  # the visits table's header, repeated
        assert "（续）" in text
    assert "第44次回访" in compact("".join(pages))
    assert "户主（签字或按手印）" in pages[-1]


def test_group_book_cover_contents_and_continuous_page_numbers(demo_archive, tmp_path: Path) -> None:
    village_id, group_id = group_of(demo_archive, "杜黄村", "一组")
    path = tmp_path / "book.pdf"
    result = demo_archive.exports.book(path, group_id=group_id, today=DAY)
    with demo_archive.db.sessions() as session:
        households = session.execute(
            select(Household.number, Household.head_name)
            .where(Household.group_id == group_id, Household.status == "在册")
            .order_by(Household.number)
        ).all()
    assert result.paths == [path] and result.rows == len(households)
    reader = PdfReader(path)
    pages = [p.extract_text() for p in reader.pages]
    assert result.pages == len(pages)

    cover = compact(pages[0])
    for text in (
        "群众档案",
        "安华镇",
        "杜黄村",
        "一组",
        "驻村干部",
        "第1册共1册",
        f"本册{len(households)}户",
        "安华镇人民政府编印",
        "2026年11月2日",
    ):
        assert text in cover, text
    assert PAGE.search(pages[0]) is None  # the cover carries no page number

    numbered = page_numbers(pages)
    assert numbered == [(i, len(pages)) for i in range(2, len(pages) + 1)]

    # The table of contents: each household's page number is the page its sheet starts on.
    assert "村级信息表" in pages[1] and "诉求办理情况登记表" in pages[1]
    starts = {}
    for index, text in enumerate(pages, 1):
        m = re.search(r"第\s*(\d+)\s*户\s*\n", text)
        if "群众档案户表" in text and m:
            starts[int(m.group(1))] = index
    assert sorted(starts) == [n for n, _ in households]
    entries = toc_entries(pages[1])
    assert [(n, head) for n, head, _page in entries] == [tuple(h) for h in households]
    for number, head, page in entries:
        assert page == starts[number]
        assert head in compact(pages[page - 1])
    body = "".join(pages)
    assert "村级信息表" in body and "一、村基本情况" in body and "五、村情事项登记" in body
    village_page = next(i for i, t in enumerate(pages) if "一、村基本情况" in t)
    assert "重大事项" in pages[village_page] or "重大事项" in pages[village_page + 1]
    assert "诉求办理情况登记表" in pages[-1] and "本册完" in compact(pages[-1])
    assert re.search(r"安华20\d\d-\d{4}", compact(pages[-1]))  # the register names each 诉求编号
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert outline[:3] == ["封面", "目录", "村级信息表"]
    assert_fonts_embedded(path)


def test_toc_page_numbers_point_at_the_sheets(demo_archive, tmp_path: Path) -> None:
    _village, group_id = group_of(demo_archive, "湖塘村", "一组")
    path = tmp_path / "book.pdf"
    demo_archive.exports.book(path, group_id=group_id, today=DAY)
    pages = texts(path)
    entries = toc_entries(pages[1])
    assert len(entries) >= 5
    for number, head, page in entries:
        assert "群众档案户表" in pages[page - 1]
        assert compact(f"第{number}户") in compact(pages[page - 1])
        assert head in pages[page - 1].split("户主姓名", 1)[1][:40]


def test_book_splits_into_volumes(demo_archive, tmp_path: Path) -> None:
    _village, group_id = group_of(demo_archive, "杜黄村", "一组")
    path = tmp_path / "一组.pdf"
    result = demo_archive.exports.book(path, group_id=group_id, volume_limit=10, today=DAY)
    count = result.rows
    ranges = split_volumes(count, 10)
    assert len(result.paths) == len(ranges) >= 2
    assert (
        result.paths
        == volume_paths(path, len(ranges))
        == [tmp_path / f"一组-第{i}册.pdf" for i in range(1, len(ranges) + 1)]
    )
    total_pages, seen = 0, 0
    for number, (file, (start, end)) in enumerate(zip(result.paths, ranges, strict=True), 1):
        pages = texts(file)
        total_pages += len(pages)
        cover = compact(pages[0])
        assert f"第{number}册共{len(ranges)}册" in cover
        assert f"本册{end - start}户" in cover
        seen += sum(1 for p in pages if "群众档案户表" in p)
        assert page_numbers(pages)[-1] == (len(pages), len(pages))
    assert seen == count and total_pages == result.pages
    assert not path.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".pdf") == sorted(
        p.name for p in result.paths
    )


def test_split_volumes_is_balanced() -> None:
    assert split_volumes(150, 150) == [(0, 150)]
    assert split_volumes(160, 150) == [(0, 80), (80, 160)]
    assert split_volumes(301, 150) == [(0, 101), (101, 202), (202, 301)]
    assert split_volumes(2000, 0) == [(0, 2000)]
    assert split_volumes(0, 150) == []


def test_volume_limit_comes_from_the_setting(demo_archive, tmp_path: Path) -> None:
    _village, group_id = group_of(demo_archive, "杜黄村", "一组")
    demo_archive.settings.set("book.volume_limit", 10)
    result = demo_archive.exports.book(tmp_path / "b.pdf", group_id=group_id, today=DAY)
    assert len(result.paths) == len(split_volumes(result.rows, 10))


def test_blank_form(demo_archive, tmp_path: Path) -> None:
    path = tmp_path / "blank.pdf"
    result = demo_archive.exports.blank_form(path, copies=2, today=DAY)
    pages = texts(path)
    assert len(pages) == result.pages == 4
    assert page_numbers(pages) == [(i, 4) for i in range(1, 5)]
    whole = compact("".join(pages[:2]))
    for label in (
        "群众档案户表",
        "镇（乡）",
        "村民小组",
        "一、家庭基本情况",
        "公民身份号码",
        "承包土地",
        "外出务工",
        "三、帮扶记录",
        "四、家庭诉求",
        "五、解决情况",
        "走访记录",
        "填表人",
        "户主（签字或按手印）",
        "低保户",
        "五保户",
        "在册",
    ):
        assert label in whole, label
    assert_fonts_embedded(path)


def test_cancelled_book_leaves_nothing_and_records_nothing(demo_archive, tmp_path: Path) -> None:
    _village, group_id = group_of(demo_archive, "杜黄村", "一组")
    done: list[int] = []
    with pytest.raises(ExportCancelled):
        demo_archive.exports.book(
            tmp_path / "book.pdf",
            group_id=group_id,
            volume_limit=5,
            progress=lambda d, t: done.append(d),
            cancelled=lambda: len(done) > 7,
            today=DAY,
        )
    assert 0 < done[-1] < 20
    left = [p.name for p in tmp_path.iterdir() if not p.name.startswith("demo.sqlite3") and p.name != "backups"]
    assert left == []  # (the archive's backups folder holds the day's automatic backup)
    with demo_archive.db.sessions() as session:
        assert (
            session.scalar(select(func.count()).select_from(ChangeLog).where(ChangeLog.action == "打印")) == 0
        )


def test_prints_are_recorded_in_the_change_history(demo_archive, tmp_path: Path) -> None:
    hid = busiest_household(demo_archive)
    demo_archive.exports.household_sheet(tmp_path / "h.pdf", hid, today=DAY)
    demo_archive.exports.blank_form(tmp_path / "b.pdf", today=DAY)
    history = demo_archive.households.history(hid)
    assert history[0].action == "打印" and history[0].entity == "户表" and "h.pdf" in history[0].note
    with demo_archive.db.sessions() as session:
        printed = session.execute(select(ChangeLog.entity, ChangeLog.note).where(ChangeLog.action == "打印")).all()
    assert sorted(entity for entity, _note in printed) == ["户表", "空白户表"]
    # The note says what was printed, never whose: the head's name is not in it.
    head = demo_archive.households.load(hid).head
    assert head is not None and all(head.name not in note for _entity, note in printed)


def test_rare_characters_keep_their_place_in_the_text(demo_archive, tmp_path: Path) -> None:
    hid = busiest_household(demo_archive)
    file = demo_archive.households.load(hid)
    file.members.append(MemberData(name="王堃燊", relation="其他", sex="男"))
    demo_archive.households.save(file)
    path = tmp_path / "rare.pdf"
    demo_archive.exports.household_sheet(path, hid, today=DAY)
    assert "王堃燊" in compact("".join(texts(path)))


def test_cli_prints_book_and_household(demo_archive, tmp_path: Path, capsys) -> None:
    from accounts import cli_as

    main = cli_as(demo_archive.actor.login)  # logged in as the fixture's account

    db = str(demo_archive.db.path)
    assert (
        main(
            [
                "--db",
                db,
                "print",
                "book",
                "--village",
                "杜黄村",
                "--group",
                "二组",
                "-o",
                str(tmp_path / "b.pdf"),
            ]
        )
        == 0
    )
    assert "已打印档案册" in capsys.readouterr().out
    assert "杜黄村" in compact(texts(tmp_path / "b.pdf")[0])
    hid = busiest_household(demo_archive)
    assert main(["--db", db, "print", "household", "--id", hid, "-o", str(tmp_path / "h.pdf")]) == 0
    assert main(["--db", db, "print", "blank", "-o", str(tmp_path / "k.pdf")]) == 0
    assert len(texts(tmp_path / "k.pdf")) == 2
    assert main(["--db", db, "print", "household", "--id", "0" * 32, "-o", str(tmp_path / "x.pdf")]) == 2
    assert "找不到这户档案" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()
