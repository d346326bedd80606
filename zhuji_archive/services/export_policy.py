"""What an export may show and how it is protected: masked numbers unless the account may export full
ones and says why, and an optional opening password. Shared by the household and the request exports."""

from __future__ import annotations

from dataclasses import dataclass, replace

from zhuji_archive.domain.accounts import Actor, Capability, PermissionDenied, require
from zhuji_archive.domain.masking import (
    check_export_password,
    check_unmask_reason,
    mask_id_number,
    mask_phone,
)
from zhuji_archive.views.household_file import HouseholdFile
from zhuji_archive.views.villages import VillageInfo


@dataclass(frozen=True)
class ExportTerms:
    """An export's checked terms: masked or not (with the reason), and the opening password if any."""

    masked: bool = True
    reason: str = ""
    password: str | None = None

    def note(self) -> str:
        """How the export was made, for the change log (never the password)."""
        if self.masked:
            text = "身份证号、联系电话已部分隐藏（脱敏）"
        else:
            text = f"完整身份证号和联系电话（未脱敏，理由：{self.reason}）"
        return text + ("，设有打开密码" if self.password else "")


def export_terms(
    actor: Actor | None, masked: bool = True, reason: str | None = None, password: str | None = None
) -> ExportTerms:
    """Check an export's terms before anything is read: full numbers need 导出完整号码 and a reason."""
    if not masked:
        if actor is None:
            raise PermissionDenied("导出完整身份证号和电话须以有权限的账号登录")
        require(actor, Capability.EXPORT_UNMASKED)
        return ExportTerms(False, check_unmask_reason(reason), check_export_password(password))
    return ExportTerms(True, "", check_export_password(password))


def masked_file(file: HouseholdFile) -> HouseholdFile:
    """A copy of a household file with its contact and members' ID and phone numbers masked."""
    members = [
        replace(m, id_number=mask_id_number(m.id_number), phone=mask_phone(m.phone)) for m in file.members
    ]
    copy = replace(file, phone=mask_phone(file.phone))
    copy.members = members
    return copy


def masked_village(info: VillageInfo) -> VillageInfo:
    """A copy of a village's information table with every phone number masked."""
    copy = replace(info)
    for name in ("leaders", "party_members", "reps", "enterprises"):
        setattr(copy, name, [replace(row, phone=mask_phone(row.phone)) for row in getattr(info, name)])
    return copy
