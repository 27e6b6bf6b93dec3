from __future__ import annotations

import pytest
from linkwork_runtime.messaging.handlers import Handlers, PrefixedHandlers
from messaging_support import Sample

pytestmark = pytest.mark.unit


async def _noop(*_: object) -> None:
    return None


def test_handlers_know_their_topics_and_types(sample: type[Sample]) -> None:
    handlers = Handlers()
    assert not handlers

    @handlers.on(sample)
    async def handle(event: Sample, envelope: object, connection: object) -> None:
        return None

    assert handlers
    assert handlers.topics() == {sample.TOPIC}
    assert handlers.types() == {sample.TYPE}
    assert handlers.find(sample(stream="a", seq=1)) is handle


def test_one_handler_per_event_type(sample: type[Sample]) -> None:
    handlers = Handlers()
    handlers.add(sample, _noop)
    with pytest.raises(ValueError, match="already has a handler"):
        handlers.add(sample, _noop)


def test_prefixed_handlers_read_prefixed_topics_and_dispatch_by_type(sample: type[Sample]) -> None:
    handlers = PrefixedHandlers("test-abc-")
    handlers.add(sample, _noop)
    assert handlers.topics() == {f"test-abc-{sample.TOPIC}"}
    assert handlers.types() == {sample.TYPE}
    assert handlers.find(sample(stream="a", seq=1)) is _noop
    unprefixed = PrefixedHandlers()
    unprefixed.add(sample, _noop)
    assert unprefixed.topics() == {sample.TOPIC}
