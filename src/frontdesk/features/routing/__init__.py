"""Routing: which reps see and may engage a visitor (owner first, a team, round robin)."""

from frontdesk.features.routing.service import (
    RoutingDirectory,
    RoutingRule,
    create_team,
    delete_team,
    get_team,
    list_teams,
    next_turn,
    parse_routing,
    rename_team,
    route,
    set_team_members,
    validate_references,
)

__all__ = [
    "RoutingDirectory",
    "RoutingRule",
    "create_team",
    "delete_team",
    "get_team",
    "list_teams",
    "next_turn",
    "parse_routing",
    "rename_team",
    "route",
    "set_team_members",
    "validate_references",
]
