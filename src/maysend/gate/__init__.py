"""The gate: where mail flows, decide who may receive a campaign and why.

    run_gate(GateRequest(...), classify=...) -> GateReport
        classify the campaign once, snapshot the ledger at `at`, decide every
        audience row with the policy (once per distinct combination of facts),
        and write send.parquet, suppressed.parquet, rejected.csv, summary.json.

Engines: DuckDB (embedded, out of core) and Spark (`--engine spark`), both
computing the same fact columns (`gate.outcomes.FactModel`) and both asking
`maysend.policy.decide_facts` for the answer.
"""

from maysend.gate.audience import AudienceColumns
from maysend.gate.campaign import ENGINES, OUTPUTS, GateReport, GateRequest, run_gate

__all__ = ["ENGINES", "OUTPUTS", "AudienceColumns", "GateReport", "GateRequest", "run_gate"]
