#!/usr/bin/python3
"""make-set.py - the labelled content set of issue 9 (tests/content/).

Generates realistic application documents of the 2023 Hengyang call
(衡市工信中小企业〔2023〕12号) under content-free file names, so that only
what a document says can classify it, and writes labels.tsv.

    /usr/bin/python3 tests/content/make-set.py [OUTDIR]

Needs python3-docx, python3-openpyxl, python3-reportlab, python3-pil and
fonts-wqy-zenhei.  Deterministic: the same inputs give the same bytes (fixed
seeds, fixed zip and document dates, reportlab invariant mode), so the
generated files are committed and the tests need no Python at all.

Renderers: one layout engine places titles, paragraphs, ruled tables (with
horizontal and vertical merges), stamps and drawings on A4 pages in points;
the PDF backend (reportlab) draws them with a text layer, the image backend
(PIL) draws them into pixels, which scan() then degrades (grey, noise,
rotation, blur, JPEG).  DOCX and XLSX are written from the same blocks.
"""

import io
import math
import os
import random
import re
import struct
import sys
import zipfile

from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else HERE
FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
FIXED_DT = (2023, 5, 10, 10, 23, 0)
FIXED_ISO = "2023-05-10T02:23:00Z"

A4 = (595.0, 842.0)
A4L = (842.0, 595.0)

# ------------------------------------------------------------ credit codes

USCC_ALPHA = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def org_check(code8):
    """GB 11714-1997 check character of an 8-character organisation code."""
    w = [3, 7, 9, 10, 5, 8, 4, 2]
    s = 0
    for c, wi in zip(code8, w):
        v = int(c) if c.isdigit() else ord(c) - ord("A") + 10
        s += v * wi
    c9 = 11 - s % 11
    return "X" if c9 == 10 else ("0" if c9 == 11 else str(c9))


def uscc_check(first17):
    """GB 32100-2015 check character over the first 17 characters."""
    s = sum(USCC_ALPHA.index(c) * w for c, w in zip(first17, USCC_W))
    return USCC_ALPHA[(31 - s % 31) % 31]


def uscc(authority_type, division, org8):
    org = org8 + org_check(org8)
    first = authority_type + division + org
    assert len(first) == 17
    code = first + uscc_check(first)
    assert uscc_valid(code)
    return code


def uscc_valid(code):
    return (len(code) == 18 and all(c in USCC_ALPHA for c in code)
            and uscc_check(code[:17]) == code[17]
            and org_check(code[8:16]) == code[16])


# ------------------------------------------------------------ the units

UNITS = {
    "yc": dict(
        name="衡阳市雁城创新创业园运营管理有限公司", short="雁城创新创业园",
        base="雁城双创基地", county="雁峰区", dept="衡阳市雁峰区工业和信息化局",
        code=uscc("91", "430406", "MA4QX7K2"), legal="刘建国", contact="周丽娟",
        phone="13907341268", addr="衡阳市雁峰区白沙大道88号", capital="2000",
        est="2016年8月15日", est_iso="2016-08-15", kind="有限责任公司（自然人投资或控股）"),
    "yj": dict(
        name="衡南县云集科技孵化器有限公司", short="云集科技孵化器",
        base="云集科技孵化基地", county="衡南县", dept="衡南县工业和信息化局",
        code=uscc("91", "430422", "MA4L3C8R"), legal="谭志勇", contact="李晓燕",
        phone="15873458802", addr="衡南县云集街道工业园区科创路16号", capital="1000",
        est="2018年3月2日", est_iso="2018-03-02", kind="有限责任公司（非自然人投资或控股的法人独资）"),
    "qd": dict(
        name="祁东县洪桥创业服务有限公司", short="洪桥创业园",
        base="祁东洪桥创业园", county="祁东县", dept="祁东县工业和信息化局",
        code=uscc("91", "430426", "MA4T0P5W"), legal="邓卫东", contact="曹敏",
        phone="13787470315", addr="祁东县洪桥街道永昌路201号", capital="500",
        est="2021年9月10日", est_iso="2021-09-10", kind="有限责任公司（自然人独资）"),
    "zx": dict(
        name="衡阳市中小企业综合服务中心", short="市中小企业综合服务中心",
        county="高新区", dept="衡阳高新技术产业开发区产业发展局",
        code=uscc("12", "430400", "44809163"), legal="王志刚", contact="陈静",
        phone="0734-8857166", addr="衡阳市蒸湘区解放大道21号", capital="300",
        est="2009年6月18日", est_iso="2009-06-18", kind="事业单位"),
    "hk": dict(
        name="湖南衡科检测技术有限公司", short="衡科检测",
        county="雁峰区", dept="衡阳市雁峰区工业和信息化局",
        code=uscc("91", "430408", "MA4M2D9E"), legal="贺振华", contact="罗娜",
        phone="18173462590", addr="衡阳市蒸湘区长丰大道36号科技楼3-4层", capital="1500",
        est="2017年11月6日", est_iso="2017-11-06", kind="有限责任公司（自然人投资或控股）"),
    "zc": dict(
        name="衡阳智诚管理咨询有限公司", short="智诚咨询",
        county="衡南县", dept="衡南县工业和信息化局",
        code=uscc("91", "430407", "MA4P8H3J"), legal="屈明亮", contact="易小芳",
        phone="13974758821", addr="衡阳市石鼓区船山大道100号华源大厦1205室", capital="200",
        est="2015年4月20日", est_iso="2015-04-20", kind="有限责任公司（自然人投资或控股）"),
}

