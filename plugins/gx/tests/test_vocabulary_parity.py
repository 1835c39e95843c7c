"""The provider's table follows the floe vocabulary in sdk/src/checks.ts: same types,
default dimensions, levels and GX expectations."""

import json
import os
import subprocess

from floe_quality_gx.mapping import CHECK_KINDS, snake_case

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))

DUMP = """
import { CHECK_TYPES } from "./sdk/src/checks.ts";
console.log(JSON.stringify(CHECK_TYPES.map((s) => ({ type: s.type, dimension: s.dimension, level: s.level, gx: s.gx }))));
"""


def vocabulary():
    tsx = os.path.join(REPO, "node_modules", ".bin", "tsx")
    assert os.path.exists(tsx), "the Node packages are missing: run 'npm ci' (npm run setup) first"
    out = subprocess.run([tsx, "-e", DUMP], cwd=REPO, check=True, capture_output=True, text=True, timeout=120)
    return json.loads(out.stdout)


def test_every_floe_type_is_mapped_with_the_vocabulary_dimension_level_and_gx_class():
    expected = {
        row["type"]: (row["dimension"], row["level"], snake_case(row["gx"]) if row["gx"] else None)
        for row in vocabulary()
    }
    actual = {k.type: (k.dimension.label, k.level, k.gx) for k in CHECK_KINDS}
    assert actual == expected
