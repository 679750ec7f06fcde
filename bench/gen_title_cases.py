#!/usr/bin/env python3
"""Title-only and numeric-series dedup cases, in the format of ../shared/bench/gen_corpus.py.

    python3 bench/gen_title_cases.py --out DIR [--seed 1]

Writes DIR/*.xml (RSS 2.0, one file a source) and DIR/manifest.json (dup_groups and
hard_negatives as gen_corpus.py writes them), so that bench/dedup-quality DIR scores them with
score_dedup.py. Standard library only; the same seed gives the same bytes.

What it holds, in each of eight blocks of four days (13/3 to 16/3 2024, …, 13/10 to 16/10; every
day within 72 hours of the next):
- daily series, title only: "Giá vàng sáng 15/9: SJC tăng 200.000 đồng/lượng", stock market,
  exchange rate, fuel, deposit rate, weather, lottery. Each day's story is one article,
  republished by 0-3 other sources as: the same title (`same_title`), the date written
  another way (`date_form`: 15/09, 15-9, 15/9/2024, "ngày 15 tháng 9"), the amount written
  another way (`amount_form`: 200 nghìn, 200,000, 1.250 / 1250, 5.5% / 5,5%, tỉ / tỷ), a
  trailing clause dropped (`trimmed`), a label in front (`prefix`), old/new tone placement
  (`tone_spelling`). Hard negatives: the same template on other days (`next_day`), and two
  sessions of one day whose figures differ (`same_day_figure`).
- numeric-slot events, title only: the same headline with another number ("Bão số 3 / 4
  đổ bộ", "Động đất 4,2 / 3,8 độ richter"): `number_slot` hard negatives, copied likewise.
- with --province-slots, non-numeric slot events, title only: one headline for several
  provinces (`province_slot` hard negatives), which no figure tells apart: headline
  similarity alone must, and the title-only threshold is what stands in their way.
- a summary-only series: "Giá vàng hôm nay: SJC tăng mạnh" whose lead "Sáng 15/9, …" alone
  tells the days apart (`next_day_lead` hard negatives); copies keep the summary (`summary`).
"""
import argparse
import datetime as dt
import json
import os
import random

ICT = dt.timezone(dt.timedelta(hours=7))
# Blocks of four days, each far outside the 72-hour window of the others.
BLOCKS = [[dt.date(2024, month, 13) + dt.timedelta(days=k) for k in range(4)] for month in range(3, 11)]
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
AGENCIES = ["tinnhanh", "baosaigon", "thudo", "mientay", "phuongnam", "datviet", "tuoimoi", "laodong",
            "kinhte", "phapluat", "nongthon", "dantri", "congluan", "thanhnien", "dautu", "vanhoa"]
CATEGORIES = ["kinh-doanh", "thoi-su"]
PROVINCES = ["Nam Định", "Thái Bình", "Hà Nam", "Ninh Bình", "Thanh Hóa", "Nghệ An", "Quảng Bình", "Khánh Hòa",
             "Gia Lai", "Đắk Lắk", "Lâm Đồng", "Long An", "Cà Mau", "Hòa Bình", "Sơn La", "Quảng Ninh"]
PREFIXES = ["[Infographic] ", "Cập nhật: ", "(TTXVN) - ", "Nóng: "]
TONE_NEW = {"hóa": "hoá", "Hóa": "Hoá", "hòa": "hoà", "Hòa": "Hoà", "thủy": "thuỷ", "ủy": "uỷ", "Ủy": "Uỷ",
            "khỏe": "khoẻ"}


def grouped(n, sep="."):
    s = "%d" % n
    out = []
    while len(s) > 3:
        out.insert(0, s[-3:])
        s = s[:-3]
    out.insert(0, s)
    return sep.join(out)


def decimal(x, places, mark=","):
    return ("%.*f" % (places, x)).replace(".", mark)


def date_forms(d):
    """The original's way of writing a date, then the other ways a republisher writes it."""
    return "%d/%d" % (d.day, d.month), ["%02d/%02d" % (d.day, d.month), "%d-%d" % (d.day, d.month),
                                         "%d/%d/%d" % (d.day, d.month, d.year),
                                         "ngày %d tháng %d" % (d.day, d.month)]


