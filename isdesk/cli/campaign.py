"""`isdesk campaign`: list the campaigns and record what each cost."""

from __future__ import annotations

import argparse

from isdesk.cli.common import UserError, open_store
from isdesk.config.settings import Settings
from isdesk.rules import Rules


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add ``campaign list`` and ``campaign set-cost``."""
    campaign = subparsers.add_parser("campaign", parents=[common], help="campaigns and their cost")
    sub = campaign.add_subparsers(dest="campaign_command", metavar="ACTION", required=True)
    sub.add_parser("list", parents=[common], help="list campaigns with their cost")
    cost = sub.add_parser(
        "set-cost", parents=[common], help="record what a campaign cost (team leads)"
    )
    cost.add_argument("name", help="the campaign's name, as imported")
    cost.add_argument("yen", help="the cost in yen, e.g. 350000 or ¥350,000; 'none' to clear it")


def parse_yen(text: str) -> int | None:
    """Yen as written (350000, ¥350,000, 35万円, full-width digits); 'none' → None."""
    from isdesk.rules.values import parse_amount

    if text.strip().lower() in ("none", "-", ""):
        return None
    yen = parse_amount(text)
    if yen is None:
        raise UserError(f"cost {text!r} is not an amount in yen; write e.g. 350000 or 35万円")
    return yen


def run(args: argparse.Namespace, settings: Settings, rules: Rules) -> int:
    """List campaigns, or set one's cost as the acting team lead."""
    yen = parse_yen(args.yen) if args.campaign_command == "set-cost" else None
    db = open_store(settings)
    from isdesk.services.campaigns import CampaignError, list_campaigns, set_campaign_cost
    from isdesk.services.operators import find_operator

    with db.connection_context():
        if args.campaign_command == "list":
            for c in list_campaigns():
                held = c.held_on.isoformat() if c.held_on else "-"
                cost = f"{c.cost:,}" if c.cost is not None else "-"
                print(f"{c.name}\t{c.kind or '-'}\t{held}\t{cost}")
            return 0
        actor = find_operator(settings.operator)
        if actor is None:
            raise UserError(f"{settings.operator!r} is not an operator here (use --as LEAD)")
        try:
            info = set_campaign_cost(actor, args.name, yen)
        except CampaignError as error:
            raise UserError(str(error)) from None
    shown = f"¥{info.cost:,}" if info.cost is not None else "no cost"
    print(f"isdesk: {info.name}: {shown}")
    return 0
