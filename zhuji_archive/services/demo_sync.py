"""The sync demo (issue 14): a township hub and two enrolled village laptops made from the demo town, and
one sync round through sync files, so that a newcomer sees the flow (``zhuji-archive demo --sync 文件夹``).

In ``folder``: the hub (``镇里.sqlite3``, the demo town with its demo accounts, unless a PostgreSQL hub's
address is given), two 驻村干部's laptops of different villages made with ``join`` from their enrolment
files, and ``U盘/`` with the sync files and receipts of the round. On each laptop the cadre edits a
household's 备注 and 联系电话 and records a visit; at the hub 党政办 edits another household in laptop A's
village. Then each laptop exports, the hub applies both files (writing the receipts), and each laptop
applies its receipt: both laptops' edits are at the hub, the hub's edit is on laptop A and not on laptop
B, whose villages it does not touch. A third enrolment file is left unjoined for trying 从镇里领取档案 in
the window. Every account's password is the demo's (``Demo-2026``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from zhuji_archive.domain.accounts import Role
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.workflow import Action, Classification, Level
from zhuji_archive.services import access, demo_accounts
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.household_list import HouseholdFilter
from zhuji_archive.services.sync import ApplyResult, join

HUB_FILE = "镇里.sqlite3"
USB_FOLDER = "U盘"
ENROL_FOLDER = "登记文件"
OFFICE_LOGIN = "dangzhengban"
LAPTOP_NOTE = "演示同步：{name}在笔记本上修改"
HUB_NOTE = "演示同步：镇里党政办修改"
VISIT_NOTE = "演示同步：笔记本上记录的走访"
REQUEST_TEXT = "演示同步：村道路灯损坏，请求镇里协调修复"


@dataclass
class DemoEdit:
    """One edit the demo made: which household (its village, group and 户号) and what."""

    household_id: str
    label: str  # 村 组 户号 as people find it in the list
    what: str


@dataclass
class DemoLaptop:
    """One enrolled laptop of the demo."""

    letter: str  # A, B
    login: str
    name: str
    villages: str  # the village names of its scope
    path: Path  # the laptop's archive file
    enrolment: Path
    code: str
    edits: list[DemoEdit] = field(default_factory=list)
    visit_id: str = ""
    request_id: str = ""  # laptop A: a request recorded, sorted as 镇级 and 上报镇
    request_number: str = ""
    sync_file: Path | None = None
    at_hub: ApplyResult | None = None  # applying its sync file at the hub
    receipt: ApplyResult | None = None  # applying the hub's receipt on the laptop


@dataclass
class SyncDemo:
    """Where everything is and what the round did."""

    folder: Path
    hub: Path | str  # the SQLite hub file, or the PostgreSQL hub's address
    households: int
    laptops: list[DemoLaptop]
    hub_edit: DemoEdit
    usb: Path
    spare: DemoLaptop  # enrolled, not joined: for 从镇里领取档案 in the window
    password: str = demo_accounts.DEMO_PASSWORD
    office_login: str = OFFICE_LOGIN


def prepare_folder(folder: Path) -> None:
    """The demo's folder must be new or empty: the demo never overwrites anything."""
    if folder.exists() and not folder.is_dir():
        raise DomainError(f"“{folder}”是一个文件，请给出一个新的或空的文件夹。")
    if folder.is_dir() and any(folder.iterdir()):
        raise DomainError(f"文件夹“{folder}”里已有文件。演示同步不覆盖任何文件，请给出一个新的或空的文件夹。")
    folder.mkdir(parents=True, exist_ok=True)


