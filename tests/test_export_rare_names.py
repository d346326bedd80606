"""Names with characters from CJK Extension A and B: printed with a fallback font, or reported before
printing when no font has them. The fallback fonts are Debian's fonts-hanazono and fonts-babelstone-han
(installed by .ci/run); "no fallback" is simulated by an empty font search list."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from accounts import as_person_on
from PIL import Image
from pypdf import PdfReader

from zhuji_archive.domain.glyphs import UnprintableText
from zhuji_archive.exports import fonts
from zhuji_archive.paths import FALLBACK_FONT_PACKAGES, FALLBACK_FONTS_ENV, fallback_font_files
from zhuji_archive.services.archive import Archive
from zhuji_archive.views.household_file import MemberData

DAY = date(2026, 11, 2)
EXT_A = "\u3400"  # 㐀, not in the bundled font
EXT_A_BUNDLED = "\u4db5"  # 䶵, one of the two Extension A characters the bundled font has
EXT_B_FIRST = "\U00020000"  # 𠀀
EXT_B_LAST = "\U0002a6d6"  # 𪛖
HEAD = f"王{EXT_B_LAST}{EXT_A}"
MEMBER = f"李{EXT_B_FIRST}{EXT_A_BUNDLED}"


@pytest.fixture
def system_fonts(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The machine's fallback fonts, as found by the default search list."""
    monkeypatch.delenv(FALLBACK_FONTS_ENV, raising=False)
    fonts.reset()
    yield
    fonts.reset()


