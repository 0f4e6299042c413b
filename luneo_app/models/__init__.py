"""Typed SQLAlchemy models of Luneo's core tables (see DESIGN.md, "Core data")."""

from .accounting import AuditEvent, UsageRecord
from .catalog import Design, Product, RenderJob, Upload
from .commerce import Order, OrderItem, WebhookEvent
from .compliance import DataExport
from .tenancy import ApiKey, Brand, ShopInstall, StaffUser, User

__all__ = [
    "ApiKey",
    "AuditEvent",
    "Brand",
    "DataExport",
    "Design",
    "Order",
    "OrderItem",
    "Product",
    "RenderJob",
    "ShopInstall",
    "StaffUser",
    "Upload",
    "UsageRecord",
    "User",
    "WebhookEvent",
]
