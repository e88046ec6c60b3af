"""Addresses as clerks write them → one comparable form, and how alike two of them are.

The same door is written `桐庐县城南街道3组12号`, `浙江省杭州市桐庐县城南街道3组12号`,
`城南街道三组12号`, `城南街道第3组12` or with full-width digits. Comparison drops the
province/city/county prefix (every address in one county shares it, so it says nothing), folds
width and Chinese numerals, and ignores the filler characters 第, 号 and 号码.
"""

from __future__ import annotations

import functools
import re

from rapidfuzz import fuzz

from hub.resolution.identity import fold_width

# Leading administrative levels: province (省/自治区), city (市/州/地区/盟), county (县/区/旗/市).
# Lazy and anchored, so that a street named …市场 later in the address is never cut; a 社区
# (residents' committee) is below the county and never read as a 区.
_ADMIN_PREFIX = re.compile(
    r"^(?:[^省]{2,7}?(?:省|自治区))?(?:[^市州]{2,7}?(?:市|自治州|地区|盟))?(?:[^县区旗]{1,7}?(?:县|(?<!社)区|旗))?"
)
_FILLER = re.compile(r"号码|号|第|\s+")
_NUMERALS = str.maketrans("〇零一二三四五六七八九", "00123456789")
# Chinese numerals only where they count something (组, 村, 弄, 栋, 幢, 单元, 室, 层, 号), so that
# place names (三合村, 九龙) keep their characters.
_COUNTED = re.compile(r"([〇零一二三四五六七八九十]+)(?=组|弄|栋|幢|单元|室|层|号)")


def _numeral_value(text: str) -> str:
    if "十" not in text:
        return text.translate(_NUMERALS)
    tens, _, units = text.partition("十")
    value = (int(tens.translate(_NUMERALS)) if tens else 1) * 10
    value += int(units.translate(_NUMERALS)) if units else 0
    return str(value)


@functools.lru_cache(maxsize=65536)
def normalise_address(raw: str) -> str:
    """An address in comparable form: width folded, admin prefix, 第/号/号码 and spaces dropped."""
    folded = fold_width(raw).strip()
    folded = _COUNTED.sub(lambda match: _numeral_value(match.group(1)), folded)
    stripped = _ADMIN_PREFIX.sub("", folded)
    # An address that is nothing but the prefix (`桐庐县`) keeps it rather than becoming empty.
    return _FILLER.sub("", stripped or folded)


def address_similarity(left: str, right: str) -> float:
    """How alike two normalised addresses are, 0-100 (rapidfuzz `ratio`)."""
    return float(fuzz.ratio(left, right))
