"""the summary's period and state tallies and the to-do's keys: households visited and requests acted
on per week and month, and each day's moves between request states, kept by triggers; the deadline
index carries what the to-do sorts and counts by

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30

The weekly and monthly summary (周报/月报) counts a period's households visited and the requests each
action was taken on, each household or request once however often it was visited or acted on, and the
requests in each state at the period's end. Counted from the village's households, every household of
the village was looked up in the visits and for its requests, and every request in the events: on the
encrypted 400,000-household bench archive one village has 59,000 households, and the monthly summary
took 2.5 s.

``summary_tally`` keeps the distinct counts per week and month (the periods a summary is built for),
village and responsible cadre: a visit adds its household to its week and month when no other visit of
the household lies there, and takes it away when the last one goes; an event does the same for its
request and action (and for "solved", 办结 or 当场解决). ``state_tally`` keeps, per day, village and
cadre, how many requests entered or left each state: a request enters 登记 on its registration day and
each event, in (business date, time, id) order, moves it from the previous event's target to its own;
an event written between two others also changes where the following one starts from. The states at
the end of a day are the sums up to it. When a household's village or cadre changes, or a request's
household, registration day or deleted flag, its counts move with it.

Triggers on SQLite, PL/pgSQL functions on a hub (as in 0008 and 0014), in the transaction of the change,
whoever writes the rows (services, import, demo generator, sync). They run BEFORE the row is written:
PostgreSQL fires AFTER row triggers once the whole statement is done, and a multi-row statement (the
laptop import's COPY) would show each trigger every event of the request at once; before the row, each
sees the rows earlier in the statement and not its own, on both databases. What the archive holds is
counted once here.

The to-do lists the first overdue and due-soon requests and counts them all. ``ix_request_status_deadline``
(status, deadline) now also carries the deleted flag, the list's order (recorded_on, id), the household
and the village (an account's scope): a list takes its first rows and the counts from the index alone,
and reads only the rows it shows (at 400,000 households every open request's row and household were
read and sorted).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


SOLVED = "办结+当场解决"  # 办结 or 当场解决 (the summary's 解决 count)
SOLVING = "('办结', '当场解决')"
PERIODS = ("周报", "月报")


def _start(dialect: str, period: str, day: str) -> str:
    """The first day of the week (Monday) or month holding ``day``."""
    if dialect == "postgresql":
        unit = "week" if period == "周报" else "month"
        return f"CAST(date_trunc('{unit}', {day}) AS date)"
    if period == "周报":
        return f"date({day}, 'weekday 0', '-6 days')"
    return f"date({day}, 'start of month')"


def _start_of(dialect: str, period_column: str, day: str) -> str:
    return (
        f"CASE {period_column} WHEN '周报' THEN {_start(dialect, '周报', day)} "
        f"ELSE {_start(dialect, '月报', day)} END"
    )


def _upsert(dialect: str, select: str) -> str:
    # Every SELECT has a WHERE (SQLite's upsert after a join needs one) and one row per key (PostgreSQL's
    # upsert may not touch one row twice in a statement).
    table = "summary_tally AS t" if dialect == "postgresql" else "summary_tally"
    n = "t.n" if dialect == "postgresql" else "n"
    return (
        f"INSERT INTO {table} (what, period, period_start, village_id, cadre_id, n) {select} "
        f"ON CONFLICT (what, period, period_start, village_id, cadre_id) DO UPDATE SET n = {n} + excluded.n;"
    )


def _live(dialect: str, row: str) -> str:
    """The visit ``row`` is not deleted."""
    return f"NOT {row}.deleted" if dialect == "postgresql" else f"{row}.deleted = 0"


# ---- visits: a household once per week and month -----------------------------------------------
def _visit_body(dialect: str, rows: tuple[str, ...]) -> str:
    """The change of ``rows`` (OLD, NEW or both) to the households visited in each of their periods, run
    before the row is written: after (the new row, or a live visit other than the old row) minus before
    (some live visit of the household there now)."""
    pairs = " UNION ".join(
        f"SELECT {r}.household_id AS h, '{p}' AS pk, {_start(dialect, p, f'{r}.date')} AS ps "
        f"WHERE {_live(dialect, r)}"
        for r in rows
        for p in PERIODS
    )
    live = f"v.household_id = p.h AND {_live(dialect, 'v')} AND {_start_of(dialect, 'p.pk', 'v.date')} = p.ps"
    before = f"CASE WHEN EXISTS (SELECT 1 FROM visit v WHERE {live}) THEN 1 ELSE 0 END"
    other = " AND v.id <> OLD.id" if "OLD" in rows else ""
    new = (
        f"(NEW.household_id = p.h AND {_live(dialect, 'NEW')} "
        f"AND {_start_of(dialect, 'p.pk', 'NEW.date')} = p.ps) OR "
        if "NEW" in rows
        else ""
    )
    after = f"CASE WHEN {new}EXISTS (SELECT 1 FROM visit v WHERE {live}{other}) THEN 1 ELSE 0 END"
    return _upsert(
        dialect,
        "SELECT '走访', d.pk, d.ps, x.village_id, coalesce(x.responsible_cadre_id, ''), d.n "
        f"FROM (SELECT p.h, p.pk, p.ps, {after} - {before} AS n FROM ({pairs}) p) d "
        "JOIN household x ON x.id = d.h WHERE d.n <> 0",
    )


# ---- events: a request once per action (and once for solved) per week and month -----------------
def _keys(dialect: str, row: str, request: str) -> str:
    """(request, what, period, start) of an event row ``row``: its action, and solved for 办结/当场解决."""
    selects = []
    for p in PERIODS:
        start = _start(dialect, p, f'{row}."on"')
        where = "" if row in ("OLD", "NEW") else f" FROM request_event {row} WHERE {request}"
        selects.append(f"SELECT {row}.request_id AS r, {row}.action AS w, '{p}' AS pk, {start} AS ps{where}")
        condition = f"{row}.action IN {SOLVING}"
        if row in ("OLD", "NEW"):
            selects.append(f"SELECT {row}.request_id, '{SOLVED}', '{p}', {start} WHERE {condition}")
        else:
            selects.append(
                f"SELECT {row}.request_id, '{SOLVED}', '{p}', {start} FROM request_event {row} "
                f"WHERE {request} AND {condition}"
            )
    return " UNION ".join(selects)


def _matches(dialect: str, row: str) -> str:
    """The event row ``row`` is of the key p (request, what, period, start)."""
    on = f'{row}."on"'
    return (
        f"{row}.request_id = p.r AND ({row}.action = p.w OR (p.w = '{SOLVED}' AND {row}.action IN {SOLVING})) "
        f"AND {_start_of(dialect, 'p.pk', on)} = p.ps"
    )


def _event_body(dialect: str, rows: tuple[str, ...]) -> str:
    pairs = " UNION ".join(_keys(dialect, r, "") for r in rows)
    # run before the row is written, as for the visits
    before = (
        f"CASE WHEN EXISTS (SELECT 1 FROM request_event e WHERE {_matches(dialect, 'e')}) THEN 1 ELSE 0 END"
    )
    other = " AND e.id <> OLD.id" if "OLD" in rows else ""
    new = f"({_matches(dialect, 'NEW')}) OR " if "NEW" in rows else ""
    after = (
        f"CASE WHEN {new}EXISTS (SELECT 1 FROM request_event e WHERE {_matches(dialect, 'e')}{other}) "
        "THEN 1 ELSE 0 END"
    )
    return _upsert(
        dialect,
        "SELECT d.w, d.pk, d.ps, x.village_id, coalesce(x.responsible_cadre_id, ''), d.n "
        f"FROM (SELECT p.r, p.w, p.pk, p.ps, {after} - {before} AS n FROM ({pairs}) p) d "
        "JOIN request q ON q.id = d.r JOIN household x ON x.id = q.household_id WHERE d.n <> 0",
    )


# ---- moves: a request to another household, a household to another village or cadre ---------------
def _request_move(dialect: str, row: str, sign: int) -> str:
    """Every key of the request's events, for the household ``row`` (OLD or NEW) names."""
    keys = _keys(dialect, "e", "e.request_id = NEW.id")
    return _upsert(
        dialect,
        f"SELECT k.w, k.pk, k.ps, x.village_id, coalesce(x.responsible_cadre_id, ''), {sign} "
        f"FROM ({keys}) k JOIN household x ON x.id = {row}.household_id WHERE 1 = 1",
    )


