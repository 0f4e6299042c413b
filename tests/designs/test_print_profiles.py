"""Print profiles in production: the files a profile asks for, the manifest, preflight at
design time, and proof approval before production."""

from __future__ import annotations

import io
import json
import zipfile

import ezdxf
import pikepdf
from sqlalchemy import func, select

from luneo_app.extensions import db
from luneo_app.models import Brand, Design, RenderJob
from tests.designs.helpers import brand_with_key, photo_fills_area, png_bytes, text_design


def _profile(product, **profile) -> None:  # type: ignore[no-untyped-def]
    template = dict(product.template)
    template["printAreas"] = [dict(a, profile=profile) for a in template["printAreas"]]
    product.template = template
    db.session.commit()


def _get(client, app, url):  # type: ignore[no-untyped-def]
    return client.get(url.replace(app.config["APP_URL"], ""))


def _production_jobs() -> int:
    return db.session.scalar(
        select(func.count()).select_from(RenderJob).where(RenderJob.kind == "production")
    )


def _finalized(client, headers, product, **layer):  # type: ignore[no-untyped-def]
    created = client.post("/v1/designs", json=text_design(product.id, **layer), headers=headers)
    assert created.status_code == 202, created.get_json()
    design_id = created.get_json()["designId"]
    done = client.post(f"/v1/designs/{design_id}/finalize", json={}, headers=headers)
    assert done.status_code == 200, done.get_json()
    return done.get_json()


def test_a_cmyk_print_area_gets_a_press_ready_pdfx4_and_its_manifest_facts(app, client):
    _, headers, product = brand_with_key(app)
    _profile(product, kind="print-cmyk", bleedMm=2, dpi=150)
    body = _finalized(client, headers, product)
    assert body["status"] == "production_ready"
    (area,) = body["production"]
    assert set(area["files"]) == {"png", "pdfx4"}
    assert area["profile"]["kind"] == "print-cmyk" and area["profile"]["icc"] == "fogra39"
    assert area["dpi"] == 150 and area["widthMm"] == 72
    pdf = pikepdf.open(io.BytesIO(_get(client, app, area["files"]["pdfx4"]).data))
    with pdf.open_metadata() as meta:
        assert meta["pdfxid:GTS_PDFXVersion"] == "PDF/X-4"
    trim = [float(v) * 25.4 / 72 for v in pdf.pages[0].TrimBox]
    media = [float(v) * 25.4 / 72 for v in pdf.pages[0].MediaBox]
    assert round(trim[2] - trim[0], 2) == 72 and round(media[2] - media[0], 2) == 76
    design = db.session.get(Design, body["designId"])
    facts = design.production_keys["front"]["print"]
    assert (facts["colorSpace"], facts["icc"], facts["bleedMm"]) == ("cmyk", "fogra39", 2.0)
    assert facts["preflight"] == []


def test_an_engraving_area_gets_svg_dxf_and_vector_pdf(app, client):
    _, headers, product = brand_with_key(app)
    _profile(product, kind="engraving", dpi=200)
    body = _finalized(client, headers, product, text="Ada")
    (area,) = body["production"]
    assert set(area["files"]) == {"png", "svg", "dxf", "vector-pdf"}
    svg = _get(client, app, area["files"]["svg"])
    assert svg.mimetype == "image/svg+xml" and b'width="72mm"' in svg.data
    doc = ezdxf.read(io.StringIO(_get(client, app, area["files"]["dxf"]).data.decode()))
    assert {e.dxf.layer for e in doc.modelspace()} == {"ENGRAVE", "CUT"}


