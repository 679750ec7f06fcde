#!/usr/bin/env python3
"""Writes the hostile documents of the parse memory table (docs/performance.md) into DIR,
in the shapes tests/parsers/limits_test.cpp uses, then measure each with

    build/release/bench/parse_memory DIR/NAME.xml

    python3 bench/parse/limit_inputs.py DIR
"""
import os
import sys


def rss_with_items(count, item):
    return '<rss version="2.0"><channel><title>big</title>' + item * count + "</channel></rss>"


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
    }
    for name, text in docs.items():
        with open(os.path.join(out, name + ".xml"), "w", encoding="utf-8") as f:
            f.write(text)
        print(os.path.join(out, name + ".xml"))


if __name__ == "__main__":
    main()
