"""The entry point to the services: an open archive acting for one logged-in account.

Archives are opened by logging in (services/access.py), which gives the account (``Actor``) that
every service checks before it reads or writes."""

from __future__ import annotations

from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING

from zhuji_archive import __version__
from zhuji_archive.domain.accounts import Actor
from zhuji_archive.services.accounts import AccountService
from zhuji_archive.services.audit import AuditService
from zhuji_archive.services.backups import BackupService
from zhuji_archive.services.clock import Clock
from zhuji_archive.services.codelists import CodeListService
from zhuji_archive.services.dashboard import DashboardService
from zhuji_archive.services.disclosure import NumberDisclosure
from zhuji_archive.services.household_list import HouseholdListService
from zhuji_archive.services.households import HouseholdService
from zhuji_archive.services.maintenance import MaintenanceService
from zhuji_archive.services.meetings import MeetingService
from zhuji_archive.services.organisation import OrganisationService
from zhuji_archive.services.requests import RequestService
from zhuji_archive.services.service_links import ServiceLinkService
from zhuji_archive.services.settings import SettingsService
from zhuji_archive.services.summaries import SummaryService
from zhuji_archive.services.villages import VillageService
from zhuji_archive.storage.backup_files import BackupFile
from zhuji_archive.storage.database import Database

if TYPE_CHECKING:  # imported when first used: they pull in openpyxl, reportlab and calamine
    from zhuji_archive.services.exports import ExportService
    from zhuji_archive.services.importing import ImportService
    from zhuji_archive.services.request_exports import RequestExportService
    from zhuji_archive.services.sync import SyncService


class Archive:
    """One open archive file and the services over it, acting for one account."""

    def __init__(self, db: Database, actor: Actor, today: date | None = None) -> None:
        self.db = db
        self.actor = actor
        self.operator = actor.display_name  # the name the change log and printouts show
        # Every service below is made for ``actor`` and checks its role and scope on each call.
        self.clock = Clock(today)  # every service's "today"; set it for tests and demos
        self.daily_backup: BackupFile | None = None  # made by this login (services/access.py)

    @classmethod
    def start(cls, db: Database, actor: Actor, today: date | None = None) -> Archive:
        """The archive just opened by logging in: code lists seeded, this version recorded."""
        archive = cls(db, actor, today)
        if not db.read_only:
            archive.codes.ensure_seeded()
            archive.settings.record_app_version(__version__)
        return archive

    def acting_as(self, actor: Actor, today: date | None = None) -> Archive:
        """The same open file seen by another account (a second window, a test of permissions)."""
        return Archive(self.db, actor, today or self.clock.fixed)

    @cached_property
    def accounts(self) -> AccountService:
        return AccountService(self.db, self.actor)

    @cached_property
    def audit(self) -> AuditService:
        return AuditService(self.db, self.actor, self.clock)

    @cached_property
    def households(self) -> HouseholdService:
        return HouseholdService(self.db, self.actor, self.clock)

    @cached_property
    def backups(self) -> BackupService:
        return BackupService(self.db, self.actor, self.settings, self.clock)

    @cached_property
    def household_list(self) -> HouseholdListService:
        return HouseholdListService(self.db, self.actor, self.audit, self.numbers)

    @cached_property
    def numbers(self) -> NumberDisclosure:
        """Masked or full numbers in this account's lists, and the logged reveal of a full one."""
        return NumberDisclosure(self.db, self.actor, self.settings)

    @cached_property
    def organisation(self) -> OrganisationService:
        return OrganisationService(self.db, self.actor)

    @cached_property
    def villages(self) -> VillageService:
        return VillageService(self.db, self.actor)

    @cached_property
    def codes(self) -> CodeListService:
        return CodeListService(self.db, self.actor)

    @cached_property
    def settings(self) -> SettingsService:
        return SettingsService(self.db, self.actor)

    @cached_property
    def requests(self) -> RequestService:
        return RequestService(self.db, self.actor, self.settings, self.clock)

    @cached_property
    def meetings(self) -> MeetingService:
        return MeetingService(self.requests)

    @cached_property
    def summaries(self) -> SummaryService:
        return SummaryService(self.db, self.actor, self.clock)

    @cached_property
    def exports(self) -> ExportService:
        from zhuji_archive.services.exports import ExportService

        return ExportService(self.db, self.actor, self.settings, self.clock)

    @cached_property
    def request_exports(self) -> RequestExportService:
        from zhuji_archive.services.request_exports import RequestExportService

        return RequestExportService(
            self.db, self.actor, self.requests, self.meetings, self.summaries, self.codes, self.clock
        )

    @cached_property
    def sync(self) -> SyncService:
        from zhuji_archive.services.sync import SyncService

        return SyncService(self.db, self.actor)

    @cached_property
    def maintenance(self) -> MaintenanceService:
        return MaintenanceService(self.db, self.actor, self.settings, self.requests, self.clock)

    @cached_property
    def service_links(self) -> ServiceLinkService:
        return ServiceLinkService(self.db, self.actor, self.settings, self.maintenance)

    @cached_property
    def dashboard(self) -> DashboardService:
        return DashboardService(self.db, self.actor, self.settings, self.maintenance)

    @cached_property
    def importer(self) -> ImportService:
        from zhuji_archive.domain.backup_rotation import BackupKind
        from zhuji_archive.services.importing import ImportService

        return ImportService(
            self.db, self.actor, self.clock, before_writing=lambda: self.backups.before(BackupKind.IMPORT)
        )

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
