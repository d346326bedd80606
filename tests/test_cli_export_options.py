"""The command line's export options, parsed by the real parser: masked by default, --unmasked with
--reason, and the opening password from the terminal (--protect, twice) or standard input."""

from __future__ import annotations

import io

import pytest

from zhuji_archive.cli import build_parser, export_options
from zhuji_archive.domain.errors import DomainError

ROSTER = ["export", "roster", "-o", "x.xlsx"]
BOOK = ["print", "book", "--village", "杜黄村", "-o", "x.pdf"]
LEDGER = ["export", "ledger", "-o", "x.xlsx"]
SUMMARY = ["export", "summary", "--village", "杜黄村", "--month", "2026-11", "-o", "x.xlsx"]


def terms(argv: list[str]) -> export_options.CliExportTerms:
    return export_options.terms(build_parser().parse_args(argv))


@pytest.mark.parametrize(
    "command", [ROSTER, BOOK, LEDGER, ["print", "household", "--village", "杜黄村", "-o", "x.pdf"]]
)
def test_masked_by_default_and_full_only_with_unmasked(command) -> None:
    assert terms(command) == export_options.CliExportTerms(True, None, None)
    assert terms([*command, "--unmasked", "--reason", "报送民政办"]) == export_options.CliExportTerms(
        False, "报送民政办", None
    )
    assert terms([*command, "--no-mask"]).masked is False  # the old spelling; the service asks for a reason
    assert terms([*command, "--mask"]).masked is True


def test_a_reason_without_unmasked_is_refused() -> None:
    with pytest.raises(DomainError, match="只与 --unmasked 同用"):
        terms([*ROSTER, "--reason", "看看"])


def test_the_password_is_read_from_standard_input(monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("ku6-Lin\n"))
    assert terms([*SUMMARY, "--export-password-stdin"]).password == "ku6-Lin"
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    with pytest.raises(DomainError, match="至少 6 个字符"):
        terms([*LEDGER, "--export-password-stdin"])


def test_with_the_login_password_on_standard_input_too_the_export_password_is_the_second_line(
    archive, tmp_path, monkeypatch
) -> None:
    """A script gives both passwords on standard input: the login's first, then the export's."""
    from accounts import PASSWORD

    from zhuji_archive.cli import main

    out = tmp_path / "加密花名册.xlsx"
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{PASSWORD}\nku6-Lin\n"))
    argv = ["export", "roster", "--db", str(archive.db.path), "--user", archive.actor.login, "--password-stdin"]
    assert main([*argv, "--export-password-stdin", "-o", str(out)]) == 0
    import msoffcrypto

    with open(out, "rb") as file:
        office = msoffcrypto.OfficeFile(file)
        assert office.is_encrypted()
        office.load_key(password="ku6-Lin")
        office.decrypt(io.BytesIO())  # the second line was the opening password


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_protect_asks_twice_on_the_terminal(monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", Tty())
    answers = iter(["ku6-Lin", "ku6-Lin", "ku6-Lin", "ku6-Lim"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert terms([*BOOK, "--protect"]).password == "ku6-Lin"
    with pytest.raises(DomainError, match="不一致"):
        terms([*BOOK, "--protect"])
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(DomainError, match="须在终端中输入"):
        terms([*BOOK, "--protect"])


def test_protect_and_password_stdin_exclude_each_other(capsys) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args([*ROSTER, "--protect", "--export-password-stdin"])
