"""Names as sounds: surname-aware pinyin, and how alike two people's names are.

Clerks key a name by its sound, so a homophone (王伟 → 汪玮) is the commonest way one person
becomes two. Comparing the characters alone is coarse on two-character names (one character off
scores 50 with `fuzz.ratio`), so names are compared on their toneless pinyin as well.

pypinyin reads a character by its common reading, not as a surname: 曾 → ceng, 单 → dan,
解 → jie (pypinyin has no surname mode; mozillazg/python-pinyin#297 asks for one). Surnames are
read here from a small table of polyphonic and compound surnames, and the given name by pypinyin,
one character at a time (a given name is not a phrase; reading it in context would let one altered
character change its neighbours' readings).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from pypinyin import Style, lazy_pinyin
from rapidfuzz import fuzz

from hub.resolution.identity import normalise_name

# Compound surnames (复姓), read as surnames. A name starts with one of these only when it has at
# least three characters; 东方明 is 东方 + 明, but 东方 alone is 东 + 方.
COMPOUND_SURNAMES: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        "欧阳": ("ou", "yang"),
        "司马": ("si", "ma"),
        "上官": ("shang", "guan"),
        "诸葛": ("zhu", "ge"),
        "东方": ("dong", "fang"),
        "皇甫": ("huang", "fu"),
        "尉迟": ("yu", "chi"),
        "公孙": ("gong", "sun"),
        "慕容": ("mu", "rong"),
        "司徒": ("si", "tu"),
        "夏侯": ("xia", "hou"),
        "令狐": ("ling", "hu"),
        "长孙": ("zhang", "sun"),
        "宇文": ("yu", "wen"),
        "申屠": ("shen", "tu"),
        "万俟": ("mo", "qi"),
        "单于": ("chan", "yu"),
        "澹台": ("tan", "tai"),
        "钟离": ("zhong", "li"),
        "轩辕": ("xuan", "yuan"),
        "端木": ("duan", "mu"),
        "呼延": ("hu", "yan"),
        "南宫": ("nan", "gong"),
        "乐正": ("yue", "zheng"),
        "闻人": ("wen", "ren"),
        "赫连": ("he", "lian"),
        "公羊": ("gong", "yang"),
        "太叔": ("tai", "shu"),
    }
)

# Single-character surnames whose surname reading differs from pypinyin's default reading
# (after the 百家姓 readings listed in mozillazg/python-pinyin#297).
SURNAME_READINGS: MappingProxyType[str, str] = MappingProxyType(
    {
        "曾": "zeng",
        "单": "shan",
        "解": "xie",
        "区": "ou",
        "仇": "qiu",
        "朴": "piao",
        "查": "zha",
        "翟": "zhai",
        "盖": "ge",
        "缪": "miao",
        "瞿": "qu",
        "覃": "qin",
        "秘": "bi",
        "冼": "xian",
        "华": "hua",
        "过": "guo",
        "纪": "ji",
        "种": "chong",
        "繁": "po",
        "重": "chong",
        "乐": "yue",
        "那": "na",
        "牟": "mou",
        "员": "yun",
        "贠": "yun",
        "召": "shao",
        "句": "gou",
        "宿": "su",
        "折": "she",
        "祭": "zhai",
        "藏": "zang",
        "薄": "bo",
        "柏": "bai",
        "车": "che",
        "任": "ren",
        "燕": "yan",
        "葛": "ge",
        "都": "du",
        "阚": "kan",
        "沈": "shen",
        "石": "shi",
        "尉": "wei",
        "隗": "wei",
        "蕃": "pi",
        "朝": "chao",
        "长": "chang",
        "曲": "qu",
        "应": "ying",
        "行": "xing",
        "能": "nai",
        "佴": "nai",
        "难": "nan",
        "粘": "nian",
        "扎": "za",
        "哈": "ha",
        "居": "ju",
        "塔": "ta",
        "和": "he",
        "殷": "yin",
        "陆": "lu",
        "六": "lu",
        "乜": "nie",
        "叶": "ye",
        "强": "qiang",
        "称": "cheng",
        "南": "nan",
        "卜": "bu",
        "鸟": "niao",
        "寻": "xun",
        "於": "yu",
        "余": "yu",
        "艾": "ai",
        "浣": "wan",
        "无": "wu",
        "许": "xu",
        "俞": "yu",
        "贾": "jia",
        "盛": "sheng",
        "翁": "weng",
    }
)


@dataclass(frozen=True, slots=True)
class SpokenName:
    """A normalised name, split into surname and given name, with each part's toneless pinyin."""

    name: str
    surname: str
    given: str
    surname_pinyin: tuple[str, ...]
    given_pinyin: tuple[str, ...]

    @property
    def pinyin(self) -> tuple[str, ...]:
        """The whole name's syllables, surname first."""
        return self.surname_pinyin + self.given_pinyin

    @property
    def pinyin_text(self) -> str:
        """The syllables joined by spaces: the form rapidfuzz compares."""
        return " ".join(self.pinyin)


