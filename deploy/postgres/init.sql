-- One database per service (docker compose only; the local runner creates them itself).
CREATE DATABASE referral;
CREATE DATABASE directory;
CREATE DATABASE matching;
CREATE DATABASE outcomes;
CREATE DATABASE notifications;
