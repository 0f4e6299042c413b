"""Billing accounts: one per brand, made on first use."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import BillingAccount, Brand


def provider_of(brand: Brand) -> str:
    """Shopify merchants pay through Shopify, everyone else through Stripe."""
    return "shopify" if brand.kind == "shopify" else "stripe"


def find_account(brand_id: str) -> BillingAccount | None:
    """The brand's billing account, if it has one."""
    return db.session.scalar(select(BillingAccount).where(BillingAccount.brand_id == brand_id))


def account_of(brand: Brand) -> BillingAccount:
    """The brand's billing account, made on first use (added to the session)."""
    account = find_account(brand.id)
    if account is None:
        account = BillingAccount(brand_id=brand.id, provider=provider_of(brand), status="none")
        db.session.add(account)
    return account
