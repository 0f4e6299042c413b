"""``python -m render.three_d glb|usdz|validate ...`` (see ``render.three_d.cli``)."""

import sys

from render.three_d.cli import main

sys.exit(main())
