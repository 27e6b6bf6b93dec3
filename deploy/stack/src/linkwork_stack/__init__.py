"""Local stack runner: real Apache Kafka and PostgreSQL without Docker, plus the four services."""
