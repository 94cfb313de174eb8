#!/usr/bin/python3
# make-fixtures.py - the small documents tests/test_textract.c reads.
#
# Run with Debian's python (python3-docx, python3-openpyxl,
# python3-reportlab, python3-pil, fonts-wqy-zenhei):
#     /usr/bin/python3 tests/data/textract/make-fixtures.py
# The output is committed; the test asserts the exact text each file holds,
# so change both together.
import io
import os
import random
import zipfile

import docx
import openpyxl
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

OUT = os.path.dirname(os.path.abspath(__file__))
FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
# Fixed timestamps in zip members, fixed seeds: the output is reproducible.
random.seed(9)


def out(name):
    return os.path.join(OUT, name)


def fix_zip(path):
    """Rewrite a zip with fixed member dates so regenerating changes nothing."""
    with zipfile.ZipFile(path) as z:
        members = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            z.writestr(zipfile.ZipInfo(name, (2023, 5, 10, 10, 23, 0)), data,
                       zipfile.ZIP_DEFLATED)


def make_docx():
    d = docx.Document()
    d.add_paragraph("衡阳市科技企业孵化器认定申请表")
    d.add_paragraph("申报单位：衡阳市  雁峰区创新创业服务中心")
    t = d.add_table(rows=3, cols=3)
    rows = [("项目", "数值", "单位"),
            ("孵化场地面积", "12500", "平方米"),
            ("在孵企业数量", "56", "家")]
    for r, vals in enumerate(rows):
        for c, v in enumerate(vals):
            t.cell(r, c).text = v
    d.add_paragraph("统一社会信用代码：91430400MA4L16XB1K")
    d.add_page_break()
    d.add_paragraph("第二页：承诺书")
    d.add_page_break()
    d.add_paragraph("第三页：附件清单")
    d.save(out("form.docx"))
    fix_zip(out("form.docx"))


ODD_DOCX = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd"><!ENTITY big "实体">]>
<ns0:document xmlns:ns0="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
 xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><ns0:body>
<ns0:p><ns0:r><ns0:t>标题</ns0:t></ns0:r><ns0:r><ns0:delText>删除的</ns0:delText></ns0:r>
<ns0:r><ns0:fldChar ns0:fldCharType="begin"/></ns0:r><ns0:r><ns0:instrText> PAGE </ns0:instrText></ns0:r>
<ns0:r><ns0:t>&e;&big;</ns0:t></ns0:r></ns0:p>
<ns0:p><ns0:r><mc:AlternateContent><mc:Choice Requires="wps"><ns0:txbxContent><ns0:p><ns0:r><ns0:t>文本框</ns0:t></ns0:r></ns0:p></ns0:txbxContent></mc:Choice>
<mc:Fallback><ns0:txbxContent><ns0:p><ns0:r><ns0:t>文本框</ns0:t></ns0:r></ns0:p></ns0:txbxContent></mc:Fallback></mc:AlternateContent></ns0:r></ns0:p>
<ns0:tbl><ns0:tr><ns0:tc><ns0:p><ns0:r><ns0:t>外</ns0:t></ns0:r></ns0:p>
<ns0:tbl><ns0:tr><ns0:tc><ns0:p><ns0:r><ns0:t>内一</ns0:t></ns0:r></ns0:p></ns0:tc><ns0:tc><ns0:p><ns0:r><ns0:t>内二</ns0:t></ns0:r></ns0:p></ns0:tc></ns0:tr></ns0:tbl>
</ns0:tc><ns0:tc><ns0:p><ns0:r><ns0:t>第一段</ns0:t></ns0:r></ns0:p><ns0:p><ns0:r><ns0:t>第二段</ns0:t></ns0:r></ns0:p></ns0:tc><ns0:tc/></ns0:tr></ns0:tbl>
<ns0:p><ns0:r><ns0:t xml:space="preserve">  结尾  </ns0:t><ns0:tab/><ns0:t>完</ns0:t></ns0:r></ns0:p>
</ns0:body></ns0:document>"""


def make_odd_docx():
    # Another writer's prefix, a text box twice (mc:Choice and
    # mc:Fallback), deleted text, a field code, entities (an external one
    # that must not be loaded), a nested table, an empty cell.
    with zipfile.ZipFile(out("odd.docx"), "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("word/document.xml", (2023, 5, 10, 10, 23, 0)), ODD_DOCX,
                   zipfile.ZIP_DEFLATED)


def make_xlsx():
    import datetime
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "基本情况"
    ws.append(["指标", "数值", "备注"])
    ws.append(["场地面积", 12500, "平方米"])
    ws.append(["自有产权比例", 0.65, None])
    ws["E5"] = "说明"
    ws.append(["成立日期", datetime.date(2016, 3, 18), 44927])
    ws["B6"].number_format = "yyyy\"年\"m\"月\"d\"日\""
    ws2 = wb.create_sheet("在孵企业")
    ws2.append(["企业名称", "从业人数"])
    ws2.append(["衡阳智造科技有限公司", 38])
    ws3 = wb.create_sheet("第三表")
    ws3.append(["不应读取"])
    wb.properties.created = wb.properties.modified = datetime.datetime(2023, 5, 10, 10, 23)
    wb.save(out("sheet.xlsx"))
    fix_zip(out("sheet.xlsx"))


SLIDE = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<p:sld xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"
 xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"><p:cSld><p:spTree>
<p:sp><p:txBody><a:p><a:r><a:t>{0}</a:t></a:r></a:p><a:p><a:r><a:t>{1}</a:t></a:r><a:r><a:t>{2}</a:t></a:r></a:p></p:txBody></p:sp>
</p:spTree></p:cSld></p:sld>"""


