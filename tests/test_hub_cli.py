"""The command line on a township hub: ``--db postgresql://…`` for the existing commands, ``hub init``,
``hub import-archive`` of a laptop's demo archive, ``demo --db`` on a hub, and the refusals of what only
a file has (backups, setup). Every hub is a fresh database on the test server (tests/pg_cluster.py);
the laptop archives are real encrypted files, whatever ZHUJI_TEST_DATABASE says."""

from __future__ import annotations

import io
import re
import uuid
from datetime import date
from pathlib import Path

import pg_cluster
import pytest
from accounts import PASSWORD
from sqlalchemy import select

from zhuji_archive.cli import main
from zhuji_archive.domain.reporting import MONTHLY, period_of
from zhuji_archive.services import access, demo_accounts
from zhuji_archive.storage.database import open_hub
from zhuji_archive.storage.tally_models import HouseholdTally, RequestTally
from zhuji_archive.views.audit import IMPORT_ARCHIVE, AuditFilter

DAY = date(2026, 11, 2)
HUB_PASSWORD = "Hub-Chief-2026"
DEMO = demo_accounts.DEMO_PASSWORD
SECRET = "Url-Secret-77"  # the password written in the hub's URL: never shown


@pytest.fixture
def hub_url():
    """A fresh, empty database on the test server; its URL carries a password (the server trusts
    127.0.0.1, so any password connects) that no output may show."""
    server = pg_cluster.cluster()
    name = "hubcli_" + uuid.uuid4().hex[:12]
    url = server.create(name).replace(f"{pg_cluster.SUPERUSER}@", f"{pg_cluster.SUPERUSER}:{SECRET}@", 1)
    yield url
    server.drop(name)


@pytest.fixture(scope="module")
def laptop_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A laptop's demo archive (an encrypted file with its accounts), made once for the module."""
    path = tmp_path_factory.mktemp("laptop") / "笔记本.sqlite3"
    demo_accounts.create_demo(path, households=120, seed=11, today=DAY)
    return path


@pytest.fixture
def laptop(laptop_template: Path, tmp_path: Path) -> Path:
    """A private copy of the laptop archive (the import logs in to it, which writes to its log)."""
    target = tmp_path / "笔记本.sqlite3"
    for suffix in ("", ".keys"):
        target.with_name(target.name + suffix).write_bytes(
            laptop_template.with_name(laptop_template.name + suffix).read_bytes()
        )
    return target


