"""Typed SQLAlchemy models of Luneo's core tables (see DESIGN.md, "Core data")."""

from .accounting import AuditEvent, UsageRecord
from .accounts import Account, RefreshToken
from .ai import AiArtwork, BudgetAlert
from .catalog import Design, Product, RenderJob, Upload
from .commerce import Order, OrderItem, WebhookEvent
from .compliance import DataExport
from .outbound import OutboundDelivery
from .tenancy import ApiKey, Brand, ShopInstall, StaffUser, User

__all__ = [
    "Account",
    "RefreshToken",
    "AiArtwork",
    "ApiKey",
    "AuditEvent",
    "Brand",
    "BudgetAlert",
    "DataExport",
    "Design",
    "Order",
    "OrderItem",
    "OutboundDelivery",
    "Product",
    "RenderJob",
    "ShopInstall",
    "StaffUser",
    "Upload",
    "UsageRecord",
    "User",
    "WebhookEvent",
]
