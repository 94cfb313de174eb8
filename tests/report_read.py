#!/usr/bin/python3
"""Read report files back independently of the C code, for test_report.

  report_read.py csv FILE       -> JSON list of rows (csv module, BOM via utf-8-sig)
  report_read.py xlsx FILE      -> JSON {sheet name: {"A1": text, ...}} from the
                                   zip's sheet XML and sharedStrings
  report_read.py notice FILE    -> JSON {"2": {...}, "4": {...}}: title, unit line,
                                   columns and note of Annex 2 and 4 in the notice

Uses only the standard library (Debian's /usr/bin/python3).
"""
import csv
import json
import re
import sys
import zipfile
import xml.etree.ElementTree as ET

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "p": "http://schemas.openxmlformats.org/package/2006/relationships"}


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        raw = open(path, "rb").read(3)
        return {"bom": raw == b"\xef\xbb\xbf", "rows": list(csv.reader(f))}


def read_xlsx(path):
    z = zipfile.ZipFile(path)
    shared = []
    if "xl/sharedStrings.xml" in z.namelist():
        root = ET.fromstring(z.read("xl/sharedStrings.xml"))
        for si in root.findall("m:si", NS):
            shared.append("".join(t.text or "" for t in si.iter("{%s}t" % NS["m"])))
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target") for r in rels.findall("p:Relationship", NS)}
    wb = ET.fromstring(z.read("xl/workbook.xml"))
    out = {}
    for s in wb.find("m:sheets", NS).findall("m:sheet", NS):
        rid = s.get("{%s}id" % NS["r"])
        sheet = ET.fromstring(z.read("xl/" + target[rid].lstrip("/").replace("xl/", "", 1)))
        cells = {}
        for c in sheet.iter("{%s}c" % NS["m"]):
            v = c.find("m:v", NS)
            if v is None:
                continue
            cells[c.get("r")] = shared[int(v.text)] if c.get("t") == "s" else v.text
        out[s.get("name")] = cells
    return out


def read_notice(path):
    lines = open(path, encoding="utf-8").read().split("\n")
    out = {}
    for n in ("2", "4"):
        i = lines.index("附件 %s:" % n)
        rest = [l for l in lines[i + 1:] if l.strip()]
        title, unit, cols = rest[0], rest[1], rest[2].split("\t")
        note = rest[3] if len(rest) > 3 and rest[3].startswith("注") else None
        out[n] = {"title": title, "unit": unit, "columns": cols, "note": note}
    return out


if __name__ == "__main__":
    kind, path = sys.argv[1], sys.argv[2]
    data = {"csv": read_csv, "xlsx": read_xlsx, "notice": read_notice}[kind](path)
    json.dump(data, sys.stdout, ensure_ascii=False)
