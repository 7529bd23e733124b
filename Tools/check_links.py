#!/usr/bin/env python3
"""Every href and src in the built site that points inside it must resolve to a file
(a folder counts when it has index.html). Standard library only."""
import html.parser, os, sys, urllib.parse

root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "Output")

class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.targets = []
        self.ids = set()
    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.targets.append(value)
            if name == "id" and value:
                self.ids.add(value)

pages = {}
for folder, _, files in os.walk(root):
    for name in files:
        if name.endswith(".html"):
            path = os.path.join(folder, name)
            parser = Links()
            parser.feed(open(path, encoding="utf-8").read())
            pages[path] = parser

broken = 0
for path, parser in sorted(pages.items()):
    if os.path.basename(path) == "404.html":
        continue  # served at any depth; its links are relative to the site root
    for target in parser.targets:
        parts = urllib.parse.urlsplit(target)
        if parts.scheme or target.startswith("//"):
            continue
        file = os.path.normpath(os.path.join(os.path.dirname(path), urllib.parse.unquote(parts.path))) if parts.path else path
        if os.path.isdir(file):
            file = os.path.join(file, "index.html")
        problem = None
        if not file.startswith(root) or not os.path.isfile(file):
            problem = "no such file"
        elif parts.fragment and file in pages and urllib.parse.unquote(parts.fragment) not in pages[file].ids:
            problem = "no element with id '%s'" % urllib.parse.unquote(parts.fragment)
        if problem:
            broken += 1
            print("%s: broken link %s (%s)" % (os.path.relpath(path, root), target, problem))
print("%d pages, %d links checked, %d broken" % (len(pages), sum(len(p.targets) for p in pages.values()), broken))
sys.exit(1 if broken else 0)