@pytest.fixture
def no_fallback(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A machine with no font for the extensions: the search list is empty."""
    monkeypatch.setenv(FALLBACK_FONTS_ENV, "")
    fonts.reset()
    yield
    fonts.reset()


def rare_household(archive: Archive, group_id: str, head: str = HEAD, member: str = MEMBER) -> str:
    file = archive.households.new_file(group_id)
    file.address = "杜黄村8号"
    file.members = [
        MemberData(name=head, relation="户主", sex="男"),
        MemberData(name=member, relation="子", sex="男"),
    ]
    return archive.households.save(file)


def first_group(archive: Archive) -> str:
    (town,) = archive.organisation.tree()
    (village,) = town.children
    return village.children[0].id


def text_of(path: Path) -> str:
    return "".join(page.extract_text() for page in PdfReader(path).pages)


def fonts_drawing(path: Path) -> dict[str, set[str]]:
    """Characters each embedded font of the first page draws, read from its ToUnicode map."""
    page = PdfReader(path).pages[0]
    found: dict[str, set[str]] = {}
    for font in page["/Resources"]["/Font"].values():
        font = font.get_object()
        assert "/FontFile2" in font["/FontDescriptor"].get_object(), font["/BaseFont"]  # embedded TrueType
        cmap = font["/ToUnicode"].get_object().get_data().decode("ascii")
        chars = set()
        for line in cmap.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[1].startswith("<") and len(parts[1]) > 4:
                chars.add(bytes.fromhex(parts[1][1:-1]).decode("utf-16-be"))
        found[str(font["/BaseFont"])] = chars
    return found


def ink_of_header(path: Path, tmp_path: Path) -> int:
    """Dark pixels in the running header of page 1 (its right half holds the head's name)."""
    stem = tmp_path / path.stem
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(path), str(stem)], check=True)
    (png,) = tmp_path.glob(f"{path.stem}*.png")
    image = Image.open(png).convert("L")
    width, height = image.size
    band = image.crop((width // 2, 0, width, int(height * 0.06)))
    return sum(band.histogram()[:128])


def test_the_fallback_fonts_ci_installs_are_found() -> None:
    found = {p.name for p in fallback_font_files()}
    assert {"HanaMinA.ttf", "HanaMinB.ttf", "BabelStoneHan.ttf"} <= found
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    for package in FALLBACK_FONT_PACKAGES:
        assert package in ci


def test_extension_a_and_b_names_print_in_a_fallback_font(
    archive: Archive, tmp_path: Path, system_fonts: None
) -> None:
    household = rare_household(archive, first_group(archive))
    path = tmp_path / "rare.pdf"
    archive.exports.household_sheet(path, household, today=DAY)
    text = text_of(path)
    assert HEAD in text and MEMBER in text  # table cells and the running header alike
    assert text.count(HEAD) >= 3  # 户主姓名, the member table, the page header
    drawn = fonts_drawing(path)
    bundled = next(chars for name, chars in drawn.items() if "WenQuanYi" in name)
    assert EXT_A_BUNDLED in bundled and "王" in bundled
    for char in (EXT_A, EXT_B_FIRST, EXT_B_LAST):
        assert char not in bundled
        assert any(char in chars for name, chars in drawn.items() if "WenQuanYi" not in name), hex(ord(char))
    assert any("HanaMinB" in name for name in drawn)


def test_the_rare_characters_leave_ink_in_the_page_header(
    archive: Archive, tmp_path: Path, system_fonts: None
) -> None:
    group = first_group(archive)
    plain = rare_household(archive, group, head="王", member="李")
    rare = rare_household(archive, group, head=f"王{EXT_B_LAST}{EXT_B_FIRST}{EXT_A}", member="李")
    archive.exports.household_sheet(tmp_path / "plain.pdf", plain, today=DAY)
    archive.exports.household_sheet(tmp_path / "rare.pdf", rare, today=DAY, allow_unprintable=True)
    without, with_rare = ink_of_header(tmp_path / "plain.pdf", tmp_path), ink_of_header(tmp_path / "rare.pdf", tmp_path)
    # Three more characters at 8 pt, 150 dpi: each leaves dozens of dark pixels; vanished ones none.
    assert with_rare - without > 3 * 25, (without, with_rare)


def test_without_fallback_fonts_the_sheet_is_refused_naming_exactly_the_missing_characters(
    archive: Archive, tmp_path: Path, no_fallback: None
) -> None:
    household = rare_household(archive, first_group(archive))
    path = tmp_path / "rare.pdf"
    with pytest.raises(UnprintableText) as caught:
        archive.exports.household_sheet(path, household, today=DAY)
    assert not path.exists()
    number = archive.households.load(household).number
    assert [(p.where, p.position, p.char) for p in caught.value.problems] == [
        (f"第{number}户 户主姓名", 2, EXT_B_LAST),
        (f"第{number}户 户主姓名", 3, EXT_A),
        (f"第{number}户 成员2姓名", 2, EXT_B_FIRST),
    ]
    assert f"第{number}户 户主姓名 第2个字 U+2A6D6 无字体可显示，打印时将空缺" in caught.value.message
    assert "U+4DB5" not in caught.value.message  # the bundled font has that one
    assert HEAD not in caught.value.message  # positions, not the names themselves
    archive.exports.household_sheet(path, household, today=DAY, allow_unprintable=True)
    assert "王" in text_of(path)


def test_without_fallback_fonts_the_book_is_refused_before_writing(
    archive: Archive, tmp_path: Path, no_fallback: None
) -> None:
    group = first_group(archive)
    rare_household(archive, group, head="张三", member="张四")
    household = rare_household(archive, group)
    number = archive.households.load(household).number
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(UnprintableText) as caught:
        archive.exports.book(out / "book.pdf", group_id=group, today=DAY)
    assert not list(out.iterdir())
    assert [(p.where, p.position) for p in caught.value.problems] == [
        (f"第{number}户 户主姓名", 2),
        (f"第{number}户 户主姓名", 3),
        (f"第{number}户 成员2姓名", 2),
    ]


def test_with_fallback_fonts_nothing_is_refused(archive: Archive, tmp_path: Path, system_fonts: None) -> None:
    group = first_group(archive)
    rare_household(archive, group)
    result = archive.exports.book(tmp_path / "book.pdf", group_id=group, today=DAY)
    assert HEAD in text_of(result.paths[0])


def test_cli_warns_on_stderr_and_prints_anyway(
    archive: Archive, tmp_path: Path, no_fallback: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from accounts import cli_as

    main = cli_as(archive.actor.login)  # logged in as the fixture's account

    household = rare_household(archive, first_group(archive))
    number = archive.households.load(household).number
    db = str(archive.db.path)
    out = tmp_path / "h.pdf"
    assert main(["--db", db, "print", "household", "--id", household, "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert "警告" in captured.err
    assert f"第{number}户 户主姓名 第2个字 U+2A6D6 无字体可显示，打印时将空缺" in captured.err
    assert f"第{number}户 成员2姓名 第2个字 U+20000" in captured.err
    assert "U+4DB5" not in captured.err
    assert "已打印户表" in captured.out and out.exists()


def test_request_summary_prints_a_rare_village_name_in_header_title_and_chart(
    demo_archive: Archive, tmp_path: Path, system_fonts: None
) -> None:
    from zhuji_archive.domain.reporting import MONTHLY, period_of

    arc = as_person_on(demo_archive.db, "测试员", DAY)
    vid = next(v for v, name in arc.organisation.villages() if name == "杜黄村")
    rare = f"杜{EXT_B_FIRST}村"
    arc.organisation.rename("village", vid, rare)
    path = tmp_path / "月报.pdf"
    arc.request_exports.summary_pdf("village", vid, period_of(MONTHLY, date(2026, 10, 1)), path)
    text = text_of(path)
    assert text.count(rare) >= 2  # the title and the chart titles at least
    drawn = fonts_drawing(path)
    assert any(EXT_B_FIRST in chars for name, chars in drawn.items() if "WenQuanYi" not in name)
