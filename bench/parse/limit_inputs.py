#!/usr/bin/env python3
"""Writes the hostile documents of the parse memory table (docs/performance.md), and one
long minimal feed, into DIR, in the shapes tests/parsers/limits_test.cpp uses; then measure
each with

    build/release/bench/parse_memory DIR/NAME.xml

    python3 bench/parse/limit_inputs.py DIR
"""
import os
import sys


def rss_with_items(count, item):
    return '<rss version="2.0"><channel><title>big</title>' + item * count + "</channel></rss>"


def minimal_feed(count):
    """A long minimal feed (title, link, date: ~145 bytes an item): its tree fits in the
    memory budget but not the model of all its items, so only the first ones are kept."""
    item = ("<item><title>Tin %05d: ti\u00eau \u0111\u1ec1 ng\u1eafn</title>"
            "<link>https://example.vn/tin/%05d.html</link>"
            "<pubDate>Mon, 14 Sep 2026 09:13:00 +0700</pubDate></item>")
    return rss_with_items(1, "".join(item % (i, i) for i in range(count)))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/tinhop-limits"
    os.makedirs(out, exist_ok=True)
    nested = "<div>" * 100000 + "deep" + "</div>" * 100000
    bomb = '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a0 "lol">'
    for i in range(1, 10):
        bomb += '<!ENTITY a%d "%s">' % (i, ("&a%d;" % (i - 1)) * 10)
    bomb += ']><rss version="2.0"><channel><title>&a9;</title></channel></rss>'
    docs = {
        "feed-20mb": rss_with_items(20000, "<item><title>t</title><description>" + "x" * 1000 + "</description></item>"),
        "title-1mb": rss_with_items(1, "<item><title>" + "a" * (1 << 20) + "</title></item>"),
        "nested-100k": rss_with_items(1, "<item><title>t</title><description>" + nested + "</description></item>"),
        "items-100k": rss_with_items(100000, "<item><title>t</title></item>"),
        "entity-bomb": bomb,
        "minimal-50k": minimal_feed(50000),
        # Titles long enough for their language to be detected: each item's goes in its extras.
        "items-vi-100k": rss_with_items(100000, "<item><title>Gi\u00e1 v\u00e0ng h\u00f4m nay t\u0103ng m\u1ea1nh</title></item>"),
    }
    for name, text in docs.items():
        with open(os.path.join(out, name + ".xml"), "w", encoding="utf-8") as f:
            f.write(text)
        print(os.path.join(out, name + ".xml"))


if __name__ == "__main__":
    main()