# Daily series: (template, {slot: generator}); a slot generator gives (original text, [other forms]).
def gold(r):
    n = r.randrange(2, 19) * 50000
    return grouped(n), [grouped(n, ","), "%d nghìn" % (n // 1000)]


def points(r):
    x = r.randrange(100, 3000) / 100
    return decimal(x, 2), [decimal(x, 2, ".")]


def billions(r):
    n = r.randrange(300, 2500)
    return "%s tỷ" % grouped(n), ["%s tỉ" % grouped(n), "%d tỷ" % n]


def rate(r):
    n = 25000 + r.randrange(0, 600) * 5
    return grouped(n), [grouped(n, ",")]


def fuel(r):
    n = r.randrange(1, 30) * 10
    return grouped(n), ["%d đồng" % n]


def percent(r):
    x = r.randrange(40, 75) / 10
    return "%s%%" % decimal(x, 1), ["%s%%" % decimal(x, 1, "."), "%s %%" % decimal(x, 1)]


def degrees(r):
    n = r.randrange(30, 41)
    return str(n), [str(n)]


def updown(r):
    w = r.choice(["tăng", "giảm"])
    return w, [w]


SERIES = [
    ("Giá vàng sáng {d}: SJC {u} {a} đồng/lượng, vàng nhẫn đi ngang", {"u": updown, "a": gold}),
    ("Chứng khoán ngày {d}: VN-Index {u} {p} điểm, thanh khoản {b} đồng", {"u": updown, "p": points, "b": billions}),
    ("Tỷ giá USD hôm nay {d}: Vietcombank niêm yết giá bán {x} đồng", {"x": rate}),
    ("Giá xăng dầu hôm nay {d}: xăng RON 95 {u} {f} đồng mỗi lít", {"u": updown, "f": fuel}),
    ("Lãi suất tiết kiệm cao nhất ngày {d}: kỳ hạn 12 tháng lên {q}", {"q": percent}),
    ("Thời tiết Hà Nội ngày {d}: nắng nóng gay gắt, nhiệt độ cao nhất {t} độ C", {"t": degrees}),
    ("Kết quả xổ số miền Bắc hôm nay ngày {d}, {w}", {}),
]
# Two sessions of one day: the same words, other figures.
SESSIONS = ("Chứng khoán phiên {s} {d}: VN-Index {u} {p} điểm, thanh khoản {b} đồng",
            {"u": updown, "p": points, "b": billions})
# Events told apart by one number only.
NUMBER_SLOTS = [
    ("Bão số {n} đổ bộ vào Quảng Ngãi, hàng nghìn ngôi nhà bị tốc mái", lambda r, k: str(k + 3)),
    ("Động đất {n} độ richter tại Kon Tum, người dân cảm nhận rung lắc mạnh",
     lambda r, k: decimal(2.5 + 0.4 * k + r.randrange(0, 3) / 10, 1)),
    ("Tai nạn liên hoàn trên cao tốc Hà Nội - Hải Phòng, {n} người bị thương", lambda r, k: str(2 + 3 * k)),
    ("Bắt giữ {n} đối tượng vận chuyển trái phép chất ma túy qua biên giới", lambda r, k: str(3 + 4 * k)),
    ("Khánh thành {n} cây cầu dân sinh cho đồng bào vùng cao", lambda r, k: str(5 + 7 * k)),
]
# Events told apart by a province only (no figure): the title-only threshold's job.
PROVINCE_SLOTS = [
    "Thủ tướng làm việc với Ban Thường vụ Tỉnh ủy {p} về phát triển kinh tế - xã hội",
    "Chủ tịch nước thăm và tặng quà gia đình chính sách tại tỉnh {p}",
    "Đoàn đại biểu Quốc hội tỉnh {p} tiếp xúc cử tri trước kỳ họp",
    "Công an tỉnh {p} triệt phá đường dây đánh bạc qua mạng quy mô lớn",
    "Mưa lớn gây ngập sâu tại nhiều tuyến phố của thành phố {p}",
]
LEAD_SERIES = ("Giá vàng hôm nay: SJC {u} mạnh, vàng nhẫn theo sau",
               "Sáng {d}, giá vàng SJC được các doanh nghiệp niêm yết ở mức {buy} - {sell} triệu đồng/lượng, "
               "{u} {a} đồng so với phiên trước. Vàng nhẫn cũng {u} theo.")


class Cases:
    def __init__(self, seed):
        self.r = random.Random("title-cases/%s" % seed)
        self.feeds = {"%s-%s.xml" % (a, c): [] for a in AGENCIES for c in CATEGORIES}
        self.groups = []  # (article id, [member record])
        self.hard = []  # (kind, [member record])
        self.next_id = 0

    def place(self, title, when, kind, taken, summary=None):
        """Puts an item in a feed none of `taken` is, returns its record."""
        free = [f for f in sorted(self.feeds) if f.split("-")[0] not in taken]
        feed = self.r.choice(free)
        taken.add(feed.split("-")[0])
        self.next_id += 1
        rec = {"title": title, "summary": summary, "when": when, "kind": kind, "file": feed,
               "link": "https://www.%s.vn/%s/tin-%d.html" % (feed.split("-")[0], feed[len(feed.split("-")[0]) + 1:-4],
                                                            100000 + self.next_id)}
        self.feeds[feed].append(rec)
        return rec

    def article(self, title, variants, when, summary=None):
        """An original and 0-3 copies; variants: [(kind, title)] a copy may take."""
        taken = set()
        members = [self.place(title, when, "original", taken, summary)]
        n = self.r.choices([0, 1, 2, 3], weights=[15, 35, 30, 20])[0]
        for kind, text in self.r.sample(variants, min(n, len(variants))):
            delay = dt.timedelta(minutes=self.r.randrange(5, 600))
            members.append(self.place(text, when + delay, kind, taken, summary))
        self.groups.append(members)
        return members

    def copies_of(self, title, forms, trim=True):
        """[(kind, title)]: the copy variants of a title; forms: [(original text, [other forms])].
        No trimmed copy where the trailing clause holds what tells the story from its neighbours:
        "Tai nạn … Hải Phòng" would be a copy of every accident there."""
        out = [("same_title", title), ("prefix", self.r.choice(PREFIXES) + title)]
        respelt = title
        for old, new in TONE_NEW.items():
            respelt = respelt.replace(old, new)
        if respelt != title:
            out.append(("tone_spelling", respelt))
        for kind, (orig, others) in forms:
            for other in others:
                if other == orig:
                    continue
                if other.startswith("ngày ") and "ngày " + orig in title:
                    orig = "ngày " + orig
                out.append((kind, title.replace(orig, other, 1)))
        if trim and ", " in title:
            out.append(("trimmed", title.rsplit(", ", 1)[0]))
        return out

    def series(self, days):
        for template, slots in SERIES:
            everyone = []
            for day in days:
                when = dt.datetime(day.year, day.month, day.day, 7, self.r.randrange(0, 60), tzinfo=ICT)
                d, d_other = date_forms(day)
                values = {k: gen(self.r) for k, gen in slots.items()}
                weekday = "chủ nhật" if day.isoweekday() == 7 else "thứ %d" % (day.isoweekday() + 1)
                title = template.format(d=d, w=weekday, **{k: v[0] for k, v in values.items()})
                forms = [("date_form", (d, d_other))] + [("amount_form", v) for k, v in values.items() if k != "u"]
                everyone += self.article(title, self.copies_of(title, forms), when)
            self.hard.append(("next_day", everyone))

    def sessions(self, days):
        template, slots = SESSIONS
        for day in days:
            d, _ = date_forms(day)
            both = []
            for hour, session in ((11, "sáng"), (15, "chiều")):
                when = dt.datetime(day.year, day.month, day.day, hour, self.r.randrange(0, 60), tzinfo=ICT)
                values = {k: gen(self.r) for k, gen in slots.items()}
                title = template.format(s=session, d=d, **{k: v[0] for k, v in values.items()})
                both += self.article(title, self.copies_of(title, [("amount_form", values["b"])]), when)
            self.hard.append(("same_day_figure", both))

    def number_slots(self, days):
        for template, value in NUMBER_SLOTS:
            everyone = []
            for k in range(3):
                day = days[self.r.randrange(len(days))]
                when = dt.datetime(day.year, day.month, day.day, self.r.randrange(6, 22), tzinfo=ICT)
                title = template.format(n=value(self.r, k))
                everyone += self.article(title, self.copies_of(title, [], trim="{n}" not in template.split(", ")[-1]), when)
            self.hard.append(("number_slot", everyone))

    def province_slots(self, days):
        for template in PROVINCE_SLOTS:
            everyone = []
            for p in self.r.sample(PROVINCES, 3):
                day = days[self.r.randrange(len(days))]
                when = dt.datetime(day.year, day.month, day.day, self.r.randrange(6, 22), tzinfo=ICT)
                title = template.format(p=p)
                everyone += self.article(title, self.copies_of(title, []), when)
            self.hard.append(("province_slot", everyone))

    def lead_series(self, days):
        title_t, lead_t = LEAD_SERIES
        everyone = []
        u = self.r.choice(["tăng", "giảm"])
        for day in days:
            when = dt.datetime(day.year, day.month, day.day, 8, self.r.randrange(0, 60), tzinfo=ICT)
            buy = self.r.randrange(7800, 8200) / 100
            a = grouped(self.r.randrange(2, 19) * 50000)
            lead = lead_t.format(d="%d/%d" % (day.day, day.month), buy=decimal(buy, 2), sell=decimal(buy + 2, 2), u=u,
                                 a=a)
            title = title_t.format(u=u)
            members = self.article(title, [("summary", title)] * 3, when, summary=lead)
            for m in members[1:]:
                if self.r.random() < 0.5:
                    m["summary"] = "(TTXVN) - " + lead
            everyone += members
        self.hard.append(("next_day_lead", everyone))


def rfc822(t):
    return "%s, %02d %s %04d %02d:%02d:%02d +0700" % (WEEKDAYS[t.weekday()], t.day, MONTHS[t.month - 1], t.year,
                                                      t.hour, t.minute, t.second)


def xml_text(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def generate(out, seed, province_slots=False):
    c = Cases(seed)
    for days in BLOCKS:
        c.series(days)
        c.sessions(days)
        c.number_slots(days)
        if province_slots:
            c.province_slots(days)
        c.lead_series(days)
    os.makedirs(out, exist_ok=True)
    index = {}
    for name, items in sorted(c.feeds.items()):
        items.sort(key=lambda x: (x["when"], x["link"]), reverse=True)
        agency = name.split("-")[0]
        lines = ['<?xml version="1.0" encoding="utf-8"?>', '<rss version="2.0">', "<channel>",
                 "<title>%s</title>" % name[:-4], "<link>https://www.%s.vn/</link>" % agency,
                 "<description>%s</description>" % name[:-4], "<language>vi</language>"]
        for i, rec in enumerate(items):
            index[id(rec)] = i
            lines.append("<item><title>%s</title><link>%s</link><guid>%s</guid><pubDate>%s</pubDate>%s</item>" % (
                xml_text(rec["title"]), rec["link"], rec["link"], rfc822(rec["when"]),
                "<description>%s</description>" % xml_text(rec["summary"]) if rec["summary"] else ""))
        lines += ["</channel>", "</rss>", ""]
        with open(os.path.join(out, name), "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines))

    def member(rec):
        return {"file": rec["file"], "index": index[id(rec)], "link": rec["link"], "kind": rec["kind"],
                "title": rec["title"]}

    dup_groups = [{"article": k, "kinds": sorted(set(m["kind"] for m in g)), "members": [member(m) for m in g]}
                  for k, g in enumerate(c.groups) if len(g) > 1]
    hard = [{"kind": kind, "members": [member(m) for m in g]} for kind, g in c.hard]
    items = sum(len(v) for v in c.feeds.values())
    copies = {}
    for g in c.groups:
        for m in g[1:]:
            copies[m["kind"]] = copies.get(m["kind"], 0) + 1
    stats = {"items": items, "articles": len(c.groups), "copies_by_kind": dict(sorted(copies.items())),
             "true_pairs": sum(len(g["members"]) * (len(g["members"]) - 1) // 2 for g in dup_groups),
             "hard_negatives": {k: sum(1 for h in hard if h["kind"] == k) for k in sorted(set(h["kind"] for h in hard))}}
    manifest = {"generator": "gen_title_cases.py", "version": 2, "seed": seed, "stats": stats,
                "dup_groups": dup_groups, "hard_negatives": hard}
    with open(os.path.join(out, "manifest.json"), "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, ensure_ascii=False, indent=1)
    return stats


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", default="1")
    ap.add_argument("--province-slots", action="store_true",
                    help="add the province_slot events (no figures: what headline similarity alone must tell apart)")
    a = ap.parse_args()
    print(json.dumps(generate(a.out, a.seed, a.province_slots), ensure_ascii=False))


if __name__ == "__main__":
    main()
