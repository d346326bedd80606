"""The demo's invented people and places: surnames and given names by generation, mobile numbers, birth
dates, where migrants work, crops and trades, who gives assistance; and its deterministic ids. All
drawn from the seeded generator, so a seed always gives the same archive."""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta

SURNAMES = "陈王杨周何赵俞宣楼蒋斯郦边石金徐钱骆孟傅寿郭黄应吴张朱冯陶汤毛丁章袁方"
# Given names by generation: (born before 1970, 1970–1994, 1995 and later).

MALE_GIVEN = (
    (
        "建国",
        "国庆",
        "永根",
        "水根",
        "金土",
        "关兴",
        "伯林",
        "国平",
        "荣华",
        "炳炎",
        "苗根",
        "锡江",
        "柏松",
        "建华",
        "卫东",
        "国良",
        "阿大",
        "福林",
        "根土",
        "长生",
    ),
    (
        "伟明",
        "志强",
        "海军",
        "建军",
        "文彬",
        "立新",
        "家林",
        "杭生",
        "月明",
        "剑锋",
        "永康",
        "军",
        "勇",
        "斌",
        "磊",
        "涛",
        "伟",
        "锋",
        "海峰",
        "建锋",
    ),
    ("浩然", "子豪", "宇航", "俊杰", "鑫", "一鸣", "梓豪", "宇轩", "思远", "嘉诚", "天佑", "博文"),
)

FEMALE_GIVEN = (
    ("秀英", "桂芳", "月娥", "菊仙", "金凤", "爱珍", "凤英", "玉兰", "彩凤", "杏花", "阿娟", "雪娥"),
    (
        "美娟",
        "雅琴",
        "丽萍",
        "彩娟",
        "小燕",
        "素娟",
        "晓红",
        "春梅",
        "亚芬",
        "雪芬",
        "燕",
        "琴",
        "丽君",
        "惠芳",
    ),
    ("婷婷", "佳怡", "思琪", "雨涵", "梓萱", "欣怡", "诗涵", "可馨", "语嫣", "雨桐"),
)

PLACES = ("杭州", "绍兴柯桥", "义乌", "宁波", "上海", "诸暨城区", "苏州", "深圳")

CROPS = ("水稻", "香榧", "茶叶", "蓝莓", "葡萄", "苗木", "高山蔬菜", "生猪", "湖羊", "淡水珍珠")

BUSINESSES = ("袜业加工", "珍珠加工", "五金配件", "小超市", "农家乐", "汽修店", "电商网店")

AID_PROVIDERS = (
    ("镇民政办", "政府部门", "低保金"),
    ("市残联", "政府部门", "医疗救助"),
    ("镇社会事务办", "政府部门", "临时救助"),
    ("市慈善总会", "社会组织", "慰问"),
    ("镇农业农村办", "政府部门", "产业帮扶"),
    ("市教育局", "政府部门", "教育资助"),
)

POLICIES = ("城乡居民医保缴费", "养老保险补缴", "低保申请条件", "危旧房改造补助", "垃圾分类", "防汛防台")

ZHUJI_REGION = "330681"


class Ids:
    """Deterministic uuid4-shaped ids drawn from the seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def __call__(self) -> str:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4).hex


def given_name(rng: random.Random, sex: str, year: int) -> str:
    """A given name in the fashion of the birth year's generation."""
    generation = 0 if year < 1970 else 1 if year < 1995 else 2
    return rng.choice((MALE_GIVEN if sex == "男" else FEMALE_GIVEN)[generation])


def person_name(rng: random.Random, sex: str) -> str:
    """A full name of someone born between 1960 and 1990 (cadres, leaders, contacts)."""
    return rng.choice(SURNAMES) + given_name(rng, sex, rng.randint(1960, 1990))


def mobile(rng: random.Random) -> str:
    return (
        rng.choice(("138", "139", "135", "136", "150", "158", "187", "189", "133", "177"))
        + f"{rng.randrange(10**8):08d}"
    )


def born_between(rng: random.Random, today: date, min_age: int, max_age: int) -> date:
    return today - timedelta(days=rng.randint(min_age * 365, max_age * 365))


def shifted(rng: random.Random, birth: date, years: int) -> date:
    return birth + timedelta(days=years * 365 + rng.randint(-150, 150))
