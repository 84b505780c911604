#!/usr/bin/env python3
"""Deterministic generator of SYNTHETIC Chinese local-news articles (benchmark input).

Every person, place and number is invented from character lists and random draws;
nothing here is taken from real articles.  Output: JSON Lines, one
{"id": ..., "text": ...} object per article, written as it is generated.

    python bench/make_corpus.py --chars 3000000 --out bench/out/corpus.jsonl --seed 7

About 3M characters per half second on one core; memory stays flat (one article at a time).

Pure standard library.  The same (--chars, --seed) always gives the same bytes.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time

# --------------------------------------------------------------------------- pools
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余"
                "杜叶程魏苏吕丁沈任姚卢姜崔钟谭陆汪范廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷"
                "龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤康易乔赖文庞樊殷施洪翟安颜倪甘祝覃蒙") + [
    "欧阳", "司马", "上官", "诸葛", "东方", "令狐"]
GIVEN = list("振邦少平明远维敏德厚秀芬嘉树立衡思远海生永年德林红梅志诚慕白宁波川晓梅春来怀远"
             "峰桂芝秋生建平佩承宗春燕定国雨桐景川若溪一帆可欣小青文涛金花二妹大春"
             "国华建军丽娟志强玉兰福贵新民晓东俊杰慧敏佳怡子轩浩然思琪梦瑶宇航泽远"
             "光荣正清雪松云飞兴旺长庚水生石头翠英冬梅秋菊学文锦程")
STEM1 = list("青石云竹梅白杏泉栗苍柘枫鹭茶檀枣岚鹤桐溪柳桂松荷兰凤黛碧岫蓼芦蒲菱橙柑榆槐桃李"
             "杉樟楠枧汀澄漾沂沐潭湄涟滢瑶翠黎丹朱霞霁晴晨曦凌峦嵩岱屏")
STEM2 = list("禾坳溪岭岗沙坪口山岩塘林洲垄湾坑源田桥冲坝湖埠圩畈岙垌寨堡铺店集营庄湾川陂渡"
             "峪垭场坊")
TOWN_SUFFIX = ["镇"] * 6 + ["乡"] * 3 + ["街道"]
VILLAGE_SUFFIX = ["村"] * 8 + ["社区"]
COUNTY_SUFFIX = ["县"] * 5 + ["区"]

CN_DIGITS = "零一二三四五六七八九"

# ----------------------------------------------------------------------- numbers


def _cn_section(n: int) -> str:
    out, zero = [], False
    for unit_val, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, unit_val)
        if d:
            if zero:
                out.append("零")
                zero = False
            out.append(CN_DIGITS[d] + unit)
        elif out:
            zero = True
    return "".join(out)


def cn_int(n: int, liang: bool = False) -> str:
    """Chinese numeral for 0 <= n < 1e8 (一千零五十, 两百, 十二)."""
    if n == 0:
        return "零"
    if n >= 10000:
        hi, lo = divmod(n, 10000)
        s = _cn_section(hi) + "万"
        if lo:
            s += ("零" if lo < 1000 else "") + _cn_section(lo)
    else:
        s = _cn_section(n)
    if s.startswith("一十"):
        s = s[1:]
    if liang and s[0] == "二" and len(s) > 1 and s[1] in "百千万":
        s = "两" + s[1:]
    return s


def _dec(x: float) -> str:
    s = f"{x:.4f}".rstrip("0").rstrip(".")
    return s


def fmt_count(r: random.Random, n: int) -> str:
    """An integer count in one of many written forms (no unit)."""
    k = r.random()
    if k < 0.40:
        return str(n)
    if k < 0.55 and n >= 1000:
        return f"{n:,}"
    if k < 0.70 and n < 100000:
        return cn_int(n, liang=r.random() < 0.5)
    if k < 0.85 and n >= 10000:
        return _dec(round(n / 10000, r.choice((1, 2)))) + "万"
    return str(n)


APPROX_PRE = ["近", "约", "接近", "超过", "过"]
APPROX_POST = ["余", "多"]


def count_phrase(r: random.Random, n: int, unit: str) -> str:
    """'259户', '近300户', '300余人', '七十多户', '1.2万人', '1,280户' ..."""
    k = r.random()
    if k < 0.15:
        base = round(n, -1) or n
        return r.choice(APPROX_PRE) + fmt_count(r, base) + unit
    if k < 0.28:
        base = round(n, -1) or n
        return fmt_count(r, base) + r.choice(APPROX_POST) + unit
    if k < 0.32:
        return fmt_count(r, n) + unit + "左右"
    return fmt_count(r, n) + unit


def money_phrase(r: random.Random, yuan: int) -> str:
    """'910元', '36.3万元', '1.5亿元', '45万余元', '约62万元', '十几万元' ..."""
    if yuan >= 100_000_000 and r.random() < 0.8:
        body, unit = _dec(round(yuan / 1e8, 2)), "亿元"
    elif yuan >= 10000 and r.random() < 0.8:
        body, unit = _dec(round(yuan / 1e4, r.choice((0, 1, 2)))), "万元"
        if r.random() < 0.05 and float(body) < 100 and float(body) == int(float(body)):
            body = cn_int(int(float(body)), liang=True)
    elif yuan >= 100000:
        body, unit = _dec(round(yuan / 1e4, 2)), "万元"
    else:
        body = f"{yuan:,}" if (yuan >= 1000 and r.random() < 0.3) else str(yuan)
        unit = "元"
    whole = "." not in body and "," not in body and body[-1] in "0123456789"
    k = r.random()
    if k < 0.08:
        return "约" + body + unit
    if k < 0.14:
        return "近" + body + unit
    if k < 0.20 and unit != "元":
        return body + unit[0] + "余元"  # 45万余元
    if k < 0.25 and whole and body.endswith("0"):
        return body + "多" + unit
    if k < 0.28:
        return "超过" + body + unit
    if k < 0.30:
        return body + unit + "以上"
    if k < 0.32 and unit == "万元":
        return r.choice(["十几", "几十", "二十几"]) + "万元"
    return body + unit


def small_money(r: random.Random) -> int:
    return r.choice((r.randint(3, 99) * 10, r.randint(5, 150) * 100, r.randint(1, 20) * 55))


def mid_money(r: random.Random) -> int:
    return r.randint(5, 9999) * 100


def big_money(r: random.Random) -> int:
    return r.choice((r.randint(10, 9999) * 10000, r.randint(100, 50000) * 10000 + r.randint(0, 99) * 100))


def households(r):
    return r.choice((r.randint(3, 99), r.randint(100, 999), r.randint(1000, 40000)))


def persons(r):
    return r.choice((r.randint(5, 99), r.randint(100, 2999), r.randint(3000, 120000)))


# ------------------------------------------------------------------------ places


class World:
    """Names and places for one article."""

    def __init__(self, r: random.Random):
        self.r = r
        used = set()

        def stem():
            while True:
                s = r.choice(STEM1) + r.choice(STEM2)
                if s not in used:
                    used.add(s)
                    return s

        self.county = stem() + r.choice(COUNTY_SUFFIX)
        self.towns = []
        for _ in range(r.randint(2, 4)):
            t = stem() + r.choice(TOWN_SUFFIX)
            vs = [stem() + r.choice(VILLAGE_SUFFIX) for _ in range(r.randint(1, 3))]
            self.towns.append((t, vs))

    def name(self) -> str:
        r = self.r
        g = r.choice(GIVEN) + (r.choice(GIVEN) if r.random() < 0.8 else "")
        return r.choice(SURNAMES) + g


def lvl(place: str) -> str:
    """Level character used in bare titles: 镇 / 乡 / 村 / 县 / 区 / 街道 / 社区."""
    for suf in ("街道", "社区"):
        if place.endswith(suf):
            return suf
    return place[-1]


TOWN_TITLES = ["党委书记", "委书记", "党委副书记", "长", "副长", "人大主席", "党委委员", "纪委书记"]
VILLAGE_TITLES = ["党支部书记", "委会主任", "驻村第一书记", "第一书记", "驻村工作队队长",
                  "会计", "监委会主任", "妇联主席"]
COUNTY_TITLES = ["委书记", "委副书记", "长", "副长", "人大常委会副主任", "政协副主席",
                 "农业农村局局长", "乡村振兴局局长", "财政局副局长", "人社局局长"]


def town_title(r, place):
    t = r.choice(TOWN_TITLES)
    l = lvl(place)
    if l == "街道":
        return {"委书记": "党工委书记", "长": "办事处主任", "副长": "办事处副主任"}.get(t, t)
    return l + t if t in ("委书记", "长", "副长") else t


def village_title(r, place):
    t = r.choice(VILLAGE_TITLES)
    if t == "委会主任":
        return ("居" if lvl(place) == "社区" else "村") + t
    if t == "会计":
        return "村会计"
    if t == "党支部书记" and lvl(place) == "社区":
        return "党总支书记"
    return t


def county_title(r, place):
    t = r.choice(COUNTY_TITLES)
    return lvl(place) + t if t in ("委书记", "委副书记", "长", "副长") else t


def official_mention(r, w, place, level):
    """'青禾镇党委书记林某某' / '镇委副书记、镇长曾某' / '林某某(石坳村党支部书记)'."""
    tf = {"town": town_title, "village": village_title, "county": county_title}[level]
    name = w.name()
    t1 = tf(r, place)
    k = r.random()
    if k < 0.15:
        t2 = tf(r, place)
        if t2 != t1:
            return f"{place}{t1}、{t2}{name}", name
    if k < 0.25:
        return f"{name}（{place}{t1}）", name
    if k < 0.55:
        return f"{t1}{name}", name
    return f"{place}{t1}{name}", name


# ------------------------------------------------------------------ chrome lines

SECTIONS = ["乡镇动态", "工作动态", "部门动态", "乡村振兴", "巩固脱贫", "要闻", "图片新闻", "基层之声"]
MEDIA = ["融媒体中心", "人民政府办公室", "乡村振兴局", "农业农村局", "新闻网", "日报"]
HEAD_SLOGANS = ["产业带动，稳步增收", "就业帮扶，稳岗拓岗", "补齐短板，改善民生", "党建引领，凝心聚力",
                "精准施策，动态清零", "消费帮扶，助农增收", "易地搬迁，安居乐业", "生态护绿，绿水青山",
                "教育帮扶，阻断代际", "健康帮扶，病有所医", "金融活水，精准滴灌", "以奖代补，激发内生动力"]


def date(r):
    return f"{r.randint(2016, 2023)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"


def chrome_top(r, w):
    lines = []
    if r.random() < 0.8:
        lines.append(r.choice(["首页", "当前位置：首页", "您的位置：首页"]) + " > "
                     + r.choice([w.county, "新闻中心", "政务公开"]) + " > " + r.choice(SECTIONS))
    if r.random() < 0.3:
        lines.append("【字体：大 中 小】【打印本页】【关闭窗口】")
    return lines


def chrome_meta(r, w):
    bits = [r.choice(["发布日期：", "发布时间：", "时间：", ""]) + date(r)]
    bits.append("来源：" + w.county + r.choice(MEDIA))
    if r.random() < 0.5:
        bits.append(r.choice(["浏览次数：", "阅读次数：", "点击数："]) + str(r.randint(30, 9999)))
    lines = ["  ".join(bits)]
    if r.random() < 0.7:
        by = "记者 " + w.name()
        if r.random() < 0.5:
            by += " " + w.name()
        if r.random() < 0.6:
            by += " 通讯员 " + w.name()
        if r.random() < 0.15:
            by += " 实习生 " + w.name()
        lines.append(by)
    return lines


def chrome_bottom(r, w):
    lines = ["责任编辑：" + w.name()]
    k = r.random()
    if k < 0.4:
        lines.append("扫码关注“" + w.county[:2] + "发布”")
    if r.random() < 0.5:
        lines.append(f"版权所有：{w.county}人民政府办公室  网站标识码：{r.randint(10**9, 10**10 - 1)}")
    if r.random() < 0.3:
        lines.append(f"联系电话：0{r.randint(700, 999)}-{r.randint(5000000, 8999999)}")
    if r.random() < 0.2:
        lines.append("上一篇：" + w.towns[0][0] + "召开" + r.choice(["防汛", "森林防火", "安全生产"]) + "工作部署会")
    return lines


# -------------------------------------------------------------- sentence templates
# Each template: (level, function(r, w, place) -> str).  level says which place the
# sentence is scoped to: "town", "village" or "county".


def _ana(r, place):
    l = lvl(place)
    if l in ("村", "社区"):
        return r.choice(["该村", "全村", "本村", "村里", place]) if l == "村" else r.choice(["该社区", "社区", place])
    if l in ("县", "区"):
        return r.choice(["该" + l, "全" + l, "我" + l, place])
    if l == "街道":
        return r.choice(["该街道", "街道", place])
    return r.choice(["该" + l, "全" + l, l + "里", "本" + l, place])


def T(level):
    def deco(fn):
        TEMPLATES.append((level, fn))
        return fn
    return deco


TEMPLATES = []


@T("town")
def _t1(r, w, p):
    return (f"{_ana(r, p)}依托{r.choice(['茶叶', '油茶', '脐橙', '中药材', '生猪', '蔬菜', '食用菌'])}等主导产业，"
            f"组建专业合作社{r.randint(2, 30)}家，带动贫困户{count_phrase(r, households(r), '户')}、"
            f"贫困人口{count_phrase(r, persons(r), '人')}参与生产经营。")


@T("town")
def _t2(r, w, p):
    m, n = official_mention(r, w, p, "town")
    return f"{m}介绍，{_ana(r, p)}去年实现产业扶贫收益{money_phrase(r, big_money(r))}，户均分红{money_phrase(r, small_money(r))}。"


@T("town")
def _t3(r, w, p):
    return (f"今年一季度，{_ana(r, p)}组织外出务工{count_phrase(r, persons(r), '人')}，举办技能培训{cn_int(r.randint(2, 20))}期、"
            f"培训{count_phrase(r, persons(r), '人次')}。")


@T("town")
def _t4(r, w, p):
    return f"{_ana(r, p)}争取各类衔接资金{money_phrase(r, big_money(r))}，重点用于农村道路、饮水安全和住房保障，已完成{fmt_count(r, r.randint(1, 9) * 10)}多贫困户的危房改造。"


@T("town")
def _t5(r, w, p):
    m, n = official_mention(r, w, p, "town")
    return f"“{r.choice(['路通了、水净了，群众的心气也高了。', '产业稳了，群众的腰包才能鼓起来。', '防返贫监测一刻也不能放松。'])}”{m}说，{_ana(r, p)}将持续做好防返贫动态监测，确保不发生规模性返贫。"


@T("town")
def _t6(r, w, p):
    h = households(r)
    return (f"{_ana(r, p)}共有脱贫户{count_phrase(r, h, '户')}{fmt_count(r, int(h * r.uniform(2.4, 4.2)))}人，"
            f"纳入防止返贫监测对象{r.randint(3, 90)}户{r.randint(10, 300)}人，已全部落实帮扶措施。")


@T("town")
def _t7(r, w, p):
    return (f"{_ana(r, p)}与{r.randint(2, 12)}家企业签订用工协议，提供就近就业岗位{cn_int(r.randint(2, 9) * 100, True)}余个，"
            f"目前已吸纳脱贫劳动力{count_phrase(r, persons(r), '人')}，务工人员人均月收入{money_phrase(r, r.randint(20, 60) * 100)}。")


@T("town")
def _t8(r, w, p):
    lo = r.randint(3, 9) * 1000
    return f"参与合作社的脱贫户户均增收{lo}元至{lo + r.randint(1, 4) * 1000}元，{_ana(r, p)}新建标准化基地{r.randint(100, 3000)}亩。"


@T("town")
def _t9(r, w, p):
    return (f"{_ana(r, p)}累计发放小额信贷{money_phrase(r, big_money(r))}，惠及脱贫户{count_phrase(r, households(r), '户')}，"
            f"贷款逾期率控制在{r.randint(1, 9) / 10}%以内。")


@T("town")
def _t10(r, w, p):
    return (f"截至{r.randint(1, 12)}月底，{_ana(r, p)}开发乡村公益性岗位{r.randint(20, 900)}个，安置脱贫劳动力"
            f"{count_phrase(r, persons(r), '名')}，每人每月补贴{money_phrase(r, r.randint(3, 12) * 100)}。")


@T("town")
def _t11(r, w, p):
    return f"{_ana(r, p)}为{fmt_count(r, persons(r))}名脱贫人口和监测对象购买防返贫保险，每人{r.choice([30, 45, 55, 60, 80])}元，保费由财政全额承担。"


@T("town")
def _t12(r, w, p):
    return f"现行标准下，{_ana(r, p)}未脱贫0户0人，{r.randint(3, 40)}个行政村全部实现“两不愁三保障”。"


@T("town")
def _t13(r, w, p):
    return f"在{_ana(r, p)}，“一户一策”帮扶措施落实落细，{r.randint(2018, 2023)}年{r.randint(1, 12)}月以来新建高标准农田{r.randint(1, 90) / 10}万亩。"


@T("village")
def _v1(r, w, p):
    return (f"{p}位于{w.towns[0][0]}{r.choice(['东南', '西北', '北部', '南部', '东部'])}，距{lvl(w.towns[0][0])}政府所在地{r.randint(2, 40)}公里，"
            f"辖{cn_int(r.randint(3, 15))}个村民小组，全村共{count_phrase(r, r.randint(120, 1500), '户')}{fmt_count(r, r.randint(400, 6000))}人。")


@T("village")
def _v2(r, w, p):
    return f"其中脱贫户{cn_int(r.randint(20, 199))}户{cn_int(r.randint(60, 700))}人，监测户{r.randint(1, 12)}户{r.randint(3, 40)}人。"


@T("village")
def _v3(r, w, p):
    m, n = official_mention(r, w, p, "village")
    return f"“{r.choice(['以前村里没有像样的产业，年轻人都往外跑。', '村里的事，大家商量着办。', '群众的日子一年比一年好。'])}”{m}告诉记者，{r.randint(2015, 2022)}年村里引进能人回乡创办合作社。"


@T("village")
def _v4(r, w, p):
    return (f"{r.randint(2019, 2023)}年，{_ana(r, p)}集体经济收入{money_phrase(r, mid_money(r) * 10)}，"
            f"农村居民人均可支配收入{money_phrase(r, r.randint(8000, 25000))}，较上年人均增收{money_phrase(r, r.randint(300, 3000))}。")


@T("village")
def _v5(r, w, p):
    return f"{w.county}{r.choice(['农业农村局', '财政局', '乡村振兴局'])}为{p}拨付产业奖补资金{money_phrase(r, r.randint(5, 300) * 10000)}，用于{r.choice(['冷链仓储', '产业路', '光伏电站', '低产林改造'])}建设。"


@T("village")
def _v6(r, w, p):
    return f"村里的光伏电站年收益约{_dec(r.randint(10, 99) / 10)}万，全部用于设置公益岗位和临时救助。"


@T("village")
def _v7(r, w, p):
    return f"村里发动乡贤和村民共筹资{r.randint(10, 150)}万，修通了{r.randint(2, 12)}公里进山产业路。"


@T("village")
def _v8(r, w, p):
    return f"今年{r.randint(40, 80)}岁的脱贫户{w.name()}就是受益者之一，她在基地务工，一年下来能挣{r.choice('两三四五')}万多元。"


@T("village")
def _v9(r, w, p):
    return f"合作社吸纳社员{count_phrase(r, r.randint(30, 400), '户')}，其中脱贫户{r.randint(1, 9) * 10}多户，在合作社务工的村民每天工资{r.randint(8, 12) * 10}元至{r.randint(13, 20) * 10}元。"


@T("village")
def _v10(r, w, p):
    return f"本村现有{r.randint(60, 70)}岁以上老人{count_phrase(r, r.randint(50, 400), '人')}，生猪存栏{fmt_count(r, r.randint(100, 3000))}头，林地{r.randint(1, 30) / 10}万亩。"


@T("village")
def _v11(r, w, p):
    return f"以一个{r.randint(2, 6)}口人的家庭为例，按人均{r.randint(20, 30)}平方米的标准可分到一套安置房，确保有劳动力的家庭一户一人以上就业。"


@T("village")
def _v12(r, w, p):
    return f"搬迁户{w.name()}原是一名贫困户，过去住在离镇上{r.randint(1, 6) * 10}多公里的山坳里，如今每月能挣{fmt_count(r, r.randint(15, 45) * 100)}多元。"


@T("village")
def _v13(r, w, p):
    surname = w.name()[0]
    return f"“刚来时，村里路不通、水不通。”{surname}书记回忆说。原村党支部书记{w.name()}因年龄原因卸任后，村里班子一度“青黄不接”。"


@T("village")
def _v14(r, w, p):
    return f"今年以来，{_ana(r, p)}累计吸纳群众务工{count_phrase(r, r.randint(500, 9000), '人次')}，帮助村民销售农产品{money_phrase(r, r.randint(5, 90) * 10000)}。"


@T("county")
def _c1(r, w, p):
    return (f"五年来，{_ana(r, p)}累计投入各类扶贫资金{money_phrase(r, r.randint(2, 400) * 10_000_000)}，实施扶贫项目{fmt_count(r, r.randint(100, 3000))}个，"
            f"{_dec(r.randint(10, 90) / 10)}万个贫困户、{_dec(r.randint(10, 300) / 10)}万贫困人口全部脱贫，{r.randint(10, 150)}个贫困村全部出列。")


@T("county")
def _c2(r, w, p):
    a = r.randint(4000, 9000)
    return f"农村居民人均可支配收入由{r.randint(2013, 2016)}年的{fmt_count(r, a)}元增加到{r.randint(2019, 2022)}年的{fmt_count(r, a + r.randint(3000, 9000))}元，年均增长{r.randint(60, 140) / 10}%。"


@T("county")
def _c3(r, w, p):
    return f"{_ana(r, p)}完成易地扶贫搬迁{fmt_count(r, households(r))}户{fmt_count(r, persons(r))}人，建成集中安置点{r.randint(3, 60)}个，{_dec(r.randint(10, 90) / 10)}万搬迁群众实现稳定就业。"


@T("county")
def _c4(r, w, p):
    m, n = official_mention(r, w, p, "county")
    return f"{m}在调研时指出，要严格落实“四个不摘”要求，{r.randint(2021, 2025)}年{_ana(r, p)}安排衔接资金{money_phrase(r, r.randint(5, 90) * 10_000_000)}。"


@T("county")
def _c5(r, w, p):
    return f"全年转移就业脱贫劳动力{count_phrase(r, persons(r), '人次')}，农村危房改造累计惠及{cn_int(r.randint(100, 9999), r.random() < 0.5)}户，新建改建农村公路{fmt_count(r, r.randint(100, 3000))}公里。"


@T("county")
def _c6(r, w, p):
    return f"今年以来{_ana(r, p)}已举办各类招聘会{r.randint(5, 40)}场，累计为{count_phrase(r, persons(r), '名')}求职者提供就业服务，咨询电话：0{r.randint(700, 999)}-{r.randint(5000000, 8999999)}。"


@T("county")
def _c7(r, w, p):
    v = w.towns[0][1][0]
    return f"{w.towns[0][0]}为{v}配套安排资金{money_phrase(r, r.randint(5, 80) * 10000)}，{p}{r.choice(['财政局', '乡村振兴局'])}同步下达到村项目资金{money_phrase(r, big_money(r))}。"


COMMENT = ["脱贫摘帽不是终点，而是新生活、新奋斗的起点。", "巩固成果，要守住不发生规模性返贫的底线。",
           "产业选择要尊重规律，算好市场账、长远账，宁可慢一点，也要稳一点。",
           "乡村振兴不能“干部干、群众看”，要让千家万户成为振兴的主角。",
           "第一书记、驻村工作队要俯下身子，多听听老百姓的所思所盼。",
           "绝不能让一名脱贫户因病、因灾再次陷入困境。"]

BY_LEVEL = {lv: [fn for l, fn in TEMPLATES if l == lv] for lv in ("town", "village", "county")}

TITLES = ["{c}多措并举巩固拓展脱贫攻坚成果", "{t}：产业兴旺带富一方百姓", "{v}的“致富经”",
          "{c}召开乡村振兴工作推进会", "{t}{v}：小庭院激活大经济", "【简讯】{t}举办消费帮扶集市",
          "政府工作报告（摘要）——{c}", "{v}村情简介"]


def _body(r: random.Random, w: World, kind: float, budget: int):
    """Yield body paragraphs (already joined lines) until about `budget` chars."""
    used = 0
    if kind < 0.06:  # commentary: no facts
        while used < budget:
            s = "".join(r.sample(COMMENT, 3))
            used += len(s) + 1
            yield s
    elif kind < 0.40:  # roundup with town section headers
        ti = 0
        while used < budget:
            town, vills = w.towns[ti % len(w.towns)]
            ti += 1
            para = "".join(fn(r, w, town) for fn in r.sample(BY_LEVEL["town"], r.randint(2, 4)))
            if r.random() < 0.5:
                v = r.choice(vills)
                para += f"在{r.choice(['该', '全'])}{lvl(town)}{v}，" + r.choice(BY_LEVEL["village"])(r, w, v)
            s = f"{town}：{r.choice(HEAD_SLOGANS)}\n{para}"
            used += len(s) + 1
            yield s
    else:  # feature / profile / report
        while used < budget:
            k = r.random()
            if k < 0.3:
                fns, place = BY_LEVEL["county"], w.county
            elif k < 0.6:
                fns, place = BY_LEVEL["town"], r.choice(w.towns)[0]
            else:
                town, vills = r.choice(w.towns)
                fns, place = BY_LEVEL["village"], r.choice(vills)
            s = "".join(fn(r, w, place) for fn in r.sample(fns, min(len(fns), r.randint(2, 4))))
            used += len(s) + 1
            yield s


MIN_CHARS, MAX_CHARS = 600, 2000


def article(r: random.Random, idx: int) -> str:
    """One article of MIN_CHARS..MAX_CHARS characters."""
    w = World(r)
    t0, vs0 = w.towns[0]
    kind = r.random()
    head = chrome_top(r, w)
    head.append(r.choice(TITLES).format(c=w.county, t=t0, v=vs0[0]))
    head += chrome_meta(r, w)
    head.append("")
    tail = [""] + chrome_bottom(r, w)
    fixed = sum(len(x) + 1 for x in head) + sum(len(x) + 1 for x in tail)
    target = r.randint(MIN_CHARS, MAX_CHARS)
    body, size = [], fixed
    for para in _body(r, w, kind, max(target - fixed, 200)):
        if size + len(para) + 1 > MAX_CHARS:
            if size >= MIN_CHARS:
                break
            para = para[: MAX_CHARS - size - 1]  # rare: one very long paragraph
        body.append(para)
        size += len(para) + 1
    while size < MIN_CHARS:  # rare: very short draws
        extra = "".join(r.sample(COMMENT, 2))
        body.append(extra)
        size += len(extra) + 1
    return "\n".join(head + body + tail) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Write a synthetic Chinese local-news corpus as JSONL.")
    ap.add_argument("--chars", type=int, default=3_000_000, help="stop once this many text characters are written")
    ap.add_argument("--out", default="bench/out/corpus.jsonl", help="output .jsonl path ('-' for stdout)")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    r = random.Random(a.seed)
    t = time.perf_counter()
    total = n = 0
    if a.out != "-":
        os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    f = sys.stdout if a.out == "-" else open(a.out, "w", encoding="utf-8", newline="\n")
    try:
        while total < a.chars:
            n += 1
            text = article(r, n)
            f.write(json.dumps({"id": f"bench_{a.seed}_{n:06d}", "text": text}, ensure_ascii=False))
            f.write("\n")
            total += len(text)
    except BrokenPipeError:  # e.g. piped into `head`
        sys.stderr.close()
        return 0
    finally:
        if f is not sys.stdout:
            f.close()
    print(f"{n} articles, {total} chars in {time.perf_counter() - t:.2f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