def _household_move(dialect: str, row: str, sign: int) -> tuple[str, str]:
    """Every week and month the household was visited in, and every key of its requests' events,
    for the village and cadre ``row`` (OLD or NEW) names."""
    scope = f"{row}.village_id, coalesce({row}.responsible_cadre_id, '')"
    visits = " UNION ".join(
        f"SELECT '{p}' AS pk, {_start(dialect, p, 'v.date')} AS ps FROM visit v "
        f"WHERE v.household_id = NEW.id AND {_live(dialect, 'v')}"
        for p in PERIODS
    )
    keys = _keys(dialect, "e", "e.request_id IN (SELECT q.id FROM request q WHERE q.household_id = NEW.id)")
    return (
        _upsert(dialect, f"SELECT '走访', k.pk, k.ps, {scope}, {sign} FROM ({visits}) k WHERE 1 = 1"),
        _upsert(
            dialect,
            f"SELECT k.w, k.pk, k.ps, {scope}, {sign} * count(*) FROM ({keys}) k WHERE 1 = 1 "
            "GROUP BY k.w, k.pk, k.ps",
        ),
    )


_REQUEST_WHEN = "OLD.household_id IS DISTINCT FROM NEW.household_id"
_HOUSEHOLD_WHEN = (
    "OLD.village_id IS DISTINCT FROM NEW.village_id "
    "OR OLD.responsible_cadre_id IS DISTINCT FROM NEW.responsible_cadre_id"
)


