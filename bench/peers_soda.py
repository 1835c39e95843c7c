"""Soda Core v4 in bench/peers.ts: one local contract verification, run by a fresh
process of the benchmark environment (.venv-bench, scripts/setup-bench.sh).

    python bench/peers_soda.py <data_source.yml> <contract.yml>

Every check of the contract carries a `qualifier` naming the suite's check.
Prints one JSON object {check: passed}.
"""

import json
import os
import sys

os.environ.setdefault("SODA_CORE_TELEMETRY_ENABLED", "false")
from soda_core.contracts.api.verify_api import verify_contract_locally  # noqa: E402


def main() -> None:
    data_source_file, contract_file = sys.argv[1], sys.argv[2]
    session = verify_contract_locally(data_source_file_path=data_source_file, contract_file_path=contract_file)
    if session.has_errors:
        raise SystemExit(f"soda: {session.get_errors_str()}")
    verdicts = {}
    for verification in session.contract_verification_results:
        for result in verification.check_results:
            verdicts[result.check.qualifier] = result.outcome.name == "PASSED"
    print(json.dumps(verdicts))


if __name__ == "__main__":
    main()
