"""Demo addresses as villagers write them: village, 自然村 and house number (杜黄村上杜黄12号)."""

from __future__ import annotations

import random

# Prefixes that tell the parts of an old village apart (上杜黄, 下杜黄), and names of hamlets as
# they are common in Zhuji's hills.
PREFIXES = ("上", "下", "前", "后", "东", "西", "新", "里")
HAMLETS = (
    "塘头",
    "山下",
    "王家坞",
    "石桥头",
    "大坞",
    "畈里",
    "溪口",
    "岭脚",
    "竹园里",
    "庙前",
    "墙弄",
    "横路",
    "周家",
    "楼家",
    "湖头",
    "坑口",
)


class DemoPlaces:
    """Gives each group a 自然村 of its village and each household the next house number there.

    Its own random generator (seeded from the demo's seed) keeps the rest of the demo unchanged."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"places-{seed}")
        self.hamlets_of: dict[str, list[str]] = {}  # village name -> its 自然村
        self.place_of_group: dict[str, tuple[str, str]] = {}  # group id -> (village, 自然村)
        self.last_number: dict[tuple[str, str], int] = {}

    def add_group(self, village: str, group_id: str, index: int) -> None:
        """A village's groups are spread over two to four 自然村, in turn."""
        hamlets = self.hamlets_of.get(village)
        if hamlets is None:
            stem = village.removesuffix("村")[-2:]
            named = [f"{p}{stem}" for p in self.rng.sample(PREFIXES, 2)]
            hamlets = named + self.rng.sample(HAMLETS, self.rng.randint(0, 2))
            self.hamlets_of[village] = hamlets
        self.place_of_group[group_id] = (village, hamlets[index % len(hamlets)])

    def address(self, group_id: str) -> str:
        """The next house in the group's 自然村: numbers rise with small gaps, never repeat."""
        place = self.place_of_group[group_id]
        number = self.last_number.get(place, 0) + self.rng.choice((1, 1, 1, 2, 3))
        self.last_number[place] = number
        village, hamlet = place
        return f"{village}{hamlet}{number}号"
