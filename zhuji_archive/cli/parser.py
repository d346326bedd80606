"""An argparse parser that speaks Chinese: argparse's own messages translated, and argument types
whose refusals say what was wrong in Chinese.

argparse builds its text through the module-level ``_`` (gettext) and ``ngettext`` when a parser is
built, when help is formatted and when arguments are parsed. The parser below swaps in the table
``MESSAGES`` for exactly those calls, so every message of argparse reaches the user in Chinese while
other users of argparse in the same process (pytest, for one) are left alone."""

from __future__ import annotations

import argparse
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn, TypeVar

T = TypeVar("T")

# argparse's message templates (every CPython version we know of) and their Chinese text; the
# placeholders stay the same so argparse can fill them in. tests/test_cli_parser.py checks that the
# running Python's argparse has no message missing here.
MESSAGES: dict[str, str] = {
    "usage: ": "用法：",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "%(prog)s: warning: %(message)s\n": "%(prog)s：提示：%(message)s\n",
    "positional arguments": "位置参数",
    "options": "选项",
    "optional arguments": "选项",
    "subcommands": "子命令",
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示程序版本并退出",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "one of the arguments %s is required": "须给出以下参数之一：%s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "“%(value)s”不是可选的值（可选：%(choices)s）",
    "invalid choice: %(value)r, maybe you meant %(closest)r? (choose from %(choices)s)": (
        "“%(value)s”不是可选的值，是不是“%(closest)s”？（可选：%(choices)s）"
    ),
    "invalid %(type)s value: %(value)r": "“%(value)s”不是有效的值",
    "expected one argument": "后面须跟一个值",
    "expected at most one argument": "后面最多跟一个值",
    "expected at least one argument": "后面至少跟一个值",
    "expected %s argument": "后面须跟 %s 个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是：%(matches)s",
    "unexpected option string: %s": "多余的选项：%s",
    "ignored explicit argument %r": "该选项不接受值（多出了“%s”）",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "没有命令“%(parser_name)s”（可选：%(choices)s）",
    "command '%(parser_name)s' is deprecated": "命令“%(parser_name)s”已停用",
    "option '%(option)s' is deprecated": "选项“%(option)s”已停用",
    "argument '%(argument_name)s' is deprecated": "参数“%(argument_name)s”已停用",
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
    'argument "-" with mode %r': "参数“-”不能以 %r 方式打开",
    # The rest only fire when the parser itself is built wrongly (a bug), still in Chinese.
    ".__call__() not defined": "没有定义参数的处理方法",
    "conflicting subparser: %s": "子命令重名：%s",
    "conflicting subparser alias: %s": "子命令别名重名：%s",
    "cannot merge actions - two groups are named %r": "无法合并参数：有两个参数组都叫 %r",
    "'required' is an invalid argument for positionals": "位置参数不能设置“必需”",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r": (
        "选项名 %(option)r 无效：须以 %(prefix_chars)r 开头"
    ),
    "dest= is required for options like %r": "像 %r 这样的选项须指定存放位置",
    "invalid conflict_resolution value: %r": "冲突处理方式 %r 无效",
    "conflicting option string: %s": "选项名冲突：%s",
    "mutually exclusive arguments must be optional": "互斥的参数须是选项",
    "cannot have multiple subparser arguments": "不能有多组子命令",
    "%r is not callable": "%r 不能调用",
}


def translate(message: str) -> str:
    """argparse's ``_``: the Chinese text of a template; descriptions we wrote pass unchanged."""
    return MESSAGES.get(message, message)


def translate_plural(singular: str, plural: str, count: int) -> str:
    """argparse's ``ngettext``: Chinese has one form for every count."""
    return MESSAGES.get(singular, singular if count == 1 else plural)


@contextmanager
def chinese_messages() -> Iterator[None]:
    """argparse's message functions replaced by ``translate`` for the duration of a call."""
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._ = translate  # type: ignore[attr-defined]
    argparse.ngettext = translate_plural  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


CLOSING_PUNCTUATION = frozenset("，。、；：？！）》」』”’…")
OPENING_PUNCTUATION = frozenset("（《「『“‘")


def display_width(text: str) -> int:
    """Columns a terminal gives ``text``: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` columns: between any two Chinese characters, or at spaces inside Latin
    text; a closing punctuation mark never starts a line and an opening one never ends one."""
    tokens = re.findall(r" +|[\x21-\x7e]+|.", " ".join(text.split()))
    lines: list[str] = []
    line = ""
    for token in tokens:
        if line and display_width(line + token) > width and token not in CLOSING_PUNCTUATION:
            carried = line[-1] if line[-1] in OPENING_PUNCTUATION and len(line) > 1 else ""
            lines.append(line[: len(line) - len(carried)].rstrip())
            line = carried + ("" if token.isspace() else token)
        elif line or not token.isspace():
            line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines


