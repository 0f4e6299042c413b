"""The shopper's proof page: the link the shop sends (``proof.proof_link``).

``GET /proof/<token>`` shows the preview, what was chosen and the print checks in the
shopper's words; ``POST`` approves it (production starts) or asks for changes with a
comment. The signed link is the only credential: no account, no storefront token. Rate
limited per address; forms carry nothing but the verdict and the comment.
"""

from __future__ import annotations

from apiflask import APIBlueprint
from flask import current_app, redirect, render_template, request

from ..core.errors import LuneoError
from ..core.ratelimit import client_address
from ..extensions import db, limiter
from ..models import Brand, Product
from . import proof
from .choices import design_choices

bp = APIBlueprint("proof_page", __name__, template_folder="templates", enable_openapi=False)

# shopper's words for the checks a print shop runs (their codes are the engine's)
SHOPPER_WORDS = {
    "low_photo_resolution": "The picture may print a little soft at this size.",
    "text_too_small": "Some text is very small and may be hard to read.",
    "stroke_too_thin": "Some letters have very thin lines that may not come out.",
    "outside_safe_zone": "Something sits close to the edge and may be trimmed.",
    "out_of_gamut": "Some colours will print a little differently from your screen.",
    "semi_transparent": "Parts of the picture are see-through and will print lighter.",
    "font_fallback": "Some characters use a different font.",
    "photo_not_vector": None,  # the shop's concern, not the shopper's
}


def _page(token: str, design, status: int = 200, error: str | None = None, comment: str = ""):  # type: ignore[no-untyped-def]
    storage = current_app.extensions["luneo.storage"]
    brand = db.session.get(Brand, design.brand_id)
    product = db.session.get(Product, design.product_id)
    notes = []
    for finding in design.preflight or []:
        words = SHOPPER_WORDS.get(finding.get("code"), finding.get("message"))
        if words and words not in notes:
            notes.append(words)
    summary = proof.summary(design)
    html = render_template(
        "proof/proof.html",
        token=token,
        shop=brand.name if brand else "",
        product=product.title if product else "",
        preview_url=storage.url(design.preview_key, 3600) if design.preview_key else None,
        chosen=design_choices(design, product),
        notes=notes,
        blocked=any(f.get("severity") == "error" for f in design.preflight or []),
        waiting=proof.waiting(design) and not summary["approvedAt"],
        summary=summary,
        error=error,
        comment=comment,
        max_comment=proof.COMMENT_MAX,
    )
    response = current_app.response_class(html, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the link is the credential
    response.headers["Content-Security-Policy"] = "frame-ancestors 'none'"
    return response


@bp.get("/proof/<token>")
@limiter.limit("60/minute", key_func=client_address)
def show(token: str):  # type: ignore[no-untyped-def]
    """The proof: preview, choices, print checks, and the approve / change buttons."""
    return _page(token, proof.design_for_link(token))


@bp.post("/proof/<token>")
@limiter.limit("10/minute", key_func=client_address)
def answer(token: str):  # type: ignore[no-untyped-def]
    """Approve (production starts) or ask for changes with a comment."""
    design = proof.design_for_link(token)
    verdict = request.form.get("verdict")
    comment = request.form.get("comment", "")
    actor = "shopper:proof-link"
    try:
        if verdict == "approve":
            proof.approve(design, actor, by_shopper=True, via_link=True)
        elif verdict == "changes":
            proof.request_changes(design, actor, comment, by_shopper=True)
        else:
            return _page(token, design, 422, "Choose approve or ask for changes.", comment)
    except LuneoError as exc:  # not waiting any more, preflight errors, no comment
        db.session.rollback()
        return _page(token, design, exc.status, exc.message, comment)
    # post/redirect/get: a reload does not send the answer twice
    return redirect(request.path, code=303)