# ---- states: each request's state at the end of every day, as changes per day ----------------------
# A request counts from its registration day in 登记; each event, in (business date, time, id) order,
# moves it from the state before (the previous event's target, or 登记) to its target, on its business
# date (or the registration day, if dated before it). The tally keeps those moves summed per day, state,
# village and cadre: the states at the end of a day are the sums up to it (summary_queries.by_status).
def _greatest(dialect: str, a: str, b: str) -> str:
    return f"GREATEST({a}, {b})" if dialect == "postgresql" else f"max({a}, {b})"


def _neighbour(row: str, before: bool, column: str, exclude: str = "") -> str:
    """The ``column`` of the event before (or after) ``row`` among its request's events."""
    cmp, order = ("<", "DESC") if before else (">", "ASC")
    return (
        f"(SELECT x.{column} FROM request_event x WHERE x.request_id = {row}.request_id "
        f'AND (x."on", x.at, x.id) {cmp} ({row}."on", {row}.at, {row}.id){exclude} '
        f'ORDER BY x."on" {order}, x.at {order}, x.id {order} LIMIT 1)'
    )


def _state_upsert(dialect: str, moves: str, scope: tuple[str, str, str]) -> str:
    """Upsert the ``moves`` (day, status, n, hh) summed per key, for the household ``scope`` names."""
    join, village, cadre = scope
    table = "state_tally AS t" if dialect == "postgresql" else "state_tally"
    n = "t.n" if dialect == "postgresql" else "n"
    return (
        f"INSERT INTO {table} (village_id, day, status, cadre_id, n) "
        f"SELECT {village}, d.day, d.status, coalesce({cadre}, ''), sum(d.n) FROM ({moves}) d {join}WHERE 1 = 1 "
        f"GROUP BY {village}, d.day, d.status, coalesce({cadre}, '') HAVING sum(d.n) <> 0 "
        f"ON CONFLICT (village_id, day, status, cadre_id) DO UPDATE SET n = {n} + excluded.n;"
    )


_BY_HOUSEHOLD = ("JOIN household x ON x.id = d.hh ", "x.village_id", "x.responsible_cadre_id")


def _live_request(dialect: str, row: str) -> str:
    return f"NOT {row}.deleted" if dialect == "postgresql" else f"{row}.deleted = 0"


def _event_states(dialect: str, row: str, sign: int, exclude: str = "") -> str:
    """The event ``row`` put into (sign 1) or taken out of (-1) its request's events: the move it makes
    on its day, and the move of the event after it, which now starts from another state."""
    previous = f"coalesce({_neighbour(row, True, 'to_status', exclude)}, '登记')"
    following_on = _neighbour(row, False, '"on"', exclude)
    day = _greatest(dialect, f'{row}."on"', "q.recorded_on")
    next_day = _greatest(dialect, following_on, "q.recorded_on")
    request = f"FROM request q WHERE q.id = {row}.request_id AND {_live_request(dialect, 'q')}"
    moves = " UNION ALL ".join(
        (
            f"SELECT {day} AS day, {previous} AS status, {-sign} AS n, q.household_id AS hh {request}",
            f"SELECT {day}, {row}.to_status, {sign}, q.household_id {request}",
            f"SELECT {next_day}, {previous}, {sign}, q.household_id {request} AND {following_on} IS NOT NULL",
            f"SELECT {next_day}, {row}.to_status, {-sign}, q.household_id {request} AND {following_on} IS NOT NULL",
        )
    )
    return _state_upsert(dialect, moves, _BY_HOUSEHOLD)


