#!/usr/bin/python3
"""Parse every NNNN.eml in DIR with Python's email package (an independent
MIME parser) and print a JSON array, one object per message: envelope
(from NNNN.json), decoded headers, the text body, the parts' types and
the parser's defects, the HTML alternative and the attachments (a zip's
member names and, for an XLSX, its sheet names).  Used by the reply and
report mail tests (run with /usr/bin/python3)."""
import email, email.policy, io, json, os, re, sys, zipfile

d = sys.argv[1]
out = []
for name in sorted(os.listdir(d)):
    if not name.endswith(".eml"):
        continue
    raw = open(os.path.join(d, name), "rb").read()
    m = email.message_from_bytes(raw, policy=email.policy.default)
    env = {}
    jf = os.path.join(d, name[:-4] + ".json")
    if os.path.exists(jf):
        env = json.load(open(jf))
    body = None
    part = m.get_body(preferencelist=("plain",))
    if part is not None:
        body = part.get_content().replace("\r\n", "\n")
    hpart = m.get_body(preferencelist=("html",))
    html = hpart.get_content() if hpart is not None else None
    atts = []
    for a in m.iter_attachments():
        data = a.get_payload(decode=True) or b""
        att = {"filename": a.get_filename(), "content_type": a.get_content_type(),
               "name_param": a.get_param("name"), "size": len(data),
               "zip": data[:2] == b"PK", "members": [], "sheets": []}
        try:
            z = zipfile.ZipFile(io.BytesIO(data))
            att["members"] = z.namelist()
            att["zip_ok"] = z.testzip() is None
            if "xl/workbook.xml" in att["members"]:
                wb = z.read("xl/workbook.xml").decode("utf-8")
                att["sheets"] = re.findall(r'<sheet [^>]*name="([^"]*)"', wb)
        except zipfile.BadZipFile:
            att["zip_ok"] = False
        atts.append(att)
    defects = [type(x).__name__ for x in m.defects]
    for p in m.walk():
        defects += [type(x).__name__ for x in p.defects]
    h = lambda k: None if m[k] is None else str(m[k])
    out.append({
        "file": name, "envelope": env,
        "from": h("From"), "from_addr": m["From"].addresses[0].addr_spec if m["From"] else None,
        "from_display": m["From"].addresses[0].display_name if m["From"] else None,
        "to": [a.addr_spec for a in m["To"].addresses] if m["To"] else [],
        "subject": h("Subject"), "message_id": h("Message-ID"),
        "in_reply_to": h("In-Reply-To"), "references": h("References"),
        "auto_submitted": h("Auto-Submitted"), "date": h("Date"),
        "x_intake_reply": h("X-Intake-Reply"), "x_intake_update_of": h("X-Intake-Update-Of"),
        "content_types": [p.get_content_type() for p in m.walk()],
        "html": html, "attachments": atts,
        "content_type": m.get_content_type(), "charset": part.get_content_charset() if part else None,
        "cte": part["Content-Transfer-Encoding"] if part else None,
        "body": body, "defects": defects,
        "max_line": max(len(l) for l in raw.split(b"\r\n")),
        "bare_lf": raw.replace(b"\r\n", b"").count(b"\n"),
    })
json.dump(out, sys.stdout, ensure_ascii=False)