class Cli:
    """main() with standard input given as lines; everything printed is kept for the checks."""

    def __init__(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        self.capsys, self.monkeypatch = capsys, monkeypatch
        self.seen: list[str] = []

    def __call__(self, *argv: str, stdin: tuple[str, ...] = ()) -> tuple[int, str, str]:
        stream = io.StringIO("".join(line + "\n" for line in stdin))
        stream.isatty = lambda: False  # type: ignore[method-assign]
        self.monkeypatch.setattr("sys.stdin", stream)
        code = main(list(argv))
        out, err = self.capsys.readouterr()
        self.seen.append(out + err)
        return code, out, err


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    runner = Cli(capsys, monkeypatch)
    yield runner
    for text in runner.seen:
        assert SECRET not in text  # the URL's password never reaches the screen


def init(cli: Cli, url: str, *extra: str) -> tuple[int, str, str]:
    return cli("hub", "init", "--db", url, "--user", "admin", "--password-stdin", *extra, stdin=(HUB_PASSWORD,))


def households_and_log(url: str) -> tuple[int, int, int]:
    db = open_hub(url)
    try:
        with db.engine.connect() as connection:
            return tuple(  # type: ignore[return-value]
                int(connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar() or 0)
                for table in ("household", "change_log", "account")
            )
    finally:
        db.close()


# ---- hub init --------------------------------------------------------------------------------------------


def test_init_makes_the_administrator_and_the_towns_and_refuses_a_second_init(cli: Cli, hub_url: str) -> None:
    code, _out, err = init(cli, hub_url, "--name", "王管理", "--town", "安华镇", "--town", "枫桥镇",
                           "--county", "诸暨市", "--code", "330681")
    assert code == 0, err
    assert "已初始化" in err and "安华镇、枫桥镇" in err
    with access.unlock(hub_url, "admin", HUB_PASSWORD) as chief:
        assert chief.actor.display_name == "王管理"
        towns = [(node.name, node.kind) for node in chief.organisation.tree()]
    assert sorted(towns) == [("安华镇", "town"), ("枫桥镇", "town")]

    before = households_and_log(hub_url)
    code, _out, err = cli("hub", "init", "--db", hub_url, "--user", "other", "--password-stdin",
                          stdin=("Other-Chief-2026",))
    assert code == 2
    assert err.startswith("错误：") and "已经初始化" in err
    assert households_and_log(hub_url) == before


def test_init_needs_a_hub_address_and_towns_for_a_county(cli: Cli, tmp_path: Path, hub_url: str) -> None:
    code, _out, err = cli("hub", "init", "--db", str(tmp_path / "a.sqlite3"), "--user", "admin",
                          "--password-stdin", stdin=(HUB_PASSWORD,))
    assert code == 2 and "postgresql://" in err
    code, _out, err = init(cli, hub_url, "--county", "诸暨市")
    assert code == 2 and "--town" in err
    assert access.state(hub_url) is access.ArchiveState.NEW


def test_commands_on_an_uninitialised_hub_say_to_run_init(cli: Cli, hub_url: str) -> None:
    code, _out, err = cli("users", "--db", hub_url, "--user", "admin", "--password-stdin", stdin=(HUB_PASSWORD,))
    assert code == 2
    assert "还没有初始化" in err and "hub init" in err


def tallies(location: str | Path) -> dict[str, set[tuple]]:
    """The tally tables' rows that count something (rows fallen to zero stay in place, readers sum)."""
    password = HUB_PASSWORD if isinstance(location, str) else DEMO
    found = {}
    with access.unlock(location, "admin", password) as chief, chief.db.engine.connect() as connection:
        for model, keys in ((HouseholdTally, 3), (RequestTally, 5)):
            rows = connection.execute(select(model.__table__)).all()
            found[model.__tablename__] = {tuple(row) for row in rows if any(tuple(row)[keys:])}
    return found


# ---- hub import-archive ----------------------------------------------------------------------------------


def import_laptop(cli: Cli, laptop: Path, url: str) -> tuple[int, str, str]:
    return cli("hub", "import-archive", str(laptop), "--db", url, "--user", "admin", "--hub-user", "admin",
               "--password-stdin", stdin=(DEMO, HUB_PASSWORD))


def info_lines(cli: Cli, location: str, login: str, password: str) -> list[str]:
    code, out, err = cli("info", "--db", location, "--user", login, "--password-stdin", stdin=(password,))
    assert code == 0, err
    return [line for line in out.splitlines() if not line.startswith(("文件\t", "镇里的数据库\t"))]


def test_import_brings_the_whole_archive_and_its_numbers_and_chain_hold(
    cli: Cli, laptop: Path, hub_url: str
) -> None:
    assert init(cli, hub_url, "--town", "安华镇", "--county", "诸暨市")[0] == 0
    code, out, err = import_laptop(cli, laptop, hub_url)
    assert code == 0, err
    assert "户\t120" in out.splitlines()
    # The hub's administrator kept "admin"; the file's came along under a free login, password unchanged.
    assert "“admin”" in err and "“admin2”" in err
    assert "安华镇" in err  # the town made at init gave way to the file's

    # The same numbers on the hub as in the file: the overview, the dashboard, a month's summary.
    assert info_lines(cli, hub_url, "dangzhengban", DEMO) == info_lines(cli, str(laptop), "dangzhengban", DEMO)
    with access.unlock(laptop, "dangzhengban", DEMO, DAY) as on_file, \
            access.unlock(hub_url, "dangzhengban", DEMO, DAY) as on_hub:
        assert on_hub.dashboard.build() == on_file.dashboard.build()
        month = period_of(MONTHLY, DAY)
        for village_id, _name in on_file.organisation.villages():
            assert on_hub.summaries.build("village", village_id, month) == on_file.summaries.build(
                "village", village_id, month
            )
        assert on_hub.organisation.tree() == on_file.organisation.tree()

    # The running totals were counted by the hub's triggers as the rows arrived, not copied on top.
    on_file = tallies(laptop)
    assert all(on_file.values())
    assert tallies(hub_url) == on_file

    # Both administrators log in; the whole change log verifies as one chain.
    code, out, err = cli("audit", "verify", "--db", hub_url, "--user", "admin", "--password-stdin",
                         stdin=(HUB_PASSWORD,))
    assert code == 0, out + err
    assert "操作日志完整" in out
    code, out, _err = cli("users", "--db", hub_url, "--user", "admin2", "--password-stdin", stdin=(DEMO,))
    assert code == 0 and "admin\t系统管理员" in out and "admin2\t系统管理员" in out
    with access.unlock(hub_url, "admin", HUB_PASSWORD) as chief:
        assert chief.audit.verify().broken is None
        imported = chief.audit.page(AuditFilter(action=IMPORT_ARCHIVE))
        assert len(imported) == 1 and "120 户" in imported[0].content


def test_import_into_a_hub_with_households_is_refused_and_changes_nothing(
    cli: Cli, laptop: Path, hub_url: str
) -> None:
    code, _out, err = cli("demo", "--db", hub_url, "--households", "30", "--seed", "3")
    assert code == 0, err
    before = households_and_log(hub_url)
    code, _out, err = cli("hub", "import-archive", str(laptop), "--db", hub_url, "--user", "admin",
                          "--hub-user", "admin", "--password-stdin", stdin=(DEMO, DEMO))
    assert code == 2
    assert err.startswith("错误：") and "已有 30 户" in err and "没有任何改动" in err
    after = households_and_log(hub_url)
    assert after[0] == before[0] == 30
    assert after[2] == before[2]  # no account came along
    with access.unlock(hub_url, "admin", DEMO) as chief:
        assert chief.audit.verify().broken is None


def test_import_into_an_uninitialised_hub_says_to_run_init(cli: Cli, laptop: Path, hub_url: str) -> None:
    code, _out, err = import_laptop(cli, laptop, hub_url)
    assert code == 2
    assert "hub init" in err
    assert access.state(hub_url) is access.ArchiveState.NEW


def test_import_with_the_wrong_hub_password_is_refused(cli: Cli, laptop: Path, hub_url: str) -> None:
    assert init(cli, hub_url)[0] == 0
    code, _out, err = cli("hub", "import-archive", str(laptop), "--db", hub_url, "--user", "admin",
                          "--hub-user", "admin", "--password-stdin", stdin=(DEMO, "Wrong-2026"))
    assert code == 2 and "密码不正确" in err
    code, _out, err = cli("hub", "import-archive", str(laptop), "--db", hub_url, "--user", "admin",
                          "--hub-user", "admin", "--password-stdin", stdin=(DEMO,))
    assert code == 2 and "第二行" in err
    assert households_and_log(hub_url)[0] == 0


# ---- demo, the existing commands, refusals ---------------------------------------------------------------


def test_demo_builds_the_demo_town_on_an_empty_hub_only(cli: Cli, hub_url: str) -> None:
    code, out, err = cli("demo", "--db", hub_url, "--households", "40", "--seed", "5")
    assert code == 0, err
    assert "40 户" in out and "dangzhengban" in out
    code, out, err = cli("search", "--db", hub_url, "--user", "dangzhengban", "--password-stdin", "村",
                         "--limit", "3", stdin=(DEMO,))
    assert code in (0, 1), err
    lines = info_lines(cli, hub_url, "dangzhengban", DEMO)
    assert "户·合计\t40" in lines
    code, _out, err = cli("demo", "--db", hub_url, "--households", "40")
    assert code == 2 and "已经初始化" in err
    code, _out, err = cli("demo", "--db", hub_url, "--force")
    assert code == 2 and "--force" in err


def test_what_only_a_file_has_is_refused_on_a_hub(cli: Cli, hub_url: str, tmp_path: Path) -> None:
    assert init(cli, hub_url)[0] == 0
    for argv in (
        ("backup", "--db", hub_url),
        ("restore", "--db", hub_url, "--from", str(tmp_path / "x.sqlite3")),
        ("setup", "--db", hub_url),
    ):
        code, _out, err = cli(*argv, "--user", "admin", "--password-stdin", stdin=(HUB_PASSWORD,))
        assert code == 2, argv
        assert err.startswith("错误：") and "镇里的数据库" in err
    assert "pg_dump" in cli.seen[-3] and "README" in cli.seen[-3]
    assert "hub init" in cli.seen[-1]


def test_the_url_password_is_never_shown(cli: Cli, hub_url: str) -> None:
    unreachable_url = re.sub(r"@127\.0\.0\.1:\d+/", "@127.0.0.1:1/", hub_url)
    assert unreachable_url != hub_url
    code, _out, err = cli("users", "--db", unreachable_url, "--user", "admin", "--password-stdin",
                          stdin=(HUB_PASSWORD,))
    assert code in (2, 3) and "127.0.0.1:1/" in err
    assert init(cli, hub_url)[0] == 0
    code, _out, err = cli("users", "--db", hub_url, "--user", "admin", "--password-stdin", stdin=("Wrong-2026",))
    assert code == 2 and "密码不正确" in err
    code, _out, err = cli("--db", hub_url, "users", "--user", "admin", "--password-stdin", stdin=(HUB_PASSWORD,))
    assert code == 0, err
    # The fixture checks every output above for the password.


def test_the_existing_commands_work_on_a_hub(cli: Cli, hub_url: str, tmp_path: Path) -> None:
    """Exports, prints, search, the accounts and the audit check: the same commands as on a file."""
    assert cli("demo", "--db", hub_url, "--households", "40", "--seed", "8")[0] == 0
    office = ("--db", hub_url, "--user", "dangzhengban", "--password-stdin")
    for argv in (
        ("export", "roster", "-o", str(tmp_path / "名册.xlsx")),
        ("export", "ledger", "-o", str(tmp_path / "台账.xlsx")),
        ("print", "blank", "-o", str(tmp_path / "空白户表.pdf")),
        ("print", "book", "--village", "杜黄村", "-o", str(tmp_path / "档案册.pdf")),
        ("print", "summary", "--village", "杜黄村", "--month", "2026-11", "-o", str(tmp_path / "月报.pdf")),
    ):
        code, _out, err = cli(*argv, *office, stdin=(DEMO,))
        assert code == 0, (argv, err)
        assert (tmp_path / argv[-1]).stat().st_size > 0
    code, _out, err = cli("users", "add", "--db", hub_url, "--user", "admin", "--password-stdin", "--login", "zhang",
                          "--name", "张文书", "--role", "党政办", stdin=(DEMO, "Wenshu-Pass-2026"))
    assert code == 0, err
    code, out, err = cli("info", "--db", hub_url, "--user", "zhang", "--password-stdin", stdin=("Wenshu-Pass-2026",))
    assert code == 0, err
    assert "户·合计\t40" in out and f"镇里的数据库\t{access.shown(hub_url)}" in out
    code, out, err = cli("audit", "verify", "--db", hub_url, "--user", "admin", "--password-stdin", stdin=(DEMO,))
    assert code == 0 and "操作日志完整" in out, err


# ---- hub upgrade ----------------------------------------------------------------------------------------


def _downgrade_one(url: str) -> str:
    """The hub as the previous version of the program left it: its schema one revision back."""
    from alembic import command
    from alembic.script import ScriptDirectory

    from zhuji_archive.storage.database import alembic_config, head_revision, make_engine

    previous = ScriptDirectory.from_config(alembic_config()).get_revision(head_revision()).down_revision
    engine = make_engine(url)
    config = alembic_config(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, str(previous))
    engine.dispose()
    return str(previous)


def test_an_older_hub_is_upgraded_only_by_its_administrator_with_hub_upgrade(cli: Cli, hub_url: str) -> None:
    from zhuji_archive.storage.database import head_revision, hub_schema_version

    assert init(cli, hub_url, "--town", "安华镇")[0] == 0
    code, _out, _err = cli("users", "add", "--db", hub_url, "--user", "admin", "--password-stdin",
                           "--login", "banshi", "--name", "党政办小李", "--role", "党政办", stdin=(HUB_PASSWORD, PASSWORD))
    assert code == 0
    previous = _downgrade_one(hub_url)

    # A newer program opening the hub (window or command) does not change it: it says who must upgrade it
    code, _out, err = cli("info", "--db", hub_url, "--user", "banshi", "--password-stdin", stdin=(PASSWORD,))
    assert code != 0 and "hub upgrade" in err
    assert hub_schema_version(hub_url)[0] == previous
    # Only the administrator may upgrade it
    code, _out, err = cli("hub", "upgrade", "--db", hub_url, "--user", "banshi", "--password-stdin", stdin=(PASSWORD,))
    assert code != 0 and "系统管理员" in err
    code, _out, err = cli("hub", "upgrade", "--db", hub_url, "--user", "admin", "--password-stdin", stdin=("Wrong-2026",))
    assert code != 0
    assert hub_schema_version(hub_url)[0] == previous
    code, _out, err = cli("hub", "upgrade", "--db", hub_url, "--user", "admin", "--password-stdin", stdin=(HUB_PASSWORD,))
    assert code == 0, err
    assert f"{previous} 升级到 {head_revision()}" in err
    assert hub_schema_version(hub_url)[0] == head_revision()
    code, _out, err = cli("info", "--db", hub_url, "--user", "banshi", "--password-stdin", stdin=(PASSWORD,))
    assert code == 0, err
    code, _out, err = cli("hub", "upgrade", "--db", hub_url, "--user", "admin", "--password-stdin", stdin=(HUB_PASSWORD,))
    assert code == 0 and "不需要升级" in err
