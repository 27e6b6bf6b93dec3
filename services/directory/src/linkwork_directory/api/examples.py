"""Request examples for the directory's OpenAPI document; tests/unit/test_api_examples.py checks they are valid."""

from __future__ import annotations

from typing import Any

# A telephone befriending service, as a curator would send it (ORUK v3 with linkwork's social_prescribing).
SERVICE: dict[str, Any] = {
    "id": "5f0c2b7e-8d1a-4e6b-9c3f-2a7d4e1b8c90",
    "name": "Telephone befriending",
    "description": "A weekly call from a trained volunteer for people who feel lonely or cut off.",
    "status": "active",
    "organization": {
        "id": "1b6e9d3a-4c7f-4a2e-8b5d-0f3c6a9e2d71",
        "name": "Leeds Befriending CIO",
        "description": "A local charity.",
    },
    "social_prescribing": {
        "need_categories": ["loneliness-isolation"],
        "delivery_modes": ["telephone"],
        "referral_routes": ["self-referral", "link-worker"],
    },
    "schedules": [
        {
            "id": "8a3d5c1e-7b9f-4d2a-a6e8-3c1f5b7d9e02",
            "freq": "WEEKLY",
            "byday": "TU",
            "opens_at": "10:00",
            "closes_at": "12:00",
        }
    ],
}
SERVICE_BODY = {"telephone-befriending": {"summary": "A telephone befriending service", "value": SERVICE}}
PATCH_BODY = {
    "new-description": {
        "summary": "Change the description only",
        "value": {"description": "A weekly call from a trained volunteer; now also on Thursdays."},
    }
}