class ChineseHelpFormatter(argparse.HelpFormatter):
    """Help laid out by display width, so columns line up and lines wrap correctly with Chinese text."""

    def add_argument(self, action: argparse.Action) -> None:
        if action.help is argparse.SUPPRESS:
            return
        # Each invocation counted at its own indent: subcommands are listed indented under their action.
        widths = [display_width(self._format_action_invocation(action)) + self._current_indent]
        for subaction in self._iter_indented_subactions(action):
            widths.append(display_width(self._format_action_invocation(subaction)) + self._current_indent)
        self._action_max_length = max(self._action_max_length, *widths)
        self._add_item(self._format_action, [action])

    def _format_action(self, action: argparse.Action) -> str:
        help_position = min(self._action_max_length + 2, self._max_help_position)
        help_width = max(self._width - help_position, 20)
        action_width = help_position - self._current_indent - 2
        header = self._format_action_invocation(action)
        indent = " " * self._current_indent
        parts: list[str] = []
        help_lines = self._split_lines(self._expand_help(action), help_width) if action.help else []
        if help_lines and display_width(header) <= action_width:
            padding = " " * (action_width - display_width(header) + 2)
            parts.append(f"{indent}{header}{padding}{help_lines[0]}\n")
            help_lines = help_lines[1:]
        else:
            parts.append(f"{indent}{header}\n")
        parts.extend(f"{' ' * help_position}{line}\n" for line in help_lines)
        for subaction in self._iter_indented_subactions(action):
            parts.append(self._format_action(subaction))
        return "".join(parts)

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in wrap(text, width - display_width(indent)))


class ChineseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose help, usage and error messages are Chinese (sub-parsers are too:
    ``add_subparsers`` makes them of the parser's own class)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        with chinese_messages():
            super().__init__(*args, **kwargs)

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        with chinese_messages():
            return super().add_argument(*args, **kwargs)

    def add_subparsers(self, **kwargs: Any) -> argparse._SubParsersAction:  # type: ignore[type-arg,override]
        with chinese_messages():
            return super().add_subparsers(**kwargs)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        with chinese_messages():
            return super().parse_known_args(args, namespace)

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        with chinese_messages():
            return super().parse_args(args, namespace)

    def format_usage(self) -> str:
        with chinese_messages():
            return super().format_usage()

    def format_help(self) -> str:
        with chinese_messages():
            text = super().format_help()
        # Section headings end in argparse's own colon, outside any message template.
        return re.sub(r"(?m)^(\S[^\n]*):$", r"\1：", text)

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        # argparse lists the choices as Python literals ('甲', '乙'); a cadre reads 甲、乙.
        if action.choices is not None and value not in action.choices:
            listed = "、".join(str(choice) for choice in action.choices)
            raise argparse.ArgumentError(action, f"“{value}”不是可选的值。可选：{listed}")

    def error(self, message: str) -> NoReturn:
        with chinese_messages():
            super().error(f"{message}\n（用“{self.prog} -h”查看说明）")


# ---- argument types: each refuses a wrong value with a Chinese reason -------------------------------


def integer(minimum: int, maximum: int, *, also: Sequence[int] = ()) -> Callable[[str], int]:
    """An integer in [minimum, maximum] (or one of ``also``, such as 0 meaning "no limit")."""

    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"“{text}”不是整数") from None
        if value in also or minimum <= value <= maximum:
            return value
        extra = "".join(f"或{v}" for v in also)
        raise argparse.ArgumentTypeError(f"须在{minimum}到{maximum}之间{extra}，不能是{value}")

    return parse


def output_file(*suffixes: str) -> Callable[[str], Path]:
    """A file to write: its name must end in one of ``suffixes`` and its folder must exist."""

    def parse(text: str) -> Path:
        path = Path(text)
        wanted = "或".join(suffixes)
        if path.suffix.lower() not in suffixes:
            raise argparse.ArgumentTypeError(f"输出文件名须以 {wanted} 结尾，“{path.name}”不是")
        if path.is_dir():
            raise argparse.ArgumentTypeError(f"“{path}”是一个文件夹，请给出文件名")
        if not path.parent.is_dir():
            raise argparse.ArgumentTypeError(f"文件夹“{path.parent}”不存在")
        return path

    return parse


def input_file(*suffixes: str) -> Callable[[str], Path]:
    """A file to read: it must exist and (when ``suffixes`` are given) end in one of them."""

    def parse(text: str) -> Path:
        path = Path(text)
        if suffixes and path.suffix.lower() not in suffixes:
            raise argparse.ArgumentTypeError(f"文件名须以 {'或'.join(suffixes)} 结尾，“{path.name}”不是")
        if not path.is_file():
            raise argparse.ArgumentTypeError(f"文件“{path}”不存在")
        return path

    return parse


def aliased(aliases: dict[str, str]) -> Callable[[str], str]:
    """A choice typed in Chinese or by its older English name (kept so scripts keep working)."""

    def parse(text: str) -> str:
        value = text.strip()
        return aliases.get(value, value)

    return parse


def text(what: str, limit: int = 100) -> Callable[[str], str]:
    """Free text such as a name: not empty, no control characters, at most ``limit`` characters."""

    def parse(value: str) -> str:
        cleaned = value.strip()
        if not cleaned:
            raise argparse.ArgumentTypeError(f"{what}不能为空")
        if any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in cleaned):
            raise argparse.ArgumentTypeError(f"{what}含有控制字符")
        if len(cleaned) > limit:
            raise argparse.ArgumentTypeError(f"{what}最长{limit}个字，这里有{len(cleaned)}个")
        return cleaned

    return parse
