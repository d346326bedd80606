"""Settings written by two windows at once on a hub: both writes go through and the later value stays,
where an insert of the same new key by the second window used to fail on the key (a program error)."""

from __future__ import annotations

import threading

import pytest
from accounts import migrated_hub, open_archive

from zhuji_archive.storage import setting_queries

KEY = "demo.note"


@pytest.fixture
def hub(request: pytest.FixtureRequest):
    url = migrated_hub("hub_settings_" + request.node.name[-20:].lower())
    first = open_archive(url, "党政办甲")
    second = open_archive(url, "党政办乙")
    yield first, second
    first.close()
    second.close()


def test_the_same_new_setting_written_at_once_by_two_windows_keeps_the_later_value(hub) -> None:
    first, second = hub
    holding = threading.Event()
    release = threading.Event()
    failures: list[BaseException] = []

    def first_window() -> None:
        try:
            with first.db.transaction() as session:
                setting_queries.put(session, KEY, "甲")  # the new key, not yet committed
                holding.set()
                release.wait(10)
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            failures.append(error)

    writer = threading.Thread(target=first_window)
    writer.start()
    assert holding.wait(10)
    # The second window's write waits for the first's row lock, then replaces its value
    second_write = threading.Thread(target=lambda: second.settings.set_text(KEY, "乙"))
    second_write.start()
    second_write.join(0.5)
    assert second_write.is_alive()  # it really waited on the first window's insert
    release.set()
    writer.join(10)
    second_write.join(10)
    assert not failures
    assert first.settings.text(KEY) == "乙" and second.settings.text(KEY) == "乙"


def test_a_setting_changed_in_the_same_session_reads_back_its_new_value(hub) -> None:
    first, _second = hub
    first.settings.set_text(KEY, "一")
    with first.db.transaction() as session:
        from zhuji_archive.storage.models import Setting

        assert session.get(Setting, KEY).value == "一"
        setting_queries.put(session, KEY, "二")
        assert session.get(Setting, KEY).value == "二"
    assert first.settings.text(KEY) == "二"
