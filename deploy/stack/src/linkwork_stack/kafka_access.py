"""Who may read and write which Kafka topic: one user per service plus `integration`, derived from the catalogue.

The ACLs come from linkwork_contracts.topics (producer and consumers of every topic), so they cannot drift
from what the services do:
- the producer of a topic may write it (and create it and read its configuration: directory checks that
  service-changed is compacted);
- each consumer may read it, and read and write its dead-letter topic (a consumer dead-letters what it cannot
  handle; its operators list and replay dead letters as that user);
- every user may use the consumer groups named after it (`referral`, `referral-requests`, ...).
Systems outside linkwork (GP integration engines, self-referral forms) are the one `integration` user: it
writes referral-requested and reads what the catalogue says existing systems read, among them the restricted
gp-record-update. So only referral reads referral-requested and its dead letters, and only integration reads
gp-record-update.

The same grants become the local broker's ACLs (`apply`, run by linkwork_stack.kafka as the super user) and
the Strimzi KafkaUsers (`python -m linkwork_stack.kafka_access` writes deploy/kubernetes/kafka/users.yaml;
`--check` compares, a test runs it).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.protocol.admin import CreateAclsRequest
from linkwork_contracts.topics import EXISTING_SYSTEMS, TOPICS
from linkwork_runtime.kafka_connection import Kafka, client_options

from linkwork_stack.paths import REPO_ROOT

STRIMZI_USERS = REPO_ROOT / "deploy" / "kubernetes" / "kafka" / "users.yaml"

ADMIN = "admin"  # the broker's own and the provisioning principal: a super user, never a service's
INTEGRATION = "integration"  # every system outside linkwork that exchanges events with it


def user_of(party: str) -> str:
    """The Kafka user of a catalogue producer or consumer."""
    return INTEGRATION if party == EXISTING_SYSTEMS else party


def users() -> list[str]:
    """Every user that is not the super user: the services in the catalogue, then integration."""
    parties = {user_of(spec.producer) for spec in TOPICS.values()}
    parties |= {user_of(consumer) for spec in TOPICS.values() for consumer in spec.consumers}
    return [*sorted(parties - {INTEGRATION}), INTEGRATION]


Resource = Literal["topic", "group"]
Pattern = Literal["literal", "prefix"]
Operation = Literal["Read", "Write", "Create", "Describe", "DescribeConfigs"]

PRODUCE: tuple[Operation, ...] = ("Write", "Describe", "Create", "DescribeConfigs")
CONSUME: tuple[Operation, ...] = ("Read", "Describe")
DEAD_LETTERS: tuple[Operation, ...] = ("Read", "Write", "Describe", "Create")


@dataclass(frozen=True, order=True)
class Grant:
    user: str
    resource: Resource
    name: str
    pattern: Pattern
    operations: tuple[Operation, ...]


def grants() -> list[Grant]:
    """Every ACL, grouped by user; within a user, in catalogue order."""
    found: list[Grant] = []
    for spec in TOPICS.values():
        found.append(Grant(user_of(spec.producer), "topic", spec.name, "literal", PRODUCE))
        for consumer in spec.consumers:
            found.append(Grant(user_of(consumer), "topic", spec.name, "literal", CONSUME))
            found.append(Grant(user_of(consumer), "topic", spec.dlq, "literal", DEAD_LETTERS))
    found += [Grant(user, "group", user, "prefix", CONSUME) for user in users()]
    order = {user: index for index, user in enumerate(users())}
    return sorted(found, key=lambda grant: order[grant.user])  # stable: catalogue order within a user


def may(user: str, operation: Operation, topic: str) -> bool:
    """Whether the grants let `user` do `operation` on `topic` (a literal topic name)."""
    return any(
        grant.user == user and grant.resource == "topic" and grant.name == topic and operation in grant.operations
        for grant in grants()
    )


# Kafka's wire codes (org.apache.kafka.common.acl.AclOperation, resource.ResourceType, resource.PatternType,
# acl.AclPermissionType): aiokafka sends CreateAcls but has no names for them.
_OPERATION_CODES: dict[Operation, int] = {"Read": 3, "Write": 4, "Create": 5, "Describe": 8, "DescribeConfigs": 10}
_RESOURCE_CODES: dict[Resource, int] = {"topic": 2, "group": 3}
_PATTERN_CODES: dict[Pattern, int] = {"literal": 3, "prefix": 4}
_ALLOW = 3


async def apply(kafka: Kafka, to_grant: Iterable[Grant] | None = None) -> int:
    """Create the ACLs on the broker as a super user (creating an existing ACL changes nothing); return how many.

    aiokafka's admin client has no create_acls, but speaks the CreateAcls request (API key 30): one
    request per ACL binding.
    """
    admin = AIOKafkaAdminClient(**client_options(kafka))
    await admin.start()
    created = 0
    try:
        for grant in grants() if to_grant is None else to_grant:
            for operation in grant.operations:
                request = CreateAclsRequest(
                    _RESOURCE_CODES[grant.resource],
                    grant.name,
                    _PATTERN_CODES[grant.pattern],
                    f"User:{grant.user}",
                    "*",
                    _OPERATION_CODES[operation],
                    _ALLOW,
                )
                response = await admin._send_request(request)
                for error_code, message in response.creation_responses:
                    if error_code:
                        raise RuntimeError(f"Kafka refused the ACL {grant.user} {operation} {grant.name}: {message}")
                created += 1
    finally:
        await admin.close()
    return created


HEADER = """\
# GENERATED by `python -m linkwork_stack.kafka_access` from linkwork_contracts.topics: do not edit by hand.
# One KafkaUser per linkwork service plus `integration` (GP integration engines and other existing systems),
# each authenticating with SCRAM-SHA-512 on the TLS listener; the User Operator keeps each password in a Secret
# named after the user. ACLs (the same as the local broker's, linkwork_stack.kafka_access):
# - a topic's producer writes (and creates, and reads the configuration of) it;
# - its consumers read it and read and write its dead-letter topic;
# - every user has the consumer groups prefixed with its name.
# So only referral reads referral-requested and its dead letters; only integration reads gp-record-update.
"""


def strimzi_yaml() -> str:
    documents = []
    for user in users():
        lines = [
            "apiVersion: kafka.strimzi.io/v1beta2",
            "kind: KafkaUser",
            "metadata:",
            f"  name: {user}",
            "  labels:",
            "    strimzi.io/cluster: linkwork",
            "spec:",
            "  authentication:",
            "    type: scram-sha-512",
            "  authorization:",
            "    type: simple",
            "    acls:",
        ]
        for grant in (g for g in grants() if g.user == user):
            lines += [
                "      - resource:",
                f"          type: {grant.resource}",
                f"          name: {grant.name}",
                f"          patternType: {grant.pattern}",
                f"        operations: [{', '.join(grant.operations)}]",
                '        host: "*"',
            ]
        documents.append("\n".join(lines) + "\n")
    return HEADER + "---\n".join(documents)


def stale() -> bool:
    return not STRIMZI_USERS.exists() or STRIMZI_USERS.read_text() != strimzi_yaml()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m linkwork_stack.kafka_access", description=__doc__)
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 if users.yaml is out of date")
    args = parser.parse_args(argv)
    relative = Path(STRIMZI_USERS).relative_to(REPO_ROOT)
    if args.check:
        if stale():
            print(f"out of date: {relative} (run python -m linkwork_stack.kafka_access)")
            return 1
        return 0
    if stale():
        STRIMZI_USERS.write_text(strimzi_yaml())
        print(f"wrote {relative}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
