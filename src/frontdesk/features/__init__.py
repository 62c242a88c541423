"""One package per capability; each owns its models, services, events and answers.

Other code uses a feature through its package (the names its `__init__` lists in `__all__`)
or its `models`, `events` and `schemas` modules, never its other modules; the features form
no import cycle (docs/architecture.md, "Feature boundaries"; checked by `lint-imports`).
"""