def _request_states(dialect: str, requests: str, recorded: str, household: str, sign: int) -> str:
    """Every move of the requests ``requests`` selects (``q``), registered on ``recorded``."""
    events = f"FROM request q JOIN request_event e ON e.request_id = q.id WHERE {requests}"
    day = _greatest(dialect, 'e."on"', recorded)
    previous = f"coalesce({_neighbour('e', True, 'to_status')}, '登记')"
    return " UNION ALL ".join(
        (
            f"SELECT {recorded} AS day, '登记' AS status, {sign} AS n, {household} AS hh "
            f"FROM request q WHERE {requests}",
            f"SELECT {day}, e.to_status, {sign}, {household} {events}",
            f"SELECT {day}, {previous}, {-sign}, {household} {events}",
        )
    )


def _request_body(dialect: str, row: str, sign: int) -> str:
    """The request as its row ``row`` (OLD or NEW) has it: registration day, household, deleted."""
    moves = _request_states(
        dialect,
        f"q.id = {row}.id AND {_live_request(dialect, row)}",
        f"{row}.recorded_on",
        f"{row}.household_id",
        sign,
    )
    return _state_upsert(dialect, moves, _BY_HOUSEHOLD)


def _household_states(dialect: str, row: str, sign: int) -> str:
    moves = _request_states(
        dialect,
        f"q.household_id = NEW.id AND {_live_request(dialect, 'q')}",
        "q.recorded_on",
        "q.household_id",
        sign,
    )
    return _state_upsert(dialect, moves, ("", f"{row}.village_id", f"{row}.responsible_cadre_id"))


_REQUEST_STATE_WHEN = (
    "OLD.deleted IS DISTINCT FROM NEW.deleted OR OLD.recorded_on IS DISTINCT FROM NEW.recorded_on "
    "OR OLD.household_id IS DISTINCT FROM NEW.household_id"
)
# A new request has no events yet, and one deleted for good has lost its events first (their foreign
# key): only its registration is counted.
_REQUEST_NEW = "SELECT NEW.recorded_on AS day, '登记' AS status, 1 AS n, NEW.household_id AS hh WHERE {live}"
_REQUEST_GONE = (
    "SELECT OLD.recorded_on AS day, '登记' AS status, -1 AS n, OLD.household_id AS hh WHERE {live}"
)


def _state_bodies(dialect: str) -> dict[str, dict[str, tuple[str, ...]]]:
    # Run before the row is written: an event's neighbours are the other events as they are now (the
    # old row's own key is excluded by the strict comparison; the new row's by its id).
    exclude = " AND x.id <> OLD.id"
    return {
        "request_event": {
            "INSERT": (_event_states(dialect, "NEW", 1),),
            "DELETE": (_event_states(dialect, "OLD", -1),),
            "UPDATE": (_event_states(dialect, "OLD", -1), _event_states(dialect, "NEW", 1, exclude)),
        },
        "request": {
            "INSERT": (
                _state_upsert(
                    dialect, _REQUEST_NEW.format(live=_live_request(dialect, "NEW")), _BY_HOUSEHOLD
                ),
            ),
            "DELETE": (
                _state_upsert(
                    dialect, _REQUEST_GONE.format(live=_live_request(dialect, "OLD")), _BY_HOUSEHOLD
                ),
            ),
            "UPDATE": (_request_body(dialect, "OLD", -1), _request_body(dialect, "NEW", 1)),
        },
        "household": {
            "UPDATE": (_household_states(dialect, "OLD", -1), _household_states(dialect, "NEW", 1))
        },
    }


