"""DynamoDB helpers: plain Python values in and out, errors translated by calls.call."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from app.platform.aws.calls import AwsError, call
from app.platform.aws.clients import AwsClients

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

Item = dict[str, Any]
# BatchGetItem takes at most 100 keys; a few rounds absorb what it leaves unprocessed.
BATCH_KEYS = 100
BATCH_ROUNDS = 5


def encode(value: Any) -> AttributeValueTypeDef:
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, bytes):
        return {"B": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if value is None:
        return {"NULL": True}
    if isinstance(value, Mapping):
        return {"M": {k: encode(v) for k, v in value.items()}}
    return {"S": str(value)}


def decode(value: Mapping[str, Any]) -> Any:
    kind, raw = next(iter(value.items()))
    if kind == "N":
        return int(raw)
    if kind == "NULL":
        return None
    if kind == "B":
        return bytes(raw)
    if kind == "M":
        return {k: decode(v) for k, v in raw.items()}
    return raw


def encode_item(item: Mapping[str, Any]) -> dict[str, AttributeValueTypeDef]:
    return {name: encode(value) for name, value in item.items()}


def decode_item(item: Mapping[str, Mapping[str, Any]]) -> Item:
    return {name: decode(value) for name, value in item.items()}


async def get_item(
    clients: AwsClients, *, table: str, key: Mapping[str, Any], consistent: bool = True
) -> Item | None:
    """The item, read strongly unless told otherwise (half the read units)."""
    answer = await call(
        clients.dynamodb().get_item,
        TableName=table,
        Key=encode_item(key),
        ConsistentRead=consistent,
    )
    found = answer.get("Item")
    return decode_item(found) if found else None


async def put_item(
    clients: AwsClients, *, table: str, item: Mapping[str, Any], new_key: str | None = None
) -> None:
    """Put item; with new_key, only when no item has that key yet (else AwsError)."""
    options: dict[str, Any] = {}
    if new_key is not None:
        options["ConditionExpression"] = "attribute_not_exists(#k)"
        options["ExpressionAttributeNames"] = {"#k": new_key}
    await call(clients.dynamodb().put_item, TableName=table, Item=encode_item(item), **options)


async def add_to_counter(
    clients: AwsClients, *, table: str, key: Mapping[str, Any], attribute: str, amount: int
) -> int:
    """Atomically add amount to a numeric attribute (made at 0 when missing); the new value."""
    answer = await call(
        clients.dynamodb().update_item,
        TableName=table,
        Key=encode_item(key),
        UpdateExpression="ADD #a :n",
        ExpressionAttributeNames={"#a": attribute},
        ExpressionAttributeValues={":n": {"N": str(amount)}},
        ReturnValues="UPDATED_NEW",
    )
    return int(answer["Attributes"][attribute]["N"])


async def add_once(
    clients: AwsClients,
    *,
    table: str,
    key: Mapping[str, Any],
    attribute: str,
    amount: int,
    marker: str,
    batch: str,
    after: str | None,
) -> int | None:
    """Add amount and set marker to batch, only while marker is still after (None: absent).

    The new value; None when the condition failed, which is also what a resent copy of a call
    that was applied gets, so a retry after a lost answer cannot add twice.
    """
    if after is None:
        condition, values = "attribute_not_exists(#m)", {}
    else:
        condition, values = "#m = :after", {":after": {"S": after}}
    try:
        answer = await call(
            clients.dynamodb().update_item,
            TableName=table,
            Key=encode_item(key),
            UpdateExpression="ADD #a :n SET #m = :batch",
            ConditionExpression=condition,
            ExpressionAttributeNames={"#a": attribute, "#m": marker},
            ExpressionAttributeValues={":n": {"N": str(amount)}, ":batch": {"S": batch}, **values},
            ReturnValues="UPDATED_NEW",
        )
    except AwsError as exc:
        if exc.condition_failed:
            return None
        raise
    return int(answer["Attributes"][attribute]["N"])


async def update_item(
    clients: AwsClients,
    *,
    table: str,
    key: Mapping[str, Any],
    values: Mapping[str, Any],
    only_if: str | None = None,
    condition_values: Mapping[str, Any] | None = None,
) -> Item | None:
    """SET the values and return the whole item after it; None when the condition failed.

    The values' names are #f0, #f1, ... in order, for use in only_if.
    """
    names = {f"#f{i}": name for i, name in enumerate(values)}
    placeholders = {f":v{i}": encode(value) for i, value in enumerate(values.values())}
    placeholders.update({k: encode(v) for k, v in (condition_values or {}).items()})
    options: dict[str, Any] = {"ReturnValues": "ALL_NEW"}
    if only_if is not None:
        options["ConditionExpression"] = only_if
    try:
        answer = await call(
            clients.dynamodb().update_item,
            TableName=table,
            Key=encode_item(key),
            UpdateExpression="SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(values))),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=placeholders,
            **options,
        )
    except AwsError as exc:
        if exc.condition_failed:
            return None
        raise
    return decode_item(answer["Attributes"])


async def delete_item(
    clients: AwsClients,
    *,
    table: str,
    key: Mapping[str, Any],
    only_if: str | None = None,
    condition_values: Mapping[str, Any] | None = None,
) -> Item | None:
    """Delete and return the old item; None when it was missing or the condition failed.

    With a condition this is a compare-and-delete: of two concurrent callers, one gets the item.
    """
    options: dict[str, Any] = {"ReturnValues": "ALL_OLD"}
    if only_if is not None:
        options["ConditionExpression"] = only_if
    if condition_values:
        options["ExpressionAttributeValues"] = encode_item(condition_values)
    try:
        answer = await call(
            clients.dynamodb().delete_item, TableName=table, Key=encode_item(key), **options
        )
    except AwsError as exc:
        if exc.condition_failed:
            return None
        raise
    old = answer.get("Attributes")
    return decode_item(old) if old else None


async def batch_get(
    clients: AwsClients, *, table: str, key_name: str, keys: Sequence[str]
) -> list[Item]:
    """The items with these string keys, in one BatchGetItem per 100 keys (plus retries)."""
    found: list[Item] = []
    for start in range(0, len(keys), BATCH_KEYS):
        pending: Any = {
            table: {
                "Keys": [{key_name: {"S": k}} for k in keys[start : start + BATCH_KEYS]],
                "ConsistentRead": False,
            }
        }
        for _ in range(BATCH_ROUNDS):
            answer = await call(clients.dynamodb().batch_get_item, RequestItems=pending)
            found += [decode_item(item) for item in answer.get("Responses", {}).get(table, [])]
            pending = answer.get("UnprocessedKeys") or {}
            if not pending:
                break
        else:
            raise AwsError(code="UnprocessedKeys", status=503, message="batch read incomplete")
    return found
