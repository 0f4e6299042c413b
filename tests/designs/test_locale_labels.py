"""Merchant labels per language: validated in the template, passed to the storefront widget,
and the widget page told the storefront's language."""

from __future__ import annotations

import copy

import pytest

from luneo_app.core.errors import ValidationFailed
from luneo_app.designs.template import validate_template
from luneo_app.embed.catalog import storefront_product
from luneo_app.extensions import db
from tests.designs.helpers import MUG_TEMPLATE, brand_with_key


def _template(**name_fields) -> dict:  # type: ignore[no-untyped-def]
    template = copy.deepcopy(MUG_TEMPLATE)
    template["options"][0].update(name_fields)
    template["options"].append(
        {
            "id": "finish",
            "type": "material",
            "label": "Finish",
            "labels": {"fr": "Finition", "de": "Veredelung"},
            "values": [{"value": "gold", "label": "Gold", "labels": {"fr": "Or"}}],
        }
    )
    return template


def test_labels_per_language_are_accepted_and_reach_the_widget(app):
    brand, _headers, product = brand_with_key(app)
    template = validate_template(_template(labels={"fr": "Prénom", "de": "Vorname"}))
    product.template = template
    db.session.commit()
    with app.test_request_context():
        options = {o["id"]: o for o in storefront_product(product, brand)["options"]}
    assert options["name"]["labels"] == {"fr": "Prénom", "de": "Vorname"}
    assert options["finish"]["labels"]["fr"] == "Finition"
    assert options["finish"]["values"][0]["labels"] == {"fr": "Or"}


@pytest.mark.parametrize(
    ("labels", "field"),
    [
        ("Prénom", "options[0].labels"),
        ({"french": "Prénom"}, "options[0].labels"),
        ({"FR": "Prénom"}, "options[0].labels"),
        ({"fr": ""}, "options[0].labels.fr"),
        ({"fr": "x" * 81}, "options[0].labels.fr"),
    ],
)
def test_bad_labels_are_refused_by_field(labels, field):
    with pytest.raises(ValidationFailed) as info:
        validate_template(_template(labels=labels))
    assert field in info.value.details


def test_the_widget_page_is_told_the_storefronts_language(app, client):
    from tests.storefront.test_widget_assets import ORIGIN, SHOP, storefront_shop

    storefront_shop(app)
    query = {"shop": SHOP, "origin": ORIGIN, "product": "mug-1", "locale": "de-DE"}
    text = client.get("/embed/widget", query_string=query).get_data(as_text=True)
    # the widget's own strings stay English; the merchant's German labels are used
    assert '"labelLocale": "de"' in text and '<html lang="en">' in text
