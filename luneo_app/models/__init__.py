"""Typed SQLAlchemy models of Luneo's core tables (see DESIGN.md, "Core data")."""

from .accounting import AuditEvent, UsageRecord
from .accounts import Account, RefreshToken
from .ai import AiArtwork, BudgetAlert
from .billing import BillableEvent, BillingAccount, PlanAlert
from .catalog import Design, DesignEvent, Product, RenderJob, Upload
from .commerce import Order, OrderItem, WebhookEvent
from .compliance import DataExport
from .connections import CommerceConnection
from .outbound import OutboundDelivery
from .realtime import RealtimeNotice
from .sso import SamlIdentityProvider, SamlSpKey, ScimGroup, ScimToken, scim_group_members
from .state import KvEntry
from .support import ServerError, SupportNote, TokenRefreshAttempt
from .tenancy import ApiKey, Brand, ShopInstall, StaffUser, User

__all__ = [
    "Account",
    "RefreshToken",
    "SamlIdentityProvider",
    "SamlSpKey",
    "ScimGroup",
    "ScimToken",
    "scim_group_members",
    "AiArtwork",
    "ApiKey",
    "AuditEvent",
    "BillableEvent",
    "BillingAccount",
    "Brand",
    "BudgetAlert",
    "CommerceConnection",
    "DataExport",
    "KvEntry",
    "Design",
    "DesignEvent",
    "Order",
    "PlanAlert",
    "OrderItem",
    "OutboundDelivery",
    "Product",
    "RealtimeNotice",
    "RenderJob",
    "ServerError",
    "ShopInstall",
    "StaffUser",
    "SupportNote",
    "TokenRefreshAttempt",
    "Upload",
    "UsageRecord",
    "User",
    "WebhookEvent",
]
