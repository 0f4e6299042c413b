"""Index of the modules that define Celery tasks (imported by the app factory)."""

from .accounts import erasure as account_erasure  # noqa: F401
from .commerce import tasks as commerce_tasks  # noqa: F401
from .designs import artwork as artwork_tasks  # noqa: F401
from .designs import tasks as design_tasks  # noqa: F401
from .jobs import schedule as schedule_tasks  # noqa: F401
from .orders import shopify_handlers as order_handlers  # noqa: F401
from .orders import tasks as order_tasks  # noqa: F401
from .orders import woo_handlers as woo_order_handlers  # noqa: F401
from .outbound import tasks as outbound_tasks  # noqa: F401
from .shopify import tasks as shopify_tasks  # noqa: F401
from .sso import refresh as sso_tasks  # noqa: F401
from .support import server_errors as support_tasks  # noqa: F401
from .three_d import tasks as three_d_tasks  # noqa: F401
