"""Word lists and name builders for demo companies, cities and staff."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

INDUSTRIES = (
    "Retail",
    "Manufacturing",
    "Financial services",
    "Education",
    "Healthcare",
    "Internet",
    "Logistics",
    "Professional services",
)
INDUSTRY_WEIGHTS = (16, 18, 8, 10, 10, 20, 10, 8)

# Chinese regions and their cities as (Chinese, English) pairs.
CHINA_CITIES: dict[str, tuple[tuple[str, str], ...]] = {
    "East China": (
        ("上海", "Shanghai"), ("杭州", "Hangzhou"), ("南京", "Nanjing"),
        ("苏州", "Suzhou"), ("宁波", "Ningbo"), ("合肥", "Hefei"),
        ("无锡", "Wuxi"), ("青岛", "Qingdao"),
    ),
    "North China": (
        ("北京", "Beijing"), ("天津", "Tianjin"), ("石家庄", "Shijiazhuang"),
        ("太原", "Taiyuan"), ("大连", "Dalian"), ("沈阳", "Shenyang"),
    ),
    "South China": (
        ("广州", "Guangzhou"), ("深圳", "Shenzhen"), ("厦门", "Xiamen"),
        ("福州", "Fuzhou"), ("东莞", "Dongguan"), ("南宁", "Nanning"),
    ),
    "West China": (
        ("成都", "Chengdu"), ("重庆", "Chongqing"), ("西安", "Xi'an"),
        ("昆明", "Kunming"), ("贵阳", "Guiyang"), ("兰州", "Lanzhou"),
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Place:
    """A city of an international customer with its legal-form suffixes."""

    city: str
    country: str
    currency: str
    suffixes: tuple[str, ...]
    weight: int


INTERNATIONAL_PLACES = (
    Place("Singapore", "Singapore", "USD", ("Pte. Ltd.",), 16),
    Place("Hong Kong", "Hong Kong", "USD", ("Limited", "Ltd"), 12),
    Place("Sydney", "Australia", "USD", ("Pty Ltd",), 8),
    Place("Melbourne", "Australia", "USD", ("Pty Ltd",), 4),
    Place("London", "United Kingdom", "USD", ("Ltd", "plc"), 9),
    Place("New York", "United States", "USD", ("Inc.", "LLC"), 9),
    Place("San Francisco", "United States", "USD", ("Inc.", "LLC"), 7),
    Place("Toronto", "Canada", "USD", ("Inc.", "Ltd"), 4),
    Place("Kuala Lumpur", "Malaysia", "USD", ("Sdn. Bhd.",), 6),
    Place("Tokyo", "Japan", "USD", ("K.K.",), 5),
    Place("Dubai", "United Arab Emirates", "USD", ("FZ-LLC",), 4),
    Place("Berlin", "Germany", "EUR", ("GmbH",), 4),
    Place("Munich", "Germany", "EUR", ("GmbH", "AG"), 3),
    Place("Paris", "France", "EUR", ("SAS",), 3),
    Place("Amsterdam", "Netherlands", "EUR", ("B.V.",), 3),
    Place("Dublin", "Ireland", "EUR", ("Ltd",), 2),
)

_BRAND_FIRST = "云星华天博海智易宏恒凌鼎卓汇中精远新金明瑞嘉盛启安信泰和诚立"
_BRAND_SECOND = "帆河启远纳联达图通盛越创科诚景锐桥德丰源辰航宇晟峰澜拓捷"

_CHINESE_FIELDS: dict[str, tuple[str, ...]] = {
    "Retail": ("商贸", "百货", "电子商务", "零售连锁"),
    "Manufacturing": ("精密机械", "电子科技", "智能装备", "新材料科技"),
    "Financial services": ("金融信息服务", "融资租赁", "保险代理"),
    "Education": ("教育科技", "文化传播", "职业培训"),
    "Healthcare": ("医疗科技", "健康管理", "医药科技"),
    "Internet": ("信息科技", "网络科技", "智能科技", "数据科技", "软件"),
    "Logistics": ("供应链管理", "物流", "国际货运代理"),
    "Professional services": ("企业管理咨询", "人力资源服务", "信息咨询"),
}

_ENGLISH_PREFIXES = (
    "Northwind", "Bluepeak", "Silverline", "Redwood", "Brightwater", "Ironbridge",
    "Cedar", "Harbor", "Summit", "Granite", "Aurora", "Pinnacle", "Evergreen",
    "Lakeshore", "Meridian", "Oakridge", "Stonegate", "Crescent", "Horizon",
    "Keystone", "Vantage", "Falcon", "Atlas", "Beacon", "Cobalt", "Juniper",
    "Kestrel", "Lumen", "Maple", "Nimbus", "Orchard", "Sterling", "Tidewater",
    "Willow", "Zenith", "Bluebird", "Copperfield", "Driftwood", "Foxglove",
    "Highland", "Larkspur", "Moonstone", "Northstar", "Riverbend", "Saltmarsh",
    "Silverpine", "Thornbury", "Wavecrest", "Westbrook", "Clearwater",
)  # fmt: skip

_ENGLISH_NOUNS: dict[str, tuple[str, ...]] = {
    "Retail": ("Retail", "Stores", "Goods", "Commerce", "Outfitters"),
    "Manufacturing": ("Manufacturing", "Industries", "Components", "Precision"),
    "Financial services": ("Capital", "Financial", "Payments", "Wealth"),
    "Education": ("Learning", "Academy", "Education", "Tutoring"),
    "Healthcare": ("Health", "Clinics", "Medical", "Diagnostics"),
    "Internet": ("Labs", "Digital", "Software", "Analytics", "Cloud"),
    "Logistics": ("Logistics", "Freight", "Shipping", "Transport"),
    "Professional services": ("Consulting", "Partners", "Advisors", "Associates"),
}

CHINESE_SURNAMES = (
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"),
    ("杨", "yang"), ("赵", "zhao"), ("黄", "huang"), ("周", "zhou"), ("吴", "wu"),
    ("徐", "xu"), ("孙", "sun"), ("胡", "hu"), ("朱", "zhu"), ("高", "gao"),
    ("林", "lin"), ("何", "he"), ("郭", "guo"), ("马", "ma"), ("罗", "luo"),
)  # fmt: skip
CHINESE_GIVEN = (
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"),
    ("磊", "lei"), ("洋", "yang"), ("勇", "yong"), ("杰", "jie"), ("婷", "ting"),
    ("浩然", "haoran"), ("子涵", "zihan"), ("欣怡", "xinyi"), ("思远", "siyuan"),
    ("雨桐", "yutong"), ("俊杰", "junjie"), ("晓明", "xiaoming"), ("佳怡", "jiayi"),
    ("文博", "wenbo"), ("梦瑶", "mengyao"), ("宇航", "yuhang"), ("嘉欣", "jiaxin"),
)  # fmt: skip
ENGLISH_FIRST = (
    "Emily", "James", "Olivia", "Daniel", "Sophie", "Lucas", "Hannah", "Ethan",
    "Grace", "Noah", "Chloe", "Ryan", "Mia", "Jack", "Isabella", "Oliver",
    "Charlotte", "Samuel", "Amelia", "Henry",
)  # fmt: skip
ENGLISH_LAST = (
    "Carter", "Walker", "Bennett", "Hughes", "Turner", "Meyer", "Schmidt",
    "Brooks", "Lee", "Fischer", "Martin", "Patel", "Nguyen", "Robinson", "Rossi",
    "Tan", "Murphy", "Foster", "Hayes", "Clarke",
)  # fmt: skip

STAFF_DOMAIN = "demo.tenure.example"


def _pick_unique(
    rng: random.Random, build: Callable[[random.Random, int], str], taken: set[str]
) -> str:
    """Call ``build(rng, attempt)`` until it returns a name not in ``taken``."""
    for attempt in range(1000):
        name = build(rng, attempt)
        if name not in taken:
            taken.add(name)
            return name
    raise RuntimeError("ran out of unique demo names")


def chinese_company(
    rng: random.Random, city: str, industry: str, size: str, taken: set[str]
) -> str:
    """Return a new Chinese company name such as 杭州云帆信息科技有限公司."""

    def build(rng: random.Random, attempt: int) -> str:
        brand = rng.choice(_BRAND_FIRST) + rng.choice(_BRAND_SECOND)
        if brand[0] == brand[1]:
            brand = brand[0] + "达"
        field = rng.choice(_CHINESE_FIELDS[industry])
        if size == "Enterprise" and rng.random() < 0.35:
            return f"{city}{brand}集团有限公司"
        if size == "Enterprise" and rng.random() < 0.3:
            return f"{brand}{field}股份有限公司"
        return f"{city}{brand}{field}有限公司"

    return _pick_unique(rng, build, taken)


def english_company(
    rng: random.Random, place: Place, industry: str, taken: set[str]
) -> str:
    """Return a new English company name such as "Northwind Analytics Ltd"."""

    def build(rng: random.Random, attempt: int) -> str:
        prefix = rng.choice(_ENGLISH_PREFIXES)
        noun = rng.choice(_ENGLISH_NOUNS[industry])
        suffix = rng.choice(place.suffixes)
        if attempt >= 50:
            return f"{prefix} {noun} {place.city} {suffix}"
        return f"{prefix} {noun} {suffix}"

    return _pick_unique(rng, build, taken)


def chinese_person(rng: random.Random, taken: set[str]) -> tuple[str, str]:
    """Return ``(name, email)`` for a new Chinese staff member, e.g. 王磊."""
    while True:
        surname, surname_latin = rng.choice(CHINESE_SURNAMES)
        given, given_latin = rng.choice(CHINESE_GIVEN)
        email = f"{given_latin}.{surname_latin}@{STAFF_DOMAIN}"
        if email not in taken:
            taken.add(email)
            return surname + given, email


def english_person(rng: random.Random, taken: set[str]) -> tuple[str, str]:
    """Return ``(name, email)`` for a new English-speaking staff member."""
    while True:
        first, last = rng.choice(ENGLISH_FIRST), rng.choice(ENGLISH_LAST)
        email = f"{first.lower()}.{last.lower()}@{STAFF_DOMAIN}"
        if email not in taken:
            taken.add(email)
            return f"{first} {last}", email