class NameAgreement(StrEnum):
    """How two names compare, strongest first."""

    EXACT = "exact"  # the same characters once normalised (traditional, width, stray spaces)
    HOMOPHONE = "homophone"  # the same toneless pinyin (王伟 / 汪玮)
    SIMILAR = "similar"  # pinyin or characters close (one syllable off in a longer name)
    DIFFERENT = "different"


# A name counts as SIMILAR only when it has at least three syllables and exactly one differs
# (王晓明 / 王晓鸣 misread, 王小明 / 王晓明). With two syllables one differing syllable is a
# different given name far more often than a typo: `wang wei` / `wang fei` scores 87.5 with
# `fuzz.ratio`, so no ratio threshold separates the two cases; syllable counting does.
SIMILAR_MIN_SYLLABLES = 3


@functools.lru_cache(maxsize=8192)
def _char_pinyin(char: str) -> str:
    # errors="default" keeps non-Chinese characters (Latin letters, the middle dot) as they are.
    return lazy_pinyin(char, style=Style.NORMAL, errors="default")[0].lower()


def split_surname(name: str) -> tuple[str, str]:
    """Surname and given name of a normalised name: a compound surname when the name has 3+ characters."""
    if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES:
        return name[:2], name[2:]
    return name[:1], name[1:]


def surname_pinyin(surname: str) -> tuple[str, ...]:
    """The toneless pinyin of a surname, with surname readings (曾 → zeng, 单 → shan, 解 → xie)."""
    if surname in COMPOUND_SURNAMES:
        return COMPOUND_SURNAMES[surname]
    return tuple(SURNAME_READINGS.get(char) or _char_pinyin(char) for char in surname)


@functools.lru_cache(maxsize=65536)
def spoken_name(raw: str) -> SpokenName:
    """The name as it sounds: normalised (see `normalise_name`), split, and read as toneless pinyin.

    Transliterated names (阿依古丽·买买提) keep their separator out of the syllables.
    """
    name = normalise_name(raw)
    surname, given = split_surname(name)
    syllables = tuple(_char_pinyin(char) for char in given if not char.isspace() and char not in "·•.")
    return SpokenName(name, surname, given, surname_pinyin(surname), syllables)


def compare_names(left: SpokenName, right: SpokenName) -> tuple[NameAgreement, float]:
    """How alike two names are: the agreement level and the better rapidfuzz ratio (0-100).

    The ratio is the better of the characters' and the pinyin's (a homophone scores 100 on pinyin);
    it is evidence for a reviewer, the level is what the score uses.
    """
    if left.name == right.name:
        return NameAgreement.EXACT, 100.0
    if left.pinyin == right.pinyin:
        return NameAgreement.HOMOPHONE, 100.0
    ratio = max(fuzz.ratio(left.name, right.name), fuzz.ratio(left.pinyin_text, right.pinyin_text))
    syllables = len(left.pinyin)
    if syllables >= SIMILAR_MIN_SYLLABLES and syllables == len(right.pinyin):
        differing = sum(a != b for a, b in zip(left.pinyin, right.pinyin, strict=True))
        if differing == 1:
            return NameAgreement.SIMILAR, ratio
    return NameAgreement.DIFFERENT, ratio
