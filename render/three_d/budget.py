"""Bounds on the work a model can ask for, checked before any of that work is done.

A GLB of a few kilobytes can describe a node graph drawn 2^40 times (children shared
between parents), an accessor of 2^31 elements with no data behind it, or JSON nested a
thousand levels deep. Each check here costs time linear in the size of the glTF JSON and
no allocation beyond it; anything over a bound is refused as ``too_complex`` (or
``too_many_triangles``) before the scene is walked or an accessor is read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from render.three_d.errors import ModelError

# Separators (``,``) in the glTF JSON bound the number of values the parser must build;
# a product model has a few thousand, base64 buffers count as one.
MAX_JSON_VALUES = 400_000
MAX_JSON_DEPTH = 64  # glTF needs about 8; extras rarely more than a few
MAX_SCENE_DEPTH = 64  # node hierarchy levels
MAX_NODES = 100_000
MAX_CHILD_LINKS = 200_000
MAX_ACCESSORS = 100_000
MAX_PRIMITIVES = 100_000
MAX_INSTANCES = 10_000  # mesh instances the scene draws (after sharing)
MAX_DRAWS = 50_000  # primitives drawn, over every instance
# An accessor with no bufferView is zeros (plus sparse values): never more than this many
# bytes, or the binary buffer's own size when that is larger.
MAX_ZERO_ACCESSOR_BYTES = 4 * 1024 * 1024


def too_complex(message: str) -> ModelError:
    return ModelError("too_complex", message)


_STRING = re.compile(rb'"[^"]*"')
_INNERMOST = re.compile(rb"\[\]|\{\}")
_NOT_SYNTAX = bytes(c for c in range(256) if c not in b'[]{}"\\')


def check_json_size(text: bytes) -> None:
    """Refuse glTF JSON with more values than any product needs, before parsing it."""
    values = text.count(b",")
    if values > MAX_JSON_VALUES:
        raise too_complex(
            f"glTF JSON holds about {values:,} values; the limit is {MAX_JSON_VALUES:,}"
        )


def check_json_depth(text: bytes, limit: int = MAX_JSON_DEPTH) -> None:
    """Refuse JSON text (already known to parse) nesting deeper than ``limit``.

    Works on the bytes with C-speed passes and no Python loop per element: keep only
    brackets, quotes and backslashes; drop escapes (so quotes alternate open/close); drop
    adjacent quote pairs, then what is left of strings; then remove innermost ``[]``/``{}``
    pairs once per level. Brackets left after ``limit`` rounds nest deeper.
    """
    kept = text.translate(None, _NOT_SYNTAX)
    kept = kept.replace(b"\\\\", b"").replace(b'\\"', b"").replace(b"\\", b"")
    brackets = _STRING.sub(b"", kept.replace(b'""', b""))
    for _ in range(limit):
        if not brackets:
            return
        brackets = _INNERMOST.sub(b"", brackets)
    if brackets:
        raise too_complex(f"glTF JSON nests deeper than {limit} levels")


def check_counts(doc: dict) -> None:
    """Refuse documents with more nodes, links, accessors or primitives than any product."""
    nodes = _list(doc.get("nodes"))
    if len(nodes) > MAX_NODES:
        raise too_complex(f"model has {len(nodes):,} nodes; the limit is {MAX_NODES:,}")
    links = sum(len(_list(n.get("children"))) for n in nodes if isinstance(n, dict))
    if links > MAX_CHILD_LINKS:
        raise too_complex(f"model has {links:,} node links; the limit is {MAX_CHILD_LINKS:,}")
    accessors = _list(doc.get("accessors"))
    if len(accessors) > MAX_ACCESSORS:
        raise too_complex(f"model has {len(accessors):,} accessors; the limit is {MAX_ACCESSORS:,}")
    prims = sum(
        len(_list(m.get("primitives"))) for m in _list(doc.get("meshes")) if isinstance(m, dict)
    )
    if prims > MAX_PRIMITIVES:
        raise too_complex(f"model has {prims:,} primitives; the limit is {MAX_PRIMITIVES:,}")


@dataclass(frozen=True)
class SceneCost:
    """What drawing the default scene costs: mesh instances, primitives drawn, triangles."""

    instances: int
    draws: int
    triangles: int


def scene_cost(
    doc: dict, roots: Iterable[object], mesh_triangles: Callable[[int], int]
) -> SceneCost:
    """Count what the scene draws without drawing it: each node's number of instances is the
    sum over its parents (a topological pass over the node graph, linear in its links).

    Raises ``invalid_glb`` for missing nodes or a cycle, ``too_complex`` for a hierarchy
    deeper than :data:`MAX_SCENE_DEPTH` or more instances/draws than the limits.
    """
    nodes = _list(doc.get("nodes"))
    meshes = _list(doc.get("meshes"))
    count = len(nodes)

    def valid(index: object) -> int:
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < count:
            raise ModelError("invalid_glb", "scene graph refers to missing nodes")
        return index

    children = [
        [valid(c) for c in _list(n.get("children"))] if isinstance(n, dict) else [] for n in nodes
    ]
    # Only the part of the graph the scene reaches counts: find it, then order it.
    reached: set[int] = set()
    stack = [valid(r) for r in roots]
    root_uses: dict[int, int] = {}
    for r in stack:
        root_uses[r] = root_uses.get(r, 0) + 1
    while stack:
        index = stack.pop()
        if index in reached:
            continue
        reached.add(index)
        stack.extend(children[index])
    parents_left = dict.fromkeys(reached, 0)
    for index in reached:
        for child in children[index]:
            parents_left[child] += 1
    instances = {i: root_uses.get(i, 0) for i in reached}
    depth = dict.fromkeys(reached, 1)
    ready = [i for i in reached if parents_left[i] == 0]
    done = 0
    while ready:
        index = ready.pop()
        done += 1
        if depth[index] > MAX_SCENE_DEPTH:
            raise too_complex(f"node hierarchy is deeper than {MAX_SCENE_DEPTH} levels")
        for child in children[index]:
            instances[child] += instances[index]
            depth[child] = max(depth[child], depth[index] + 1)
            parents_left[child] -= 1
            if parents_left[child] == 0:
                ready.append(child)
    if done != len(reached):
        raise ModelError("invalid_glb", "scene graph is cyclic")
    total_instances = draws = triangles = 0
    per_mesh: dict[int, int] = {}
    for index in reached:
        node = nodes[index]
        mesh = node.get("mesh") if isinstance(node, dict) else None
        if mesh is None:
            continue
        if not isinstance(mesh, int) or not 0 <= mesh < len(meshes):
            raise ModelError("invalid_glb", f"node {index} refers to missing mesh {mesh}")
        uses = instances[index]
        total_instances += uses
        draws += uses * len(_list(meshes[mesh].get("primitives")))
        if mesh not in per_mesh:
            per_mesh[mesh] = mesh_triangles(mesh)
        triangles += uses * per_mesh[mesh]
    if total_instances > MAX_INSTANCES:
        raise too_complex(
            f"the scene draws its meshes {total_instances:,} times; the limit is {MAX_INSTANCES:,}"
        )
    if draws > MAX_DRAWS:
        raise too_complex(f"the scene draws {draws:,} primitives; the limit is {MAX_DRAWS:,}")
    return SceneCost(total_instances, draws, triangles)


def zero_accessor_limit(bin_size: int) -> int:
    """Bytes an accessor without a bufferView may describe."""
    return max(MAX_ZERO_ACCESSOR_BYTES, bin_size)


def _list(value: object) -> list:
    return value if isinstance(value, list) else []