STATE_TRIGGERS = (
    ("state_event_insert", "request_event", "INSERT", "BEFORE INSERT ON request_event"),
    ("state_event_delete", "request_event", "DELETE", "BEFORE DELETE ON request_event"),
    (
        "state_event_update",
        "request_event",
        "UPDATE",
        'BEFORE UPDATE OF "on", at, to_status, request_id ON request_event',
    ),
    ("state_request_insert", "request", "INSERT", "BEFORE INSERT ON request"),
    ("state_request_delete", "request", "DELETE", "BEFORE DELETE ON request"),
    (
        "state_request_update",
        "request",
        "UPDATE",
        f"BEFORE UPDATE OF deleted, recorded_on, household_id ON request WHEN {_REQUEST_STATE_WHEN}",
    ),
    (
        "state_household_update",
        "household",
        "UPDATE",
        f"BEFORE UPDATE OF village_id, responsible_cadre_id ON household WHEN {_HOUSEHOLD_WHEN}",
    ),
)
STATE_FUNCTION_OF = {
    "request_event": "state_event",
    "request": "state_request",
    "household": "state_household",
}


def state_recount(dialect: str) -> str:
    """Every request's moves, summed per day, state, village and cadre: the backfill."""
    moves = _request_states(dialect, _live_request(dialect, "q"), "q.recorded_on", "q.household_id", 1)
    return (
        "SELECT x.village_id, d.day, d.status, coalesce(x.responsible_cadre_id, ''), sum(d.n) "
        f"FROM ({moves}) d JOIN household x ON x.id = d.hh "
        "GROUP BY x.village_id, d.day, d.status, coalesce(x.responsible_cadre_id, '') HAVING sum(d.n) <> 0"
    )


def _bodies(dialect: str) -> dict[str, dict[str, tuple[str, ...]]]:
    """Per table, the statements for INSERT, DELETE and UPDATE."""
    return {
        "visit": {
            "INSERT": (_visit_body(dialect, ("NEW",)),),
            "DELETE": (_visit_body(dialect, ("OLD",)),),
            "UPDATE": (_visit_body(dialect, ("OLD", "NEW")),),
        },
        "request_event": {
            "INSERT": (_event_body(dialect, ("NEW",)),),
            "DELETE": (_event_body(dialect, ("OLD",)),),
            "UPDATE": (_event_body(dialect, ("OLD", "NEW")),),
        },
        "request": {"UPDATE": (_request_move(dialect, "OLD", -1), _request_move(dialect, "NEW", 1))},
        "household": {"UPDATE": (*_household_move(dialect, "OLD", -1), *_household_move(dialect, "NEW", 1))},
    }


# name, table, operation, the "BEFORE ..." clause (SQLite's spelling; a hub's trigger takes its timing and event)
TRIGGERS = (
    ("summary_visit_insert", "visit", "INSERT", "BEFORE INSERT ON visit"),
    ("summary_visit_delete", "visit", "DELETE", "BEFORE DELETE ON visit"),
    ("summary_visit_update", "visit", "UPDATE", "BEFORE UPDATE OF deleted, date, household_id ON visit"),
    ("summary_event_insert", "request_event", "INSERT", "BEFORE INSERT ON request_event"),
    ("summary_event_delete", "request_event", "DELETE", "BEFORE DELETE ON request_event"),
    (
        "summary_event_update",
        "request_event",
        "UPDATE",
        'BEFORE UPDATE OF "on", action, request_id ON request_event',
    ),
    (
        "summary_request_update",
        "request",
        "UPDATE",
        f"BEFORE UPDATE OF household_id ON request WHEN {_REQUEST_WHEN}",
    ),
    (
        "summary_household_update",
        "household",
        "UPDATE",
        f"BEFORE UPDATE OF village_id, responsible_cadre_id ON household WHEN {_HOUSEHOLD_WHEN}",
    ),
)
TRIGGER_NAMES = tuple(name for name, *_ in TRIGGERS)
PG_FUNCTION_OF = {
    "visit": "summary_visit",
    "request_event": "summary_event",
    "request": "summary_request",
    "household": "summary_household",
}


def _pg_functions(bodies: dict[str, dict[str, tuple[str, ...]]], names: dict[str, str]) -> list[str]:
    functions = []
    for table, by_op in bodies.items():
        if len(by_op) == 1:
            body = " ".join(by_op["UPDATE"])
        else:
            body = (
                f"IF TG_OP = 'INSERT' THEN {' '.join(by_op['INSERT'])} "
                f"ELSIF TG_OP = 'DELETE' THEN {' '.join(by_op['DELETE'])} "
                f"ELSE {' '.join(by_op['UPDATE'])} END IF;"
            )
        functions.append(
            f"CREATE FUNCTION {names[table]}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {body} IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$"
        )
    return functions