def test_an_engraved_photo_travels_with_its_dxf_into_the_order_zip(app, client):
    from luneo_app.models import Order, OrderItem
    from luneo_app.orders.files import build_zip, copy_line_files

    brand, headers, product = brand_with_key(app)
    photo_fills_area(product)
    _profile(product, kind="engraving", dpi=200)
    upload = client.post(
        "/v1/uploads",
        data={"file": (io.BytesIO(png_bytes(900, 1000)), "p.png"), "productId": product.id,
              "consent": "true"},
        headers=headers,
        content_type="multipart/form-data",
    ).get_json()  # fmt: skip
    layers = [
        {"type": "image", "printArea": "front", "uploadId": upload["uploadId"]},
        {"type": "text", "printArea": "front", "text": "Ada", "font": "lato", "y": 0.8},
    ]
    created = client.post(
        "/v1/designs", json={"productId": product.id, "layers": layers}, headers=headers
    )
    assert created.status_code == 202, created.get_json()
    design_id = created.get_json()["designId"]
    body = client.post(f"/v1/designs/{design_id}/finalize", json={}, headers=headers).get_json()
    (area,) = body["production"]
    assert set(area["files"]) == {"png", "svg", "dxf", "vector-pdf", "photo"}
    design = db.session.get(Design, design_id)
    order = Order(brand_id=brand.id, platform="api", external_id="9", name="#9", status="open")
    db.session.add(order)
    db.session.flush()
    item = OrderItem(order_id=order.id, brand_id=brand.id, line_number=1, line_item_id="l1",
                     design_id=design.id, title="Plaque", quantity=1)  # fmt: skip
    db.session.add(item)
    db.session.flush()
    item.files = copy_line_files(order, item, design)
    archive = zipfile.ZipFile(
        io.BytesIO(app.extensions["luneo.storage"].get(build_zip(order, [item])))
    )
    photo_name = f"9-1-{design.id}.photo.png"
    assert photo_name in archive.namelist()
    doc = ezdxf.read(io.StringIO(archive.read(f"9-1-{design.id}.dxf").decode()))
    assert not doc.audit().has_errors
    (image,) = doc.modelspace().query("IMAGE")
    assert image.image_def.dxf.filename == photo_name  # the file right beside it in the zip
    assert image.dxf.layer == "PHOTO"


def test_a_template_with_a_bad_print_profile_is_refused_field_by_field(app, client):
    from luneo_app.core.errors import ValidationFailed
    from luneo_app.designs.template import validate_template
    from render import samples

    template = samples.demo_template("mug")
    template["printAreas"][0]["profile"] = {"kind": "print-srgb", "outputs": ["pdfx4"]}
    try:
        validate_template(template)
    except ValidationFailed as exc:
        assert "printAreas[0].profile.outputs" in exc.details
    else:
        raise AssertionError("a PDF/X-4 without CMYK was accepted")


def test_a_blocking_preflight_rule_refuses_a_low_resolution_photo_at_design_time(app, client):
    _, headers, product = brand_with_key(app)
    photo_fills_area(product)
    _profile(product, kind="print-cmyk", minPhotoDpi=300, block=["low_photo_resolution"])
    upload = client.post(
        "/v1/uploads",
        data={
            # ~211 dpi: above the option's 150 (accepted), below the profile's 300
            "file": (io.BytesIO(png_bytes(600, 680)), "p.png"),
            "productId": product.id,
            "consent": "true",
        },
        headers=headers,
        content_type="multipart/form-data",
    ).get_json()
    layer = {"type": "image", "printArea": "front", "uploadId": upload["uploadId"]}
    design = {"productId": product.id, "layers": [layer]}
    answer = client.post("/v1/designs", json=design, headers=headers)
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert error["code"] == "preflight_failed" and "dpi" in error["details"]["layers[0]"]
    assert db.session.scalar(select(func.count()).select_from(Design)) == 0


