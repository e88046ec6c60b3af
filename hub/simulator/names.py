"""Plausible Chinese names, place names and phone numbers, drawn from a caller's random stream."""

from __future__ import annotations

import itertools
import random

# Weighted towards surnames common in western Hangzhou (方, 俞, 袁, 申屠 are typical of 桐庐).
_SURNAMES: tuple[tuple[str, int], ...] = (
    ("王", 40),
    ("李", 30),
    ("张", 28),
    ("方", 26),
    ("陈", 26),
    ("俞", 18),
    ("袁", 16),
    ("徐", 16),
    ("吴", 15),
    ("刘", 15),
    ("杨", 12),
    ("赵", 10),
    ("周", 12),
    ("胡", 10),
    ("朱", 9),
    ("何", 8),
    ("叶", 8),
    ("钟", 7),
    ("姚", 6),
    ("孙", 6),
    ("黄", 6),
    ("邵", 5),
    ("蒋", 5),
    ("汪", 5),
    ("潘", 5),
    ("章", 4),
    ("江", 4),
    ("严", 4),
    ("金", 4),
    ("郑", 4),
    ("余", 4),
    ("夏", 3),
    ("许", 3),
    ("雷", 3),
    ("蓝", 3),
    ("申屠", 4),
    ("皇甫", 1),
)
_SURNAME_CHOICES = tuple(name for name, _ in _SURNAMES)
_SURNAME_WEIGHTS = tuple(weight for _, weight in _SURNAMES)
# `choices` accumulates weights on every call; accumulated once, the draws are the same and cheaper.
_SURNAME_CUM_WEIGHTS = tuple(itertools.accumulate(_SURNAME_WEIGHTS))

_MALE_GIVEN = "伟强军建国明华平刚志勇永杰峰斌俊涛浩宇鹏飞海林忠德福荣宏文新亮春东"
_FEMALE_GIVEN = "芳娟秀英华敏静丽霞燕红梅玲兰凤萍琴莉婷雪琳颖佳欣怡丹洁慧月桂珍"
_NEUTRAL_GIVEN = "子晓雨嘉思一天小金国立正云"

_VILLAGE_STEMS = (
    "青山",
    "白云",
    "富春",
    "桐君",
    "梅林",
    "石门",
    "溪口",
    "柳岸",
    "合岭",
    "金竹",
    "横山",
    "里湖",
    "松坞",
    "大源",
    "泉塘",
    "深澳",
    "凤鸣",
    "茆坪",
    "荻浦",
    "环溪",
    "芦茨",
    "青源",
    "紫荆",
    "瑶溪",
    "上杭",
    "下洋",
    "东坞",
    "西岭",
    "南堡",
    "北溪",
    "龙门",
    "岩桥",
    "桃源",
    "杏塘",
    "竹园",
    "柏山",
    "高翔",
    "新桥",
    "洋塘",
    "中门",
    "外杭",
    "陈家",
    "方家",
    "俞家",
    "后岩",
    "前山",
    "双溪",
    "三合",
)
_ROAD_STEMS = (
    "迎春",
    "学圣",
    "白云源",
    "春江",
    "富春",
    "桐君",
    "金竹",
    "梅蓉",
    "大奇山",
    "瑶琳",
    "歌舞",
    "滨江",
)


def person_name(rng: random.Random, *, sex: str, surname: str | None = None) -> str:
    """A one- or two-character given name under a weighted surname (or the given one)."""
    family = (
        surname if surname is not None else rng.choices(_SURNAME_CHOICES, cum_weights=_SURNAME_CUM_WEIGHTS)[0]
    )
    pool = _MALE_GIVEN if sex == "1" else _FEMALE_GIVEN
    if rng.random() < 0.3:
        return family + rng.choice(pool)
    first = rng.choice(_NEUTRAL_GIVEN) if rng.random() < 0.3 else rng.choice(pool)
    return family + first + rng.choice(pool)


def surname_of(name: str) -> str:
    """The surname of a name this module made (compound surnames are two characters)."""
    return name[:2] if name[:2] in _SURNAME_CHOICES else name[:1]


def village_names(rng: random.Random, count: int) -> list[str]:
    """`count` distinct place stems for villages and communities."""
    return rng.sample(_VILLAGE_STEMS, count) if count <= len(_VILLAGE_STEMS) else _extended_stems(rng, count)


def _extended_stems(rng: random.Random, count: int) -> list[str]:
    # Large counties run out of two-character stems; prefixing keeps names distinct and plausible.
    stems = [prefix + stem for prefix in ("", "上", "下", "新", "东", "西") for stem in _VILLAGE_STEMS]
    return rng.sample(stems, count)


def road_name(rng: random.Random) -> str:
    return rng.choice(_ROAD_STEMS) + rng.choice(("路", "街", "大道"))


def mobile_phone(rng: random.Random) -> str:
    """An 11-digit mainland mobile number with a real carrier prefix."""
    prefix = rng.choice(
        ("133", "135", "136", "137", "138", "139", "150", "151", "158", "159", "177", "186", "188")
    )
    return prefix + f"{rng.randrange(100_000_000):08d}"