def _pg_trigger(name: str, clause: str, function: str) -> str:
    timing, _, when = clause.partition(" WHEN ")
    return (
        f"CREATE TRIGGER {name} {timing} FOR EACH ROW "
        + (f"WHEN ({when}) " if when else "")
        + f"EXECUTE FUNCTION {function}()"
    )


def _sqlite_trigger(name: str, clause: str, body: tuple[str, ...]) -> str:
    return f"CREATE TRIGGER {name} {clause.replace('IS DISTINCT FROM', 'IS NOT')} BEGIN {' '.join(body)} END"


def recount(dialect: str) -> str:
    """Every week's and month's households visited and requests acted on, counted from every visit and
    event: the backfill, and what tests compare the kept tally with."""
    scope = "x.village_id, coalesce(x.responsible_cadre_id, '')"
    visits = " UNION ALL ".join(
        f"SELECT '走访', '{p}', {_start(dialect, p, 'v.date')}, {scope}, count(DISTINCT v.household_id) "
        f"FROM visit v JOIN household x ON x.id = v.household_id WHERE {_live(dialect, 'v')} "
        "GROUP BY 1, 2, 3, 4, 5"
        for p in PERIODS
    )
    keys = _keys(dialect, "e", "1 = 1")
    events = (
        f"SELECT k.w, k.pk, k.ps, {scope}, count(DISTINCT k.r) FROM ({keys}) k "
        "JOIN request q ON q.id = k.r JOIN household x ON x.id = q.household_id GROUP BY 1, 2, 3, 4, 5"
    )
    return f"{visits} UNION ALL {events}"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "summary_tally",
        sa.Column("what", sa.String(length=12), nullable=False),
        sa.Column("period", sa.String(length=2), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("village_id", sa.String(length=32), nullable=False),
        sa.Column("cadre_id", sa.String(length=32), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "what", "period", "period_start", "village_id", "cadre_id", name=op.f("pk_summary_tally")
        ),
    )
    op.create_table(
        "state_tally",
        sa.Column("village_id", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("cadre_id", sa.String(length=32), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("village_id", "day", "status", "cadre_id", name=op.f("pk_state_tally")),
    )
    op.create_index("ix_state_tally_cadre_day", "state_tally", ["cadre_id", "day"], unique=False)
    op.execute(
        "INSERT INTO summary_tally (what, period, period_start, village_id, cadre_id, n) " + recount(dialect)
    )
    op.execute("INSERT INTO state_tally (village_id, day, status, cadre_id, n) " + state_recount(dialect))
    sets = (
        (TRIGGERS, _bodies(dialect), PG_FUNCTION_OF),
        (STATE_TRIGGERS, _state_bodies(dialect), STATE_FUNCTION_OF),
    )
    for triggers, bodies, functions in sets:
        if dialect == "postgresql":
            for statement in _pg_functions(bodies, functions):
                op.execute(statement)
            for name, table, _operation, clause in triggers:
                op.execute(_pg_trigger(name, clause, functions[table]))
        else:
            for name, table, operation, clause in triggers:
                op.execute(_sqlite_trigger(name, clause, bodies[table][operation]))
    with op.batch_alter_table("request", schema=None) as batch_op:
        batch_op.drop_index("ix_request_status_deadline")
        batch_op.create_index(
            "ix_request_status_deadline",
            ["status", "deadline", "deleted", "recorded_on", "id", "household_id", "village_id"],
            unique=False,
        )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name, table, _operation, _clause in (*TRIGGERS, *STATE_TRIGGERS):
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgresql else ""))
    if postgresql:
        for function in (*PG_FUNCTION_OF.values(), *STATE_FUNCTION_OF.values()):
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
    op.drop_table("summary_tally")
    op.drop_index("ix_state_tally_cadre_day", table_name="state_tally")
    op.drop_table("state_tally")
    with op.batch_alter_table("request", schema=None) as batch_op:
        batch_op.drop_index("ix_request_status_deadline")
        batch_op.create_index("ix_request_status_deadline", ["status", "deadline"], unique=False)