def test_an_engraver_refuses_hairline_letters_under_its_stroke_floor(app, client):
    _, headers, product = brand_with_key(app)
    _profile(product, kind="engraving", minStrokeMm=0.12, block=["stroke_too_thin"])
    thin = text_design(product.id, text="Hamburg", font="playfair-display", autoFit=False, size=8)
    answer = client.post("/v1/designs", json=thin, headers=headers)
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert error["code"] == "preflight_failed"
    assert "0.12 mm" in error["details"]["layers[0]"]
    assert db.session.scalar(select(func.count()).select_from(Design)) == 0
    sturdy = text_design(product.id, text="Hamburg", font="lato", autoFit=False, size=8)
    assert client.post("/v1/designs", json=sturdy, headers=headers).status_code == 202


def test_warnings_are_kept_on_the_design_and_shown_by_the_api(app, client):
    _, headers, product = brand_with_key(app)
    _profile(product, kind="print-cmyk", safeMm=5)
    created = client.post(
        "/v1/designs",
        json=text_design(product.id, text="Edge", color="#00ff00", autoFit=False, size=20, x=0.1),
        headers=headers,
    ).get_json()
    got = client.get(f"/v1/designs/{created['designId']}", headers=headers).get_json()
    codes = {f["code"] for f in got["preflight"]}
    assert {"outside_safe_zone", "out_of_gamut"} <= codes
    assert all(f["severity"] == "warning" for f in got["preflight"])


def test_with_proof_approval_production_waits_until_the_proof_is_approved(app, client):
    brand, headers, product = brand_with_key(app)
    db.session.get(Brand, brand.id).settings = {"proofApproval": "merchant"}
    db.session.commit()
    body = _finalized(client, headers, product)
    assert body["status"] == "awaiting_proof" and body["production"] == []
    proof = body["proof"]
    assert (proof["required"], proof["approvedAt"], proof["approvedBy"]) == (True, None, None)
    assert proof["changesRequested"] is None and "/proof/" in proof["link"]
    assert _production_jobs() == 0
    approved = client.post(f"/v1/designs/{body['designId']}/proof", headers=headers)
    assert approved.status_code == 200, approved.get_json()
    got = approved.get_json()
    assert got["status"] == "production_ready" and got["proof"]["approvedAt"]
    assert _production_jobs() == 1
    again = client.post(f"/v1/designs/{body['designId']}/proof", headers=headers)
    assert again.status_code == 200 and _production_jobs() == 1


def test_a_proof_can_only_be_approved_while_one_is_waiting(app, client):
    _, headers, product = brand_with_key(app)
    created = client.post("/v1/designs", json=text_design(product.id), headers=headers).get_json()
    answer = client.post(f"/v1/designs/{created['designId']}/proof", headers=headers)
    assert answer.status_code == 409
    assert answer.get_json()["error"]["code"] == "not_awaiting_proof"


def test_the_order_manifest_names_profile_colour_space_and_options(app, client):
    from luneo_app.models import Order, OrderItem
    from luneo_app.orders.files import build_zip, copy_line_files

    brand, headers, product = brand_with_key(app)
    _profile(product, kind="print-cmyk", dpi=100)
    body = _finalized(client, headers, product)
    design = db.session.get(Design, body["designId"])
    design.options = {"name": "Jessica"}
    order = Order(brand_id=brand.id, platform="api", external_id="1", name="#7", status="open")
    db.session.add(order)
    db.session.flush()
    item = OrderItem(order_id=order.id, brand_id=brand.id, line_number=1, line_item_id="l1",
                     design_id=design.id, title="Mug", quantity=1)  # fmt: skip
    db.session.add(item)
    db.session.flush()
    item.files = copy_line_files(order, item, design)
    key = build_zip(order, [item])
    archive = zipfile.ZipFile(io.BytesIO(app.extensions["luneo.storage"].get(key)))
    assert f"7-1-{design.id}.x4.pdf" in archive.namelist()
    line = json.loads(archive.read("manifest.json"))["lines"][0]
    facts = line["printAreas"]["front"]["print"]
    assert facts["colorSpace"] == "cmyk" and facts["profile"]["kind"] == "print-cmyk"
    assert facts["widthMm"] == 72 and line["options"] == {"name": "Jessica"}
