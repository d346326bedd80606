"""The command line speaks Chinese: argparse's own messages, every command's help and every refusal of a
wrong argument, checked against the running Python's argparse."""

from __future__ import annotations

import argparse
import ast
import inspect
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from zhuji_archive.cli import build_parser, main
from zhuji_archive.cli.parser import MESSAGES, display_width, wrap

PROG = "zhuji-archive"
OPTION = re.compile(r"(?<![\w-])--?[A-Za-z][A-Za-z-]*")
# Names a Chinese office uses as they are (a hub's address starts with postgresql://), and the pinyin
# initials the search help gives as an example.
PRODUCT_NAMES = ("Excel", "PDF", "PostgreSQL", "postgresql", "zjg")


def command_paths(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command and subcommand, as the words typed after the program's name."""
    yield prefix
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from command_paths(sub, (*prefix, name))


COMMANDS = list(command_paths(build_parser()))
COMMAND_NAMES = sorted({word for path in COMMANDS for word in path}, key=len, reverse=True)


def english_words(text: str, *given: str) -> list[str]:
    """Latin words left in ``text`` once option names, command names, file suffixes, product names and
    the values the test itself typed (``given``) are taken out."""
    text = OPTION.sub(" ", text.replace(PROG, " "))
    for name in (*sorted(given, key=len, reverse=True), *COMMAND_NAMES, *PRODUCT_NAMES, ".xlsx", ".pdf", ".bak"):
        text = re.sub(rf"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])", " ", text)
    return re.findall(r"[A-Za-z]{2,}", text)


def argparse_messages() -> set[str]:
    """Every literal message the running Python's argparse passes to ``_`` or ``ngettext``."""
    found = set()
    for node in ast.walk(ast.parse(inspect.getsource(argparse))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.add(first.value)
    return found


def placeholders(template: str) -> tuple[list[str], int]:
    """Named placeholders (sorted) and the number of positional ones of a %-template."""
    named = sorted(re.findall(r"%\((\w+)\)[-#0 +]*\d*[sdr]", template))
    positional = len(re.findall(r"%[-#0 +]*\d*[sdr]", template))
    return named, positional


def test_every_argparse_message_has_a_chinese_text() -> None:
    messages = argparse_messages()
    assert "usage: " in messages and "invalid choice: %(value)r (choose from %(choices)s)" in messages
    missing = sorted(messages - MESSAGES.keys())
    assert not missing, f"argparse of this Python has messages without a Chinese text: {missing}"


@pytest.mark.parametrize("template", sorted(MESSAGES))
def test_a_translation_keeps_the_placeholders(template: str) -> None:
    chinese = MESSAGES[template]
    named, positional = placeholders(template)
    # A named value may be left out (the type's English name is), never added; positional ones all stay.
    assert set(placeholders(chinese)[0]) <= set(named)
    assert placeholders(chinese)[1] == positional
    assert not english_words(re.sub(r"%\(\w+\)[sdr]|%[sdr]", " ", chinese)), chinese
    # argparse fills a template in with % and a dict or a tuple; the Chinese one must take the same.
    values: dict[str, str] | tuple[str, ...] = {k: "x" for k in named} if named else ("x",) * positional
    assert (chinese % values) if (named or positional) else chinese


def test_the_table_is_used_only_while_our_parser_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export"]) == 2
    assert "缺少必需的参数" in capsys.readouterr().err
    plain = argparse.ArgumentParser(prog="plain")
    plain.add_argument("--n", type=int, required=True)
    with pytest.raises(SystemExit):
        plain.parse_args([])
    assert "the following arguments are required" in capsys.readouterr().err


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) or "(top)" for p in COMMANDS])
def test_every_help_is_chinese(path: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*path, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("用法：")
    assert "选项：" in out and "显示本帮助并退出" in out
    assert not english_words(out), out


def test_help_columns_line_up_with_chinese_metavars(capsys: pytest.CaptureFixture[str]) -> None:
    main(["print", "book", "--help"])
    lines = capsys.readouterr().out.splitlines()
    # "  --village 村名        村名": the help column is where the text after the gap starts, in columns.
    rows = [re.match(r"(  --?\S+(?: \S+)?\s{2,})\S", line) for line in lines]
    columns = {display_width(row.group(1)) for row in rows if row}
    assert sum(1 for row in rows if row) >= 5, lines
    assert len(columns) == 1, lines


def test_wrap_counts_chinese_as_two_columns_and_keeps_punctuation() -> None:
    text = "身份证号只留前6后4位、电话隐藏中间4位（重点户名册用于公示，默认脱敏；其他默认完整）" * 2
    lines = wrap(text, 30)
    assert "".join(lines) == text
    assert all(display_width(line) <= 31 for line in lines)  # a closing mark may hang by one column
    assert not any(line[0] in "，。、；：）" for line in lines)
    assert not any(line[-1] in "（“" for line in lines)
    assert wrap("用 zhuji-archive export roster 导出", 12) == ["用", "zhuji-archive", "export", "roster 导出"]


WRONG = [
    (["frob"], "不是可选的值"),
    (["--db"], "后面须跟一个值"),
    (["--user", " ", "info"], "登录名不能为空"),
    (["info", "--user", "李\x07"], "控制字符"),
    (["info", "--operator", "李"], "无法识别的参数"),  # the typed name of earlier versions is gone
    (["users", "--password-stdin", "x"], "“x”不是可选的值。可选：add"),  # users takes one action, add
    (["users", "add", "--login", "a", "--name", "甲", "--role", "管理员"], "可选：系统管理员、党政办"),
    (["setup", "--name", ""], "姓名不能为空"),
    (["export"], "缺少必需的参数"),
    (["export", "roster"], "缺少必需的参数：-o/--output"),
    (["export", "roster", "--kind", "x", "-o", "a.xlsx"], "可选：户花名册、成员花名册、重点户名册"),
    (["export", "roster", "-o", "x.csv"], "须以 .xlsx 结尾"),
    (["export", "roster", "-o", "不存在的文件夹/x.xlsx"], "文件夹"),
    (["export", "ledger", "--status", "乱写", "-o", "l.xlsx"], "可选：登记、已梳理、待上会、办理中"),
    (["export", "ledger", "-o", "l.pdf"], "须以 .xlsx 结尾"),
    (["export", "summary", "--village", "甲", "-o", "s.xlsx"], "须给出以下参数之一：--month --week"),
    (["print", "book", "--village", "甲", "-o", "b.xlsx"], "须以 .pdf 结尾"),
    (["print", "book", "--village", "甲", "--volume-limit", "-3", "-o", "b.pdf"], "须在10到2000之间或0"),
    (["print", "book", "--village", "甲", "--volume-limit", "5", "-o", "b.pdf"], "须在10到2000之间或0"),
    (["print", "book", "--village", "甲", "--volume-limit", "十", "-o", "b.pdf"], "不是整数"),
    (["print", "blank", "--copies", "0", "-o", "b.pdf"], "须在1到500之间"),
    (["print", "blank", "--copies", "501", "-o", "b.pdf"], "须在1到500之间"),
    (["print", "blank", "--copies", "1", "2", "-o", "b.pdf"], "无法识别的参数"),
    (["print", "household", "-o", "h.pdf"], "须给出以下参数之一：--id --village"),
    (["print", "household", "--id", "12ab", "-o", "h.pdf"], "32位编号"),
    (["print", "household", "--id", "0" * 32, "--village", "甲", "-o", "h.pdf"], "不能与参数"),
    (["print", "household", "--village", "甲", "--number", "0", "-o", "h.pdf"], "须在1到99999之间"),
    (["print", "feedback", "--blank", "--request", "1", "-o", "f.pdf"], "不能与参数"),
    (["print", "feedback", "--blank", "--copies", "-1", "-o", "f.pdf"], "须在1到500之间"),
    (["print", "summary", "--village", "甲", "--month", "2026-11", "--week", "2026-11-02", "-o", "s.pdf"], "不能与参数"),
    (["demo", "--households", "0"], "须在1到200000之间"),
    (["demo", "--seed", "x"], "不是整数"),
    (["import", "a.xlsx", "--duplicates", "覆盖"], "可选：更新、保留、跳过"),
    (["import", "--template", "模板.csv"], "须以 .xlsx 结尾"),
    (["search"], "缺少必需的参数：搜索内容"),
    (["search", "\x1b"], "控制字符"),
    (["search", "张", "--limit", "0"], "须在1到100000之间"),
    (["search", "张", "--status", "死亡"], "可选：在册、迁出、合户、注销、全部"),
    (["info", "--verbose"], "无法识别的参数"),
    (["info", "--d"], "--db"),  # an abbreviation is taken; this one is just missing its value
]


@pytest.mark.parametrize("argv,reason", WRONG, ids=[" ".join(a) for a, _ in WRONG])
def test_every_wrong_argument_is_refused_in_chinese(
    argv: list[str], reason: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert reason in captured.err
    assert "错误：" in captured.err and "用法：" in captured.err
    assert "Traceback" not in captured.err
    assert not english_words(captured.err, *argv), captured.err
    assert not list(tmp_path.iterdir()), "a refused command wrote a file"


def test_english_names_of_choices_still_work(capsys: pytest.CaptureFixture[str]) -> None:
    """Scripts written for the earlier English choice names keep working."""
    parser = build_parser()
    args = parser.parse_args(["export", "roster", "--kind", "members", "-o", "x.xlsx"])
    assert args.kind == "成员花名册"
    args = parser.parse_args(["import", "a.xlsx", "--duplicates", "update"])
    assert args.duplicates == "更新"
    args = parser.parse_args(["print", "meeting", "--meeting", "latest", "-o", "m.pdf"])
    assert args.meeting == "最近"
