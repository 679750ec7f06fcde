#!/usr/bin/python3
"""Parses FEED with python3-feedparser and compares it with EXPECTED (JSON written by the
C++ test). Prints one line per mismatch and exits 1 on any; prints "ok N" otherwise.

    feedparser_check.py FEED EXPECTED

Debian's feedparser 6.0.10 does not read JSON Feed (support came in 6.1), so a FEED ending
in .json is checked against the JSON Feed 1.1 rules here and mapped onto the same fields.
"""
import calendar
import datetime
import json
import sys

import feedparser


class Obj(dict):
    __getattr__ = dict.get


def rfc3339(text):
    return calendar.timegm(datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").timetuple())


def parse_json_feed(path, problems):
    raw = open(path, "rb").read()
    doc = json.loads(raw.decode("utf-8"))
    if doc.get("version") != "https://jsonfeed.org/version/1.1":
        problems.append("json: version %r" % doc.get("version"))
    for key in ("title", "items"):
        if key not in doc:
            problems.append("json: missing %s" % key)
    entries = []
    for i, item in enumerate(doc.get("items", [])):
        if not isinstance(item.get("id"), str):
            problems.append("json: item %d id is not a string" % i)
        if "content_html" not in item and "content_text" not in item:
            problems.append("json: item %d has neither content_html nor content_text" % i)
        for k, v in item.items():
            if not k.startswith("_") and k not in ("id", "url", "external_url", "title", "content_html",
                                                    "content_text", "summary", "image", "banner_image",
                                                    "date_published", "date_modified", "authors", "tags",
                                                    "language", "attachments"):
                problems.append("json: item %d unknown key %s" % (i, k))
        ext = item.get("_tinhop", {})
        src = ext.get("source", {})
        content = [{"value": item[k]} for k in ("content_html", "content_text") if k in item]
        entries.append(Obj(
            id=item.get("id"), title=item.get("title"), link=item.get("url"),
            published=rfc3339(item["date_published"]) if "date_published" in item else None,
            source={"title": src.get("title"), "href": src.get("feed_url")},
            summary=item.get("summary", ""), content=content,
            author=(item.get("authors") or [{}])[0].get("name"),
            tags=[{"term": t} for t in item.get("tags", [])],
            links=[{"rel": "related", "href": a.get("url")} for a in ext.get("also_published_by", [])
                   if a.get("url")]))
    return Obj(bozo=0, version="json11", feed=Obj(title=doc.get("title"), language=doc.get("language")),
               entries=entries)


def main():
    feed_path, expected_path = sys.argv[1], sys.argv[2]
    expected = json.load(open(expected_path, encoding="utf-8"))
    problems = []
    if feed_path.endswith(".json"):
        d = parse_json_feed(feed_path, problems)
    else:
        d = feedparser.parse(feed_path)

    def check(what, got, want):
        if got != want:
            problems.append("%s: got %r, want %r" % (what, got, want))

    check("bozo", d.bozo, 0)
    if d.bozo:
        problems.append("bozo_exception: %r" % (d.get("bozo_exception"),))
    check("version", d.version, expected["version"])
    check("feed.title", d.feed.get("title"), expected["title"])
    check("feed.language", d.feed.get("language"), expected.get("language"))
    check("entries", len(d.entries), len(expected["entries"]))
    for i, (e, w) in enumerate(zip(d.entries, expected["entries"])):
        p = "entry[%d]." % i
        check(p + "id", e.get("id"), w["id"])
        check(p + "title", e.get("title"), w["title"])
        check(p + "link", e.get("link"), w["link"])
        if "published" in e and isinstance(e["published"], int):
            got_published = e["published"]
        else:
            got_published = calendar.timegm(e.published_parsed) if e.get("published_parsed") else None
        check(p + "published", got_published, w["published"])
        if "source_title" in w:
            src = e.get("source", {})
            check(p + "source.title", src.get("title"), w["source_title"])
            # RSS <source url> is "href"; Atom <source> gives its id and rel="self" link.
            href = src.get("href") or next((l.get("href") for l in src.get("links", []) if l.get("rel") == "self"), None)
            check(p + "source.href", href, w["source_href"])
        text = " ".join([e.get("summary", "")] + [c.get("value", "") for c in e.get("content", [])])
        for needle in w.get("contains", []):
            if needle not in text:
                problems.append("%scontent lacks %r in %r" % (p, needle, text[:300]))
        for needle in w.get("absent", []):
            if needle in text:
                problems.append("%scontent has %r" % (p, needle))
        if "author" in w:
            check(p + "author", e.get("author"), w["author"])
        if "tags" in w:
            check(p + "tags", [t.get("term") for t in e.get("tags", [])], w["tags"])
        if "related" in w:
            rel = [l.get("href") for l in e.get("links", []) if l.get("rel") == "related"]
            check(p + "related", rel, w["related"])
    for line in problems:
        print(line)
    if problems:
        sys.exit(1)
    print("ok", len(d.entries))


if __name__ == "__main__":
    main()
