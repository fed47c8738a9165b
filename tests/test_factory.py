"""The app serves the generated routes themselves, in the contract's routing order."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.routing import APIRoute

from generated.main import contract_routes


def test_the_app_routes_to_the_generated_routes_themselves(app: FastAPI) -> None:
    # An included router would stand in their place and build each route again on first use.
    contract = contract_routes()
    served = [route for route in app.router.routes if isinstance(route, APIRoute)]

    assert served == contract
    assert len({route.operation_id for route in served}) == len(contract)
