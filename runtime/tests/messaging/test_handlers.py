from __future__ import annotations

import pytest
from linkwork_runtime.messaging.handlers import Handlers
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
