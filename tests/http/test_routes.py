"""The generated routes' class: known to routing at once, built on first use."""

from __future__ import annotations

import warnings
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Query
from pydantic import BaseModel, ConfigDict
from starlette.routing import Match

from app.http.routes import ContractRoute
from generated.main import contract_routes


def _router() -> APIRouter:
    router = APIRouter(route_class=ContractRoute)

    @router.get("/things/{thing_id}", operation_id="getThing")
    async def get_thing(thing_id: int, size: Annotated[int, Query(ge=1)] = 1) -> dict[str, int]:
        return {"id": thing_id, "size": size}

    return router


def _route(router: APIRouter) -> ContractRoute:
    (route,) = router.routes
    assert isinstance(route, ContractRoute)
    return route


def test_a_declared_route_is_not_built_yet() -> None:
    route = _route(_router())

    assert not route.built
    assert route.operation_id == "getThing"
    assert route.methods == {"GET"}


def test_it_matches_and_names_its_paths_without_being_built() -> None:
    route = _route(_router())
    scope = {"type": "http", "method": "GET", "path": "/things/7", "root_path": ""}

    match, child = route.matches(scope)

    assert match is Match.FULL
    assert child["path_params"] == {"thing_id": "7"}
    assert route.url_path_for("get_thing", thing_id="7") == "/things/7"
    assert route.matches({**scope, "path": "/other"})[0] is Match.NONE
    assert not route.built


def test_reading_what_building_makes_builds_it() -> None:
    route = _route(_router())

    assert [param.name for param in route.dependant.path_params] == ["thing_id"]
    assert route.built


async def test_the_first_request_builds_it_and_it_validates_as_fastapi_does() -> None:
    app = FastAPI()
    router = _router()
    app.router.routes.extend(router.routes)
    route = _route(router)

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        ok = await client.get("/things/7", params={"size": 3})
        assert route.built
        refused = await client.get("/things/7", params={"size": 0})
        not_a_number = await client.get("/things/seven")

    assert ok.status_code == 200
    assert ok.json() == {"id": 7, "size": 3}
    assert refused.status_code == 422
    assert not_a_number.status_code == 422


def test_a_route_that_cannot_be_built_fails_on_each_use_and_stays_unbuilt() -> None:
    router = APIRouter(route_class=ContractRoute)

    # FastAPI refuses a path parameter declared as a query parameter, when it builds the route.
    @router.get("/broken/{thing_id}")
    async def broken(thing_id: Annotated[int, Query()]) -> None:
        return None

    route = _route(router)
    for _ in range(2):
        with pytest.raises(AssertionError, match="path param"):
            route.build()
        assert not route.built


class Deferred(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    name: str


async def test_building_builds_the_validators_of_models_that_defer_theirs() -> None:
    router = APIRouter(route_class=ContractRoute)

    @router.post("/deferred", operation_id="makeDeferred")
    async def make(body: Deferred) -> Deferred:
        return body

    app = FastAPI()
    app.router.routes.extend(router.routes)
    route = _route(router)
    route.build()

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://test"
        ) as client:
            made = await client.post("/deferred", json={"name": "a"})
            refused = await client.post("/deferred", json={"name": "a", "extra": 1})

    assert made.status_code == 200
    assert made.json() == {"name": "a"}
    assert refused.status_code == 422


def test_every_contract_route_builds() -> None:
    routes = [route for route in contract_routes() if isinstance(route, ContractRoute)]
    names = {route.name for route in routes}

    for route in routes:
        route.build()

    assert len(routes) == len(contract_routes())
    assert all(route.built and route.operation_id for route in routes)
    assert {route.name for route in routes} == names
