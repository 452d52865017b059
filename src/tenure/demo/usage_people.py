"""The people who use the product at each demo account: names, emails and titles."""

from __future__ import annotations

import itertools
import logging
import random
import re
from dataclasses import dataclass

from tenure.demo.names import (
    CHINA_CITIES,
    CHINESE_GIVEN,
    CHINESE_SURNAMES,
    ENGLISH_FIRST,
    ENGLISH_LAST,
)

log = logging.getLogger(__name__)

# (English, Chinese) job titles; the first ones are the buyers who administer it.
TITLES = (
    ("Head of Operations", "运营总监"),
    ("Finance Manager", "财务经理"),
    ("Sales Manager", "销售经理"),
    ("Operations Specialist", "运营专员"),
    ("Data Analyst", "数据分析师"),
    ("Accountant", "会计"),
    ("Account Executive", "客户经理"),
    ("Customer Service Lead", "客服主管"),
    ("Software Engineer", "软件工程师"),
    ("Project Manager", "项目经理"),
    ("Marketing Specialist", "市场专员"),
    ("Office Administrator", "行政专员"),
)
# Pinyin of the characters that start demo brand names, for email domains.
_PINYIN = dict(
    zip(
        "云星华天博海智易宏恒凌鼎卓汇中精远新金明瑞嘉盛启安信泰和诚立"
        "帆河纳联达图通越创科景锐桥德丰源辰航宇晟峰澜拓捷",
        [
            "yun",
            "xing",
            "hua",
            "tian",
            "bo",
            "hai",
            "zhi",
            "yi",
            "hong",
            "heng",
            "ling",
            "ding",
            "zhuo",
            "hui",
            "zhong",
            "jing",
            "yuan",
            "xin",
            "jin",
            "ming",
            "rui",
            "jia",
            "sheng",
            "qi",
            "an",
            "xin",
            "tai",
            "he",
            "cheng",
            "li",
            "fan",
            "he",
            "na",
            "lian",
            "da",
            "tu",
            "tong",
            "yue",
            "chuang",
            "ke",
            "jing",
            "rui",
            "qiao",
            "de",
            "feng",
            "yuan",
            "chen",
            "hang",
            "yu",
            "sheng",
            "feng",
            "lan",
            "tuo",
            "jie",
        ],
        strict=True,
    )
)
_CITY_CN = {
    english: chinese for cities in CHINA_CITIES.values() for chinese, english in cities
}
_SUFFIX_WORDS = {
    "ltd",
    "ltd.",
    "inc.",
    "llc",
    "plc",
    "pte.",
    "pty",
    "gmbh",
    "ag",
    "sas",
}


@dataclass(frozen=True)
class Person:
    """A product user: Segment ``userId``, traits and how often they work in it."""

    user_id: str
    name: str
    email: str
    title: str
    role: str
    propensity: float  # chance of being active on an ordinary working day


def email_domain(account: dict[str, str], taken: set[str]) -> str:
    """Return a new ``*.example`` domain for an account, from its name if possible."""
    name = account["name"]
    if account["country"] == "China":
        brand = name.removeprefix(_CITY_CN.get(account["city"], ""))[:2]
        stem = "".join(_PINYIN.get(ch, "") for ch in brand)
        if len(stem) < 4:
            stem = account["account_id"].lower()
    else:
        words = [w for w in name.split() if w.lower() not in _SUFFIX_WORDS]
        stem = "-".join(re.sub(r"[^a-z0-9]", "", w.lower()) for w in words[:2])
    city = account["city"].lower().replace(" ", "")
    candidates = itertools.chain(
        (stem, f"{stem}-{city}"), (f"{stem}{n}" for n in itertools.count(2))
    )
    domain = next(c for c in candidates if c not in taken)
    taken.add(domain)
    return f"{re.sub(r'[^a-z0-9-]', '', domain)}.example"


def _name(rng: random.Random, chinese: bool) -> tuple[str, str]:
    """Return a display name and an email local part."""
    if chinese:
        surname, surname_latin = rng.choice(CHINESE_SURNAMES)
        given, given_latin = rng.choice(CHINESE_GIVEN)
        return surname + given, f"{given_latin}.{surname_latin}"
    first, last = rng.choice(ENGLISH_FIRST), rng.choice(ENGLISH_LAST)
    return f"{first} {last}", f"{first}.{last}".lower()


def people(
    rng: random.Random, account: dict[str, str], domain: str, count: int
) -> list[Person]:
    """Return ``count`` users of an account, the most engaged ones first."""
    chinese_account = account["country"] == "China"
    result: list[Person] = []
    locals_taken: set[str] = set()
    for index in range(count):
        chinese = chinese_account and rng.random() < 0.92
        name, local = _name(rng, chinese)
        base, n = local, 2
        while local in locals_taken:
            local, n = f"{base}{n}", n + 1
        locals_taken.add(local)
        if index == 0:
            role, title = "owner", TITLES[0]
        elif index < 1 + count // 8:
            role, title = "admin", rng.choice(TITLES[:3])
        else:
            role = "viewer" if rng.random() < 0.15 else "member"
            title = rng.choice(TITLES[2:])
        if index < max(1, count // 5):
            propensity = rng.uniform(0.3, 0.5)
        elif rng.random() < 0.5:
            propensity = rng.uniform(0.06, 0.16)
        else:
            propensity = rng.uniform(0.015, 0.04)
        result.append(
            Person(
                user_id=f"{account['account_id'].lower()}-u{index + 1:03d}",
                name=name,
                email=f"{local}@{domain}",
                title=title[1] if chinese else title[0],
                role=role,
                propensity=propensity,
            )
        )
    return result