def make_pptx():
    # A minimal package: what the extractor reads (the slides) and the
    # content types that make it a presentation for libmagic.
    ct = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
          'package/2006/content-types"><Override PartName="/ppt/presentation.xml" ContentType="'
          'application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/>'
          '</Types>')
    with zipfile.ZipFile(out("slides.pptx"), "w", zipfile.ZIP_DEFLATED) as z:
        def w(name, data):
            z.writestr(zipfile.ZipInfo(name, (2023, 5, 10, 10, 23, 0)), data,
                       zipfile.ZIP_DEFLATED)
        w("[Content_Types].xml", ct)
        w("ppt/presentation.xml", "<p:presentation xmlns:p=\"http://schemas.openxmlformats.org/"
          "presentationml/2006/main\"/>")
        # slide2 first in the zip: order comes from the number, not the zip
        w("ppt/slides/slide2.xml", SLIDE.format("运营情况", "服务收入", "320万元"))
        w("ppt/slides/slide1.xml", SLIDE.format("孵化器年度汇报", "衡阳市", "科技局"))


def make_bomb():
    # word/document.xml of 4 MiB that deflates to a few KiB: the test
    # reads it with max_xml_bytes = 1 MiB and must refuse it.
    body = "<w:p><w:r><w:t>" + "炸" * 100 + "</w:t></w:r></w:p>"
    xml = ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
           'openxmlformats.org/wordprocessingml/2006/main"><w:body>' +
           body * (4 * 1024 * 1024 // len(body.encode())) + "</w:body></w:document>")
    with zipfile.ZipFile(out("bomb.docx"), "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("word/document.xml", (2023, 5, 10, 10, 23, 0)), xml,
                   zipfile.ZIP_DEFLATED)


def pdf_font():
    pdfmetrics.registerFont(TTFont("zenhei", FONT, subfontIndex=0))


def make_pdf():
    c = canvas.Canvas(out("text.pdf"), pagesize=A4, invariant=1)
    c.setFont("zenhei", 16)
    c.drawString(72, 760, "营业执照")
    c.setFont("zenhei", 11)
    c.drawString(72, 730, "统一社会信用代码 91430400MA4L16XB1K")
    c.drawString(72, 710, "名称 衡阳市雁峰区创新创业服务中心")
    c.showPage()
    c.setFont("zenhei", 11)
    c.drawString(72, 760, "第二页 经营范围：科技企业孵化服务")
    c.showPage()
    c.setFont("zenhei", 11)
    c.drawString(72, 760, "第三页 不应读取的内容")
    c.showPage()
    c.save()


def make_encrypted_pdf():
    from reportlab.lib import pdfencrypt
    enc = pdfencrypt.StandardEncryption("secret", ownerPassword="owner", strength=128)
    c = canvas.Canvas(out("encrypted.pdf"), pagesize=A4, encrypt=enc, invariant=1)
    c.setFont("zenhei", 12)
    c.drawString(72, 760, "加密的营业执照")
    c.showPage()
    c.save()


def scan_image(lines, dpi=200, size_mm=(210, 297), noise=True):
    """A page of Chinese text as a scanner sees it: gray, a little noise."""
    w = int(size_mm[0] / 25.4 * dpi)
    h = int(size_mm[1] / 25.4 * dpi)
    img = Image.new("L", (w, h), 245)
    d = ImageDraw.Draw(img)
    y = int(h * 0.08)
    for text, pt in lines:
        f = ImageFont.truetype(FONT, int(pt * dpi / 72))
        tw = d.textlength(text, font=f)
        d.text(((w - tw) / 2 if pt > 20 else w * 0.12, y), text, font=f, fill=25)
        y += int(pt * dpi / 72 * 1.9)
    if noise:
        px = img.load()
        for _ in range(w * h // 400):
            px[random.randrange(w), random.randrange(h)] = random.randrange(90, 200)
        img = img.filter(ImageFilter.GaussianBlur(0.6))
    return img


LICENCE = [
    ("营业执照", 36),
    ("统一社会信用代码 91430400MA4L16XB1K", 14),
    ("名称 衡阳市雁峰区创新创业服务中心", 14),
    ("类型 有限责任公司", 14),
    ("法定代表人 王建国", 14),
    ("注册资本 伍佰万元整", 14),
    ("成立日期 2016年03月18日", 14),
    ("住所 湖南省衡阳市雁峰区白沙洲工业园", 14),
]


def make_scans():
    # A4 at 150 dpi keeps the fixture small; the benchmark renders 300 dpi.
    img = scan_image(LICENCE, dpi=150)
    img.save(out("licence.png"), optimize=True)
    img.rotate(90, expand=True).save(out("licence-rot90.png"), optimize=True)
    # A PDF holding only that scan: no text layer, OCR'd after rendering.
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=70)
    buf.seek(0)
    from reportlab.lib.utils import ImageReader
    c = canvas.Canvas(out("scan.pdf"), pagesize=A4, invariant=1)
    c.drawImage(ImageReader(buf), 0, 0, width=A4[0], height=A4[1])
    c.showPage()
    c.save()


def make_rtf_csv():
    gbk = "申请表".encode("gbk")
    hexs = "".join("\\'%02x" % b for b in gbk)
    rtf = ("{\\rtf1\\ansi\\ansicpg936\\deff0{\\fonttbl{\\f0\\fnil\\fcharset134 SimSun;}}"
           "{\\*\\generator Msftedit 5.41;}\\uc1\\pard\\f0 " + hexs + "\\par\n"
           "\\u-26782?\\u31215? 12500\\par\n"
           "\\trowd\\cellx1000\\cellx2000 \\u23413?\\u21270?\\cell 56\\cell\\row\n}")
    with open(out("form.rtf"), "w", encoding="ascii") as f:
        f.write(rtf)
    with open(out("list.csv"), "wb") as f:
        f.write("企业名称,从业人数\r\n衡阳智造科技有限公司,38\r\n".encode("gbk"))


def main():
    pdf_font()
    make_docx()
    make_odd_docx()
    make_xlsx()
    make_pptx()
    make_bomb()
    make_pdf()
    make_encrypted_pdf()
    make_scans()
    make_rtf_csv()


if __name__ == "__main__":
    main()
