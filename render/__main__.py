"""``python -m render``: 2D commands here, ``glb``/``usdz`` handed to render.three_d."""

import sys


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("glb", "usdz"):
        try:
            from render.three_d.cli import main as three_d_main
        except ImportError:
            print(f"error: {argv[0]} needs render.three_d, which is not installed", file=sys.stderr)
            return 2
        return three_d_main(argv)
    from render.cli import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