def build(
    folder: Path,
    hub: str | None = None,
    households: int = 600,
    seed: int = 2008,
    progress: Callable[[int, int], None] | None = None,
    step: Callable[[str], None] | None = None,
) -> SyncDemo:
    """Build the hub (``hub``: a PostgreSQL hub's address with no archive yet; None: a file in
    ``folder``), enrol and join two laptops, edit on both sides and run one sync round."""
    say = step or (lambda _text: None)
    folder = Path(folder)
    prepare_folder(folder)
    where: Path | str = hub if hub else folder / HUB_FILE
    if hub and access.state(hub) is not access.ArchiveState.NEW:
        raise DomainError(
            f"镇里的数据库“{access.shown(hub)}”已经初始化（已有账号），演示同步只能建在空的数据库上。未作改动。"
        )
    say("正在生成镇里的演示数据库（安华镇）…")
    _summary, accounts = demo_accounts.create_demo(where, households=households, seed=seed, progress=progress)
    office = access.unlock(where, OFFICE_LOGIN, demo_accounts.DEMO_PASSWORD)
    opened: list[Archive] = [office]
    try:
        cadres = _three_cadres(office, accounts)
        enrolments = folder / ENROL_FOLDER
        enrolments.mkdir()
        laptops: list[DemoLaptop] = []
        for letter, account in zip(("A", "B", "C"), cadres, strict=True):
            say(f"正在为驻村干部{account.name}（{account.scope}）登记笔记本{letter}…")
            enrolment = office.sync.enrol_device(f"演示笔记本{letter}", account.login)
            file = enrolments / f"笔记本{letter}-{account.login}.zjenrol"
            file.write_bytes(enrolment.data)
            laptops.append(
                DemoLaptop(letter, account.login, account.name, account.scope,
                           folder / f"笔记本{letter}-{account.scope}.sqlite3", file, enrolment.code)
            )
        *joined, spare = laptops
        archives: list[Archive] = []
        for laptop in joined:
            say(f"笔记本{laptop.letter}正在用登记文件领取档案…")
            archive = join(laptop.enrolment, laptop.path, demo_accounts.DEMO_PASSWORD, laptop.code)
            opened.append(archive)
            archives.append(archive)
        for laptop, archive in zip(joined, archives, strict=True):
            say(f"笔记本{laptop.letter}上：修改一户的备注和联系电话，记一次走访…")
            first = _households(archive, None)[0]
            phone = "1380000000" + str(len(laptop.edits) + ord(laptop.letter) - ord("A") + 1)  # made up
            laptop.edits.append(_edit(archive, first.id, LAPTOP_NOTE.format(name=laptop.name), phone))
            laptop.visit_id = archive.maintenance.record_visit(
                first.id, archive.clock.today(), "回访", laptop.name, VISIT_NOTE
            )
            laptop.edits.append(DemoEdit(first.id, laptop.edits[0].label, "新记一次回访"))
        first_a = joined[0].edits[0].household_id
        say("笔记本A上：登记一条诉求，梳理为镇级，上报镇…")
        requests = archives[0].requests
        joined[0].request_id = requests.record(first_a, "基础设施", REQUEST_TEXT)
        requests.act(joined[0].request_id, Action.SORT, Classification("基础设施", "共性", "近期一时难以解决", Level.TOWN))
        requests.act(joined[0].request_id, Action.REPORT, None)
        say("镇里：党政办修改笔记本A所在村的另一户的备注…")
        village_a = sorted(access.actor_of(office.db, joined[0].login).villages or ())
        others = [row for row in _households(office, village_a[0]) if row.id != joined[0].edits[0].household_id]
        hub_edit = _edit(office, others[0].id, HUB_NOTE, None)
        usb = folder / USB_FOLDER
        for laptop, archive in zip(joined, archives, strict=True):
            say(f"笔记本{laptop.letter}生成同步文件，镇里导入…")
            laptop.sync_file = archive.sync.export(usb)
            laptop.at_hub = office.sync.apply(laptop.sync_file)
        for laptop, archive in zip(joined, archives, strict=True):
            say(f"笔记本{laptop.letter}导入镇里的回执…")
            assert laptop.at_hub is not None and laptop.at_hub.receipt_path is not None
            laptop.receipt = archive.sync.apply_receipt(laptop.at_hub.receipt_path)
        # the number as the township gave it (the receipt brings it back when the hub had to renumber)
        joined[0].request_number = archives[0].requests.detail(joined[0].request_id).row.number
        return SyncDemo(folder, where, households, joined, hub_edit, usb, spare)
    finally:
        for archive in reversed(opened):
            archive.close()


def _three_cadres(office: Archive, accounts: list[demo_accounts.DemoAccount]) -> list[demo_accounts.DemoAccount]:
    """Three 驻村干部 accounts whose villages do not overlap (A, B joined; C for the window)."""
    chosen: list[demo_accounts.DemoAccount] = []
    taken: set[str] = set()
    for account in accounts:
        if account.role != Role.CADRE.label:
            continue
        villages = set(access.actor_of(office.db, account.login).villages or ())
        if villages and not villages & taken and all(
            office.household_list.count(HouseholdFilter(village_id=v)) >= 2 for v in villages
        ):
            chosen.append(account)
            taken |= villages
        if len(chosen) == 3:
            return chosen
    raise DomainError("演示镇里找不到三位负责不同村、各村都有档案的驻村干部，请多生成一些户（--households）。")


def _households(archive: Archive, village_id: str | None) -> list:  # type: ignore[type-arg]
    return archive.household_list.page(HouseholdFilter(village_id=village_id, sort="group"), limit=5)


def _edit(archive: Archive, household_id: str, note: str, phone: str | None) -> DemoEdit:
    file = archive.households.load(household_id)
    file.notes = note
    what = "备注"
    if phone is not None:
        file.phone = phone
        what = "备注、联系电话"
    archive.households.save(file)
    label = f"{file.village_name}{file.group_name}{file.number}号户"
    return DemoEdit(household_id, label, what)