FIRMS = ["衡阳市博远机械制造有限公司", "湖南恒通电子科技有限公司", "衡阳市德润食品有限公司",
         "衡阳智联软件开发有限公司", "湖南湘衡新材料有限公司", "衡阳市锦程包装印务有限公司",
         "衡阳市鑫旺电气设备有限公司", "湖南云帆信息技术有限公司", "衡阳市巨星五金制品有限公司",
         "衡阳市华盛纺织有限公司", "衡阳市天成建材有限公司", "湖南绿源农业科技有限公司",
         "衡阳市永兴汽车配件有限公司", "衡阳市启航教育咨询有限公司", "衡阳市恒瑞医疗器械有限公司",
         "湖南金湘环保科技有限公司", "衡阳市雅美服饰有限公司", "衡阳市精工模具有限公司",
         "衡阳市创想广告传媒有限公司", "湖南衡岳茶业有限公司", "衡阳市中盛物流有限公司",
         "衡阳市润泽水处理设备有限公司", "衡阳市众诚电子商务有限公司", "湖南瑞丰生物科技有限公司"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建文辉玲红玉兰波斌宇浩凯鹏飞晨欣怡婷雪琳"


def person(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


# ------------------------------------------------------------ fonts, stamps

_fonts = {}


def font(px):
    px = max(6, int(round(px)))
    if px not in _fonts:
        _fonts[px] = ImageFont.truetype(FONT, px, index=0)
    return _fonts[px]


def char_w(ch, size):
    if ord(ch) < 0x2E80 and ch not in "“”‘’—…":
        return size * 0.55
    return size


def text_w(s, size):
    return sum(char_w(c, size) for c in s)


def wrap(s, size, width):
    """Split s into lines no wider than width (points)."""
    out = []
    for para in s.split("\n"):
        line, w = "", 0.0
        for ch in para:
            cw = char_w(ch, size)
            if w + cw > width and line:
                out.append(line)
                line, w = "", 0.0
            line += ch
            w += cw
        out.append(line)
    return out


def stamp_image(name, bottom="", px=300, seed=0, color=(218, 30, 36)):
    """A red round official seal: the unit's name around the top, a star,
    an optional horizontal line of text under it.  RGBA, px square."""
    rng = random.Random(seed)
    img = Image.new("RGBA", (px, px), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    c = px / 2
    r = px / 2 - 4
    col = color + (235,)
    d.ellipse([c - r, c - r, c + r, c + r], outline=col, width=max(3, px // 40))
    # star
    pts = []
    rs = px * 0.13
    for i in range(10):
        a = -math.pi / 2 + i * math.pi / 5
        rr = rs if i % 2 == 0 else rs * 0.4
        pts.append((c + rr * math.cos(a), c + rr * math.sin(a)))
    d.polygon(pts, fill=col)
    # name along the arc
    n = len(name)
    span = min(250.0, 18.0 * n + 40)
    fpx = int(px * (0.13 if n <= 12 else 0.11))
    f = font(fpx)
    for i, ch in enumerate(name):
        a = math.radians(-90 - span / 2 + span * (i + 0.5) / n)
        x = c + (r - fpx * 0.75) * math.cos(a)
        y = c + (r - fpx * 0.75) * math.sin(a)
        g = Image.new("RGBA", (fpx + 4, fpx + 4), (0, 0, 0, 0))
        ImageDraw.Draw(g).text((2, 0), ch, font=f, fill=col)
        g = g.rotate(-math.degrees(a) - 90, resample=Image.BICUBIC, expand=True)
        img.alpha_composite(g, (int(x - g.width / 2), int(y - g.height / 2)))
    if bottom:
        fb = font(int(px * 0.09))
        tw = d.textlength(bottom, font=fb)
        d.text((c - tw / 2, c + px * 0.2), bottom, font=fb, fill=col)
    # ink texture: a few light speckles where the seal did not print
    px_ = img.load()
    for _ in range(px * 6):
        x, y = rng.randrange(px), rng.randrange(px)
        r_, g_, b_, a_ = px_[x, y]
        if a_:
            px_[x, y] = (r_, g_, b_, a_ // 3)
    return img


# ------------------------------------------------------------ layout engine
#
# A document: dict(page=(w, h), blocks=[...]).  Blocks:
#   ("title", text[, size])  ("center", text[, size])  ("p", text[, size])
#   ("right", text[, size])  ("left", text[, size])    ("gap", points)
#   ("table", rows, widths[, size])   rows: lists of cells; a cell is text,
#       (text, colspan) or None (continues the cell above: vertical merge)
#   ("stamp", name, bottom, dx, dy)   overlaid near the last line
#   ("drawing", height, fn)           fn(ops, x, y, w, h) appends ops
#   ("break",)
# Ops (points, origin top left): ("text", x, y, size, s, color),
#   ("line", x1, y1, x2, y2, width), ("rect", x, y, w, h, fill, outline),
#   ("img", x, y, w, h, PIL.Image)

MARGIN = 56.0


def norm_row(row):
    out = []
    for c in row:
        if c is None:
            out.append((None, 1))
        elif isinstance(c, tuple):
            out.append(c)
        else:
            out.append((c, 1))
    return out


def layout(doc):
    pw, ph = doc.get("page", A4)
    left, right, top, bottom = MARGIN, pw - MARGIN, MARGIN, ph - MARGIN
    width = right - left
    pages = [[]]
    y = top
    last_y = y

    def need(h):
        nonlocal y
        if y + h > bottom and y > top:
            pages.append([])
            y = top

    for b in doc["blocks"]:
        kind = b[0]
        ops = pages[-1]
        if kind in ("title", "center", "p", "right", "left"):
            size = b[2] if len(b) > 2 else {"title": 20, "center": 14}.get(kind, 12)
            indent = 2 * size if kind == "p" else 0
            lines = wrap(b[1], size, width - indent) if kind in ("p", "left") else [b[1]]
            for i, ln in enumerate(lines):
                need(size * 1.6)
                ops = pages[-1]
                if kind in ("title", "center"):
                    x = left + (width - text_w(ln, size)) / 2
                elif kind == "right":
                    x = right - text_w(ln, size) - size
                else:
                    x = left + (indent if i == 0 else 0)
                ops.append(("text", x, y, size, ln, (0, 0, 0)))
                last_y = y
                y += size * (1.9 if kind == "title" else 1.6)
            if kind == "title":
                y += 6
        elif kind == "gap":
            y += b[1]
        elif kind == "break":
            pages.append([])
            y = top
        elif kind == "stamp":
            _, name, bottom_text, dx, dy = b
            size = 118
            ops.append(("img", right - size - 20 + dx, last_y - size / 2 + dy, size, size,
                        stamp_image(name, bottom_text, seed=len(name))))
        elif kind == "drawing":
            _, h, fn = b
            need(h)
            fn(pages[-1], left, y, width, h)
            y += h + 8
        elif kind == "table":
            rows = [norm_row(r) for r in b[1]]
            fr = b[2]
            size = b[3] if len(b) > 3 else 10.5
            tot = float(sum(fr))
            xs = [left]
            for f in fr:
                xs.append(xs[-1] + width * f / tot)
            for ri, row in enumerate(rows):
                cells = []
                col = 0
                for text, span in row:
                    x0, x1 = xs[col], xs[col + span]
                    lines = wrap(text, size, x1 - x0 - 6) if text else []
                    cells.append((text, x0, x1, lines))
                    col += span
                h = max([len(c[3]) for c in cells] + [1]) * size * 1.35 + 8
                if y + h > bottom:
                    pages[-1].append(("line", left, y, right, y, 0.8))
                    pages.append([])
                    y = top
                    cells = [(c[0] if c[0] is not None else "", c[1], c[2], c[3]) for c in cells]
                ops = pages[-1]
                for text, x0, x1, lines in cells:
                    ops.append(("line", x0, y, x0, y + h, 0.8))
                    ops.append(("line", x1, y, x1, y + h, 0.8))
                    if text is not None:
                        ops.append(("line", x0, y, x1, y, 0.8))
                    for li, ln in enumerate(lines):
                        tx = x0 + 3
                        if len(lines) == 1 and text_w(ln, size) < (x1 - x0) * 0.5 and len(ln) < 8:
                            tx = x0 + (x1 - x0 - text_w(ln, size)) / 2
                        ops.append(("text", tx, y + 4 + li * size * 1.35, size, ln, (0, 0, 0)))
                y += h
                last_y = y - h / 2
            pages[-1].append(("line", left, y, right, y, 0.8))
            y += 10
    return pages


# ------------------------------------------------------------ backends

def render_image(doc, dpi=150, page_index=None):
    """Pages as RGB PIL images."""
    pw, ph = doc.get("page", A4)
    s = dpi / 72.0
    out = []
    for pi, ops in enumerate(layout(doc)):
        if page_index is not None and pi not in page_index:
            continue
        img = Image.new("RGB", (int(pw * s), int(ph * s)), (255, 255, 255))
        d = ImageDraw.Draw(img)
        stamps = []
        for op in ops:
            if op[0] == "text":
                _, x, y, size, t, color = op
                d.text((x * s, y * s), t, font=font(size * s), fill=color)
            elif op[0] == "line":
                _, x1, y1, x2, y2, w = op
                d.line([(x1 * s, y1 * s), (x2 * s, y2 * s)], fill=(0, 0, 0), width=max(1, int(w * s)))
            elif op[0] == "rect":
                _, x, y, w, h, fill, outline = op
                d.rectangle([x * s, y * s, (x + w) * s, (y + h) * s], fill=fill, outline=outline,
                            width=max(1, int(s)))
            elif op[0] == "img":
                stamps.append(op)
        for _, x, y, w, h, im in stamps:   # seals go over the text
            im2 = im.resize((int(w * s), int(h * s)), Image.LANCZOS)
            base = img.convert("RGBA")
            base.alpha_composite(im2, (int(x * s), int(y * s)))
            img = base.convert("RGB")
            d = ImageDraw.Draw(img)
        out.append(img)
    return out


def render_pdf(doc, path, fontname="WQY"):
    from reportlab.pdfgen import canvas
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.lib.utils import ImageReader
    if fontname == "WQY" and "WQY" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("WQY", FONT, subfontIndex=0))
    if fontname == "STSong-Light" and "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pw, ph = doc.get("page", A4)
    c = canvas.Canvas(path, pagesize=(pw, ph), invariant=1)
    c.setAuthor("Administrator")
    c.setTitle("")
    c.setCreator("Microsoft® Word 2016")
    for ops in layout(doc):
        for op in ops:
            if op[0] == "text":
                _, x, y, size, t, color = op
                c.setFont(fontname, size)
                c.setFillColorRGB(*[v / 255.0 for v in color])
                c.drawString(x, ph - y - size * 0.88, t)
            elif op[0] == "line":
                _, x1, y1, x2, y2, w = op
                c.setLineWidth(w)
                c.line(x1, ph - y1, x2, ph - y2)
            elif op[0] == "rect":
                _, x, y, w, h, fill, outline = op
                if fill:
                    c.setFillColorRGB(*[v / 255.0 for v in fill])
                c.rect(x, ph - y - h, w, h, fill=1 if fill else 0, stroke=1 if outline else 0)
                c.setFillColorRGB(0, 0, 0)
        for op in ops:
            if op[0] == "img":
                _, x, y, w, h, im = op
                small = im.resize((160, 160), Image.LANCZOS)
                c.drawImage(ImageReader(small), x, ph - y - h, w, h, mask="auto")
        c.showPage()
    c.save()


def normalise_zip(path):
    """Fixed entry dates and document dates, so OOXML output is reproducible."""
    zin = zipfile.ZipFile(path)
    items = [(i.filename, zin.read(i.filename)) for i in zin.infolist()]
    zin.close()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in items:
            if name == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?", FIXED_ISO.encode(), data)
            zi = zipfile.ZipInfo(name, FIXED_DT)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            z.writestr(zi, data)


def render_docx(doc, path):
    import datetime
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt, Cm
    d = Document()
    st = d.styles["Normal"]
    st.font.name = "宋体"
    st.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    st.font.size = Pt(12)
    cp = d.core_properties
    cp.author = "Administrator"
    cp.last_modified_by = "Administrator"
    cp.created = cp.modified = cp.last_printed = datetime.datetime(2023, 5, 10, 2, 23)
    cp.revision = 3
    if doc.get("page", A4) == A4L:
        from docx.enum.section import WD_ORIENT
        sec = d.sections[0]
        sec.orientation = WD_ORIENT.LANDSCAPE
        sec.page_width, sec.page_height = sec.page_height, sec.page_width
    for b in doc["blocks"]:
        kind = b[0]
        if kind in ("title", "center", "p", "right", "left"):
            size = b[2] if len(b) > 2 else {"title": 20, "center": 14}.get(kind, 12)
            para = d.add_paragraph()
            run = para.add_run(b[1])
            run.font.size = Pt(size)
            if kind == "title":
                run.bold = True
                run.font.name = "方正小标宋简体"
                run._element.rPr.rFonts.set(qn("w:eastAsia"), "方正小标宋简体")
            if kind in ("title", "center"):
                para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            elif kind == "right":
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            elif kind == "p":
                para.paragraph_format.first_line_indent = Pt(size * 2)
        elif kind == "table":
            rows = [norm_row(r) for r in b[1]]
            ncol = len(b[2])
            t = d.add_table(rows=len(rows), cols=ncol)
            t.style = "Table Grid"
            for ri, row in enumerate(rows):
                col = 0
                for text, span in row:
                    cell = t.cell(ri, col)
                    if span > 1:
                        cell = cell.merge(t.cell(ri, col + span - 1))
                    if text is None:
                        t.cell(ri - 1, col).merge(t.cell(ri, col + span - 1))
                    else:
                        cell.text = text
                    col += span
            d.add_paragraph()
        elif kind == "stamp":
            buf = io.BytesIO()
            stamp_image(b[1], b[2], seed=len(b[1])).save(buf, "PNG")
            buf.seek(0)
            para = d.add_paragraph()
            para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            para.add_run().add_picture(buf, width=Cm(4))
        elif kind == "drawing":
            _, h, fn = b
            sub = dict(page=(483.0, h + 20), blocks=[("drawing", h, fn)])
            img = render_image(dict(sub, page=(483.0 + 2 * MARGIN, h + 2 * MARGIN + 10)), dpi=110)[0]
            buf = io.BytesIO()
            img.convert("P", palette=Image.ADAPTIVE, colors=32).save(buf, "PNG", optimize=True)
            buf.seek(0)
            d.add_picture(buf, width=Cm(16))
        elif kind == "break":
            d.add_page_break()
    d.save(path)
    normalise_zip(path)


def render_xlsx(sheets, path):
    """sheets: list of (sheet title, title line or None, rows, widths)."""
    import datetime
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    wb = Workbook()
    wb.properties.creator = "Administrator"
    wb.properties.lastModifiedBy = "Administrator"
    wb.properties.created = wb.properties.modified = datetime.datetime(2023, 5, 10, 2, 23)
    thin = Side(style="thin")
    first = True
    for title, head, rows, widths in sheets:
        ws = wb.active if first else wb.create_sheet()
        first = False
        ws.title = title
        ncol = len(widths)
        r0 = 1
        if head:
            ws.cell(1, 1, head).font = Font(name="宋体", size=16, bold=True)
            ws.cell(1, 1).alignment = Alignment(horizontal="center")
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
            r0 = 2
        for ri, row in enumerate([norm_row(r) for r in rows]):
            col = 1
            for text, span in row:
                rr = r0 + ri
                if text is None:
                    # vertical merge with the cell above
                    top = rr - 1
                    while ws.cell(top, col).value is None and top > r0:
                        top -= 1
                    for rng_ in list(ws.merged_cells.ranges):
                        if rng_.min_row <= top <= rng_.max_row and rng_.min_col == col:
                            ws.unmerge_cells(str(rng_))
                            top = rng_.min_row
                    ws.merge_cells(start_row=top, start_column=col, end_row=rr,
                                   end_column=col + span - 1)
                else:
                    v = text
                    if re.fullmatch(r"-?\d+(\.\d+)?", text or "") and len(text) < 12 and not text.startswith("0"):
                        v = float(text) if "." in text else int(text)
                    ws.cell(rr, col, v)
                    if span > 1:
                        ws.merge_cells(start_row=rr, start_column=col, end_row=rr,
                                       end_column=col + span - 1)
                for cc in range(col, col + span):
                    ws.cell(rr, cc).border = Border(left=thin, right=thin, top=thin, bottom=thin)
                    ws.cell(rr, cc).alignment = Alignment(wrap_text=True, vertical="center")
                col += span
        for i, w in enumerate(widths):
            ws.column_dimensions[chr(ord("A") + i)].width = w * 4
    wb.save(path)
    normalise_zip(path)


# ------------------------------------------------------------ scans

def noise_layer(size, rng, amp):
    """A deterministic grey noise image (tiled from seeded random bytes)."""
    tw, th = 257, 263
    tile = Image.frombytes("L", (tw, th), rng.randbytes(tw * th))
    tile = tile.point(lambda v: 128 + int((v - 128) * amp / 128))
    layer = Image.new("L", size)
    for y in range(0, size[1], th):
        for x in range(0, size[0], tw):
            layer.paste(tile, (x, y))
    return layer


def scan(img, rng, angle=None, grey=True, quarter=0, blur=0.6, speckle=True, shrink=None):
    """Degrade a rendered page like a scanner or a phone photo."""
    if grey:
        img = img.convert("L")
        bg = 255
    else:
        # yellowish paper and uneven light of a phone photo
        tint = Image.new("RGB", img.size, (244, 238, 222))
        img = Image.blend(img, tint, 0.18)
        bg = (120, 118, 112)
    if shrink:
        img = img.resize((int(img.width * shrink), int(img.height * shrink)), Image.LANCZOS)
    if angle is None:
        angle = rng.choice((-1, 1)) * rng.uniform(1.0, 4.0)
    img = img.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=bg)
    if quarter:
        img = img.rotate(90 * quarter, expand=True)
    if blur:
        img = img.filter(ImageFilter.GaussianBlur(blur))
    n = noise_layer(img.size, rng, 18)
    if grey:
        img = Image.blend(img, n, 0.10)
    else:
        img = Image.blend(img, Image.merge("RGB", (n, n, n)), 0.08)
    if speckle:
        d = ImageDraw.Draw(img)
        for _ in range(rng.randrange(40, 120)):
            x, y = rng.randrange(img.width), rng.randrange(img.height)
            r = rng.choice((1, 1, 2))
            d.ellipse([x, y, x + r, y + r], fill=40 if grey else (40, 40, 40))
    return img


def save_jpeg(img, path, q=60):
    img.save(path, "JPEG", quality=q, optimize=True)


def save_pdf_scan(imgs, path, q=55):
    """An image-only PDF: one JPEG per page (what scanner apps produce)."""
    pages = []
    for im in imgs:
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=q, optimize=True)
        pages.append((im.width, im.height, "DeviceGray" if im.mode == "L" else "DeviceRGB",
                      buf.getvalue()))
    # Written by hand: Pillow's PDF writer stamps the current time into it.
    objs = []
    kids = []
    n = len(pages)
    # 1 catalog, 2 pages, then per page: page, contents, image
    for i, (w, h, cs, data) in enumerate(pages):
        pw, ph = 595.0, 595.0 * h / w
        if w > h:
            pw, ph = 842.0, 842.0 * h / w
        pid, cid, iid = 3 + 3 * i, 4 + 3 * i, 5 + 3 * i
        kids.append(pid)
        content = ("q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q" % (pw, ph)).encode()
        objs.append((pid, ("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] "
                           "/Resources << /XObject << /Im0 %d 0 R >> >> /Contents %d 0 R >>"
                           % (pw, ph, iid, cid)).encode()))
        objs.append((cid, b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"))
        objs.append((iid, ("<< /Type /XObject /Subtype /Image /Width %d /Height %d "
                           "/ColorSpace /%s /BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n"
                           % (w, h, cs, len(data))).encode() + data + b"\nendstream"))
    objs.insert(0, (2, ("<< /Type /Pages /Kids [%s] /Count %d >>"
                        % (" ".join("%d 0 R" % k for k in kids), n)).encode()))
    objs.insert(0, (1, b"<< /Type /Catalog /Pages 2 0 R >>"))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offs = {}
    for num, body in sorted(objs):
        offs[num] = len(out)
        out += b"%d 0 obj\n" % num + body + b"\nendobj\n"
    xref = len(out)
    total = max(offs) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % total
    for num in range(1, total):
        out += b"%010d 00000 n \n" % offs[num]
    out += b"trailer\n<< /Size %d /Root 1 0 R /Producer (CamScanner) >>\nstartxref\n%d\n%%%%EOF\n" % (total, xref)
    with open(path, "wb") as f:
        f.write(out)


# ------------------------------------------------------------ legacy OLE2

ENDOFCHAIN, FATSECT, FREESECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF, 0xFFFFFFFF


def cfb(streams):
    """A compound file (MS-CFB version 3, 512-byte sectors) holding the named
    streams directly under the root.  Streams are padded to the 4096-byte
    mini-stream cutoff so that no mini stream is needed."""
    names = list(streams)
    data = {n: streams[n] + b"\0" * max(0, 4096 - len(streams[n])) for n in names}
    nsect = {n: (len(data[n]) + 511) // 512 for n in names}
    ndir = (len(names) + 1 + 3) // 4
    total = 1 + ndir + sum(nsect.values())
    assert total <= 128, "one FAT sector only"
    fat = [FREESECT] * 128
    fat[0] = FATSECT
    for i in range(ndir):
        fat[1 + i] = 2 + i if i + 1 < ndir else ENDOFCHAIN
    start = {}
    sec = 1 + ndir
    for n in names:
        start[n] = sec
        for k in range(nsect[n]):
            fat[sec + k] = sec + k + 1 if k + 1 < nsect[n] else ENDOFCHAIN
        sec += nsect[n]
    # the directory: root, then the streams; a small red-black tree where
    # the root's child is the longest name and the others hang to its left
    order = sorted(names, key=lambda n: (len(n), n.upper()))

    def entry(name, typ, color, left, right, child, start_, size):
        u = name.encode("utf-16-le") + b"\0\0"
        return (u.ljust(64, b"\0") + struct.pack("<HBB", len(u), typ, color)
                + struct.pack("<III", left, right, child) + b"\0" * 16 + struct.pack("<I", 0)
                + b"\0" * 16 + struct.pack("<IQ", start_, size))
    ids = {n: 1 + i for i, n in enumerate(order)}
    top = order[-1]
    d = entry("Root Entry", 5, 1, NOSTREAM, NOSTREAM, ids[top], ENDOFCHAIN, 0)
    for i, n in enumerate(order):
        left = ids[order[i - 1]] if i > 0 else NOSTREAM
        d += entry(n, 2, 1 if n == top else 0, left, NOSTREAM, NOSTREAM, start[n], len(data[n]))
    # unused directory slots: empty entries (no name, NOSTREAM links)
    out = bytearray(d.ljust(ndir * 512, b"\0"))
    for i in range(len(order) + 1, ndir * 4):
        out[i * 128 + 68:i * 128 + 80] = struct.pack("<III", NOSTREAM, NOSTREAM, NOSTREAM)
    d = bytes(out)
    hdr = (bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 16
           + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
           + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0)
           + struct.pack("<I", 0) + struct.pack("<I", FREESECT) * 108)
    assert len(hdr) == 512
    body = struct.pack("<128I", *fat) + d
    for n in names:
        body += data[n].ljust(nsect[n] * 512, b"\0")
    return hdr + body


def doc_text(doc):
    """The layout blocks as Word's main text: paragraphs end in CR, table
    cells in 0x07 and each row in one more 0x07."""
    out = []
    for b in doc["blocks"]:
        if b[0] in ("title", "center", "p", "right", "left"):
            out.append(b[1] + "\r")
        elif b[0] == "table":
            for row in b[1]:
                cells = [c for c in norm_row(row)]
                out.append("".join(("" if t is None else t) + "\x07" for t, _ in cells) + "\x07")
            out.append("\r")
    return "".join(out).replace("\n", "\r")


def word97(doc):
    """A Word 97-2003 .doc: FIB, one piece of UTF-16LE text at 0x800, the
    Clx (a one-piece PlcPcd) in the 1Table stream."""
    text = doc_text(doc)
    ccp = len(text)
    fc_text = 0x800
    body = text.encode("utf-16-le")
    clx = b"\x02" + struct.pack("<I", 16) + struct.pack("<II", 0, ccp) + struct.pack("<HIH", 0, fc_text, 0)
    base = struct.pack("<HHHHH", 0xA5EC, 0x00C1, 0, 0x0804, 0)
    base += struct.pack("<H", 0x1200)          # fWhichTblStm (1Table), fExtChar
    base += struct.pack("<HIBBHH", 0x00BF, 0, 0, 0, 0, 0) + struct.pack("<II", 0, 0)
    assert len(base) == 32
    rgw = struct.pack("<H", 14) + b"\0" * 26 + struct.pack("<H", 0x0804)
    rglw = [0] * 22
    wd_len = fc_text + len(body)
    rglw[0] = wd_len
    rglw[3] = ccp
    lw = struct.pack("<H", 22) + struct.pack("<22I", *rglw)
    fclcb = [0] * (93 * 2)
    fclcb[33 * 2] = 0
    fclcb[33 * 2 + 1] = len(clx)
    fl = struct.pack("<H", 93) + struct.pack("<186I", *fclcb) + struct.pack("<H", 0)
    fib = base + rgw + lw + fl
    wd = fib.ljust(fc_text, b"\0") + body
    return cfb({"WordDocument": wd, "1Table": clx})


def biff8(sheet_name, rows):
    """A minimal BIFF8 .xls (globals with CODEPAGE, BOUNDSHEET and SST; one
    sheet of LABELSST and NUMBER cells)."""
    def rec(t, payload):
        return struct.pack("<HH", t, len(payload)) + payload
    strings, index = [], {}
    cells = []
    for r, row in enumerate(rows):
        c = 0
        for text, span in norm_row(row):
            if text:
                if re.fullmatch(r"-?\d+(\.\d+)?", text) and len(text) < 12 and not text.startswith("0"):
                    cells.append((r, c, float(text)))
                else:
                    if text not in index:
                        index[text] = len(strings)
                        strings.append(text)
                    cells.append((r, c, index[text]))
            c += span
    sst = struct.pack("<II", len(cells), len(strings))
    for t in strings:
        sst += struct.pack("<HB", len(t), 1) + t.encode("utf-16-le")
    assert len(sst) <= 8224, "SST needs CONTINUE records"
    bof = lambda dt: rec(0x0809, struct.pack("<HHHHII", 0x0600, dt, 0x0DBB, 0x07CC, 0, 6))
    name = sheet_name.encode("utf-16-le")
    glob_wo_bs = bof(0x0005) + rec(0x0042, struct.pack("<H", 1200))
    bs_len = 4 + 8 + len(name)
    sst_rec = rec(0x00FC, sst)
    sheet_pos = len(glob_wo_bs) + bs_len + len(sst_rec) + 4
    bs = rec(0x0085, struct.pack("<IBBBB", sheet_pos, 0, 0, len(sheet_name), 1) + name)
    glob = glob_wo_bs + bs + sst_rec + rec(0x000A, b"")
    assert len(glob) == sheet_pos
    ncol = max(c for _, c, _ in cells) + 1
    sh = bof(0x0010) + rec(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, ncol, 0))
    for r, c, v in cells:
        if isinstance(v, float):
            sh += rec(0x0203, struct.pack("<HHHd", r, c, 15, v))
        else:
            sh += rec(0x00FD, struct.pack("<HHHI", r, c, 15, v))
    sh += rec(0x000A, b"")
    return cfb({"Workbook": glob + sh})


# ------------------------------------------------------------ the documents

SERVICES = ["基本服务", "政务代理", "创业辅导", "信息咨询", "投融资服务", "人员培训", "技术支持",
            "市场营销", "管理咨询", "节能环保", "专业服务", "基地文化"]
ACTIVITY = "中小企业技术创新“破零倍增”行动"


def base_values(u, v):
    """The 申请表 values of a base, as the labels record them."""
    return v


def base_form(u, v):
    """衡阳市中小微企业创新创业基地申请表, laid out as the notice's Annex 1."""
    rows = [
        [("基本情况", 1), "基地名称", (u["base"], 2), "所在地址", (u["addr"], 3)],
        [None, "注册资本", (u["capital"] + "万元", 2), "法人代表(负责人)", (u["legal"], 3)],
        [None, "成立时间", (u["est"], 2), "主管部门（指导部门）", (u["dept"], 3)],
        [None, "联系人", (u["contact"], 2), "联系电话", (u["phone"], 3)],
        [None, "创业基地面积", "占地面积", v["land_area"], "总建筑面积", v["floor_area"],
         "其中：标准厂房", v["std_plant"]],
        [None, None, "自持", v["self_held"], "出租", v["rented"], "公共服务场所", v["public_area"]],
        [None, None, "出售", v["sold"], ("", 4)],
        [None, ("申报单位从业人员数量（截至上年底）", 3), v["staff"], ("其中：专职服务人员", 2),
         v["service_staff"]],
        [("与平台网络互联互通情况", 2), (v["network"], 6)],
        [("近两年运营情况", 1), "年份", "资产总额", "营业收入", "入驻企业数", "其中：小微企业数",
         "上年毕业企业数", "基地内企业从业人数"],
        [None, "2021年", v["assets_2021"], v["revenue_2021"], v["firms_2021"], v["small_2021"],
         v["graduated_2021"], v["employees_2021"]],
        [None, "2022年", v["assets_2022"], v["revenue_2022"], v["firms_2022"], v["small_2022"],
         v["graduated_2022"], v["employees_2022"]],
        [("合作服务机构情况", 1), ("合作服务机构名称", 2), ("主要服务内容", 3), ("协议签订时间", 2)],
        [None, ("衡阳智诚管理咨询有限公司", 2), ("企业管理咨询、财税辅导", 3), ("2021年3月", 2)],
        [None, ("湖南衡科检测技术有限公司", 2), ("产品检验检测、技术咨询", 3), ("2022年6月", 2)],
    ]
    srv = [[("服务情况", 1), "服务项目", ("主要服务内容及年服务能力、规模", 4),
            ("服务收入占年营业收入比例(低收费及免收费情况)", 2)]]
    texts = {
        "基本服务": "提供办公场地、水电、物业、网络、会议室等基础服务，年服务企业%s家" % v["firms_2022"],
        "政务代理": "代办工商注册、税务登记、项目申报等，年代办120余件",
        "创业辅导": "开展创业沙龙、一对一辅导，年辅导创业团队30个",
        "信息咨询": "发布政策信息，年推送政策解读60余期",
        "投融资服务": "对接银行、担保机构，年促成融资3200万元",
        "人员培训": "组织企业管理、技能培训，年培训800人次",
        "技术支持": "联合高校院所提供技术咨询、检验检测对接",
        "市场营销": "组织产品推介会、展销会，年举办4场",
        "管理咨询": "提供财税、法律、人力资源咨询",
        "节能环保": "协助企业开展节能诊断",
        "专业服务": "知识产权代理、商标注册服务",
        "基地文化": "开展企业家沙龙、文体活动",
    }
    ratios = ["免费", "低收费", "免费", "免费", "5%", "低收费", "10%", "免费", "8%", "免费", "6%", "免费"]
    for s_, r_ in zip(SERVICES, ratios):
        srv.append([None, s_, (texts[s_], 4), (r_, 2)])
    srv.append([None, ("获得专业服务资质(资格)情况", 1), ("省级小微企业创业创新示范基地（2021年）", 4), ("", 2)])
    srv.append([None, ("参与中小企业重点服务活动情况", 1),
                ("2022年作为第一承办单位举办“智赋千企”数字化转型对接会1场，服务企业%s家" % v["served"], 4), ("", 2)])
    srv.append([None, ("基地为入驻企业提供优惠政策", 1), ("入驻首年租金减免50%，科技型企业三年租金优惠", 4), ("", 2)])
    return [("title", "衡阳市中小微企业创新创业基地申请表", 18),
            ("left", "申请单位（运营管理单位公章）：" + u["name"], 11),
            ("right", "单位：万元、人、平方米、家", 10.5),
            ("table", rows, [1.1, 1.4, 1, 1, 1.1, 1, 1.1, 1.1], 9.5),
            ("break",),
            ("table", srv, [1, 1.6, 1.6, 1.6, 1.6, 1.6, 1.4, 1.4], 9.5)]


def inst_form(u, v):
    """衡阳市中小微企业核心服务机构申请表, laid out as the notice's Annex 3."""
    rows = [
        ["单位名称", (u["name"], 3), "申报类别", v["category"]],
        ["地址", (u["addr"], 5)],
        ["法定代表人", (u["legal"], 2), "成立日期", (u["est"], 2)],
        ["统一社会信用代码", (u["code"], 5)],
        ["机构类型", v["type"], "联系人", u["contact"], "联系电话", u["phone"]],
        ["电子信箱", v["email"], "工作人数", v["staff"], "大专以上学历人数", v["college"]],
        [("注册资本（万元）", 2), u["capital"], ("服务场地（平方米）", 2), v["floor_area"]],
        ["主要服务项目", (v["services"], 5)],
        ["服务能力（已有服务设施、设备、仪器等）", (v["capability"], 5)],
        ["参与中小企业重点服务活动情况", (v["activities_text"], 5)],
        ["近两年经营情况", "年度", ("2021年", 2), ("2022年", 2)],
        [None, "服务收入（万元）", (v["income_2021"], 2), (v["income_2022"], 2)],
        [None, "服务利润（万元）", (v["profit_2021"], 2), (v["profit_2022"], 2)],
        [None, "服务企业数", (v["firms_2021"], 2), (v["firms_2022"], 2)],
        [None, "服务活动场次", (v["events_2021"], 2), (v["events_2022"], 2)],
        ["推荐单位意见", ("\n\n盖 章\n年 月 日", 5)],
    ]
    return [("title", "衡阳市中小微企业核心服务机构申请表", 18),
            ("left", "申请单位（盖章）：" + u["name"], 11),
            ("left", "填报日期：2023年5月10日", 11),
            ("table", rows, [1.3, 1.1, 1, 1.1, 1.2, 1.2], 10)]


def report_doc(u, prog, v):
    """申请报告."""
    if prog == "base":
        title = "关于申报2023年衡阳市中小微企业创新创业基地的申请报告"
        paras = [
            "衡阳市工业和信息化局：",
            "根据《关于做好2023年衡阳市中小微企业创新创业基地和中小微企业核心服务机构培育申报工作的通知》"
            "（衡市工信中小企业〔2023〕12号）要求，我公司对照申报条件认真自查，现申请认定%s为"
            "衡阳市中小微企业创新创业基地，具体情况报告如下：" % u["base"],
            "一、投资主体及运营管理机构基本情况",
            "%s成立于%s，注册资本%s万元，法定代表人%s，是%s的投资建设和运营管理主体，"
            "现有员工%s人，其中专职服务人员%s人。" % (u["name"], u["est"], u["capital"], u["legal"],
                                              u["base"], v["staff"], v["service_staff"]),
            "二、基地创立发展沿革",
            "基地于%s启动建设，先后完成一期、二期标准厂房建设，2021年被评为省级小微企业创业创新示范基地。"
            % u["est"][:5],
            "三、目前建设情况",
            "基地占地面积%s平方米，总建筑面积%s平方米，其中自持%s平方米，标准厂房%s平方米，"
            "公共服务场所%s平方米。截至2022年底，入驻企业%s家，其中小微企业%s家，从业人员%s人。"
            % (v["land_area"], v["floor_area"], v["self_held"], v["std_plant"], v["public_area"],
               v["firms_2022"], v["small_2022"], v["employees_2022"]),
            "四、服务情况",
            "基地设立一站式服务大厅，为入驻企业提供政务代理、创业辅导、投融资、人员培训、技术支持等服务，"
            "2022年组织各类服务活动26场，服务企业%s家次。" % v["served"],
            "五、发展目标",
            "力争到2025年入驻企业达到100家，培育国家级专精特新“小巨人”企业1家、省级专精特新中小企业5家。",
            "特此申请。",
        ]
    else:
        title = "衡阳市中小微企业核心服务机构申请报告"
        paras = [
            "衡阳市工业和信息化局：",
            "按照衡市工信中小企业〔2023〕12号文件要求，%s申请认定为2023年衡阳市中小微企业核心服务机构，"
            "现将有关情况报告如下：" % u["name"],
            "一、单位基本情况",
            "我单位成立于%s，注册资本%s万元，现有工作人员%s人，其中大专以上学历%s人，服务场地%s平方米。"
            % (u["est"], u["capital"], v["staff"], v["college"], v["floor_area"]),
            "二、发展沿革",
            "成立以来，我单位始终坚持以服务中小企业为宗旨，逐步形成了%s等服务体系。" % v["services"],
            "三、服务能力和服务开展情况",
            "2022年服务企业%s家，开展服务活动%s场，实现服务收入%s万元。"
            % (v["firms_2022"], v["events_2022"], v["income_2022"]),
            "四、服务业绩",
            "近三年累计服务中小企业600余家次，帮助企业解决技术、融资、管理等难题200余项，获得服务对象一致好评。",
            "特此申请。",
        ]
    blocks = [("title", title, 17)]
    for p in paras:
        if p.endswith("：") and p.startswith("衡阳市工业"):
            blocks.append(("left", p, 12))
        elif re.match(r"^[一二三四五六]、", p):
            blocks.append(("left", p, 12.5))
        else:
            blocks.append(("p", p, 12))
    blocks += [("gap", 20), ("right", u["name"], 12), ("right", "2023年5月10日", 12),
               ("stamp", u["name"], "", -10, 0)]
    return dict(blocks=blocks)


def staff_rows(rng, n, inst=False):
    titles = ["总经理", "副总经理", "运营部经理", "创业导师", "服务专员", "财务主管", "招商专员",
              "项目经理", "技术总监", "检测工程师"]
    ranks = ["高级经济师", "经济师", "工程师", "高级工程师", "会计师", "助理工程师", "—"]
    edus = ["本科", "硕士研究生", "大专", "本科", "本科"]
    rows = []
    for i in range(n):
        if inst:
            rows.append([str(i + 1), person(rng), rng.choice(titles), rng.choice(ranks),
                         "已参保" if i < 6 else "—"])
        else:
            rows.append([str(i + 1), person(rng), rng.choice("男女"), str(rng.randrange(26, 55)),
                         rng.choice(edus), rng.choice(titles), rng.choice(ranks),
                         rng.choice(["企业服务", "创业辅导", "招商运营", "财务管理", "政策咨询"])])
    return rows


def staff_doc(u, rng, inst=False):
    if inst:
        head = ["序号", "姓 名", "职 务", "职 称", "社保证明"]
        title, w = "服务机构服务人员基本情况表", [0.6, 1, 1.3, 1.3, 1]
    else:
        head = ["序号", "姓名", "性别", "年龄", "学历", "职务", "职称", "主要工作内容"]
        title, w = "主要管理人员和创业服务人员名单", [0.6, 1, 0.6, 0.6, 1, 1.2, 1.2, 1.4]
    rows = [head] + staff_rows(rng, 12, inst)
    return title, rows, w


def firms_rows(rng, n):
    rows = []
    for i in range(n):
        rows.append([str(i + 1), FIRMS[i % len(FIRMS)], "%.1f" % rng.uniform(80, 2600),
                     "%.1f" % rng.uniform(2, 120), "20%d年%d月" % (rng.randrange(17, 23), rng.randrange(1, 13)),
                     person(rng), rng.choice(["总经理", "董事长", "财务经理", "行政主管"]),
                     "1%d%09d" % (rng.choice((3, 5, 7, 8)), rng.randrange(10 ** 8, 10 ** 9))])
    return rows


def audit_cover(u, no, firm="衡阳衡信会计师事务所有限责任公司"):
    return dict(blocks=[
        ("gap", 120), ("center", u["name"], 18), ("gap", 20),
        ("title", "2022年度财务报表审计报告", 24), ("gap", 30),
        ("center", "衡信审字〔2023〕第%04d号" % no, 13), ("gap", 220),
        ("center", firm, 14), ("center", "二〇二三年三月二十日", 13),
        ("stamp", firm, "", -140, 10),
        ("break",),
        ("title", "审 计 报 告", 18),
        ("right", "衡信审字〔2023〕第%04d号" % no, 11),
        ("left", u["name"] + "全体股东：", 12),
        ("left", "一、审计意见", 12),
        ("p", "我们审计了%s（以下简称贵公司）财务报表，包括2022年12月31日的资产负债表，2022年度的利润表、"
              "现金流量表、所有者权益变动表以及相关财务报表附注。" % u["name"], 12),
        ("p", "我们认为，后附的财务报表在所有重大方面按照企业会计准则的规定编制，公允反映了贵公司"
              "2022年12月31日的财务状况以及2022年度的经营成果和现金流量。", 12),
        ("left", "二、形成审计意见的基础", 12),
        ("p", "我们按照中国注册会计师审计准则的规定执行了审计工作。审计报告的“注册会计师对财务报表审计的责任”"
              "部分进一步阐述了我们在这些准则下的责任。", 12),
    ])


def licence(u, rng):
    """营业执照（副本）, landscape."""
    def qr(ops, x, y, w, h):
        cell = 4.0
        for i in range(21):
            for j in range(21):
                if rng.random() < 0.5 or (i < 7 and j < 7) or (i < 7 and j > 13) or (i > 13 and j < 7):
                    ops.append(("rect", x + w - 100 + i * cell, y + j * cell, cell, cell, (0, 0, 0), None))
    rows = [["名 称", u["name"]], ["类 型", u["kind"]], ["法定代表人", u["legal"]],
            ["经营范围", "创业空间服务；园区管理服务；物业管理；企业管理咨询；信息咨询服务；会议及展览服务；"
                      "非居住房地产租赁（依法须经批准的项目，经相关部门批准后方可开展经营活动）"],
            ["注册资本", "人民币%s万元整" % u["capital"]], ["成立日期", u["est"]],
            ["营业期限", u["est"] + "至长期"], ["住 所", u["addr"]]]
    blocks = [("drawing", 84, qr),
              ("title", "营 业 执 照", 30), ("center", "（副 本）", 14),
              ("left", "统一社会信用代码  " + u["code"], 13)]
    for k, val in rows:
        blocks.append(("left", "%s    %s" % (k, val), 12))
    blocks += [("gap", 6), ("right", "登记机关", 13), ("right", "%s年%s月%s日" % (2022, 6, 8), 12),
               ("stamp", "衡阳市%s市场监督管理局" % ("" if u["county"] == "高新区" else u["county"]),
                "", -20, -10),
               ("left", "国家企业信用信息公示系统网址：http://www.gsxt.gov.cn", 9),
               ("left", "市场主体应当于每年1月1日至6月30日通过国家企业信用信息公示系统报送公示年度报告。", 9)]
    return dict(page=A4L, blocks=blocks)


def inst_certificate(u):
    """事业单位法人证书."""
    rows = [["名 称", u["name"]],
            ["宗旨和业务范围", "为中小企业提供政策咨询、创业辅导、人才培训、融资对接、信息服务等公共服务。"],
            ["住 所", u["addr"]], ["法定代表人", u["legal"]], ["经费来源", "财政补助"],
            ["开办资金", "￥%s万元" % u["capital"]], ["举办单位", "衡阳市工业和信息化局"],
            ["有效期", "自2019年6月18日至2024年6月18日"]]
    blocks = [("gap", 20), ("title", "事业单位法人证书", 28), ("center", "（副本）", 14),
              ("left", "统一社会信用代码  " + u["code"], 13), ("gap", 6)]
    for k, val in rows:
        blocks.append(("left", "%s    %s" % (k, val), 12.5))
    blocks += [("gap", 10), ("right", "登记管理机关", 13), ("right", "2019年6月18日", 12),
               ("stamp", "衡阳市事业单位登记管理局", "", -20, -10),
               ("left", "国家事业单位登记管理局监制", 9)]
    return dict(page=A4L, blocks=blocks)


def property_cert(u, v, no):
    rows = [["权利人", u["name"]], ["共有情况", "单独所有"], ["坐 落", u["addr"]],
            ["不动产单元号", "430406 005003 GB00123 F%08d" % (no * 7)],
            ["权利类型", "国有建设用地使用权/房屋所有权"], ["权利性质", "出让/自建房"],
            ["用 途", "工业用地/工业"],
            ["面 积", "土地使用权面积%s㎡/房屋建筑面积%s㎡" % (v.get("land_area", "8600"), v.get("self_held", "5200"))],
            ["使用期限", "国有建设用地使用权 2016年09月01日起2066年08月31日止"], ["权利其他状况", "房屋结构：钢筋混凝土结构 专有建筑面积：— 分摊建筑面积：—"]]
    return dict(blocks=[("gap", 30), ("title", "中华人民共和国不动产权证书", 20),
                        ("center", "湘（2021）衡阳市不动产权第%07d号" % no, 13),
                        ("table", rows, [1, 3], 11.5), ("gap", 8),
                        ("right", "衡阳市自然资源和规划局", 12),
                        ("stamp", "衡阳市不动产登记专用章", "", -20, 0)])


def lease(u, landlord, area, years):
    return dict(blocks=[
        ("title", "房屋租赁合同", 20),
        ("left", "出租方（甲方）：" + landlord, 12), ("left", "承租方（乙方）：" + u["name"], 12),
        ("p", "根据《中华人民共和国民法典》及有关法律法规的规定，甲乙双方在平等、自愿、协商一致的基础上，"
              "就乙方承租甲方房屋事宜订立本合同。", 12),
        ("left", "第一条  租赁房屋", 12),
        ("p", "甲方将位于%s的房屋出租给乙方使用，建筑面积%s平方米，房屋用途为办公及企业服务。" % (u["addr"], area), 12),
        ("left", "第二条  租赁期限", 12),
        ("p", "租赁期限为%d年，自2021年1月1日起至%d年12月31日止。" % (years, 2020 + years), 12),
        ("left", "第三条  租金及支付方式", 12),
        ("p", "租金按每平方米每月18元计算，年租金按季度支付，乙方应于每季度首月10日前支付当季租金。", 12),
        ("left", "第四条  双方权利义务", 12),
        ("p", "甲方保证出租房屋权属清楚；乙方应合理使用房屋，不得擅自改变房屋用途和结构。", 12),
        ("gap", 20), ("left", "甲方（盖章）：%s        乙方（盖章）：%s" % (landlord, u["short"]), 11),
        ("left", "签订日期：2020年12月20日", 11),
        ("stamp", landlord, "合同专用章", -200, 0), ("stamp", u["name"], "", 0, 10)])


def self_held(u, v):
    return dict(blocks=[
        ("title", "%s自持厂房面积的证明" % u["base"], 17),
        ("p", "兹证明：%s位于%s，总建筑面积%s平方米，其中运营机构%s自持厂房及配套用房面积%s平方米，"
              "占总建筑面积的%s%%，对外出租%s平方米，出售%s平方米。"
              % (u["base"], u["addr"], v["floor_area"], u["name"], v["self_held"],
                 v["self_share"], v["rented"], v["sold"]), 12),
        ("p", "自持部分均已取得不动产权证书（见附件），权属清晰，无抵押、查封等情形。", 12),
        ("table", [["楼栋", "用途", "建筑面积（㎡）", "权属"],
                   ["1#厂房", "标准厂房", str(int(int(v["self_held"]) * 0.6)), "自持"],
                   ["2#厂房", "标准厂房", str(int(v["self_held"]) - int(int(v["self_held"]) * 0.6)), "自持"],
                   ["3#综合楼", "公共服务及办公", v["public_area"], "出租"]], [1, 1.4, 1.2, 1], 11),
        ("p", "特此证明。", 12), ("gap", 16),
        ("right", u["name"], 12), ("right", "2023年5月9日", 12),
        ("stamp", u["name"], "", -10, 0)])


def layout_plan(u, rng):
    def draw(ops, x, y, w, h):
        ops.append(("rect", x, y, w, h, None, (0, 0, 0)))
        blocks = [("1#标准厂房", 0.05, 0.08, 0.4, 0.25), ("2#标准厂房", 0.55, 0.08, 0.4, 0.25),
                  ("3#综合服务楼", 0.05, 0.42, 0.28, 0.22), ("4#研发楼", 0.40, 0.42, 0.25, 0.22),
                  ("5#孵化楼", 0.72, 0.42, 0.23, 0.22), ("停车场", 0.05, 0.74, 0.3, 0.18),
                  ("绿化广场", 0.42, 0.74, 0.25, 0.18), ("食堂", 0.75, 0.74, 0.2, 0.18)]
        for name, bx, by, bw, bh in blocks:
            fill = (225, 236, 248) if "厂房" in name or "楼" in name else (226, 242, 226)
            ops.append(("rect", x + bx * w, y + by * h, bw * w, bh * h, fill, (0, 0, 0)))
            ops.append(("text", x + (bx + 0.02) * w, y + (by + bh / 2) * h - 7, 13, name, (0, 0, 0)))
        ops.append(("text", x + w - 60, y + h - 22, 11, "N ↑", (0, 0, 0)))
        ops.append(("text", x + 8, y + h + 4, 10, "比例 1:1000    主入口：白沙大道", (0, 0, 0)))
    return dict(blocks=[("title", "%s规划布局图" % u["base"], 18), ("drawing", 560, draw)])


def build_plan(u, v):
    return dict(blocks=[
        ("title", "%s建设方案" % u["base"], 18),
        ("left", "一、建设背景", 12.5),
        ("p", "为贯彻落实省、市关于促进中小企业发展的决策部署，打造功能完善的创新创业载体，"
              "%s拟对%s进行提质改造。" % (u["name"], u["base"]), 12),
        ("left", "二、建设规模和规划布局", 12.5),
        ("p", "基地规划总建筑面积%s平方米，分为标准厂房区、综合服务区、研发孵化区和生活配套区四个功能区，"
              "其中标准厂房%s平方米，公共服务场所%s平方米。" % (v["floor_area"], v["std_plant"], v["public_area"]), 12),
        ("left", "三、建设内容及进度安排", 12.5),
        ("table", [["序号", "建设内容", "面积（㎡）", "完成时间"],
                   ["1", "综合服务楼改造", v["public_area"], "2023年9月"],
                   ["2", "3#标准厂房建设", "6000", "2024年6月"],
                   ["3", "智慧园区管理平台", "—", "2023年12月"]], [0.6, 2, 1, 1], 11),
        ("left", "四、资金筹措", 12.5),
        ("p", "项目总投资3800万元，全部由运营单位自筹解决。", 12),
    ])


def services_doc(u, prog, v):
    if prog == "base":
        title = "%s近年开展相关服务情况" % u["base"]
        body = [
            "一、主要服务内容",
            "基地围绕入驻企业需求，提供政务代理、创业辅导、投融资对接、人员培训、技术支持、市场营销等服务。",
            "二、服务对象及规模",
            "2021年、2022年分别服务入驻企业%s家、%s家，服务周边中小企业%s家次。"
            % (v["firms_2021"], v["firms_2022"], v["served"]),
            "三、收费情况",
            "基本服务、政策咨询、创业辅导免费提供；投融资、专业服务按市场价的50%收取。",
            "四、公益性服务及减免租金情况",
            "2022年为入驻小微企业减免租金86.5万元，为32家企业免费提供会议室及路演场地。",
        ]
    else:
        title = "%s近年开展相关服务情况" % u["name"]
        body = [
            "一、主要服务内容、对象和规模",
            "2022年共服务中小企业%s家，其中签订一年以上服务协议的深度服务企业%s家。"
            % (v["firms_2022"], v["deep"]),
            "二、收费情况",
            "公益性服务免费，专业服务实行低收费，2022年减免服务费用合计32.6万元。",
            "三、服务典型案例",
            "案例1：为衡阳市博远机械制造有限公司提供质量管理体系咨询，帮助企业产品合格率提升至99.2%。",
            "案例2：为湖南恒通电子科技有限公司对接银行贷款500万元，缓解企业资金压力。",
            "案例3：为衡阳市德润食品有限公司开展食品安全检测及标准化辅导，企业新增销售收入1200万元。",
            "四、经济效益和社会效益",
            "服务对象接受服务后平均营业收入增长15%，新增就业岗位320个。",
        ]
    blocks = [("title", title, 17)]
    for p in body:
        blocks.append(("left", p, 12.5) if re.match(r"^[一二三四五]、", p) else ("p", p, 12))
    blocks += [("gap", 10), ("right", u["name"], 12), ("right", "2023年5月", 12)]
    return dict(blocks=blocks)


def activities_doc(u):
    return dict(blocks=[
        ("title", "深度参与中小企业公共服务活动情况", 17),
        ("p", "%s深度参与中小企业技术创新“破零倍增”行动、中小企业“两上三化”行动、“湖湘精品”中小企业品牌能力"
              "提升行动、“智赋千企”行动、中小企业融资服务等公共服务活动，具体情况如下：" % u["name"], 12),
        ("table", [["序号", "活动名称", "时间", "承办角色", "服务企业数"],
                   ["1", "“智赋千企”数字化转型对接会", "2022年7月15日", "第一承办单位", "46"],
                   ["2", "中小企业“两上三化”政策宣讲会", "2022年9月20日", "第一主办单位", "38"],
                   ["3", "中小企业融资服务银企对接会", "2022年11月8日", "第一协办单位", "52"]],
         [0.6, 2.4, 1.3, 1.3, 1], 11),
        ("p", "活动照片、签到表、新闻报道等佐证材料附后。", 12),
        ("right", u["name"], 12), ("right", "2023年5月9日", 12)])


def declaration(u, prog):
    what = "中小微企业创新创业基地" if prog == "base" else "中小微企业核心服务机构"
    return dict(blocks=[
        ("gap", 40), ("title", "申报材料真实性声明", 20), ("gap", 10),
        ("left", "衡阳市工业和信息化局：", 13),
        ("p", "我单位郑重声明：本次申报2023年衡阳市%s所提交的全部材料均真实、准确、完整，"
              "不存在虚假记载、误导性陈述或重大遗漏。如有不实，我单位愿意承担由此产生的一切法律责任，"
              "并自愿接受取消申报资格、追回已享受政策等处理。" % what, 13),
        ("p", "特此声明。", 13), ("gap", 40),
        ("right", "申报单位（盖章）：%s" % u["name"], 12.5),
        ("right", "法定代表人（签字）：%s" % u["legal"], 12.5),
        ("right", "2023年5月10日", 12.5),
        ("stamp", u["name"], "", -30, -40)])


def pledge(u):
    return dict(blocks=[
        ("gap", 40), ("title", "承 诺 书", 22), ("gap", 10),
        ("p", "本单位承诺：所报送的申报材料和相关数据真实有效，无弄虚作假行为；近三年无重大安全、环保、质量事故，"
              "无严重失信行为，未被列入经营异常名录和严重违法失信名单。", 13),
        ("p", "若有违反，本单位自愿承担相应责任。", 13), ("gap", 40),
        ("right", "承诺单位（公章）：%s" % u["name"], 12.5),
        ("right", "统一社会信用代码：%s" % u["code"], 12.5),
        ("right", "2023年5月10日", 12.5),
        ("stamp", u["name"], "", -30, -40)])


def social_insurance(u, rng, n):
    rows = [["序号", "姓名", "公民身份号码", "险种", "参保状态", "本单位缴费起止年月"]]
    for i in range(n):
        rows.append([str(i + 1), person(rng), "4304%02d19%02d%04d****" % (rng.randrange(5, 30),
                     rng.randrange(70, 99), rng.randrange(100, 1300)),
                     "企业职工基本养老保险", "正常参保", "20%d%02d-202304" % (rng.randrange(17, 22), rng.randrange(1, 13))])
    return dict(blocks=[
        ("title", "社会保险参保缴费证明（单位）", 18),
        ("left", "单位名称：%s" % u["name"], 11.5),
        ("left", "统一社会信用代码：%s      打印日期：2023年5月8日" % u["code"], 11.5),
        ("table", rows, [0.5, 0.8, 2, 1.7, 0.9, 1.4], 10.5),
        ("p", "以上人员在本单位参加社会保险情况属实。本证明可通过“湖南智慧人社”扫码验证。", 11),
        ("right", "衡阳市社会保险服务中心", 12), ("stamp", "衡阳市社会保险服务中心", "业务专用章", -20, 0)])


def rules_doc(u):
    return dict(blocks=[
        ("title", "%s服务管理制度" % u["name"], 17),
        ("left", "第一章  总则", 12.5),
        ("p", "第一条  为规范服务行为，提高服务质量，根据国家有关法律法规和《衡阳市中小微企业核心服务机构管理办法》，制定本制度。", 12),
        ("left", "第二章  服务规范程序", 12.5),
        ("p", "第二条  服务流程：需求受理—需求分析—制定方案—签订协议—组织实施—跟踪回访—归档。", 12),
        ("p", "第三条  服务人员应持证上岗，严格遵守职业道德和保密规定。", 12),
        ("left", "第三章  服务承诺", 12.5),
        ("p", "第四条  对企业咨询1个工作日内响应，3个工作日内提出解决方案；公益性服务不收取任何费用。", 12),
        ("left", "第四章  监督评价", 12.5),
        ("p", "第五条  每季度开展服务满意度调查，接受政府部门和服务对象的监督评价。", 12)])


def clients_doc(rng, n):
    rows = [["序号", "中小微企业名称", "联系人", "联系方式", "服务内容", "服务收费(万元)", "减免收费(万元)"]]
    for i in range(n):
        rows.append([str(i + 1), FIRMS[(i + 5) % len(FIRMS)], person(rng),
                     "1%d%09d" % (rng.choice((3, 5, 8)), rng.randrange(10 ** 8, 10 ** 9)),
                     rng.choice(["检验检测", "管理咨询", "融资对接", "政策咨询", "知识产权", "人才培训"]),
                     "%.1f" % rng.uniform(0, 12), "%.1f" % rng.uniform(0, 3)])
    return "2022年服务机构服务对象情况表", rows, [0.5, 2.4, 0.8, 1.3, 1, 0.9, 0.9]


def honour(u):
    return dict(page=A4L, blocks=[
        ("gap", 60), ("title", "荣 誉 证 书", 34), ("gap", 20),
        ("p", "%s：" % u["name"], 16),
        ("p", "被评为“2021年度湖南省小微企业创业创新示范基地”。", 16),
        ("p", "特发此证，以资鼓励。", 16), ("gap", 30),
        ("right", "湖南省工业和信息化厅", 14), ("right", "二〇二一年十二月", 14),
        ("stamp", "湖南省工业和信息化厅", "", -20, -10)])


def county_report(county, dept, units):
    lst = "".join("%d. %s（%s）；" % (i + 1, n, p) for i, (n, p) in enumerate(units))
    return dict(blocks=[
        ("title", "关于推荐2023年衡阳市中小微企业创新创业基地和核心服务机构的报告", 16),
        ("left", "衡阳市工业和信息化局：", 13),
        ("p", "根据《关于做好2023年衡阳市中小微企业创新创业基地和中小微企业核心服务机构培育申报工作的通知》"
              "（衡市工信中小企业〔2023〕12号）精神，我局组织辖区内企业开展了申报工作，经对申报材料的真实性、"
              "完整性进行审核，现推荐以下单位：", 13),
        ("p", lst, 13),
        ("p", "以上单位申报材料真实、完整，符合申报条件，特予推荐。", 13), ("gap", 30),
        ("right", dept, 13), ("right", "2023年5月15日", 13), ("stamp", dept, "", -20, 0),
        ("left", "（联系人：张伟，联系电话：0734-8812345）", 11)])


def summary_base(county, units):
    rows = [["序号", "单位名称", "联系人", "联系电话", "基地基本情况 (简要)"]]
    for i, (u, v) in enumerate(units):
        rows.append([str(i + 1), u["name"], u["contact"], u["phone"],
                     "服务人员%s人，入驻企业%s家，孵化面积%s平方米，提供创业辅导、投融资等服务"
                     % (v["service_staff"], v["firms_2022"], v["floor_area"])])
    return rows


def summary_inst(units):
    rows = [["序 号", "单 位 名 称", "机 构 类 型 (综 合/ 专 业)", "2022 年 服 务 收 入 (万 元)",
             "截 至 2022 年 底 服 务 资 产 (万 元)", "截 至 2022 年 底 服 务 人 员 (人)", "成 立 时 间",
             "主 要 服 务 项 目", "联 系 人", "联 系 电 话"]]
    for i, (u, v) in enumerate(units):
        rows.append([str(i + 1), u["name"], "综合" if v["type"] == "综合性" else "专业", v["income_2022"],
                     v["assets"], v["staff"], u["est_iso"], "技术创新/数字化赋能", u["contact"], u["phone"]])
    return rows


# ------------------------------------------------------------ negatives

def meeting_notice():
    return dict(blocks=[
        ("title", "关于召开全市工业经济运行调度会的通知", 17),
        ("left", "各县市区工信部门、市直各园区：", 12.5),
        ("p", "经研究，定于2023年5月16日（星期二）上午9:00在市政府第三会议室召开全市工业经济运行调度会，"
              "现将有关事项通知如下：", 12),
        ("p", "一、参会人员：各县市区工信部门分管负责同志，市直各园区经济发展部门负责同志。", 12),
        ("p", "二、会议内容：通报1—4月全市工业经济运行情况，部署下阶段重点工作。", 12),
        ("p", "三、有关要求：请参会人员提前10分钟入场，会议期间将手机调至静音状态。", 12),
        ("right", "衡阳市人民政府办公室", 12), ("right", "2023年5月11日", 12)])


def thanks_letter():
    return dict(blocks=[
        ("title", "感 谢 信", 20),
        ("left", "尊敬的客户朋友们：", 13),
        ("p", "春风送暖，万象更新。过去一年，承蒙各位客户的信任与支持，我店业绩稳步增长。值此周年店庆之际，"
              "我们特推出回馈活动，凡5月20日前到店消费的会员均可享受八折优惠。", 13),
        ("p", "再次感谢您的支持，祝您身体健康、万事如意！", 13),
        ("right", "衡阳市华新超市", 13), ("right", "2023年5月1日", 13)])


def invoice(rng):
    rows = [["货物或应税劳务、服务名称", "规格型号", "单位", "数量", "单价", "金额", "税率", "税额"],
            ["*办公用品*A4复印纸", "70g", "箱", "20", "118.00", "2360.00", "13%", "306.80"],
            ["*办公用品*签字笔", "0.5mm", "盒", "10", "24.00", "240.00", "13%", "31.20"],
            [("合    计", 5), "￥2600.00", "", "￥338.00"],
            [("价税合计（大写）", 2), ("贰仟玖佰叁拾捌元整    （小写）￥2938.00", 6)]]
    return dict(page=A4L, blocks=[
        ("title", "湖南增值税普通发票", 20),
        ("right", "发票号码：%08d    开票日期：2023年05月06日" % rng.randrange(10 ** 7, 10 ** 8), 10),
        ("left", "购买方名称：衡阳市新锐广告有限公司    纳税人识别号：91430405MA4R1K2L3X", 10.5),
        ("table", rows, [2.2, 0.8, 0.5, 0.5, 0.8, 1, 0.6, 0.8], 10),
        ("left", "销售方名称：衡阳市文华办公用品经营部", 10.5),
        ("right", "收款人：李红    复核：张明    开票人：王芳", 10),
        ("stamp", "衡阳市文华办公用品经营部", "发票专用章", -40, -30)])


def photo_scene(rng, w=1280, h=960):
    """A phone photo of something unrelated: sky, hills, a building, trees."""
    img = Image.new("RGB", (w, h))
    d = ImageDraw.Draw(img)
    for y in range(h):
        t = y / h
        d.line([(0, y), (w, y)], fill=(int(120 + 90 * t), int(170 + 50 * t), int(230 - 30 * t)))
    pts = [(0, int(h * 0.55))]
    for x in range(0, w + 80, 80):
        pts.append((x, int(h * (0.45 + 0.08 * math.sin(x / 150.0) + rng.uniform(-0.02, 0.02)))))
    pts += [(w, h), (0, h)]
    d.polygon(pts, fill=(70, 110, 70))
    d.rectangle([int(w * 0.55), int(h * 0.35), int(w * 0.8), int(h * 0.75)], fill=(200, 190, 180))
    for i in range(6):
        for j in range(4):
            x = int(w * 0.57 + i * w * 0.035)
            y = int(h * 0.4 + j * h * 0.08)
            d.rectangle([x, y, x + int(w * 0.02), y + int(h * 0.04)], fill=(90, 110, 140))
    for k in range(9):
        x = rng.randrange(0, int(w * 0.5))
        y = int(h * rng.uniform(0.6, 0.8))
        d.rectangle([x - 5, y, x + 5, y + 60], fill=(90, 60, 40))
        d.ellipse([x - 45, y - 80, x + 45, y + 10], fill=(40, 100 + rng.randrange(40), 40))
    d.rectangle([0, int(h * 0.85), w, h], fill=(150, 140, 120))
    return img.filter(ImageFilter.GaussianBlur(1.2))


# ------------------------------------------------------------ values

def with_share(v):
    v["self_share"] = "%.1f" % (100.0 * int(v["self_held"]) / int(v["floor_area"]))
    return v


BASE_V = {
    "yc": with_share(dict(
        land_area="36000", floor_area="52000", std_plant="38000", self_held="15600", rented="33400",
        sold="3000", public_area="4200", staff="28", service_staff="12",
        network="已接入湖南省中小企业公共服务平台网络，实现服务资源互联互通",
        assets_2021="18600", revenue_2021="2350", firms_2021="56", small_2021="50",
        graduated_2021="4", employees_2021="1260", assets_2022="19800", revenue_2022="2680",
        firms_2022="63", small_2022="57", graduated_2022="5", employees_2022="1420", served="46")),
    "yj": with_share(dict(
        land_area="28000", floor_area="31000", std_plant="24000", self_held="6800", rented="24200",
        sold="0", public_area="2600", staff="15", service_staff="8",
        network="已接入衡阳市中小企业公共服务平台",
        assets_2021="9400", revenue_2021="1120", firms_2021="29", small_2021="26",
        graduated_2021="2", employees_2021="380", assets_2022="10350", revenue_2022="1290",
        firms_2022="34", small_2022="31", graduated_2022="3", employees_2022="420", served="38")),
    "qd": with_share(dict(
        land_area="12000", floor_area="15000", std_plant="11000", self_held="2400", rented="12600",
        sold="0", public_area="900", staff="7", service_staff="5", network="暂未接入",
        assets_2021="2100", revenue_2021="260", firms_2021="14", small_2021="12",
        graduated_2021="0", employees_2021="130", assets_2022="2380", revenue_2022="310",
        firms_2022="18", small_2022="15", graduated_2022="1", employees_2022="160", served="24")),
}

INST_V = {
    "zx": dict(category="综合性服务机构", type="综合性", email="hyzxqfw@163.com", staff="14",
               college="12", floor_area="680",
               services="政策咨询、创业辅导、人才培训、融资对接、信息服务",
               capability="服务大厅680平方米，培训教室2间（120座），路演厅1个，视频会议系统1套",
               activities_text="2022年作为第一主办单位举办“两上三化”政策宣讲会、中小企业融资服务对接会等9场",
               income_2021="85", income_2022="96", profit_2021="12", profit_2022="15",
               firms_2021="210", firms_2022="236", events_2021="9", events_2022="11",
               assets="420", deep="40"),
    "hk": dict(category="专业服务机构", type="专业性（检验检测）", email="hengke_jc@126.com", staff="36",
               college="31", floor_area="2200",
               services="检验检测、研发设计、技术试验、标准化咨询",
               capability="CMA、CNAS资质实验室2200平方米，电感耦合等离子体发射光谱仪、气相色谱质谱联用仪等设备86台（套）",
               activities_text="2022年作为第一承办单位参与技术创新“破零倍增”行动检测服务进企业活动3场",
               income_2021="1120", income_2022="1386", profit_2021="186", profit_2022="231",
               firms_2021="168", firms_2022="192", events_2021="3", events_2022="4",
               assets="2650", deep="46"),
    "zc": dict(category="专业服务机构", type="专业性（管理咨询）", email="zhicheng_zx@qq.com", staff="9",
               college="7", floor_area="120", services="管理咨询、财税辅导、人才培训",
               capability="办公及培训场地120平方米，在线咨询系统1套",
               activities_text="2022年作为第一协办单位参与“湖湘精品”品牌能力提升培训2场",
               income_2021="76", income_2022="82", profit_2021="9", profit_2022="11",
               firms_2021="85", firms_2022="92", events_2021="2", events_2022="3",
               assets="45", deep="21"),
}


def form_label(u, v, prog):
    keys = dict(name=u["name"], established=u["est_iso"], legal=u["legal"], phone=u["phone"],
                capital=u["capital"])
    if prog == "base":
        keys["base"] = u["base"]
    else:
        keys["credit_code"] = u["code"]
    for k in sorted(v):
        if k in ("network", "services", "capability", "activities_text", "email"):
            continue
        keys[k] = v[k]
    return ";".join("%s=%s" % (k, keys[k]) for k in keys)


# ------------------------------------------------------------ writers

class Set:
    def __init__(self, out):
        self.out = out
        self.labels = []
        self.names = set()

    def add(self, name, prog, item, kind, code, values, write):
        assert name not in self.names, name
        self.names.add(name)
        path = os.path.join(self.out, name)
        write(path)
        self.labels.append((name, prog, item, kind, code or "-", values or "-"))

    # one call per file kind; the doc is a layout dict
    def docx(self, name, prog, item, doc, code=None, values=None):
        self.add(name, prog, item, "docx", code, values, lambda p: render_docx(doc, p))

    def pdf(self, name, prog, item, doc, code=None, values=None, fontname="WQY"):
        self.add(name, prog, item, "pdf-text", code, values, lambda p: render_pdf(doc, p, fontname))

    def xlsx(self, name, prog, item, sheets, code=None, values=None):
        self.add(name, prog, item, "xlsx", code, values, lambda p: render_xlsx(sheets, p))

    def pdf_scan(self, name, prog, item, doc, seed, code=None, values=None, pages=1, grey=True,
                 quarter=0, dpi=150, q=55):
        def w(p):
            rng = random.Random(seed)
            imgs = render_image(doc, dpi=dpi)[:pages]
            save_pdf_scan([scan(im, rng, grey=grey, quarter=quarter) for im in imgs], p, q)
        self.add(name, prog, item, "pdf-scan", code, values, w)

    def jpeg(self, name, prog, item, doc, seed, code=None, values=None, grey=False, quarter=0,
             dpi=150, q=62, shrink=0.85, angle=None):
        def w(p):
            rng = random.Random(seed)
            im = render_image(doc, dpi=dpi)[0]
            save_jpeg(scan(im, rng, grey=grey, quarter=quarter, shrink=shrink, angle=angle), p, q)
        self.add(name, prog, item, "image", code, values, w)

    def png(self, name, prog, item, doc, seed, code=None, values=None):
        def w(p):
            rng = random.Random(seed)
            im = render_image(doc, dpi=130)[0].convert("L")
            im = im.rotate(rng.uniform(-1.5, 1.5), resample=Image.BICUBIC, expand=True, fillcolor=255)
            im = im.quantize(16).convert("L") if False else im.point(lambda v: (v // 16) * 17)
            im.save(p, "PNG", optimize=True)
        self.add(name, prog, item, "image", code, values, w)

    def tiff(self, name, prog, item, doc, seed, code=None, values=None, quarter=0):
        def w(p):
            rng = random.Random(seed)
            im = render_image(doc, dpi=200)[0].convert("L")
            im = im.rotate(rng.choice((-1, 1)) * rng.uniform(1, 3), resample=Image.BICUBIC,
                           expand=True, fillcolor=255)
            if quarter:
                im = im.rotate(90 * quarter, expand=True)
            im = im.point(lambda v: 255 if v > 150 else 0).convert("1")
            im.save(p, "TIFF", compression="group4", dpi=(200, 200))
        self.add(name, prog, item, "image", code, values, w)

    def doc(self, name, prog, item, doc, code=None, values=None):
        def w(p):
            with open(p, "wb") as f:
                f.write(word97(doc))
        self.add(name, prog, item, "doc", code, values, w)

    def xls(self, name, prog, item, sheet, title, rows, code=None, values=None):
        def w(p):
            with open(p, "wb") as f:
                f.write(biff8(sheet, [[(title, 1)]] + rows))
        self.add(name, prog, item, "xls", code, values, w)

    def write_labels(self):
        with open(os.path.join(self.out, "labels.tsv"), "w") as f:
            f.write("# file\tprogram\titem\tkind\tcredit_code\tform_values\n")
            for row in sorted(self.labels):
                f.write("\t".join(row) + "\n")


# ------------------------------------------------------------ second batch
#
# Other units, other wordings: what county clerks actually send is not
# always titled as the notice titles it (请示 for 申请报告, 花名册 for 名单,
# 审 计 报 告 spaced out on a cover), and unrelated papers can talk about
# the same things (a news item about a 服务活动, a purchase contract with
# 甲方/乙方, a test report).

def letter(title, paras, sign=None, date="2023年5月10日", stamp=True, table=None, pre=None,
           size=12, tsize=17, page=A4):
    blocks = [("title", title, tsize)]
    if pre:
        blocks.append(("left", pre, size))
    for p in paras:
        if re.match(r"^[一二三四五六七]、|^第[一二三四五六七八]", p):
            blocks.append(("left", p, size + 0.5))
        else:
            blocks.append(("p", p, size))
    if table:
        blocks.append(("table",) + tuple(table))
    if sign:
        blocks += [("gap", 16), ("right", sign, size), ("right", date, size)]
        if stamp:
            blocks.append(("stamp", sign, "", -10, 0))
    return dict(page=page, blocks=blocks)


UNITS2 = {
    "kg": dict(name="衡阳市蒸湘区科创谷孵化器有限公司", short="蒸湘科创谷", base="蒸湘科创谷",
               county="蒸湘区", dept="衡阳市蒸湘区工业和信息化局",
               code=uscc("91", "430408", "MA4RK6T1"), legal="钟海波", contact="向丽",
               phone="13973431557", addr="衡阳市蒸湘区红湘北路188号", capital="3000",
               est="2015年10月8日", est_iso="2015-10-08", kind="有限责任公司（国有控股）"),
    "sk": dict(name="常宁市水口山众创空间管理有限公司", short="水口山众创空间", base="水口山众创空间",
               county="常宁市", dept="常宁市工业和信息化局",
               code=uscc("91", "430482", "MA4N5Y2X"), legal="阳德明", contact="欧阳婷",
               phone="15907342276", addr="常宁市水口山镇康家路9号", capital="800",
               est="2019年5月16日", est_iso="2019-05-16", kind="有限责任公司（自然人投资或控股）"),
    "zq": dict(name="衡阳市汇智知识产权服务有限公司", short="汇智知识产权",
               county="石鼓区", dept="衡阳市石鼓区工业和信息化局",
               code=uscc("91", "430407", "MA4PY3B6"), legal="谢文斌", contact="袁媛",
               phone="0734-8223671", addr="衡阳市石鼓区蔡伦大道77号创业大厦6楼", capital="300",
               est="2014年7月1日", est_iso="2014-07-01", kind="有限责任公司（自然人投资或控股）"),
    "rz": dict(name="衡东县中小企业融资服务中心", short="衡东融资服务中心",
               county="衡东县", dept="衡东县工业和信息化局",
               code=uscc("12", "430424", "MB192735"), legal="匡建平", contact="文倩",
               phone="0734-5223389", addr="衡东县城关镇洣水路66号", capital="100",
               est="2012年3月28日", est_iso="2012-03-28", kind="事业单位"),
}

BASE_V2 = {
    "kg": with_share(dict(
        land_area="45000", floor_area="68000", std_plant="41000", self_held="30500", rented="37500",
        sold="0", public_area="6800", staff="34", service_staff="15",
        network="已接入湖南省中小企业公共服务平台及“湘企通”",
        assets_2021="32600", revenue_2021="3920", firms_2021="88", small_2021="80",
        graduated_2021="7", employees_2021="2150", assets_2022="35100", revenue_2022="4410",
        firms_2022="102", small_2022="93", graduated_2022="9", employees_2022="2480", served="65")),
    "sk": with_share(dict(
        land_area="16000", floor_area="21500", std_plant="15000", self_held="4500", rented="17000",
        sold="0", public_area="1200", staff="9", service_staff="6", network="已接入",
        assets_2021="3600", revenue_2021="420", firms_2021="21", small_2021="20",
        graduated_2021="1", employees_2021="215", assets_2022="3900", revenue_2022="465",
        firms_2022="24", small_2022="22", graduated_2022="2", employees_2022="236", served="31")),
}

INST_V2 = {
    "zq": dict(category="专业服务机构", type="专业性（知识产权）", email="huizhi_ip@163.com", staff="16",
               college="14", floor_area="260", services="专利代理、商标注册、知识产权贯标、维权咨询",
               capability="办公场地260平方米，专利检索分析系统1套，专业代理师6名",
               activities_text="2022年作为第一承办单位举办知识产权进园区公益讲座3场",
               income_2021="168", income_2022="205", profit_2021="22", profit_2022="31",
               firms_2021="132", firms_2022="158", events_2021="3", events_2022="3",
               assets="96", deep="28"),
    "rz": dict(category="综合性服务机构", type="综合性", email="hdrzfw@163.com", staff="11",
               college="10", floor_area="150", services="融资对接、政策咨询、信用培育、财税辅导",
               capability="服务场地150平方米，银企对接室1间，线上融资服务平台1个",
               activities_text="2022年作为第一主办单位举办银企对接会、融资政策宣讲会6场",
               income_2021="38", income_2022="45", profit_2021="3", profit_2022="5",
               firms_2021="96", firms_2022="118", events_2021="5", events_2022="6",
               assets="62", deep="25"),
}


def batch2(s, rng):
    kg, sk, zq, rz = (UNITS2[k] for k in ("kg", "sk", "zq", "rz"))
    vkg, vsk, vzq, vrz = BASE_V2["kg"], BASE_V2["sk"], INST_V2["zq"], INST_V2["rz"]

    # ---- base 4: 蒸湘科创谷, everything worded its own way
    L = form_label(kg, vkg, "base")
    form = base_form(kg, vkg)
    form[0] = ("title", "衡阳市中小微企业创业创新基地申请表", 18)
    form.insert(0, ("left", "附件1", 12))
    s.docx("新建文档 (5).docx", "base", "B01", dict(blocks=form), values=L)
    s.pdf_scan("扫描件_20230513_0001.pdf", "base", "B01", dict(blocks=form), 101, values=L, dpi=200, pages=2)
    s.docx("材料2.docx", "base", "B02", letter(
        "%s关于申报市级中小微企业创业创新基地的请示" % kg["name"],
        ["我公司运营的%s成立于%s，现有入驻企业%s家。对照《衡阳市中小微企业创业创新基地管理办法》，"
         "我公司符合申报条件，特申请认定为衡阳市中小微企业创业创新基地。" % (kg["base"], kg["est"], vkg["firms_2022"]),
         "一、运营主体基本情况", "公司注册资本%s万元，专职服务人员%s人。" % (kg["capital"], vkg["service_staff"]),
         "二、基地建设情况", "基地总建筑面积%s平方米，其中自持%s平方米。" % (vkg["floor_area"], vkg["self_held"]),
         "妥否，请批示。"], sign=kg["name"], pre="衡阳市工业和信息化局："))
    s.xlsx("材料3.xlsx", "base", "B03", [("花名册", "科创谷运营团队及创业导师花名册",
                                         [["序号", "姓名", "性别", "出生年月", "学历", "岗位", "职称/资格", "备注"]]
                                         + [[str(i + 1), person(rng), rng.choice("男女"),
                                             "19%d.%02d" % (rng.randrange(70, 99), rng.randrange(1, 13)),
                                             rng.choice(["本科", "硕士", "大专"]),
                                             rng.choice(["运营总监", "创业导师", "企业服务专员", "招商经理", "财务"]),
                                             rng.choice(["经济师", "工程师", "创业咨询师", "—"]), ""] for i in range(15)],
                                         [3, 4, 3, 4, 4, 5, 5, 3])])
    s.xlsx("材料4.xlsx", "base", "B04", [("Sheet1", "在孵企业名录（截至2022年12月31日）",
                                         [["序号", "企业名称", "入孵时间", "2022年营业收入（万元）", "2022年纳税（万元）",
                                           "从业人数", "企业类型"]]
                                         + [[str(i + 1), FIRMS[(i + 3) % len(FIRMS)],
                                             "20%d年%d月" % (rng.randrange(16, 23), rng.randrange(1, 13)),
                                             "%.1f" % rng.uniform(50, 3000), "%.1f" % rng.uniform(1, 90),
                                             str(rng.randrange(5, 80)), rng.choice(["小型", "微型", "小型", "中型"])]
                                            for i in range(22)], [3, 10, 4, 5, 5, 3, 3])])
    s.pdf_scan("扫描件_20230513_0002.pdf", "base", "B05", dict(blocks=[
        ("gap", 140), ("title", "审  计  报  告", 26), ("gap", 16),
        ("center", "湘衡会审〔2023〕086号", 13), ("gap", 40),
        ("center", "被审计单位：%s" % kg["name"], 13), ("center", "审计期间：2022年1月1日至2022年12月31日", 13),
        ("gap", 200), ("center", "湖南衡州联合会计师事务所（普通合伙）", 14), ("center", "2023年3月28日", 13),
        ("stamp", "湖南衡州联合会计师事务所", "", -150, 0)]), 102)
    s.jpeg("IMG_4410.jpg", "base", "B06", licence(kg, random.Random(103)), 104, code=kg["code"], angle=-3.5)
    s.docx("材料7.docx", "base", "B07", letter(
        "厂房租赁协议书",
        ["甲方（出租人）：衡阳市蒸湘区城市建设投资有限公司", "乙方（承租人）：%s" % kg["name"],
         "经甲乙双方友好协商，甲方同意将红湘北路188号3#、4#厂房出租给乙方作为科创谷孵化用房，建筑面积%s平方米。"
         % vkg["rented"],
         "一、租赁期限：2020年7月1日至2030年6月30日。", "二、租金：每月每平方米15元，每半年支付一次。",
         "三、乙方可将租赁厂房转租给入驻企业，但须报甲方备案。"], sign="衡阳市蒸湘区城市建设投资有限公司",
        date="2020年6月20日"))
    s.tiff("scan0004.tif", "base", "B08", letter(
        "关于科创谷自有厂房面积情况的说明",
        ["%s建设运营的科创谷总建筑面积%s平方米，其中公司自有产权厂房%s平方米（1#、2#、5#楼），"
         "占总面积的%s%%，均已办理不动产权登记。" % (kg["name"], vkg["floor_area"], vkg["self_held"], vkg["self_share"]),
         "特此说明。"], sign=kg["name"], date="2023年5月11日"), 105)

    def plan(ops, x, y, w, h):
        ops.append(("rect", x, y, w, h, None, (0, 0, 0)))
        for i, (nm, bx, by) in enumerate([("A区 孵化楼", 0.05, 0.05), ("B区 加速器", 0.5, 0.05),
                                          ("C区 标准厂房", 0.05, 0.5), ("D区 配套服务", 0.5, 0.5)]):
            ops.append(("rect", x + bx * w, y + by * h, 0.42 * w, 0.4 * h, (235, 235, 220), (0, 0, 0)))
            ops.append(("text", x + (bx + 0.05) * w, y + (by + 0.18) * h, 14, nm, (0, 0, 0)))
    s.jpeg("IMG_4415.jpg", "base", "B09", dict(blocks=[("title", "蒸湘科创谷总平面图", 18), ("drawing", 520, plan),
                                                      ("right", "衡阳市建筑设计院  2021年3月", 10)]), 106)
    s.pdf("材料10.pdf", "base", "B10", letter(
        "科创谷2021—2022年度服务工作总结",
        ["两年来，科创谷坚持“孵化+服务”模式，累计为入驻企业提供各类服务1600余次。",
         "一、基础服务", "免费提供会议室、路演厅、共享办公区，两年减免租金合计128万元。",
         "二、专业服务", "引入财税、法律、知识产权等专业服务机构8家，服务收费低于市场价30%以上。",
         "三、投融资服务", "组织银企对接6次，帮助企业获得贷款1.2亿元。"], sign=kg["name"], stamp=False))
    s.pdf_scan("扫描件_20230513_0003.pdf", "base", "B11", letter(
        "科创谷承办“湖湘精品”品牌能力提升培训活动情况",
        ["2022年8月18日，科创谷作为第一承办单位，举办中小企业“湖湘精品”品牌能力提升专题培训，"
         "邀请省内品牌专家授课，%s家中小企业参加。" % vkg["served"],
         "活动围绕品牌战略、质量管理、商标保护等内容开展，企业满意度达98%。"], sign=kg["name"]), 107)
    s.jpeg("IMG_4420.jpg", "base", "B12", dict(page=A4L, blocks=[
        ("gap", 60), ("title", "证  书", 34), ("gap", 20),
        ("p", "%s：" % kg["name"], 16),
        ("p", "经评审，你单位运营的蒸湘科创谷被认定为“国家级科技企业孵化器”。", 16), ("gap", 30),
        ("right", "中华人民共和国科学技术部", 14), ("right", "二〇二二年一月", 14),
        ("stamp", "中华人民共和国科学技术部", "", -20, -10)]), 108, quarter=-1)
    s.docx("材料13.docx", "base", "B13", letter(
        "诚信承诺书",
        ["本单位自愿申报衡阳市中小微企业创业创新基地，现郑重承诺：", "一、所提供的申报材料全部真实、有效；",
         "二、近三年未发生重大安全生产、环境污染和产品质量事故；", "三、如有弄虚作假，愿承担一切后果。"],
        sign=kg["name"], date="2023年5月12日"), code=None)
    s.pdf_scan("扫描件_20230513_0004.pdf", "base", "B14", dict(blocks=[
        ("title", "单位参保职工缴费明细", 17),
        ("left", "参保单位：%s    单位编号：43040800%04d" % (kg["name"], rng.randrange(10000)), 11),
        ("table", [["序号", "姓名", "证件号码", "养老", "医疗", "失业", "工伤", "缴费状态"]]
         + [[str(i + 1), person(rng), "4304**********%04d" % rng.randrange(10000), "√", "√", "√", "√", "正常"]
            for i in range(8)], [0.5, 0.8, 2, 0.6, 0.6, 0.6, 0.6, 1], 10.5),
        ("right", "衡阳市医疗保障事务中心  衡阳市社会保险服务中心", 11),
        ("stamp", "衡阳市社会保险服务中心", "业务专用章", -20, 0)]), 109)

    # ---- base 5: 水口山众创空间, a smaller set
    L = form_label(sk, vsk, "base")
    s.pdf("材料1.pdf", "base", "B01", dict(blocks=base_form(sk, vsk)), values=L, fontname="STSong-Light")
    s.jpeg("IMG_20230516_101530.jpg", "base", "B02", report_doc(sk, "base", vsk), 111, angle=2.2)
    s.jpeg("IMG_20230516_101602.jpg", "base", "B06", licence(sk, random.Random(112)), 113, code=sk["code"],
           grey=True)
    s.pdf_scan("扫描件_20230516_0001.pdf", "base", "B07", property_cert(sk, vsk, 45821), 114)
    s.png("Screenshot_20230516_102233.png", "base", "B13", letter(
        "关于申报材料真实性的承诺",
        ["我单位承诺本次申报衡阳市中小微企业创新创业基地所提交的材料均真实、准确，如有虚假，愿承担相应责任。"],
        sign=sk["name"], date="2023年5月16日"), 115)

    # ---- institution 4: 汇智知识产权 (专业性)
    L = form_label(zq, vzq, "institution")
    s.docx("材料01.docx", "institution", "S01", dict(blocks=inst_form(zq, vzq)), code=zq["code"], values=L)
    s.docx("材料02.docx", "institution", "S02", letter(
        "关于申报衡阳市中小微企业核心服务机构的报告",
        ["衡阳市工业和信息化局：", "我公司是一家专业从事知识产权服务的机构，成立于%s，现有员工%s人，"
         "其中专利代理师6人。2022年服务企业%s家，服务收入%s万元。现申报衡阳市中小微企业核心服务机构。"
         % (zq["est"], vzq["staff"], vzq["firms_2022"], vzq["income_2022"]),
         "一、发展沿革", "2014年成立，2018年获评湖南省知识产权服务品牌机构培育单位。",
         "二、服务能力", vzq["capability"] + "。", "特此报告。"], sign=zq["name"]))
    s.jpeg("IMG_5501.jpg", "institution", "S03", licence(zq, random.Random(121)), 122, code=zq["code"])
    s.pdf_scan("扫描件_20230514_0001.pdf", "institution", "S04", lease(zq, "衡阳市创业大厦物业管理有限公司", "260", 3), 123)
    s.pdf("材料05.pdf", "institution", "S05", letter(
        "服务质量管理规范及服务承诺",
        ["第一条 本公司所有业务按照受理、检索、撰写、审核、递交、跟踪的流程办理。",
         "第二条 专利、商标案件实行专人负责制和二级审核制度。",
         "第三条 服务承诺：咨询当日答复，案件按约定时限提交，公益咨询一律免费。"], sign=zq["name"], stamp=False))
    s.xlsx("材料06.xlsx", "institution", "S06", [("Sheet1", "2022年度服务企业清单",
                                                [["序号", "企业名称", "服务项目", "合同金额（万元）", "减免（万元）", "联系人"]]
                                                + [[str(i + 1), FIRMS[(i + 7) % len(FIRMS)],
                                                    rng.choice(["发明专利申请", "商标注册", "贯标辅导", "专利导航"]),
                                                    "%.1f" % rng.uniform(0.3, 8), "%.1f" % rng.uniform(0, 1), person(rng)]
                                                   for i in range(20)], [3, 10, 5, 4, 4, 4])])
    s.pdf_scan("扫描件_20230514_0002.pdf", "institution", "S07", audit_cover(zq, 233, "衡阳正信会计师事务所有限公司"), 124)
    s.docx("材料08.docx", "institution", "S08", letter(
        "专业技术人员一览表", [], table=([["序号", "姓名", "岗位", "职称/执业资格", "资格证书编号"]]
                                  + [[str(i + 1), person(rng), rng.choice(["专利代理师", "商标代理人", "咨询顾问"]),
                                      rng.choice(["专利代理师资格", "知识产权师（中级）", "助理工程师"]),
                                      "%d" % rng.randrange(10 ** 9, 10 ** 10)] for i in range(10)],
                                  [0.5, 0.9, 1.2, 1.6, 1.4], 11)))
    s.docx("材料09.docx", "institution", "S09", letter(
        "服务典型案例",
        ["案例一：湖南恒通电子科技有限公司专利布局", "为企业开展专利导航分析，布局发明专利12件，帮助企业获评省级专精特新中小企业。",
         "案例二：衡阳市德润食品有限公司商标维权", "协助企业处理商标侵权案件3起，挽回经济损失80余万元。",
         "案例三：衡阳智联软件开发有限公司贯标辅导", "指导企业通过知识产权管理体系认证，享受奖补资金20万元。"]))
    s.jpeg("IMG_5510.jpg", "institution", "S10", letter(
        "2022年开展中小企业公益服务活动统计表", [],
        table=([["序号", "活动名称", "时间", "地点", "参加企业数", "本单位角色"],
                ["1", "知识产权进园区公益讲座", "2022.4.26", "白沙洲工业园", "42", "第一承办"],
                ["2", "“破零倍增”专利挖掘服务", "2022.7.8", "松木经开区", "35", "第一承办"],
                ["3", "商标品牌培育沙龙", "2022.10.20", "高新区", "28", "第一主办"]],
               [0.5, 2.2, 1, 1.2, 0.9, 0.9], 10.5), sign=zq["name"]), 125)
    s.tiff("scan0005.tif", "institution", "S12", letter(
        "申报材料真实性承诺",
        ["我公司对本次申报衡阳市中小微企业核心服务机构所提交的全部材料的真实性负责，如有不实，愿承担相应法律责任。"],
        sign=zq["name"]), 126)
    s.jpeg("IMG_5512.jpg", "institution", "S13", dict(blocks=[
        ("title", "社保缴费证明", 18),
        ("p", "兹证明%s（统一社会信用代码：%s）以下%d名职工在我中心正常参加企业职工基本养老保险、失业保险、工伤保险。"
         % (zq["name"], zq["code"], 4), 12),
        ("table", [["序号", "姓名", "参保起始时间", "缴费至"]]
         + [[str(i + 1), person(rng), "20%d年%d月" % (rng.randrange(15, 22), rng.randrange(1, 13)), "2023年4月"]
            for i in range(4)], [0.5, 1, 1.5, 1.5], 11),
        ("right", "衡阳市社会保险服务中心", 12), ("right", "2023年5月8日", 12),
        ("stamp", "衡阳市社会保险服务中心", "业务专用章", -20, 0)]), 127, code=zq["code"], grey=True)

    # ---- institution 5: 衡东融资服务中心 (综合性; few files)
    L = form_label(rz, vrz, "institution")
    s.jpeg("IMG_6601.jpg", "institution", "S01", dict(blocks=inst_form(rz, vrz)), 131, code=rz["code"],
           values=L, angle=1.6)
    s.pdf("材料001.pdf", "institution", "S03", inst_certificate(rz), code=rz["code"])
    s.docx("材料003.docx", "institution", "S12", declaration(rz, "institution"))

    # ---- counties
    s.pdf_scan("扫描件_20230517_0001.pdf", "county", "C01", letter(
        "衡东县工业和信息化局关于推荐衡阳市中小微企业核心服务机构的函",
        ["衡阳市工业和信息化局：", "根据衡市工信中小企业〔2023〕12号文件要求，经我局审核，推荐%s申报2023年衡阳市中小微企业"
         "核心服务机构。该单位申报材料真实完整，符合申报条件。" % rz["name"], "特此函告。"],
        sign="衡东县工业和信息化局", date="2023年5月17日"), 141)
    s.docx("附件(4).docx", "county", "C02", dict(page=A4L, blocks=[
        ("left", "附件2", 12), ("title", "衡阳市中小微企业创新创业基地推荐汇总表", 16),
        ("left", "填报单位: 衡阳市蒸湘区工业和信息化局（盖章）", 11),
        ("table", summary_base("蒸湘区", [(kg, vkg)]), [0.5, 2.2, 0.8, 1.2, 3], 10.5),
        ("left", "注：基地基本情况简要填写，服务人员数、入驻企业数、孵化面积、服务功能等。", 10)]))
    s.jpeg("IMG_20230518_090011.jpg", "county", "C02", dict(page=A4L, blocks=[
        ("title", "衡阳市中小微企业核心服务机构推荐汇总表", 16),
        ("left", "填报单位: 衡阳市石鼓区工业和信息化局", 11),
        ("table", summary_inst([(zq, vzq)]), [0.5, 1.6, 1, 1, 1, 1, 1, 1.2, 0.8, 1.2], 8.5)]), 142)
    s.pdf("材料(1).pdf", "county", "C01", letter(
        "关于推荐衡阳市蒸湘区科创谷孵化器有限公司申报市级中小微企业创新创业基地的报告",
        ["衡阳市工业和信息化局：", "经我局对%s的申报材料进行审核，该单位运营的蒸湘科创谷符合申报条件，特予推荐。"
         % kg["name"]], sign="衡阳市蒸湘区工业和信息化局", date="2023年5月16日"))

    # ---- unrelated papers that talk about the same things
    s.docx("新建 Microsoft Word 文档 (4).docx", "none", "none", letter(
        "我市举办中小企业数字化转型服务活动",
        ["5月9日，由市工信局主办的“智赋千企”中小企业数字化转型服务活动在高新区举行，"
         "30余家服务机构和120余家中小企业参加。活动现场签约项目15个。",
         "市工信局相关负责人表示，将持续开展中小企业公共服务活动，推动服务机构与企业精准对接。"],
        sign="衡阳日报记者 李明", stamp=False, date="2023年5月10日"))
    s.pdf("材料(2).pdf", "none", "none", letter(
        "设备采购合同",
        ["甲方（买方）：湖南衡科检测技术有限公司", "乙方（卖方）：长沙精仪科学仪器有限公司",
         "一、标的：气相色谱仪一台，型号GC-2030，总价款人民币壹拾捌万元整。",
         "二、交货期限：合同签订后30日内。", "三、付款方式：验收合格后一次性支付。"],
        sign="长沙精仪科学仪器有限公司", date="2023年3月2日"))
    s.jpeg("IMG_6620.jpg", "none", "none", letter(
        "检 验 检 测 报 告",
        ["报告编号：HK-2023-0415", "样品名称：不锈钢焊管", "委托单位：衡阳市博远机械制造有限公司",
         "检验类别：委托检验", "检验结论：所检项目符合GB/T 12770-2012要求。"],
        sign="湖南衡科检测技术有限公司", date="2023年4月15日"), 151)
    s.xlsx("新建 XLSX 工作表 (4).xlsx", "none", "none", [("4月", "2023年4月工资发放表",
                                          [["序号", "姓名", "部门", "基本工资", "绩效", "社保扣款", "实发工资"]]
                                          + [[str(i + 1), person(rng), rng.choice(["综合部", "运营部", "财务部"]),
                                              str(rng.randrange(3000, 6000)), str(rng.randrange(500, 2000)),
                                              str(rng.randrange(400, 700)), str(rng.randrange(3500, 7000))]
                                             for i in range(12)], [3, 4, 4, 4, 4, 4, 4])])
    s.pdf_scan("扫描件_20230519_0001.pdf", "none", "none", letter(
        "会议纪要",
        ["时间：2023年5月5日下午", "地点：公司三楼会议室", "参会人员：公司班子成员及各部门负责人",
         "会议研究了二季度招商工作、园区消防安全整改和员工培训计划等事项，形成如下意见：",
         "一、加快推进3#厂房招商，力争6月底前签约企业5家。", "二、5月20日前完成消防设施检修。"],
        sign="公司办公室", stamp=False), 152)


def main():
    os.makedirs(OUT, exist_ok=True)
    for fn in os.listdir(OUT):
        if fn not in ("make-set.py", "README.md", "labels.tsv") and not fn.startswith("."):
            os.unlink(os.path.join(OUT, fn))
    s = Set(OUT)
    yc, yj, qd, zx, hk, zc = (UNITS[k] for k in ("yc", "yj", "qd", "zx", "hk", "zc"))
    vyc, vyj, vqd = BASE_V["yc"], BASE_V["yj"], BASE_V["qd"]
    vzx, vhk, vzc = INST_V["zx"], INST_V["hk"], INST_V["zc"]
    rng = random.Random(2023)

    def form_doc(u, v, prog):
        return dict(blocks=base_form(u, v) if prog == "base" else inst_form(u, v))

    def form_sheet(u, v, prog):
        if prog == "base":
            b = base_form(u, v)
            rows = b[3][1] + b[5][1]
            return [("申请表", "衡阳市中小微企业创新创业基地申请表", rows, [5, 6, 4, 4, 4, 4, 4, 4])]
        b = inst_form(u, v)
        return [("Sheet1", "衡阳市中小微企业核心服务机构申请表", b[3][1], [5, 4, 4, 4, 4, 4])]

    def table_doc(title, rows, widths, size=10.5, unit=None, page=A4):
        blocks = [("title", title, 16)]
        if unit:
            blocks.append(("left", unit, 11))
        blocks.append(("table", rows, widths, size))
        return dict(page=page, blocks=blocks)

    # ---- base 1: 雁城双创基地 (meets every condition)
    L = form_label(yc, vyc, "base")
    s.docx("新建 Microsoft Word 文档.docx", "base", "B01", form_doc(yc, vyc, "base"), values=L)
    s.docx("附件5.docx", "base", "B02", report_doc(yc, "base", vyc))
    t, rows, w = staff_doc(yc, rng)
    s.xlsx("工作簿1.xlsx", "base", "B03", [("Sheet1", t, rows, [3, 5, 3, 3, 4, 6, 6, 8])])
    s.xlsx("新建 XLSX 工作表.xlsx", "base", "B04",
           [("Sheet1", "入驻中小微企业名单及基本情况汇总表",
             [["序号", "中小微企业名称", "上年度营业收入(万元)", "上年度纳税额(万元)", "入驻时间",
               "企业联系人", "职务", "联系电话"]] + firms_rows(rng, 24), [3, 10, 5, 5, 4, 4, 4, 6])])
    s.pdf_scan("扫描全能王 2023-05-10 10.23.pdf", "base", "B05", audit_cover(yc, 315), 11, pages=2)
    s.jpeg("IMG_2034.jpg", "base", "B06", licence(yc, random.Random(6)), 12, code=yc["code"])
    s.pdf_scan("扫描全能王 2023-05-10 10.31.pdf", "base", "B07", property_cert(yc, vyc, 12345), 13)
    s.pdf("文档1.pdf", "base", "B08", self_held(yc, vyc))
    s.png("微信图片_20230512093015.png", "base", "B09", layout_plan(yc, rng), 14)
    s.docx("新建 Microsoft Word 文档 (2).docx", "base", "B10", services_doc(yc, "base", vyc))
    s.pdf("文档2.pdf", "base", "B11", activities_doc(yc), fontname="STSong-Light")
    s.jpeg("IMG_2041.jpg", "base", "B12", honour(yc), 15, quarter=1)
    s.jpeg("IMG_2045.jpg", "base", "B13", declaration(yc, "base"), 16)
    s.pdf_scan("扫描全能王 2023-05-10 10.40.pdf", "base", "B14", social_insurance(yc, rng, 6), 17,
               code=yc["code"])

    # ---- base 2: 云集科技孵化基地 (meets every condition)
    L = form_label(yj, vyj, "base")
    s.pdf("附件1.pdf", "base", "B01", form_doc(yj, vyj, "base"), values=L)
    s.pdf("附件2.pdf", "base", "B02", report_doc(yj, "base", vyj), fontname="STSong-Light")
    t, rows, w = staff_doc(yj, rng)
    s.docx("附件3.docx", "base", "B03", table_doc(t, rows, w, unit="填报单位：" + yj["name"]))
    s.xlsx("附件4.xlsx", "base", "B04",
           [("入驻企业", "入驻中小微企业名单及基本情况汇总表",
             [["序号", "中小微企业名称", "上年度营业收入(万元)", "上年度纳税额(万元)", "入驻时间",
               "企业联系人", "职务", "联系电话"]] + firms_rows(rng, 20)
             + [[("合计", 2), "", "", ("", 4)]], [3, 10, 5, 5, 4, 4, 4, 6])])
    s.pdf("附件6.pdf", "base", "B05", audit_cover(yj, 288))
    s.pdf_scan("CamScanner 05-11-2023 15.02.pdf", "base", "B06", licence(yj, random.Random(7)), 21,
               code=yj["code"])
    s.docx("附件7.docx", "base", "B07", lease(yj, "衡南县云集工业园投资开发有限公司", "9800", 10))
    s.tiff("scan0001.tif", "base", "B08", self_held(yj, vyj), 22)
    s.docx("附件9.docx", "base", "B09", build_plan(yj, vyj))
    s.pdf_scan("CamScanner 05-11-2023 15.10.pdf", "base", "B10", services_doc(yj, "base", vyj), 23)
    s.docx("附件11.docx", "base", "B11", activities_doc(yj))
    s.pdf_scan("CamScanner 05-11-2023 15.14.pdf", "base", "B13", declaration(yj, "base"), 24,
               grey=False)
    s.jpeg("mmexport1683712345678.jpg", "base", "B14", social_insurance(yj, rng, 4), 25,
           code=yj["code"])

    # ---- base 3: 洪桥创业园 (a small one: fails the area, firms and staff conditions)
    L = form_label(qd, vqd, "base")
    s.xlsx("工作簿2.xlsx", "base", "B01", form_sheet(qd, vqd, "base"), values=L)
    s.jpeg("IMG_20230509_162233.jpg", "base", "B01", form_doc(qd, vqd, "base"), 31, values=L,
           grey=True, q=58)
    s.tiff("scan0002.tif", "base", "B06", licence(qd, random.Random(8)), 32, code=qd["code"])
    s.jpeg("IMG_20230509_162540.jpg", "base", "B07", lease(qd, "祁东县洪桥街道永昌村村民委员会", "15000", 15), 33)
    s.docx("Doc1.docx", "base", "B13", pledge(qd), code=qd["code"])
    s.png("微信图片_20230512093342.png", "base", "B09", layout_plan(qd, random.Random(9)), 34)

    # ---- institution 1: 市中小企业综合服务中心 (综合性, meets the conditions)
    L = form_label(zx, vzx, "institution")
    s.docx("新建 DOCX 文档.docx", "institution", "S01", form_doc(zx, vzx, "institution"),
           code=zx["code"], values=L)
    s.docx("新建 DOCX 文档 (2).docx", "institution", "S02", report_doc(zx, "institution", vzx))
    s.jpeg("IMG_3101.jpg", "institution", "S03", inst_certificate(zx), 41, code=zx["code"])
    s.pdf_scan("扫描全能王 2023-05-11 09.12.pdf", "institution", "S04",
               lease(zx, "衡阳市国有资产经营有限公司", "680", 5), 42, pages=2)
    s.docx("新建 DOCX 文档 (3).docx", "institution", "S05", rules_doc(zx))
    t, rows, w = clients_doc(rng, 30)
    s.xlsx("新建 XLSX 工作表 (2).xlsx", "institution", "S06", [("Sheet1", t, rows, [3, 10, 4, 6, 5, 4, 4])])
    s.pdf_scan("扫描全能王 2023-05-11 09.20.pdf", "institution", "S07", audit_cover(zx, 402), 43)
    t, rows, w = staff_doc(zx, rng, inst=True)
    s.xlsx("新建 XLSX 工作表 (3).xlsx", "institution", "S08", [("Sheet1", t, rows, [3, 4, 6, 6, 4])])
    s.docx("新建 DOCX 文档 (4).docx", "institution", "S09", services_doc(zx, "institution", vzx))
    s.pdf("未命名.pdf", "institution", "S10", activities_doc(zx))
    s.png("微信图片_20230511201544.png", "institution", "S11", honour(zx), 44)
    s.pdf_scan("扫描全能王 2023-05-11 09.31.pdf", "institution", "S12", declaration(zx, "institution"), 45,
               grey=False)
    s.pdf("未命名 (2).pdf", "institution", "S13", social_insurance(zx, rng, 5), code=zx["code"],
          fontname="STSong-Light")

    # ---- institution 2: 衡科检测 (专业性, 检验检测, meets the conditions)
    L = form_label(hk, vhk, "institution")
    s.pdf("1.pdf", "institution", "S01", form_doc(hk, vhk, "institution"), code=hk["code"], values=L)
    s.jpeg("IMG_0521.JPG", "institution", "S01", form_doc(hk, vhk, "institution"), 51,
           code=hk["code"], values=L, quarter=-1, grey=True)
    s.pdf("2.pdf", "institution", "S02", report_doc(hk, "institution", vhk))
    s.pdf_scan("3.pdf", "institution", "S03", licence(hk, random.Random(10)), 52, code=hk["code"])
    s.jpeg("IMG_0524.JPG", "institution", "S04", property_cert(hk, dict(land_area="3200", self_held="2200"), 20876), 53)
    s.pdf("5.pdf", "institution", "S05", rules_doc(hk), fontname="STSong-Light")
    t, rows, w = clients_doc(rng, 24)
    s.docx("6.docx", "institution", "S06", table_doc(t, rows, w, size=9.5, page=A4L))
    s.pdf("7.pdf", "institution", "S07", audit_cover(hk, 517))
    t, rows, w = staff_doc(hk, rng, inst=True)
    s.docx("8.docx", "institution", "S08", table_doc(t, rows, w))
    s.pdf_scan("9.pdf", "institution", "S09", services_doc(hk, "institution", vhk), 54, pages=2)
    s.jpeg("IMG_0530.JPG", "institution", "S10", activities_doc(hk), 55)
    s.tiff("scan0003.tif", "institution", "S12", declaration(hk, "institution"), 56)
    s.jpeg("IMG_0533.JPG", "institution", "S13", social_insurance(hk, rng, 8), 57, code=hk["code"],
           grey=True)

    # ---- institution 3: 智诚咨询 (专业性, fails staff and income)
    L = form_label(zc, vzc, "institution")
    s.xlsx("新建 Microsoft Excel 工作表.xlsx", "institution", "S01", form_sheet(zc, vzc, "institution"),
           code=zc["code"], values=L)
    s.pdf_scan("Scan_20230512_0001.pdf", "institution", "S02", report_doc(zc, "institution", vzc), 61)
    s.jpeg("QQ图片20230512101010.jpg", "institution", "S03", licence(zc, random.Random(11)), 62,
           code=zc["code"], quarter=1)
    t, rows, w = clients_doc(rng, 18)
    s.xlsx("新建 Microsoft Excel 工作表 (2).xlsx", "institution", "S06", [("Sheet1", t, rows, [3, 10, 4, 6, 5, 4, 4])])
    s.docx("文档3.docx", "institution", "S12", declaration(zc, "institution"))
    s.pdf_scan("Scan_20230512_0002.pdf", "institution", "S08", table_doc(*staff_doc(zc, rng, inst=True)), 63)

    # ---- counties: 推荐报告 and 汇总表
    s.pdf_scan("扫描全能王 2023-05-15 16.02.pdf", "county", "C01",
               county_report("衡南县", "衡南县工业和信息化局",
                             [(yj["name"], "创新创业基地"), (zc["name"], "核心服务机构")]), 71, grey=False)
    s.xlsx("附件.xlsx", "county", "C02",
           [("Sheet1", "衡阳市中小微企业创新创业基地推荐汇总表", [[("填报单位: 衡南县工业和信息化局", 5)]]
             + summary_base("衡南县", [(yj, vyj)]), [3, 12, 4, 6, 16])])
    s.docx("文档4.docx", "county", "C01",
           county_report("雁峰区", "衡阳市雁峰区工业和信息化局",
                         [(yc["name"], "创新创业基地"), (hk["name"], "核心服务机构")]))
    s.docx("附件 (2).docx", "county", "C02",
           table_doc("衡阳市中小微企业核心服务机构推荐汇总表", summary_inst([(hk, vhk)]),
                     [0.5, 1.6, 1, 1, 1, 1, 1, 1.2, 0.8, 1.2], size=8.5,
                     unit="填报单位: 衡阳市雁峰区工业和信息化局", page=A4L))
    s.jpeg("IMG_20230515_173012.jpg", "county", "C01",
           county_report("高新区", "衡阳高新技术产业开发区产业发展局", [(zx["name"], "核心服务机构")]), 72)
    s.pdf_scan("扫描全能王 2023-05-15 16.10.pdf", "county", "C02",
               table_doc("衡阳市中小微企业核心服务机构推荐汇总表", summary_inst([(zx, vzx)]),
                         [0.5, 1.6, 1, 1, 1, 1, 1, 1.2, 0.8, 1.2], size=8.5,
                         unit="填报单位: 衡阳高新技术产业开发区产业发展局", page=A4L), 73)
    s.pdf("附件(3).pdf", "county", "C02",
          table_doc("衡阳市中小微企业创新创业基地推荐汇总表", summary_base("祁东县", [(qd, vqd)]),
                    [0.5, 2.2, 0.8, 1.2, 3], unit="填报单位: 祁东县工业和信息化局"))

    # ---- negatives: nothing of the checklist
    s.docx("新建 Microsoft Word 文档 (3).docx", "none", "none", meeting_notice())
    s.pdf_scan("扫描全能王 2023-05-12 08.05.pdf", "none", "none", thanks_letter(), 81)

    def photo(p):
        save_jpeg(photo_scene(random.Random(82)), p, 70)
    s.add("IMG_2050.jpg", "none", "none", "image", None, None, photo)
    s.jpeg("IMG_2052.jpg", "none", "none", invoice(random.Random(83)), 84, shrink=0.8)
    s.xlsx("工作簿3.xlsx", "none", "none",
           [("Sheet1", "会议签到表", [["序号", "姓名", "单位", "职务", "联系电话"]]
             + [[str(i + 1), person(rng), FIRMS[i], "经理", "1390734%04d" % rng.randrange(10000)]
                for i in range(12)], [3, 4, 10, 4, 6])])
    s.pdf("文档5.pdf", "none", "none", invoice(random.Random(85)))

    # ---- legacy Word 97-2003 / Excel 97-2003 (written without Office)
    s.doc("新建 Microsoft Word 97 - 2003 文档.doc", "base", "B02", report_doc(qd, "base", vqd))
    s.doc("附件3(1).doc", "institution", "S05", rules_doc(zc))
    s.xls("新建 Microsoft Excel 97-2003 工作表.xls", "base", "B04", "Sheet1",
          "入驻中小微企业名单及基本情况汇总表",
          [["序号", "中小微企业名称", "上年度营业收入(万元)", "上年度纳税额(万元)", "入驻时间",
            "企业联系人", "职务", "联系电话"]] + firms_rows(rng, 15))

    batch2(s, rng)

    s.write_labels()
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in s.names)
    print("make-set: %d files, %.1f MB in %s" % (len(s.names), total / 1e6, OUT))


if __name__ == "__main__":
    main()
