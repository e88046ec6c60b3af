"""How personal data is masked on display (GB/T 35273), for the API and the auditors' reports alike.

Names keep their first character, ID numbers at most the first 6 and last 4 characters (the birth
date is always hidden), phone numbers `138****5678`.
"""

from __future__ import annotations


def mask_name(name: str) -> str:
    return name[:1] + "*" * max(len(name) - 1, 1)


def mask_id_number(id_number: str) -> str:
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 11 else "*" * len(phone)
