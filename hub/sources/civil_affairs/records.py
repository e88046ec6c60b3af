"""Rows as civil affairs exports them: CSV in GBK with Chinese column names, every cell text.

Four exports: benefits, assistance applications, 十星级文明户 ratings and 道德银行 moral-point entries.

Dates come as `2024年3月5日` or `2024/3/5`, money as strings, and ID numbers of people born before
1990 sometimes in the legacy 15-digit form: the department's normal shape, parsed by the mapping.
"""

from __future__ import annotations

import datetime as dt
from typing import Final, TypedDict

from hub.sources.fields import CHINA_TZ, parse_chinese_date, parse_or_none

# Column names as the export writes them; the mapping reads cells by these names only.
ID_NUMBER: Final = "身份证号"
NAME: Final = "姓名"
BENEFIT_CATEGORY: Final = "救助类别"
START_DATE: Final = "开始日期"
END_DATE: Final = "结束日期"
MONTHLY_AMOUNT: Final = "月发放金额"
HOUSEHOLD_NO: Final = "户号"
UPDATED_ON: Final = "更新日期"
APPLICATION_NO: Final = "申请编号"
ASSISTANCE_TYPE: Final = "救助类型"
APPLIED_ON: Final = "申请日期"
STATUS: Final = "状态"
DECIDED_ON: Final = "办结日期"
AMOUNT: Final = "金额"
RELATED_CASE_NO: Final = "关联案件编号"
DIVISION_CODE: Final = "区划代码"
RATING_YEAR: Final = "评定年度"
STARS: Final = "星级"
ASSESSED_BY: Final = "评定单位"
ASSESSED_ON: Final = "评定日期"
ENTRY_NO: Final = "流水号"
RECORDED_ON: Final = "记录日期"
POINT_REASON: Final = "积分事由"
POINTS: Final = "积分"
BALANCE: Final = "积分余额"

# Functional syntax: the keys are the export's Chinese column names, data rather than identifiers.
BenefitRow = TypedDict(  # noqa: UP013
    "BenefitRow",
    {
        "身份证号": str,
        "姓名": str,
        "救助类别": str,  # 低保 | 特困 | 残疾人 | 留守老人 | 留守儿童
        "开始日期": str,
        "结束日期": str,
        "月发放金额": str,
        "户号": str,
        "更新日期": str,
    },
    total=False,
)

AssistanceRow = TypedDict(  # noqa: UP013
    "AssistanceRow",
    {
        "申请编号": str,
        "身份证号": str,
        "姓名": str,
        "救助类型": str,
        "申请日期": str,
        "状态": str,  # 受理 | 审核中 | 已批准 | 已拒绝
        "办结日期": str,
        "金额": str,
        "关联案件编号": str,
        "区划代码": str,
        "更新日期": str,
    },
    total=False,
)


HouseholdRatingRow = TypedDict(  # noqa: UP013
    "HouseholdRatingRow",
    {
        "户号": str,
        "评定年度": str,
        "星级": str,  # 0 … 10
        "评定单位": str,  # the assessing 村民委员会 or 居民委员会
        "评定日期": str,
        "更新日期": str,
    },
    total=False,
)

MoralPointRow = TypedDict(  # noqa: UP013
    "MoralPointRow",
    {
        "流水号": str,
        "户号": str,
        "记录日期": str,
        "积分事由": str,  # 志愿服务 | 环境整治 | … | 积分兑换 | 违反村规民约
        "积分": str,  # signed: "10", "-20"
        "积分余额": str,
        "更新日期": str,
    },
    total=False,
)


def benefit_id(row: BenefitRow) -> str:
    """The export has no benefit number: a benefit is one person's category from one start date.

    The person is their ID number as written, or name and 户号 when the row has no ID.
    """
    who = row.get(ID_NUMBER, "").strip() or "+".join(
        part for part in (row.get(NAME, "").strip(), row.get(HOUSEHOLD_NO, "").strip()) if part
    )
    parts = (who, row.get(BENEFIT_CATEGORY, "").strip(), row.get(START_DATE, "").strip())
    return "/".join(parts) if all(parts) else ""


def assistance_id(row: AssistanceRow) -> str:
    """The record id civil affairs gives an assistance application (申请编号)."""
    return row.get(APPLICATION_NO, "").strip()


def rating_id(row: HouseholdRatingRow) -> str:
    """A household is assessed once a year: its 户号 and the year assessed (empty when either is missing)."""
    parts = (row.get(HOUSEHOLD_NO, "").strip(), row.get(RATING_YEAR, "").strip())
    return "/".join(parts) if all(parts) else ""


def moral_point_id(row: MoralPointRow) -> str:
    """The record id the moral bank gives an entry (流水号)."""
    return row.get(ENTRY_NO, "").strip()


def changed_at(row: BenefitRow | AssistanceRow | HouseholdRatingRow | MoralPointRow) -> dt.datetime | None:
    """The export's 更新日期 as the start of that day (the export filters by whole days)."""
    day = parse_or_none(parse_chinese_date, (row.get(UPDATED_ON) or "").strip())
    return dt.datetime.combine(day, dt.time(), tzinfo=CHINA_TZ) if day else None
