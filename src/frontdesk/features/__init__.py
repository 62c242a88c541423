"""One package per capability; each owns its models, service, events and who receives them."""
