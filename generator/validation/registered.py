"""A department or category named on the command line, looked up in the registries (departments.yml, portal.yml).

A ledger's own files are checked by the rules, which report findings; a name a command is given is checked here,
once for every command, and an unknown one stops the command with a message that lists the registered names.
"""

from __future__ import annotations

from ..loading.ledger import Ledger
from ..model.schema import Department


class NotRegistered(Exception):
    """The registries do not hold the name a command was given; the message, in Chinese, lists those they do."""


def department(ledger: Ledger, department_id: str) -> Department:
    """The department registered as `department_id` in departments.yml."""
    unit = ledger.departments.get(department_id)
    if unit is None:
        known = "、".join(ledger.departments) or "（departments.yml 无法读取，请先运行 rectify validate）"
        raise NotRegistered(f"部门“{department_id}”没有在 departments.yml 中登记。已登记的部门：{known}")
    return unit


def category(ledger: Ledger, category_id: str) -> str:
    """`category_id`, when portal.yml registers it (or cannot be read: validation reports that file)."""
    categories = [c.id for c in ledger.portal.categories] if ledger.portal else []
    if categories and category_id not in categories:
        raise NotRegistered(f"类别“{category_id}”没有在 portal.yml 中登记。可选：{'、'.join(categories)}")
    return category_id
